"""Regenerate docs/certificate.png from the Russian sample certificate of the tests.

Run from the repository root: ``.venv/bin/python -m scripts.render_sample_certificate``.
Needs ``pdftoppm`` (Debian: poppler-utils) only here, to turn the PDF into an image.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from elearn.certificates.rendering.pdf import render_certificate
from tests.certificates.samples import ISSUER, RUSSIAN

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "certificate.png")
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args()
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.exit("pdftoppm not found: install poppler-utils (apt-get install poppler-utils)")
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "certificate.pdf"
        pdf.write_bytes(render_certificate(RUSSIAN, ISSUER))
        prefix = Path(folder) / "certificate"
        subprocess.run(
            [pdftoppm, "-png", "-r", str(args.dpi), "-singlefile", str(pdf), str(prefix)],
            check=True,
        )
        shutil.copyfile(prefix.with_suffix(".png"), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
