import numpy as np
import sympy

from hwgrade.grader.context import parse_vars
from hwgrade.solver import get_solver

CTX = parse_vars("X: m x n, W_1: k x m, W_2: m x k")
DATA = [[9, -1, -3, -5], [6, -2, 6, -10], [3, -11, 9, -1]]
OPTIONS = {
    "A": "top",
    "B": "top_rescaled",
    "C": "top_decoder_doubled",
    "D": "bottom",
    "E": "first_axes",
}


def _solve(data=DATA, k=1):
    return get_solver("pca_autoencoder")({"data": data, "k": k, "options": OPTIONS}, CTX)


def _eval(expr, vals):
    m, n = vals["X"].shape
    k = vals["W_1"].shape[0]
    e = expr.subs({CTX.dim("m"): m, CTX.dim("n"): n, CTX.dim("k"): k})
    repl = {s: sympy.Matrix(vals[s.name]) for s in e.atoms(sympy.MatrixSymbol)}
    return np.array(sympy.Matrix(e.xreplace(repl).doit()).evalf(), dtype=float)


def test_gradients_by_finite_differences():
    sol = _solve()
    rng = np.random.default_rng(0)
    v = {
        "X": rng.normal(size=(4, 5)),
        "W_1": rng.normal(size=(2, 4)),
        "W_2": rng.normal(size=(4, 2)),
    }
    loss = lambda a, b: np.sum((v["X"] - b @ a @ v["X"]) ** 2) / 5  # noqa: E731
    for name, part in (("W_1", "grad_W1"), ("W_2", "grad_W2")):
        fd = np.zeros_like(v[name])
        for idx in np.ndindex(fd.shape):
            e = np.zeros_like(fd)
            e[idx] = 1e-6
            plus = dict(v)
            plus[name] = v[name] + e
            minus = dict(v)
            minus[name] = v[name] - e
            fd[idx] = (loss(plus["W_1"], plus["W_2"]) - loss(minus["W_1"], minus["W_2"])) / 2e-6
        assert np.allclose(_eval(sol.answers[part], v), fd, atol=1e-5)


def test_loss_at_uk_against_numpy_eig():
    X = np.array(DATA, dtype=float)
    vals, vecs = np.linalg.eigh(X @ X.T / X.shape[1])
    u = vecs[:, [-1]]
    direct = np.sum((X - u @ u.T @ X) ** 2) / X.shape[1]
    assert np.isclose(float(_solve().answers["loss_at_Uk"]), direct)
    assert np.isclose(direct, vals[:-1].sum())
    assert np.isclose(float(_solve(k=2).answers["loss_at_Uk"]), vals[0])


def test_stationary_choice_by_numpy():
    X = np.array(DATA, dtype=float)
    _, vecs = np.linalg.eigh(X @ X.T / 4)
    u, low, e1 = vecs[:, [-1]], vecs[:, [0]], np.eye(3)[:, [0]]
    cands = {
        "A": (u.T, u),
        "B": (2 * u.T, u / 2),
        "C": (u.T, 2 * u),
        "D": (low.T, low),
        "E": (e1.T, e1),
    }
    expected = []
    for label, (a, b) in cands.items():
        r = X - b @ a @ X
        if np.allclose(b.T @ r @ X.T, 0) and np.allclose(r @ X.T @ a.T, 0):
            expected.append(label)
    assert _solve().answers["stationary"] == tuple(expected)
