"""Triangle-area model, odd constructions and the hat map against numpy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.solver import Solution, get_solver
from tests.keyroundtrip import assert_full_marks, to_numpy


def _solve(**over: Any) -> Solution:
    spec = load_problem_set().get("triangle_area")
    assert spec is not None
    solver = get_solver("triangle_area")
    assert solver is not None
    return solver({**spec.parameters, **over}, spec.context)


SOL = _solve()


def _shoelace(p: Any) -> float:
    (x1, y1), (x2, y2), (x3, y3) = p
    return abs((x2 - x1) * (y3 - y1) - (x3 - x1) * (y2 - y1)) / 2


@pytest.mark.parametrize("seed", range(5))
def test_model_is_the_area_of_random_triangles(seed: int) -> None:
    pts = np.random.default_rng(seed).uniform(-3, 3, size=(3, 2))
    a, b, c = (np.linalg.norm(pts[i] - pts[j]) for i, j in ((1, 2), (0, 2), (0, 1)))
    got = to_numpy(SOL.answers["model"], {"a": a, "b": b, "c": c})
    assert got == pytest.approx(_shoelace(pts))


def test_constant_by_hand() -> None:
    # 3-4-5 right triangle: area 6; the product is 12 * 4 * 2 * 6 = 576, sqrt = 24.
    assert SOL.answers["C"] == pytest.approx(6 / 24)


def test_scaling_by_numbers() -> None:
    sides, s = {"a": 0.5, "b": 0.6, "c": 0.7}, 1.7
    scaled = {k: s * v for k, v in sides.items()}
    ratio = to_numpy(SOL.answers["model"], scaled) / to_numpy(SOL.answers["model"], sides)
    assert to_numpy(SOL.answers["scaling"], {"s": s}) == pytest.approx(ratio)


def test_odd_model_with_random_coefficients() -> None:
    rng = np.random.default_rng(3)
    p = rng.normal(size=4)
    fhat = lambda x: p[0] + p[1] * x + p[2] * x**2 + p[3] * x**3  # noqa: E731
    for x in rng.normal(size=5):
        vals = {f"p_{i}": p[i] for i in range(4)} | {"x": x}
        assert to_numpy(SOL.answers["odd_model"], vals) == pytest.approx(fhat(x) - fhat(-x))


def test_odd_options_on_a_non_polynomial_model() -> None:
    fhat = lambda x: np.exp(0.3 * x) + np.sin(x) + x**2 + 1.0  # noqa: E731
    forms = {
        "A": lambda x: fhat(x) - fhat(-x),
        "B": lambda x: fhat(x) + fhat(-x),
        "C": lambda x: x * fhat(x**2),
        "D": lambda x: fhat(x) * fhat(-x),
        "E": lambda x: fhat(x**3),
    }
    xs = np.linspace(0.1, 2.0, 7)
    odd = tuple(k for k, f in forms.items() if np.allclose(f(-xs), -f(xs)))
    assert SOL.answers["odd_options"] == odd == ("A", "C")


def test_hat_is_the_cross_product_matrix() -> None:
    rng = np.random.default_rng(4)
    x, v = rng.normal(size=3), rng.normal(size=3)
    K = to_numpy(SOL.answers["hat"], {f"x_{i + 1}": x[i] for i in range(3)})
    assert np.allclose(K @ v, np.cross(x, v))
    assert np.allclose(K, -K.T)


def test_mistakes_differ_from_the_key() -> None:
    vals = {"a": 0.5, "b": 0.6, "c": 0.7, "s": 1.3, "x": 0.4, "x_1": 0.2, "x_2": -0.5}
    vals |= {"x_3": 0.9, "p_0": 0.3, "p_1": -0.7, "p_2": 1.1, "p_3": 0.5}
    for part, ms in SOL.mistakes.items():
        for m in ms:
            assert not np.allclose(to_numpy(m.value, vals), to_numpy(SOL.answers[part], vals))


def test_key_reads_back_full_marks(tmp_path: Path) -> None:
    assert_full_marks("triangle_area", tmp_path)
