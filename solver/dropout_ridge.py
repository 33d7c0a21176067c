"""Input dropout on linear regression behaves, in expectation, like a ridge penalty.

With a Bernoulli(p) keep-mask R on the inputs, each prediction ``((X ⊙ R) w)_i`` has
mean ``p (Xw)_i`` and variance ``p(1-p) Σ_j X_ij² w_j²``; so the expected loss is the
loss of the shrunk model plus ``p(1-p) ||Γ w||²`` with ``Γ² = diag(XᵀX)``. The solver
derives the matrix forms with SymPy (the minimiser from the matrix derivative) and then
*checks itself* against the exact expectation over all ``2^(n d)`` masks of a small
random instance, so a wrong closed form can never reach a key.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from itertools import product
from typing import Any

import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import Mistake, Solution, Step, register, self_checks


def brute_force_expectation(
    X: sympy.Matrix, y: sympy.Matrix, w: sympy.Matrix, p: sympy.Expr
) -> sympy.Expr:
    """E over every keep-mask R (entries kept with probability p) of ||y - (X ⊙ R) w||²."""
    n, d = X.shape
    total = sympy.Integer(0)
    for bits in product((0, 1), repeat=n * d):
        mask = sympy.Matrix(n, d, bits)
        kept = sum(bits)
        prob = p**kept * (1 - p) ** (n * d - kept)
        r = y - X.multiply_elementwise(mask) * w
        total += prob * (r.T * r)[0, 0]
    return sympy.expand(total)


def _check_instance(seed: int, p: sympy.Symbol) -> None:
    """Compare the closed forms with brute force on a 2x3 instance; raise if they differ."""
    rng = random.Random(seed)
    n, d = 2, 3
    X = sympy.Matrix(n, d, [rng.randint(-3, 3) for _ in range(n * d)])
    y = sympy.Matrix(n, 1, [rng.randint(-3, 3) for _ in range(n)])
    w = sympy.Matrix(sympy.symbols(f"w0:{d}"))
    gamma_sq = sympy.diag(*[(X.T * X)[j, j] for j in range(d)])
    r = y - p * X * w
    closed = sympy.expand((r.T * r)[0, 0] + p * (1 - p) * (w.T * gamma_sq * w)[0, 0])
    exact = brute_force_expectation(X, y, w, p)
    if sympy.expand(exact - closed) != 0:
        raise SolverError("dropout_ridge: the closed-form expectation failed its brute-force check")
    # The minimiser of the exact expectation solves its stationarity equations.
    grad = [sympy.diff(exact, wj) for wj in w]
    a = p**2 * X.T * X + p * (1 - p) * gamma_sq
    w_star = a.inv() * p * X.T * y
    residual = [sympy.simplify(g.subs(dict(zip(w, w_star, strict=True)))) for g in grad]
    if any(res != 0 for res in residual):
        raise SolverError("dropout_ridge: w* does not zero the brute-force gradient")


@register("dropout_ridge")
def solve_dropout(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive the expected loss, the induced regularizer and the ridge-like minimiser.

    Parameters: ``check_seed`` (int) for the brute-force self-check instance. Γ is the
    declared ``Gamma`` (diagonal, ``Γ_jj = ||X_{:,j}||``); the key writes ``Γᵀ Γ`` so that
    the reference does not rely on Γ being symmetric.
    """
    X, y, w, p, G = (ctx.sym(n) for n in ("X", "y", "w", "p", "Gamma"))
    if self_checks():
        _check_instance(int(parameters.get("check_seed", 0)), sympy.Symbol("p"))
    residual = y - p * X * w
    data_term = residual.T * residual
    reg = p * (1 - p) * (G * w).T * (G * w)
    expected = data_term + reg
    # Stationarity from SymPy's matrix derivative, with Γ symmetric (it is diagonal).
    grad = sympy.diff(expected, w).subs(G.T, G)
    hessian_part = p**2 * X.T * X + p * (1 - p) * G.T * G
    w_star = hessian_part.I * p * X.T * y
    answers = {"expected_loss": expected, "regularizer": reg, "w_star": w_star}
    steps = {
        "expected_loss": (
            Step("E[(X ⊙ R) w] = p X w, so the mean prediction error is y - pXw"),
            Step(
                "each prediction's variance is p(1-p) Σ_j X_ij² w_j²; summed over i this is "
                "p(1-p) Σ_j (XᵀX)_jj w_j² = p(1-p) ||Γ w||²",
                r"\mathbb{E}\,\|y-(X\odot R)w\|^2 = \|y - pXw\|^2 + p(1-p)\|\Gamma w\|^2",
            ),
            Step("checked against the exact expectation over all 64 masks of a 2x3 instance"),
        ),
        "regularizer": (
            Step("the term that does not depend on y", r"p(1-p)\,w^\top\Gamma^\top\Gamma\,w"),
        ),
        "w_star": (
            Step(f"set the gradient to zero: {sympy.sstr(grad)} = 0"),
            Step("collect the terms in w", r"(p^2X^\top X + p(1-p)\Gamma^2)\,w = p X^\top y"),
            Step("solve", r"w^* = (p^2X^\top X + p(1-p)\Gamma^2)^{-1} p X^\top y"),
        ),
    }
    mistakes = {
        "expected_loss": (
            Mistake(
                "no_variance",
                data_term,
                "That is only the squared mean error; E[Z²] = E[Z]² + Var(Z) adds a variance term.",
            ),
            Mistake(
                "p_squared",
                data_term + p**2 * (G * w).T * (G * w),
                "The variance of a Bernoulli(p) mask entry is p(1-p), not p².",
            ),
            Mistake(
                "unscaled_mean",
                (y - X * w).T * (y - X * w) + reg,
                "The kept inputs are not rescaled here, so the mean prediction is p X w.",
            ),
        ),
        "regularizer": (
            Mistake(
                "full_gram",
                p * (1 - p) * w.T * X.T * X * w,
                "Mask entries are independent, so only the diagonal of XᵀX survives (Γ²).",
            ),
        ),
        "w_star": (
            Mistake(
                "dropped_p",
                hessian_part.I * X.T * y,
                "The right-hand side keeps its factor p: the data term is ||y - pXw||².",
            ),
        ),
    }
    return Solution(answers, steps, mistakes)


__all__ = ["brute_force_expectation", "solve_dropout"]
