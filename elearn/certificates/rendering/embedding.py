"""Embedded font programs, compressed without compressing again what every certificate shares.

Each certificate embeds a subset of each of its three TrueType fonts (32 to 42 KiB), which
ReportLab compresses whole with zlib: that was the largest share of the rendering. Part of
every subset is the same in every certificate: the tables ReportLab's subsetting copies from
the font as they are (``name`` with the copyright and licence text, 9 to 16 KiB; ``OS/2``; the
hinting programs ``cvt``, ``fpgm`` and ``prep``). Only the glyphs, their metrics and the
character map change. So a font program is deflated piece by piece: a copied table's
compressed bytes are made once per process (at the best level) and reused, the rest is
compressed each time at a fast level. Each piece ends on a full flush (byte-aligned, no match
reaching back into an earlier piece), so the pieces joined, between the zlib header and the
checksum of the whole, are one valid zlib stream: a PDF reader inflates it to the very font
program ReportLab made.

Each subset's glyph widths are written in one call too (``NumberArray``). Both are set by
``EmbeddedFont`` on the objects ReportLab made for the font, through ReportLab's own
interfaces (a stream filter, a PDF object): nothing of the library is patched.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFDocument, PDFObject
from reportlab.pdfbase.ttfonts import TTFont

# The tables ReportLab's subsetting (TTFontFile.makeSubset) copies unchanged from the font.
COPIED_TABLES = frozenset({b"name", b"OS/2", b"cvt ", b"fpgm", b"prep"})
COPIED_LEVEL = 9
CHANGING_LEVEL = 1
# Deflate with a 32 KiB window; the level bits of the second byte are only informative.
_ZLIB_HEADER = b"\x78\x9c"
_TABLE_DIRECTORY = struct.Struct(">4sLLL")


def _compressor(level: int) -> zlib._Compress:
    """Raw deflate (no header, no checksum): the pieces of one stream are made apart."""
    return zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)


@lru_cache(maxsize=32)
def _deflated_copied_table(table: bytes) -> bytes:
    """``table`` as deflate blocks ending on a full flush, to be followed by others."""
    compressor = _compressor(COPIED_LEVEL)
    return compressor.compress(table) + compressor.flush(zlib.Z_FULL_FLUSH)


def _pieces(program: bytes) -> Iterator[tuple[bytes, bool]]:
    """The font program cut at its copied tables, each piece with whether it is one."""
    (count,) = struct.unpack_from(">H", program, 4)
    copied = sorted(
        (offset, offset + length)
        for tag, _, offset, length in (
            _TABLE_DIRECTORY.unpack_from(program, 12 + 16 * number) for number in range(count)
        )
        if tag in COPIED_TABLES
    )
    position = 0
    for start, end in copied:
        if start > position:
            yield program[position:start], False
        yield program[start:end], True
        position = end
    if position < len(program):
        yield program[position:], False


def deflate_font_program(program: bytes) -> bytes:
    """The TrueType ``program`` as a zlib stream, its copied tables compressed once per process."""
    compressor = _compressor(CHANGING_LEVEL)
    deflated = [_ZLIB_HEADER]
    for piece, copied in _pieces(program):
        if copied:
            deflated.append(_deflated_copied_table(piece))
        else:
            deflated += compressor.compress(piece), compressor.flush(zlib.Z_FULL_FLUSH)
    deflated += compressor.flush(), struct.pack(">L", zlib.adler32(program))
    return b"".join(deflated)


class FontProgramFlate:
    """A PDF stream filter (ReportLab's interface): FlateDecode, by ``deflate_font_program``."""

    pdfname = "FlateDecode"

    def encode(self, program: bytes) -> bytes:
        return deflate_font_program(program)

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


FONT_PROGRAM_FLATE = FontProgramFlate()


class NumberArray(PDFObject):
    """A PDF array of numbers formatted in one call (ReportLab's ``PDFArray`` formats and
    encodes its elements one by one: a font's ``Widths`` was a tenth of the rendering)."""

    def __init__(self, numbers: Sequence[float]) -> None:
        self.numbers = numbers

    def format(self, document: PDFDocument) -> bytes:
        return b"[" + fp_str(*self.numbers).encode() + b"]"


class EmbeddedFont(TTFont):
    """A TrueType font whose embedded subsets are compressed with ``FONT_PROGRAM_FLATE`` and
    whose glyph widths are a ``NumberArray``."""

    def addObjects(self, doc: PDFDocument) -> None:
        super().addObjects(doc)
        # ReportLab's names of each subset's font and program (TTFont.addObjects,
        # TTFontFace.addSubsetObjects).
        subset_fonts = doc.fontMapping[self.fontName][1:] + "+"
        programs = f"fontFile:{self.face.filename}("
        for name, value in doc.idToObject.items():
            if name.startswith(subset_fonts):
                value.Widths = NumberArray(value.Widths.sequence)
            elif name.startswith(programs) and value.filters:
                value.filters = [FONT_PROGRAM_FLATE]
