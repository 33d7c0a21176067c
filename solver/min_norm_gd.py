"""Gradient descent from zero on under-determined least squares finds the min-norm solution.

With ``d > n`` the system ``Xw = y`` has many solutions. Every gradient ``2Xᵀ(Xw - y)``
lies in the row space of X, so iterates started at 0 stay of the form ``Xᵀ a``; the only
solution of that form is ``Xᵀ(XXᵀ)⁻¹y``, which is also what the KKT conditions of
``min ||w||² s.t. Xw = y`` give. The Lagrangian convention is the homework's:
``L(w, λ) = ||w||² + λᵀ(Xw - y)``, hence ``λ* = -2(XXᵀ)⁻¹y``.

The solver derives the gradient and the Lagrangian's stationarity with SymPy's matrix
derivative, checks the KKT pair exactly on a random rational instance, and runs plain
gradient descent on a random instance to confirm the limit.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import Mistake, Solution, Step, register, self_checks


def run_gradient_descent(
    X: list[list[float]], y: list[float], eta: float, iterations: int
) -> list[float]:
    """Plain-Python GD on ||y - Xw||² from w = 0 (no numpy at runtime)."""
    n, d = len(X), len(X[0])
    w = [0.0] * d
    for _ in range(iterations):
        r = [sum(X[i][j] * w[j] for j in range(d)) - y[i] for i in range(n)]
        w = [w[j] - eta * 2 * sum(X[i][j] * r[i] for i in range(n)) for j in range(d)]
    return w


def _check_instance(seed: int) -> None:
    """Exact KKT check and a GD run on a random 2x4 instance; raise if either fails."""
    rng = random.Random(seed)
    n, d = 2, 4
    Xm = sympy.Matrix(n, d, [rng.randint(-3, 3) for _ in range(n * d)])
    while Xm.rank() < n:
        Xm = sympy.Matrix(n, d, [rng.randint(-3, 3) for _ in range(n * d)])
    ym = sympy.Matrix(n, 1, [rng.randint(-3, 3) for _ in range(n)])
    gram = Xm * Xm.T
    w_star = Xm.T * gram.inv() * ym
    lam = -2 * gram.inv() * ym
    if (2 * w_star + Xm.T * lam) != sympy.zeros(d, 1) or Xm * w_star != ym:
        raise SolverError("min_norm_gd: the KKT solution failed its exact check")
    eigen_max = max(float(abs(v)) for v in (2 * gram).eigenvals())
    eta = 0.9 / eigen_max
    floats = [[float(v) for v in Xm.row(i)] for i in range(n)]
    w_gd = run_gradient_descent(floats, [float(v) for v in ym], eta, 5000)
    if max(abs(a - float(b)) for a, b in zip(w_gd, w_star, strict=True)) > 1e-8:
        raise SolverError("min_norm_gd: gradient descent did not converge to w*")


@register("min_norm_gd")
def solve_min_norm(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive the gradient, the KKT pair, the GD limit and the row-space recursion.

    Parameters: ``check_seed`` (int) for the self-check instance. Symbols: X (n x d),
    y (n x 1), w (d x 1), lambda (n x 1), a (n x 1), eta.
    """
    X, y, w, lam, a, eta = (ctx.sym(n) for n in ("X", "y", "w", "lambda", "a", "eta"))
    if self_checks():
        _check_instance(int(parameters.get("check_seed", 0)))
    loss = (y - X * w).T * (y - X * w)
    grad = sympy.diff(loss, w)
    lagrangian = w.T * w + lam.T * (X * w - y)
    stationarity = sympy.diff(lagrangian, w)
    gram_inv = (X * X.T).I
    w_star = X.T * gram_inv * y
    lam_star = -2 * gram_inv * y
    # a_{t+1}: one GD step from w = Xᵀa, written again as Xᵀ(...).
    a_next = a - 2 * eta * (X * X.T * a - y)
    answers: dict[str, Any] = {
        "grad": grad,
        "w_star": w_star,
        "lambda_star": lam_star,
        "gd_limit": w_star,
        "row_space": a_next,
    }
    steps = {
        "grad": (Step("differentiate (y - Xw)ᵀ(y - Xw) in w", sympy.latex(grad)),),
        "w_star": (
            Step(f"dL/dw = {sympy.sstr(stationarity)} = 0 gives w = -Xᵀλ/2"),
            Step("substitute into Xw = y: -XXᵀλ/2 = y, and XXᵀ is invertible (rank n)"),
            Step("hence", r"w^* = X^\top (XX^\top)^{-1} y"),
        ),
        "lambda_star": (Step("from -XXᵀλ/2 = y", r"\lambda^* = -2(XX^\top)^{-1}y"),),
        "gd_limit": (
            Step("GD from 0 stays in the row space, w = Xᵀa, and converges to a solution"),
            Step("the only solution of the form Xᵀa is Xᵀ(XXᵀ)⁻¹y = w*"),
        ),
        "row_space": (
            Step(
                "w - η·2Xᵀ(Xw - y) with w = Xᵀa equals Xᵀ(a - 2η(XXᵀa - y))",
                r"a_{t+1} = a_t - 2\eta\,(XX^\top a_t - y)",
            ),
        ),
    }
    mistakes = {
        "grad": (
            Mistake("no_two", X.T * (X * w - y), "The derivative of a square brings a factor 2."),
            Mistake(
                "sign",
                2 * X.T * (y - X * w),
                "Sign: d/dw of ||y - Xw||² is -2Xᵀ(y - Xw) = 2Xᵀ(Xw - y).",
            ),
        ),
        "w_star": (
            Mistake(
                "normal_equations",
                (X.T * X).I * X.T * y,
                "XᵀX is d x d of rank n < d, so it is not invertible; use XXᵀ (n x n).",
            ),
        ),
        "lambda_star": (
            Mistake(
                "sign_convention",
                2 * gram_inv * y,
                "With the term +λᵀ(Xw - y) the multiplier is -2(XXᵀ)⁻¹y; the sign flips "
                "only for the convention λᵀ(y - Xw).",
                0.5,
            ),
            Mistake(
                "half_norm",
                -gram_inv * y,
                "That is λ* for ½||w||²; here the objective is ||w||², whose gradient is 2w.",
                0.5,
            ),
        ),
        "gd_limit": (
            Mistake(
                "normal_equations",
                (X.T * X).I * X.T * y,
                "XᵀX is singular when d > n; GD from 0 picks the min-norm solution.",
            ),
        ),
    }
    return Solution(answers, steps, mistakes)


__all__ = ["run_gradient_descent", "solve_min_norm"]
