"""``hwgrade new``: the files an instructor starts a problem from, valid out of the box.

A new user's first problem should not start from a blank page or from reading the
loader: the spec written here is commented field by field, derives every reference
with no Python (so ``hwgrade validate`` passes at once), and comes with a solver
skeleton for what a derivation cannot say and a pytest file to extend. Nothing is
overwritten: an instructor's edited spec is worth more than a fresh template.
"""

from __future__ import annotations

import re
from pathlib import Path

from hwgrade.grader.errors import UsageError
from hwgrade.solver import registered

_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

SPEC_TEMPLATE = """\
# {pid}: a problem spec for hwgrade. Every field is described in docs/specs.md.
# Check it with `hwgrade validate --problems {folder}` and see the key with
# `hwgrade key {pid} --problems {folder}` (or set HWGRADE_PROBLEMS / hwgrade.toml).
id: {pid}                       # the key students use in their submission files
title: "{title}"
source: ""                      # optional: where the problem comes from
statement: |
  A model predicts w x for an input x with target y and is trained on the squared
  error L = (w x - y)^2. Replace this text with your own question.

# The names students may use, and their shapes: `scalar`, or `rows x cols`
# (`X: n x d`, `y: n x 1`). Anything else a student writes is an unknown name.
symbols:
  w: scalar
  x: scalar
  y: scalar

# Numbers the derivations may use by name (a number, or nested lists for a matrix).
parameters:
  x_0: 2
  y_0: 3

# Named steps, evaluated in order; each may use the symbols, the parameters and the
# definitions above it. Written in the answer language plus the operations diff,
# subs, expand, factor, simplify, mean, var, sum, transpose, matmul, max, min.
definitions:
  L: "(w x - y)^2"
  dL_dw: "diff(L, w)"

# No `solver:` line: every part below states its reference as a derivation. For what
# a derivation cannot say, see {pid}_solver.py next to this file.
parts:
  - id: loss
    prompt: Write the loss L in terms of w, x and y.
    points: 1
    reference: "L"

  - id: grad
    prompt: The derivative dL/dw.
    points: 2
    reference: "dL_dw"
    # Known mistakes: a wrong answer that matches one gets this feedback and credit.
    mistakes:
      - derive: "dL_dw / 2"
        message: The chain rule brings down the exponent 2.
        credit: 0.5
    # alternatives: ["2 x (w x - y)"]   # other accepted forms (usually not needed)

  - id: grad_at
    prompt: The value of dL/dw at w = 1, x = x_0 = 2, y = y_0 = 3.
    points: 1
    reference: "subs(dL_dw, w, 1, x, x_0, y, y_0)"
    tolerance: 1e-3             # relative tolerance for decimals a student types
"""

SOLVER_TEMPLATE = '''\
"""Optional Python solver for `{pid}` (hwgrade imports every *.py next to the specs).

You only need this for references a `reference:` derivation cannot say (a search, a
simulation, a numeric optimisation). To use it, add `solver: {pid}` to {pid}.yaml and
delete `reference:` from the parts it answers; parts that keep a `reference:` are still
derived. Return SymPy values: expressions, sympy.ImmutableMatrix for vectors and
matrices, or a tuple of option labels for a choice part. A costly check of your own
derivation (brute force on a small instance) belongs under `if self_checks():`, which
`hwgrade key` and `validate` run and grading a class skips.
"""

from hwgrade.solver import Solution, register


@register("{pid}")
def solve(parameters, ctx):
    """Derive the answers of {pid} from the spec's parameters."""
    answers = {{}}  # e.g. answers["loss"] = (ctx.sym("w") * ctx.sym("x") - ctx.sym("y")) ** 2
    return Solution(answers)
'''

TEST_TEMPLATE = '''\
"""Tests for `{pid}`: run `pytest {folder}`. Edit SAMPLES when you edit the spec."""

from pathlib import Path

import hwgrade
import pytest

HERE = Path(__file__).resolve().parent

#: (part id, a student's answer, the verdict it must get, the points it must earn).
SAMPLES = [
    ("loss", "(wx - y)^2", "correct", 1),
    ("grad", "2x(wx - y)", "correct", 2),
    ("grad", "x(w x - y)", "incorrect", 1),  # the known mistake: half credit
    ("grad_at", "-4", "correct", 1),
    ("grad_at", "4", "incorrect", 0),
]


def test_spec_is_valid():
    assert hwgrade.validate_spec(HERE / "{pid}.yaml") == []


@pytest.mark.parametrize("part_id,answer,verdict,points", SAMPLES)
def test_sample_answers(part_id, answer, verdict, points):
    spec = hwgrade.load_problem_set(HERE).get("{pid}")
    result = hwgrade.grade_part(spec, part_id, answer)
    assert (result.verdict.value, result.score) == (verdict, points), result.message
'''


def scaffold(problem_id: str, folder: Path) -> list[Path]:
    """Write ``PROBLEM_ID.yaml``, ``PROBLEM_ID_solver.py`` and ``test_PROBLEM_ID.py``.

    Raises:
        UsageError: the id is not a valid name, or one of the files already exists.
    """
    if not _ID_RE.match(problem_id):
        raise UsageError(
            f"`{problem_id}` is not a usable problem id: start with a letter and use "
            "letters, digits and `_` (it also names the solver and test files)"
        )
    if problem_id in registered():
        raise UsageError(f"`{problem_id}` is already a solver name; choose another id")
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        folder / f"{problem_id}.yaml": SPEC_TEMPLATE,
        folder / f"{problem_id}_solver.py": SOLVER_TEMPLATE,
        folder / f"test_{problem_id}.py": TEST_TEMPLATE,
    }
    existing = [str(path) for path in files if path.exists()]
    if existing:
        raise UsageError(f"not overwriting {', '.join(existing)}")
    title = problem_id.replace("_", " ").capitalize()
    shown = str(folder) if folder.is_absolute() else str(folder) or "."
    for path, template in files.items():
        path.write_text(template.format(pid=problem_id, title=title, folder=shown), "utf-8")
    return list(files)


__all__ = ["SOLVER_TEMPLATE", "SPEC_TEMPLATE", "TEST_TEMPLATE", "scaffold"]
