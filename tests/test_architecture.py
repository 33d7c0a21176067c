"""The package's shape: no import cycles, stages that import only earlier stages.

Read with the stdlib's ``ast`` (nothing is imported), so the test sees every import,
including those inside functions and under ``TYPE_CHECKING``: a cycle hidden in a
function is still a cycle a newcomer has to untangle.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Where each installed package lives in the repository (pyproject's package-dir).
FOLDERS = {"hwgrade": "hwgrade", "hwgrade.grader": "grader", "hwgrade.solver": "solver"}
#: The grader's pipeline stages, earliest first: a stage imports only earlier ones.
STAGES = ("values", "answer", "verify", "specs", "grading", "batch", "output", "cli")
#: The shared base at grader/'s top, which every stage may use (at most 8 modules).
BASE = ("errors", "results", "context", "names", "sanitize", "yamlsafe", "outfiles", "memo")


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in FOLDERS.items():
        base = ROOT / folder
        for path in base.rglob("*.py"):
            if package == "hwgrade" and path.parent != base:
                continue
            parts = path.relative_to(base).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((package, *parts))] = path
    return found


MODULES = _modules()


def _in_functions(tree: ast.Module) -> set[int]:
    """The ids of every node inside a function body."""
    inside: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            inside.update(id(node) for node in ast.walk(fn) if node is not fn)
    return inside


def _imports(name: str, path: Path) -> Iterator[tuple[str, int, bool]]:
    """(imported first-party module, line, inside a function) for every import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    inside = _in_functions(tree)
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                module = f"{module}.{node.module}" if node.module else module
            for alias in node.names:
                full = f"{module}.{alias.name}"
                targets.append(full if full in MODULES else module)
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        for target in targets:
            if target in MODULES and target != name:
                yield target, node.lineno, id(node) in inside


GRAPH = {name: sorted({t for t, _, _ in _imports(name, path)}) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in sorted(GRAPH):
        if name not in index:
            visit(name)
    return found


def _stage(module: str) -> int | None:
    """The stage's position, -1 for the grader's shared base, None outside them."""
    parts = module.split(".")
    if parts[:2] != ["hwgrade", "grader"] or len(parts) == 2:
        return None
    if len(parts) == 3 and parts[2] in BASE:
        return -1
    is_stage = parts[2] in STAGES and (ROOT / "grader" / parts[2]).is_dir()
    return STAGES.index(parts[2]) if is_stage else None


def test_the_module_table_sees_the_package() -> None:
    assert "hwgrade.grader.errors" in MODULES
    assert len(MODULES) > 50
    assert any(GRAPH.values())


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_a_cycle_would_be_found(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = "hwgrade.grader.errors", "hwgrade.grader.results"
    monkeypatch.setitem(GRAPH, a, [*GRAPH[a], b])
    monkeypatch.setitem(GRAPH, b, [*GRAPH[b], a])
    assert [a, b] in _cycles()


@pytest.mark.parametrize("name", sorted(n for n in MODULES if _stage(n) is not None))
def test_a_stage_imports_only_earlier_stages(name: str) -> None:
    mine = _stage(name)
    assert mine is not None
    for target in GRAPH[name]:
        theirs = _stage(target)
        if theirs is None:
            continue
        if mine == -1:
            assert theirs == -1, f"the shared base module {name} imports the stage {target}"
        else:
            assert theirs <= mine, f"{name} (stage {STAGES[mine]}) imports the later {target}"


def test_every_stage_says_what_it_holds() -> None:
    for stage in STAGES:
        init = ROOT / "grader" / stage / "__init__.py"
        if not init.exists():
            continue
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init} must say what it may import"


def test_the_base_is_small_and_everything_else_is_in_a_stage() -> None:
    top = sorted(p.stem for p in (ROOT / "grader").glob("*.py") if p.name != "__init__.py")
    assert top == sorted(BASE)
    assert len(BASE) <= 8
    folders = sorted(p.name for p in (ROOT / "grader").iterdir() if (p / "__init__.py").exists())
    assert folders == sorted(STAGES)


def _block_starts(tree: ast.Module) -> dict[int, int]:
    """For every import statement, the line of the first import of its run of imports."""
    starts: dict[int, int] = {}
    for owner in ast.walk(tree):
        for field in ("body", "orelse", "finalbody", "handlers"):
            statements = getattr(owner, field, None)
            if not isinstance(statements, list):
                continue
            first = None
            for statement in statements:
                if isinstance(statement, ast.Import | ast.ImportFrom):
                    first = first or statement.lineno
                    starts[statement.lineno] = first
                else:
                    first = None
    return starts


@pytest.mark.parametrize("name", sorted(MODULES))
def test_an_import_inside_a_function_is_a_commented_lazy_import(name: str) -> None:
    """Only a lazy import of something heavy or optional, and it says so.

    An import inside a function used to be the way round a cycle; with no cycles left,
    the only reason is start-up time (or an optional extra), and a comment saying
    ``lazy`` on the line above the import (or above the run of imports it is in, or on
    the statement that opens the block) records it.
    """
    source = MODULES[name].read_text(encoding="utf-8")
    lines, starts = source.splitlines(), _block_starts(ast.parse(source))
    for target, line, inside in _imports(name, MODULES[name]):
        if inside:
            above = lines[starts[line] - 2]
            assert "lazy" in above, f"{name}:{line} imports {target} inside a function"


def test_every_stage_is_installed() -> None:
    """A stage missing from pyproject's package list would be left out of the wheel."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = set(config["tool"]["setuptools"]["packages"])
    assert {f"hwgrade.grader.{stage}" for stage in STAGES} <= packages
