"""The floors of the house: imports point down, and no module waits on itself through others.

Every import of an ``elearn`` module is read from the source (imports under
``if TYPE_CHECKING:`` only name types, so they are left out). Two rules follow from the layout
in the README: a domain imports only from its own floor or the floors below it (the policy
package reads the models of any domain, and any domain may ask it), and the module graph has
no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import elearn

PACKAGE_ROOT = Path(elearn.__file__).parent

# Lowest first. A top-level module or package of ``elearn`` not named here is refused, so a new
# domain has to be given its floor.
FLOORS: tuple[frozenset[str], ...] = (
    frozenset(
        {
            "clock",
            "config",
            "database",
            "portable_sql",
            "driver_reads",
            "extensions",
            "errors",
            "schemas",
            "pagination",
            "negotiation",
            "filetypes",
            "formats",
            "inputs",
            "openapi",
            "security_headers",
            "csv_upload",
            "cli_options",
            "http_cache",
            "json_encoding",
            "cookie_session",
            "request_hooks",
            "hot_routes",
            "uow",
            "health",
            "schema_migrations",
            "fonts",
            "infra",
        }
    ),
    # An audit event names the user who acted, and changes to accounts are audited.
    frozenset({"accounts", "audit"}),
    frozenset({"courses"}),
    frozenset({"media"}),
    frozenset({"enrolments"}),
    frozenset({"quizzes"}),
    frozenset({"notifications"}),
    frozenset({"certificates", "reports"}),
    frozenset({"content"}),
    frozenset({"__init__", "cli", "demo", "worker", "wsgi"}),
)
POLICY = "policy"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking_block(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imported_modules(path: Path, modules: frozenset[str]) -> Iterator[str]:
    """The ``elearn`` modules ``path`` imports at run time (``from elearn import clock`` names
    ``elearn.clock``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for statement in tree.body:
        if is_type_checking_block(statement):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Import):
                yield from (alias.name for alias in node.names if alias.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.module in modules:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    yield submodule if submodule in modules else node.module


@cache
def import_graph() -> dict[str, frozenset[str]]:
    paths = {module_name(path): path for path in PACKAGE_ROOT.rglob("*.py")}
    modules = frozenset(paths)
    return {
        name: frozenset(imported_modules(path, modules)) - {name} for name, path in paths.items()
    }


def top_level(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def floor_of(module: str) -> int:
    name = top_level(module)
    for index, floor in enumerate(FLOORS):
        if name in floor:
            return index
    raise AssertionError(f"elearn.{name} has no floor in FLOORS; give it one")


def test_every_module_has_a_floor() -> None:
    for module in import_graph():
        if top_level(module) != POLICY:
            floor_of(module)


def test_domains_import_only_from_their_floor_or_below() -> None:
    upward = sorted(
        f"{module} imports {imported}"
        for module, imports in import_graph().items()
        if top_level(module) != POLICY
        for imported in imports
        if top_level(imported) != POLICY and floor_of(imported) > floor_of(module)
    )
    assert upward == []


def test_policy_reads_only_models_and_the_floor_below_every_domain() -> None:
    reaching = sorted(
        f"{module} imports {imported}"
        for module, imports in import_graph().items()
        if top_level(module) == POLICY
        for imported in imports
        if top_level(imported) != POLICY
        and floor_of(imported) > 0
        and not (imported.endswith(".models") or ".models." in imported)
    )
    assert reaching == []


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles = [component for component in strongly_connected(graph) if len(component) > 1]
    assert cycles == []


def strongly_connected(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components
