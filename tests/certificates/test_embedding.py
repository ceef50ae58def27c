from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from elearn.certificates.rendering import embedding, pdf
from elearn.certificates.rendering.pdf import render_certificate
from tests.certificates.samples import ENGLISH, ISSUER, RUSSIAN

CYRILLIC_AND_LATIN = [*range(0x20, 0x7F), *range(0x410, 0x450)]


def tables(program: bytes) -> dict[bytes, bytes]:
    (count,) = struct.unpack_from(">H", program, 4)
    entries = (struct.unpack_from(">4sLLL", program, 12 + 16 * n) for n in range(count))
    return {tag: program[offset : offset + length] for tag, _, offset, length in entries}


def subset_of(font_name: str, codes: list[int]) -> bytes:
    pdf.register_fonts()
    font = pdfmetrics.getFont(font_name)
    return bytes(font.face.makeSubset(codes))


def embedded_programs(data: bytes) -> dict[str, tuple[bytes, bytes]]:
    """Each font's embedded program: as stored in the PDF, and inflated by pypdf."""
    page = PdfReader(io.BytesIO(data)).pages[0]
    programs = {}
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        stream = font["/FontDescriptor"]["/FontFile2"].get_object()
        assert list(stream["/Filter"]) == ["/FlateDecode"]
        programs[str(font["/BaseFont"]).split("+")[1]] = (stream._data, stream.get_data())
    return programs


@pytest.mark.parametrize("font_name", list(pdf.FONT_FILES))
def test_a_font_program_inflates_to_itself(font_name):
    program = subset_of(font_name, CYRILLIC_AND_LATIN)

    assert zlib.decompress(embedding.deflate_font_program(program)) == program


def test_the_copied_tables_are_deflated_once_and_reused():
    pdf.register_fonts()
    first = subset_of(pdf.REGULAR, [*range(0x41, 0x5B)])
    second = subset_of(pdf.REGULAR, [*range(0x410, 0x430)])
    name = tables(first)[b"name"]
    assert tables(second)[b"name"] == name

    deflated_once = embedding._deflated_copied_table(name)

    assert deflated_once in embedding.deflate_font_program(first)
    assert deflated_once in embedding.deflate_font_program(second)


def test_the_certificates_fonts_inflate_to_their_subsets_with_the_fonts_own_tables():
    for content in (RUSSIAN, ENGLISH):
        for font_name, (stored, program) in embedded_programs(
            render_certificate(content, ISSUER)
        ).items():
            font = pdfmetrics.getFont(font_name).face
            assert zlib.decompress(stored) == program
            assert set(tables(program)) >= {b"glyf", b"loca", b"cmap", b"hmtx"}
            for tag in embedding.COPIED_TABLES:
                assert tables(program)[tag] == font.get_table(tag.decode())


def test_the_font_programs_take_no_more_room_than_reportlabs_own():
    programs = embedded_programs(render_certificate(RUSSIAN, ISSUER)).values()

    stored = sum(len(data) for data, _ in programs)
    assert stored <= 1.02 * sum(len(zlib.compress(program)) for _, program in programs)


def test_each_fonts_widths_are_those_of_its_glyphs():
    page = PdfReader(io.BytesIO(render_certificate(RUSSIAN, ISSUER))).pages[0]
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        face = pdfmetrics.getFont(str(font["/BaseFont"]).split("+")[1]).face
        cmap = font["/ToUnicode"].get_object().get_data().decode()
        characters = dict(re.findall(r"^<([0-9A-F]{2})> <([0-9A-F]{4})>$", cmap, re.MULTILINE))
        widths = [float(width) for width in font["/Widths"]]

        assert len(widths) == int(font["/LastChar"]) - int(font["/FirstChar"]) + 1 > 100
        for code, width in enumerate(widths):
            character = int(characters[f"{code:02X}"], 16)
            assert width == pytest.approx(face.getCharWidth(character), abs=1e-3)
