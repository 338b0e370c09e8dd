"""The shape of every service, checked on the source (docs/architecture/layout.md): no
import cycles inside a service, no service importing another service, and services that
never import their own Celery tasks (tasks are queued by name)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rentezy_common.platform import SERVICES
from rentezy_common.testing.processes import repo_root

REPO = repo_root()
SERVICE_DIRS = [spec.directory for spec in SERVICES.values()]


def modules_of(service: Path) -> dict[str, Path]:
    """Dotted module name (as the service imports it, from its own directory) -> file."""
    modules = {}
    for path in service.rglob("*.py"):
        relative = path.relative_to(service)
        if relative.parts[0] in ("tests", "migrations") or "migrations" in relative.parts:
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path) -> set[str]:
    """Every module `name` imports at module level or inside functions (absolute names)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def graph_of(service: Path) -> dict[str, set[str]]:
    modules = modules_of(service)
    graph = {}
    for name, path in modules.items():
        graph[name] = {target for target in imports_of(name, path) if target in modules}
        graph[name].discard(name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    visiting, done = set(), set()

    def visit(node: str, trail: list[str]) -> list[str] | None:
        visiting.add(node)
        for target in sorted(graph.get(node, ())):
            if target in visiting:
                return [*trail[trail.index(target) :], target] if target in trail else [target]
            if target not in done:
                cycle = visit(target, [*trail, target])
                if cycle:
                    return cycle
        visiting.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("directory", SERVICE_DIRS)
def test_no_import_cycles_inside_a_service(directory):
    cycle = find_cycle(graph_of(REPO / directory))
    assert cycle is None, f"{directory}: {' -> '.join(cycle)}"


@pytest.mark.parametrize("directory", SERVICE_DIRS)
def test_no_service_imports_another(directory):
    own = {name.split(".")[0] for name in modules_of(REPO / directory)}
    others = (
        {
            name.split(".")[0]
            for other in SERVICE_DIRS
            if other != directory
            for name in modules_of(REPO / other)
        }
        - own
        - {"config", "manage"}
    )  # every service has these names of its own
    offenders = []
    for name, path in modules_of(REPO / directory).items():
        for target in imports_of(name, path):
            if target.split(".")[0] in others:
                offenders.append(f"{name} imports {target}")
    assert not offenders, offenders


@pytest.mark.parametrize("directory", SERVICE_DIRS)
def test_services_queue_tasks_by_name(directory):
    modules = modules_of(REPO / directory)
    offenders = []
    for name, path in modules.items():
        if name.endswith(".services"):
            for target in imports_of(name, path):
                own = target.split(".")[0] in {m.split(".")[0] for m in modules}
                if own and (target.endswith(".tasks") or ".tasks." in target):
                    offenders.append(f"{name} imports {target}")
    assert not offenders, offenders
