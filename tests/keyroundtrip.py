"""Helpers for the solver tests of the seed-document problems.

``key_full_marks`` builds a submission from the key JSON of one problem (manual parts
left out: they are graded by hand) and runs ``hwgrade check --json`` on it through
click's CliRunner. ``to_numpy`` evaluates a reference matrix expression at explicit
numpy values with a small walker of its own, so a test compares the solver with numpy
without going through the grader's equivalence engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import sympy
import yaml
from click.testing import CliRunner
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.output.keys import key_json
from hwgrade.grader.specs.problemset import load_problem_set


def key_full_marks(problem_id: str, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    """(exit code, check JSON) for a submission holding the key's own answers."""
    problem_set = load_problem_set()
    spec = problem_set.get(problem_id)
    assert spec is not None, problem_id
    (problem,) = key_json([spec])["problems"]
    answers = {p["id"]: p["answer"] for p in problem["parts"] if p["kind"] != "manual"}
    path = tmp_path / "key_submission.yaml"
    path.write_text(
        yaml.safe_dump({"student": "key", "answers": {problem_id: answers}}, sort_keys=False),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["check", "--json", "--problem", problem_id, str(path)])
    return result.exit_code, json.loads(result.stdout)


def assert_full_marks(problem_id: str, tmp_path: Path) -> None:
    """Every auto-graded part of the key's own answers is correct; exit code 0."""
    code, data = key_full_marks(problem_id, tmp_path)
    wrong = [
        (p["part"], p["verdict"], p["message"])
        for p in data["parts"]
        if p["verdict"] != "correct" and p["max_score"] > 0
    ]
    assert wrong == []
    assert data["score"] == data["max_score"] > 0
    assert code == 0


def to_numpy(expr: Any, values: dict[str, Any]) -> Any:
    """Evaluate a scalar or matrix expression with numpy; ``values`` by symbol name."""
    if isinstance(expr, sympy.MatrixSymbol):
        return np.asarray(values[expr.name], dtype=float)
    if isinstance(expr, sympy.Symbol):
        return float(values[expr.name])
    if isinstance(expr, sympy.MatrixBase):
        return np.array([[to_numpy(x, values) for x in row] for row in expr.tolist()])
    if isinstance(expr, sympy.OneMatrix):
        return np.ones(tuple(int(_size(s, values)) for s in expr.shape))
    if isinstance(expr, sympy.MatMul):
        out: Any = 1.0
        for arg in expr.args:
            val = to_numpy(arg, values)
            out = out * val if np.ndim(out) == 0 or np.ndim(val) == 0 else out @ val
        return out
    if isinstance(expr, sympy.MatAdd):
        return sum(to_numpy(arg, values) for arg in expr.args)
    if isinstance(expr, sympy.Transpose):
        return to_numpy(expr.arg, values).T
    if isinstance(expr, sympy.HadamardProduct):
        out = 1.0
        for arg in expr.args:
            out = out * to_numpy(arg, values)
        return out
    if isinstance(expr, sympy.DiagMatrix):
        return np.diag(to_numpy(expr.args[0], values).ravel())
    if isinstance(expr, ElementwiseApplyFunction):
        inner = to_numpy(expr.expr, values)
        fn = sympy.lambdify(expr.function.variables, expr.function.expr, "numpy")
        return fn(inner)
    if isinstance(expr, sympy.Trace):
        return float(np.trace(to_numpy(expr.arg, values)))
    if isinstance(expr, sympy.Number):
        return float(expr)
    if isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow, sympy.Function)):
        args = [to_numpy(a, values) for a in expr.args]
        args = [a.item() if np.ndim(a) and np.size(a) == 1 else a for a in args]
        if isinstance(expr, sympy.Add):
            return sum(args)
        if isinstance(expr, sympy.Mul):
            out = 1.0
            for a in args:
                out = out * a
            return out
        if isinstance(expr, sympy.Pow):
            return args[0] ** args[1]
        fn = sympy.lambdify(sympy.Symbol("_a"), expr.func(sympy.Symbol("_a")), "numpy")
        return fn(args[0])
    raise TypeError(f"to_numpy: cannot evaluate {type(expr).__name__}: {expr}")


def _size(size: Any, values: dict[str, Any]) -> int:
    if isinstance(size, sympy.Integer):
        return int(size)
    return int(values[str(size)])
