import numpy as np
import sympy

from hwgrade.grader.context import parse_vars
from hwgrade.solver import get_solver

CTX = parse_vars("X: n x d, y: n x 1, w: d x 1, lambda: n x 1, a: n x 1, eta, d > n")


def _eval(expr, vals, n, d):
    e = expr.subs({CTX.dim("n"): n, CTX.dim("d"): d})
    repl = {m: sympy.Matrix(vals[m.name]) for m in e.atoms(sympy.MatrixSymbol)}
    repl[CTX.sym("eta")] = vals["eta"]
    return np.array(sympy.Matrix(e.xreplace(repl).doit()).evalf(), dtype=float)


def _random(seed, n=3, d=5):
    rng = np.random.default_rng(seed)
    return {
        "X": rng.normal(size=(n, d)),
        "y": rng.normal(size=(n, 1)),
        "w": rng.normal(size=(d, 1)),
        "a": rng.normal(size=(n, 1)),
        "eta": 0.01,
    }


def test_gradient_by_finite_differences():
    sol = get_solver("min_norm_gd")({}, CTX)
    v = _random(1)
    f = lambda w: float(np.sum((v["y"] - v["X"] @ w) ** 2))  # noqa: E731
    fd = np.zeros((5, 1))
    for j in range(5):
        e = np.zeros((5, 1))
        e[j] = 1e-6
        fd[j] = (f(v["w"] + e) - f(v["w"] - e)) / 2e-6
    assert np.allclose(_eval(sol.answers["grad"], v, 3, 5), fd, atol=1e-5)


def test_w_star_is_min_norm_and_gd_limit():
    sol = get_solver("min_norm_gd")({}, CTX)
    v = _random(2)
    ws = _eval(sol.answers["w_star"], v, 3, 5)
    assert np.allclose(v["X"] @ ws, v["y"])
    assert np.allclose(ws, np.linalg.pinv(v["X"]) @ v["y"])  # min-norm solution
    w = np.zeros((5, 1))
    eta = 0.5 / np.linalg.norm(v["X"], 2) ** 2
    for _ in range(20000):
        w -= eta * 2 * v["X"].T @ (v["X"] @ w - v["y"])
    assert np.allclose(_eval(sol.answers["gd_limit"], v, 3, 5), w, atol=1e-8)


def test_lambda_star_satisfies_kkt():
    sol = get_solver("min_norm_gd")({}, CTX)
    v = _random(3)
    ws = _eval(sol.answers["w_star"], v, 3, 5)
    lam = _eval(sol.answers["lambda_star"], v, 3, 5)
    assert np.allclose(2 * ws + v["X"].T @ lam, 0)  # d/dw of ||w||^2 + lam^T (Xw - y)


def test_row_space_recursion():
    sol = get_solver("min_norm_gd")({}, CTX)
    v = _random(4)
    w = v["X"].T @ v["a"]
    w_next = w - v["eta"] * 2 * v["X"].T @ (v["X"] @ w - v["y"])
    a_next = _eval(sol.answers["row_space"], v, 3, 5)
    assert np.allclose(v["X"].T @ a_next, w_next)


def test_mistakes_are_wrong():
    sol = get_solver("min_norm_gd")({}, CTX)
    v = _random(5)
    for part, ms in sol.mistakes.items():
        ref = _eval(sol.answers[part], v, 3, 5) if part != "w_star" else None
        for m in ms:
            if m.id == "normal_equations":
                continue  # singular by design (d > n)
            assert not np.allclose(_eval(m.value, v, 3, 5), ref), (part, m.id)


def test_plain_gd_helper():
    from hwgrade.solver.min_norm_gd import run_gradient_descent

    w = run_gradient_descent([[1.0, 1.0]], [2.0], 0.1, 2000)
    assert np.allclose(w, [1.0, 1.0])
