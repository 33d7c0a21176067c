import itertools

import numpy as np
import sympy

from hwgrade.grader.context import parse_vars
from hwgrade.solver import get_solver

CTX = parse_vars("X: n x d, y: n x 1, w: d x 1, p, Gamma: d x d")


def _instance(sol, Xn, yn, wn, pn):
    values = {"X": Xn, "y": yn, "w": wn, "Gamma": np.diag(np.sqrt((Xn**2).sum(axis=0)))}
    dims = {CTX.dim("n"): Xn.shape[0], CTX.dim("d"): Xn.shape[1]}
    out = {}
    for k, v in sol.answers.items():
        e = v.subs(dims)
        repl = {a: sympy.Matrix(values[a.name]) for a in e.atoms(sympy.MatrixSymbol)}
        repl[CTX.sym("p")] = pn
        e = e.xreplace(repl).doit()
        out[k] = np.array(sympy.Matrix(e).evalf(), dtype=float)
    return out


def _brute(Xn, yn, wn, pn):
    n, d = Xn.shape
    total = 0.0
    for bits in itertools.product((0, 1), repeat=n * d):
        R = np.array(bits, dtype=float).reshape(n, d)
        prob = pn ** R.sum() * (1 - pn) ** (n * d - R.sum())
        total += prob * float(np.sum((yn - (Xn * R) @ wn) ** 2))
    return total


def test_expected_loss_and_minimiser_against_brute_force():
    sol = get_solver("dropout_ridge")({"check_seed": 1}, CTX)
    rng = np.random.default_rng(5)
    Xn = rng.integers(-3, 4, size=(3, 2)).astype(float)
    yn = rng.normal(size=(3, 1))
    wn = rng.normal(size=(2, 1))
    pn = 0.3
    got = _instance(sol, Xn, yn, wn, pn)
    assert np.isclose(got["expected_loss"].item(), _brute(Xn, yn, wn, pn))
    # minimiser: the brute-force expectation is quadratic; check its gradient vanishes.
    ws = got["w_star"]
    eps = 1e-5
    for j in range(2):
        e = np.zeros((2, 1))
        e[j] = eps
        g = (_brute(Xn, yn, ws + e, pn) - _brute(Xn, yn, ws - e, pn)) / (2 * eps)
        assert abs(g) < 1e-6
    reg = got["regularizer"].item()
    assert np.isclose(reg, pn * (1 - pn) * (wn.T @ np.diag(np.diag(Xn.T @ Xn)) @ wn).item())


def test_mistakes_differ_from_reference():
    sol = get_solver("dropout_ridge")({}, CTX)
    rng = np.random.default_rng(2)
    Xn, yn, wn = rng.normal(size=(3, 2)), rng.normal(size=(3, 1)), rng.normal(size=(2, 1))
    ref = _instance(sol, Xn, yn, wn, 0.4)
    for part, ms in sol.mistakes.items():
        for m in ms:
            wrong = _instance(type(sol)({part: m.value}), Xn, yn, wn, 0.4)[part]
            assert not np.allclose(wrong, ref[part]), (part, m.id)


def test_brute_force_helper_is_exact():
    from hwgrade.solver.dropout_ridge import brute_force_expectation

    p = sympy.Symbol("p")
    X = sympy.Matrix([[2]])
    y = sympy.Matrix([[1]])
    w = sympy.Matrix([[3]])
    # R=1 w.p. p: (1-6)^2 ; R=0: 1
    assert sympy.expand(brute_force_expectation(X, y, w, p) - (25 * p + (1 - p))) == 0
