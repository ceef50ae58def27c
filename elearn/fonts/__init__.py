"""Fonts shipped with elearn (DejaVu, see LICENSE), embedded in generated PDFs."""

from __future__ import annotations

from pathlib import Path

FONTS_DIRECTORY = Path(__file__).resolve().parent
