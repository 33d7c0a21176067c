"""The sigmoid-sum / two-layer / weight-count solver against numpy and brute force."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.solver import Solution, get_solver
from tests.keyroundtrip import assert_full_marks, to_numpy

D, H, C = 4, 3, 2
PARAMS = {"units": 3, "unit": 2, "layers": [8, 10, 10, 3], "check_seed": 5}


def _solve(**over: Any) -> Solution:
    spec = load_problem_set().get("sigmoid_sum_gradients")
    assert spec is not None
    solver = get_solver("sigmoid_sum_gradients")
    assert solver is not None
    return solver({**PARAMS, **over}, spec.context)


def _values(seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    vals: dict[str, Any] = {f"w_{j}": rng.normal(size=(D, 1)) for j in (1, 2, 3)}
    vals |= {f"b_{j}": rng.normal() for j in (1, 2, 3)}
    vals |= {
        "x": rng.normal(size=(D, 1)),
        "y": rng.normal(),
        "epsilon": 0.1,
        "W_1": rng.normal(size=(H, D)),
        "W_2": rng.normal(size=(C, H)),
        "b": rng.normal(size=(H, 1)),
        "u": rng.normal(size=(C, 1)),
        "d": D,
        "h": H,
        "c": C,
    }
    return vals


def _f(v: dict[str, Any]) -> float:
    total = sum(1 / (1 + np.exp(-(v[f"w_{j}"].T @ v["x"]).item() - v[f"b_{j}"])) for j in (1, 2, 3))
    return float((v["y"] - total) ** 2)


def _ell(v: dict[str, Any]) -> float:
    r = v["W_2"] @ (v["W_1"] @ v["x"] + v["b"]) - v["u"]
    return float(0.5 * np.sum(r**2))


def _fd(fn: Any, v: dict[str, Any], name: str) -> Any:
    base = np.asarray(v[name], dtype=float)
    out = np.zeros_like(base)
    for idx in np.ndindex(*base.shape):
        step = np.zeros_like(base)
        step[idx] = 1e-6
        plus, minus = dict(v), dict(v)
        plus[name], minus[name] = base + step, base - step
        out[idx] = (fn(plus) - fn(minus)) / 2e-6
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_unit_gradients_by_finite_differences(seed: int) -> None:
    sol, v = _solve(), _values(seed)
    assert np.allclose(to_numpy(sol.answers["grad_w"], v), _fd(_f, v, "w_2"), atol=1e-6)
    assert np.isclose(to_numpy(sol.answers["grad_b"], v), _fd(_f, v, "b_2"), atol=1e-6)
    new_w = v["w_2"] - v["epsilon"] * _fd(_f, v, "w_2")
    assert np.allclose(to_numpy(sol.answers["update_w"], v), new_w, atol=1e-6)
    new_b = v["b_2"] - v["epsilon"] * _fd(_f, v, "b_2")
    assert np.isclose(to_numpy(sol.answers["update_b"], v), new_b, atol=1e-6)


def test_other_unit_is_asked_when_the_spec_says_so() -> None:
    sol, v = _solve(unit=3), _values(3)
    assert np.allclose(to_numpy(sol.answers["grad_w"], v), _fd(_f, v, "w_3"), atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_two_layer_by_finite_differences(seed: int) -> None:
    sol, v = _solve(), _values(seed)
    assert np.allclose(to_numpy(sol.answers["two_layer.grad_x"], v), _fd(_ell, v, "x"), atol=1e-6)
    assert np.allclose(to_numpy(sol.answers["two_layer.grad_b"], v), _fd(_ell, v, "b"), atol=1e-6)
    for name in ("W_1", "W_2"):
        expected = v[name] - v["epsilon"] * _fd(_ell, v, name)
        got = to_numpy(sol.answers[f"two_layer.update_{name.replace('_', '')}"], v)
        assert np.allclose(got, expected, atol=1e-6)


def _brute_count(sizes: list[int], bias: bool) -> int:
    """Allocate every layer's parameters and count them."""
    total = 0
    for fan_in, fan_out in itertools.pairwise(sizes):
        total += np.zeros((fan_out, fan_in)).size + (np.zeros(fan_out).size if bias else 0)
    return total


@pytest.mark.parametrize("sizes", [[8, 10, 10, 3], [5, 7, 2, 9]], ids=["seed", "other"])
def test_weight_counts_by_brute_force(sizes: list[int]) -> None:
    sol = _solve(layers=sizes)
    assert sol.answers["weights.value"] == _brute_count(sizes, bias=False)
    assert sol.answers["weights.with_bias"] == _brute_count(sizes, bias=True)
    vals = {f"d_{k}": s for k, s in enumerate(sizes)}
    assert to_numpy(sol.answers["weights.formula"], vals) == _brute_count(sizes, bias=False)


def test_seed_weight_count_by_hand() -> None:
    assert _solve().answers["weights.value"] == 8 * 10 + 10 * 10 + 10 * 3 == 210


def test_mistakes_differ_from_the_key() -> None:
    sol, v = _solve(), _values(7) | {f"d_{k}": s for k, s in enumerate([8, 10, 10, 3])}
    for part, ms in sol.mistakes.items():
        for m in ms:
            assert not np.allclose(to_numpy(m.value, v), to_numpy(sol.answers[part], v)), m.id


def test_key_reads_back_full_marks(tmp_path: Path) -> None:
    assert_full_marks("sigmoid_sum_gradients", tmp_path)
