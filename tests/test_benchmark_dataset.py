"""The benchmarks' dataset builder refuses to load rows that miss what the models require."""

from typing import Any, cast

import pytest

from benchmarks import learning
from benchmarks.dataset import Dataset, DatasetError, Sizes, copy_rows
from benchmarks.harness import Load, Options, Serving, parse
from elearn.courses.models import Course

NOT_CONNECTED = cast(Any, None)  # every check happens before the COPY starts


def test_a_not_null_column_without_default_is_named() -> None:
    with pytest.raises(DatasetError, match=r"courses\.code is NOT NULL and has no default"):
        copy_rows(NOT_CONNECTED, Course, ("id", "slug", "default_language"), [])


def test_an_unknown_column_is_named() -> None:
    with pytest.raises(DatasetError, match="courses has no column colour"):
        copy_rows(NOT_CONNECTED, Course, ("id", "colour"), [])


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.19ms  512.00us  12.01ms   88.00%
  Latency Distribution
     50%    2.10ms
     75%    2.40ms
     90%    2.90ms
     99%    1.20s
  70421 requests in 10.00s, 10.21MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   7042.10
Transfer/sec:      1.02MB
"""


def test_wrk_figures_are_read_in_milliseconds() -> None:
    figures = parse("hello", WRK_OUTPUT)

    assert (figures.rate, figures.p50, figures.p99) == (7042.10, 2.10, 1200.0)
    assert (figures.requests, figures.failed) == (70421, 7)


def test_the_learning_screens_rotate_only_the_tokens_asked_for() -> None:
    dataset = Dataset("", Sizes(trainees=50, enrolments=200, courses=10, tokens=20), 1, 1)
    options = Options(dataset, Serving(), Load(), keep=False, rotate=3)

    targets = learning.targets(dataset, options.tokens())

    assert {request.token for target in targets for request in target.requests} == set(
        dataset.tokens(3)
    )
