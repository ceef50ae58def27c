"""Every endpoint under /api/v1 and /health appears in some domain's authorization table.

Each ``tests/**/test_authorization.py`` module is imported by path and its ``CASES`` resolved
against the app's URL map; a new domain's table counts as soon as its file exists. Paths are
formatted with a sample world in which every value reads as ``1``; a module whose URL
converters need other samples (a UUID, a slug with rules) declares ``SAMPLE_WORLD``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import HTTPException

from tests.authorization import Case, api_endpoints

TESTS = Path(__file__).resolve().parent


class SampleValue:
    """Any world value: formats as ``1``, and so do its attributes and items."""

    def __format__(self, spec: str) -> str:
        return "1"

    def __getattr__(self, name: str) -> SampleValue:
        return self

    def __getitem__(self, key: Any) -> SampleValue:
        return self


class SampleWorld(dict[str, Any]):
    def __missing__(self, key: str) -> SampleValue:
        return SampleValue()


def authorization_modules() -> list[ModuleType]:
    modules = []
    for path in sorted(TESTS.rglob("test_authorization.py")):
        name = "authorization_tables." + ".".join(path.relative_to(TESTS).with_suffix("").parts)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def resolved_cases(app: Flask) -> tuple[set[tuple[str, str]], list[str]]:
    """The (method, rule) pairs the tables cover, and the cases that resolve to no endpoint."""
    adapter = app.url_map.bind("localhost")
    covered, unresolved = set(), []
    for module in authorization_modules():
        world = SampleWorld(getattr(module, "SAMPLE_WORLD", {}))
        cases: list[Case] = module.CASES
        assert cases, f"{module.__name__} has an empty CASES table"
        for case in cases:
            path = case.path.format_map(world).partition("?")[0]
            try:
                rule, _ = adapter.match(path, method=case.method, return_rule=True)
            except HTTPException as error:
                unresolved.append(f"{module.__name__}: {case.id} -> {error.code or error}")
                continue
            covered.add((case.method, rule.rule))
    return covered, unresolved


@pytest.fixture(scope="module")
def coverage(app: Flask) -> tuple[set[tuple[str, str]], list[str]]:
    return resolved_cases(app)


def test_every_case_names_a_real_endpoint(coverage):
    _, unresolved = coverage

    assert not unresolved, "cases that match no endpoint:\n  " + "\n  ".join(unresolved)


def test_every_endpoint_is_in_an_authorization_table(app, coverage):
    covered, _ = coverage

    missing = sorted(api_endpoints(app) - covered, key=lambda pair: (pair[1], pair[0]))

    assert missing == [], "endpoints without authorization cases:\n" + "\n".join(
        f"  {method} {rule}" for method, rule in missing
    )


def test_the_check_sees_the_endpoints_it_must(app, coverage):
    covered, _ = coverage

    assert ("DELETE", "/api/v1/me/tokens/<int:token_id>") in api_endpoints(app)
    assert ("GET", "/health/ready") in covered
    assert not any(rule.endswith("openapi.json") for _, rule in api_endpoints(app))
