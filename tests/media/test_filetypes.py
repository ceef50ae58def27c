"""Recognising accepted files by their first bytes, and refusing everything else."""

from __future__ import annotations

import pytest

from elearn import filetypes
from tests.media.samples import HOSTILE, MP3_FRAME, SAMPLES


@pytest.mark.parametrize("content_type", sorted(SAMPLES))
def test_each_accepted_type_is_recognised_by_its_signature(content_type):
    file_type = filetypes.by_content_type(content_type)

    assert file_type is not None
    assert filetypes.sniff(SAMPLES[content_type]) is file_type
    assert filetypes.content_problem(file_type, SAMPLES[content_type]) is None


def test_an_mp3_may_start_with_a_frame_instead_of_a_tag():
    assert filetypes.sniff(MP3_FRAME).content_type == "audio/mpeg"


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_look_alikes_are_not_what_they_claim(name):
    declared, content = HOSTILE[name]

    problem = filetypes.content_problem(filetypes.by_content_type(declared), content)

    assert problem is not None
    assert problem.startswith(f"The content is not {declared}: ")


def test_the_problem_says_what_the_file_looks_like():
    pdf = filetypes.by_content_type("application/pdf")

    assert filetypes.content_problem(pdf, SAMPLES["image/png"]) == (
        "The content is not application/pdf: it looks like image/png."
    )


@pytest.mark.parametrize(
    "content_type", ["image/svg+xml", "text/html", "application/xhtml+xml", "image/gif", ""]
)
def test_markup_and_other_types_are_not_accepted(content_type):
    assert filetypes.by_content_type(content_type) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a/b/Clip.MP4", "video/mp4"), ("photo.jpeg", "image/jpeg"), ("x.svg", None), ("mp4", None)],
)
def test_extensions_name_their_type_in_any_case(name, expected):
    found = filetypes.by_extension(name)

    assert (found.content_type if found else None) == expected
