"""Shared fixtures: the conformance anchors in ``../shared/anchors`` and a bounded pool.

The conformance suites (``tests/test_conformance_*.py``, ``tests/test_adversarial.py``)
read cases transcribed from STACK, PrairieLearn/WeBWorK and Math-Verify. The folder
lives beside the checkout, not inside it; without it those suites are skipped, never
failed. A test module opts in to per-case parametrization by asking for the
``anchor_case`` fixture and defining ``anchor_params(anchors: Path) -> list``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hwgrade.grader.batch.sandbox import Limits, TaskOutcome, WorkerPool

REPO = Path(__file__).resolve().parents[1]
#: The key cache stays off in the tests (a test that patches a solver must see it run),
#: except where tests/test_keycache.py turns it on with a folder of its own.
os.environ["HWGRADE_CACHE"] = "off"
ANCHORS_MISSING = (
    "../shared/anchors not found: the conformance suites need the shared folder beside the checkout"
)


def anchors_dir() -> Path | None:
    """``../shared/anchors`` relative to the repository root, if it is there."""
    path = (REPO / ".." / "shared" / "anchors").resolve()
    return path if path.is_dir() else None


def load_anchor(anchors: Path, name: str) -> Any:
    """One anchor file, loaded safely (the files are data, never code)."""
    with (anchors / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="session")
def anchors() -> Path:
    """The anchors folder; skips the requesting test when it is absent."""
    path = anchors_dir()
    if path is None:
        pytest.skip(ANCHORS_MISSING)
    return path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``anchor_case`` with the module's cases (one skipped param if absent)."""
    if "anchor_case" not in metafunc.fixturenames:
        return
    path = anchors_dir()
    if path is None:
        params = [pytest.param(None, id="anchors-missing", marks=pytest.mark.skip(ANCHORS_MISSING))]
    else:
        params = metafunc.module.anchor_params(path)
    metafunc.parametrize("anchor_case", params)


Runner = Callable[..., list[TaskOutcome]]


def run_bounded_map(fn: Callable[[Any], Any], items: list[Any], seconds: float = 5.0) -> list[Any]:
    """Each item in a sandboxed worker (``seconds``, 1 GiB), two at a time."""
    with WorkerPool(2, Limits(seconds=seconds)) as pool:
        return pool.map(fn, items)


@pytest.fixture(scope="session")
def bounded_map() -> Runner:
    """``run(fn, items, seconds=5.0)``: see :func:`run_bounded_map`."""
    return run_bounded_map


# --- SymPy syntax of the anchors -> the answer language ----------------------------------

_SYMPY_SPELLINGS = [
    (r"\bE\b", "e"),  # Euler's number
    (r"\bI\b", "sqrt(-1)"),  # the imaginary unit has no name in the answer language
    (r"\bAbs\(", "abs("),
    (r"\bMin\(", "min("),
    (r"\bMax\(", "max("),
    (r"\bMod\(", "mod("),
    (r"\bbar\{([A-Za-z][A-Za-z0-9]*)\}", r"\1_bar"),  # latex2sympy's Symbol('bar{x}')
]


def sympy_to_hwgrade(text: str) -> str:
    """Respell the anchors' SymPy syntax in the answer language, without changing meaning.

    Only spellings differ: ``E`` is our ``e``; SymPy's imaginary unit ``I`` has no name in
    hwgrade (``I`` is the identity matrix, ``i`` an index), so it is written ``sqrt(-1)``,
    which hwgrade reads as i; ``Abs``/``Min``/``Max``/``Mod`` are
    ``abs``/``min``/``max``/``mod``; latex2sympy's decorated symbol ``bar{x}`` is
    hwgrade's ``x_bar`` (what ``\\bar{x}`` reads as);
    ``Matrix([[...]])`` is the nested list itself and ``eye(n)`` the explicit identity.
    """
    for pattern, replacement in _SYMPY_SPELLINGS:
        text = re.sub(pattern, replacement, text)
    text = re.sub(r"\beye\((\d)\)", lambda m: _identity(int(m.group(1))), text)
    return _strip_matrix(text)


def _identity(size: int) -> str:
    rows = (", ".join("1" if i == j else "0" for j in range(size)) for i in range(size))
    return "[" + ", ".join(f"[{row}]" for row in rows) + "]"


def _strip_matrix(text: str) -> str:
    """``Matrix(X)`` -> ``X`` (the argument is already a nested list)."""
    while (start := text.find("Matrix(")) >= 0:
        depth, i = 0, start + len("Matrix")
        for i in range(start + len("Matrix"), len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
        text = text[:start] + text[start + len("Matrix(") : i] + text[i + 1 :]
    return text


@pytest.fixture(scope="session")
def respell() -> Callable[[str], str]:
    """The SymPy-to-hwgrade respelling (see :func:`sympy_to_hwgrade`)."""
    return sympy_to_hwgrade


def verdict_table(
    bounded_map: Runner, fn: Callable[[Any], Any], items: list[dict[str, Any]], seconds: float
) -> dict[str, tuple[str, str]]:
    """(verdict, message) by case id; a stopped check counts as `timeout` or `invalid`."""
    table: dict[str, tuple[str, str]] = {}
    for item, outcome in zip(items, bounded_map(fn, items, seconds), strict=True):
        if outcome.ok:
            table[item["id"]] = outcome.value
        else:
            table[item["id"]] = ("timeout" if outcome.timed_out else "invalid", outcome.error)
    return table


def agrees(case: dict[str, Any], verdict: str) -> bool:
    """Whether hwgrade's verdict matches the anchor's `equivalent`."""
    return (verdict == "correct") == bool(case["equivalent"])


@pytest.fixture()
def blocked(tmp_path: Path) -> Path:
    """A place with a file where a folder would be wanted and a folder where a file would."""
    (tmp_path / "a_file").write_text("keep me")
    (tmp_path / "a_folder").mkdir()
    return tmp_path
