"""The staged-computation solver against a hand derivation and finite differences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy

from hwgrade.grader.context import parse_vars
from hwgrade.solver import get_solver
from tests.keyroundtrip import assert_full_marks

CTX = parse_vars("x, y, z, q, f")
GRAPH = {"q": "x + y", "f": "q z"}


def _solve(inputs: dict[str, float]) -> dict[str, object]:
    solver = get_solver("staged_computation")
    assert solver is not None
    return dict(solver({"graph": GRAPH, "inputs": inputs}, CTX).answers)


def test_seed_numbers_by_hand() -> None:
    # q = -2 + 5 = 3, f = 3 * -4 = -12; df/dz = q = 3; df/dq = z = -4 = df/dx = df/dy.
    got = _solve({"x": -2, "y": 5, "z": -4})
    expected = {
        "forward.q": 3,
        "forward.f": -12,
        "backward.df_dz": 3,
        "backward.df_dq": -4,
        "backward.df_dx": -4,
        "backward.df_dy": -4,
        "local.dq_dx": 1,
        "local.dq_dy": 1,
    }
    assert {k: got[k] for k in expected} == expected


def test_symbolic_parts() -> None:
    z, q = CTX.sym("z"), CTX.sym("q")
    got = _solve({"x": 1, "y": 2, "z": 3})
    assert got["decompose"] == q * z
    assert got["local.df_dq"] == z
    assert got["local.df_dz"] == q  # the gate's other input, as in the seed (dfdz = g)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_values_by_finite_differences(seed: int) -> None:
    rng = np.random.default_rng(seed)
    point = rng.integers(-9, 10, size=3).astype(float)
    got = _solve(dict(zip("xyz", (int(v) for v in point), strict=True)))

    def f(v: np.ndarray) -> float:
        return float((v[0] + v[1]) * v[2])

    for i, name in enumerate("xyz"):
        step = np.zeros(3)
        step[i] = 1e-6
        fd = (f(point + step) - f(point - step)) / 2e-6
        assert float(got[f"backward.df_d{name}"]) == pytest.approx(fd, abs=1e-6)
    # df/dq: perturb the intermediate value itself.
    qv = point[0] + point[1]
    fd_q = ((qv + 1e-6) * point[2] - (qv - 1e-6) * point[2]) / 2e-6
    assert float(got["backward.df_dq"]) == pytest.approx(fd_q, abs=1e-6)


def test_known_mistakes_differ_from_the_key() -> None:
    solver = get_solver("staged_computation")
    assert solver is not None
    sol = solver({"graph": GRAPH, "inputs": {"x": -2, "y": 5, "z": -4}}, CTX)
    assert {m.id for ms in sol.mistakes.values() for m in ms} >= {
        "precedence",
        "own_value",
        "no_upstream",
        "swapped",
    }
    for part, ms in sol.mistakes.items():
        for m in ms:
            assert sympy.simplify(m.value - sol.answers[part]) != 0, (part, m.id)
    assert [m.value for m in sol.mistakes["forward.f"]] == [-22]  # -2 + 5 * -4


def test_key_reads_back_full_marks(tmp_path: Path) -> None:
    assert_full_marks("staged_computation", tmp_path)
