"""The linear autoencoder and PCA: first-order conditions and the principal subspace.

Loss (the homework's, with the 1/n): ``L(W1, W2) = (1/n) ||X - W2 W1 X||_F²`` for data
X (m x n), encoder W1 (k x m), decoder W2 (m x k). SymPy's matrix derivative gives both
gradients. On the spec's numeric data matrix the solver then finds the eigenvectors of
``(1/n) X Xᵀ`` exactly, evaluates the loss at ``W1 = U_kᵀ, W2 = U_k`` (the discarded
eigenvalues' sum) and decides, by evaluating the gradients, which of the candidate
weight pairs of the choice part are stationary — the choice answer is derived, too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import Mistake, Solution, Step, register, self_checks

Pair = tuple[sympy.Matrix, sympy.Matrix]


def numeric_gradients(
    data: sympy.Matrix, w1: sympy.Matrix, w2: sympy.Matrix
) -> tuple[sympy.Matrix, sympy.Matrix]:
    """(dL/dW1, dL/dW2) for explicit matrices, from the closed forms."""
    n = data.shape[1]
    r = data - w2 * w1 * data
    return (-2 * w2.T * r * data.T / n, -2 * r * data.T * w1.T / n)


def _eigvecs(data: sympy.Matrix) -> list[tuple[sympy.Expr, sympy.Matrix]]:
    """Eigenpairs of (1/n) X Xᵀ, largest first, unit-normalised; eigenvalues must be distinct."""
    cov = data * data.T / data.shape[1]
    pairs = []
    for value, mult, vecs in cov.eigenvects():
        if mult != 1:
            raise SolverError("pca_autoencoder: the eigenvalues of XXᵀ/n must be distinct")
        vec = vecs[0]
        pairs.append((value, vec / sympy.sqrt((vec.T * vec)[0, 0])))
    return sorted(pairs, key=lambda pv: -float(pv[0]))


def _candidates(u: sympy.Matrix, low: sympy.Matrix, k: int, m: int) -> dict[str, Pair]:
    """The weight pairs a choice option may name, by meaning."""
    basis = sympy.eye(m)[:, :k]
    return {
        "top": (u.T, u),
        "top_rescaled": (2 * u.T, u / 2),
        "top_decoder_doubled": (u.T, 2 * u),
        "bottom": (low.T, low),
        "first_axes": (basis.T, basis),
    }


@register("pca_autoencoder")
def solve_autoencoder(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive the gradients, the loss at the principal subspace and the stationary pairs.

    Parameters: ``data`` (m x n numeric matrix with centred rows), ``k`` (code size),
    ``options`` (choice label -> candidate meaning, see :func:`_candidates`).
    """
    X, W1, W2 = ctx.sym("X"), ctx.sym("W_1"), ctx.sym("W_2")
    n = ctx.dim("n")
    try:
        data = sympy.Matrix([[sympy.Rational(str(v)) for v in row] for row in parameters["data"]])
        k = int(parameters["k"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SolverError(f"pca_autoencoder: needs numeric `data` and an int `k`: {exc}") from exc
    m = data.shape[0]
    if not 0 < k < m:
        raise SolverError("pca_autoencoder: need 0 < k < m")
    residual = X - W2 * W1 * X
    loss = sympy.Trace(residual.T * residual) / n
    grad_w1 = sympy.diff(loss, W1)
    grad_w2 = sympy.diff(loss, W2)

    pairs = _eigvecs(data)
    u = sympy.Matrix.hstack(*[v for _, v in pairs[:k]])
    low = sympy.Matrix.hstack(*[v for _, v in pairs[-k:]])
    discarded = sympy.nsimplify(sum(val for val, _ in pairs[k:]))
    if self_checks():  # the loss at U_k, computed directly, is the discarded eigenvalues
        r = data - u * u.T * data
        direct = sympy.simplify((r.T * r).trace() / data.shape[1])
        if sympy.simplify(direct - discarded) != 0:
            raise SolverError("pca_autoencoder: loss at U_k differs from the discarded eigenvalues")

    options = parameters.get("options", {})
    candidates = _candidates(u, low, k, m)
    stationary: list[str] = []
    for label, meaning in options.items():
        if meaning not in candidates:
            raise SolverError(f"pca_autoencoder: unknown candidate `{meaning}`")
        g1, g2 = numeric_gradients(data, *candidates[meaning])
        if all(sympy.simplify(v) == 0 for v in [*g1, *g2]):
            stationary.append(str(label))

    answers: dict[str, Any] = {
        "grad_W1": grad_w1,
        "grad_W2": grad_w2,
        "loss_at_Uk": discarded,
        "stationary": tuple(stationary),
    }
    eig_text = ", ".join(str(val) for val, _ in pairs)
    steps = {
        "grad_W1": (
            Step("L = (1/n) tr(RᵀR) with R = X - W2 W1 X; dR = -W2 (dW1) X", sympy.latex(grad_w1)),
        ),
        "grad_W2": (Step("dR = -(dW2) W1 X", sympy.latex(grad_w2)),),
        "loss_at_Uk": (
            Step(f"eigenvalues of XXᵀ/n: {eig_text}"),
            Step(
                f"U_k U_kᵀ projects onto the top {k}; what remains is the sum of the others",
                sympy.latex(discarded),
            ),
        ),
        "stationary": (
            Step(
                "each candidate's gradients evaluated on the data; zero for "
                + ", ".join(stationary)
            ),
            Step("any W1 = C U_kᵀ, W2 = U_k C⁻¹ is stationary, and so is any set of eigenvectors"),
        ),
    }
    mistakes: dict[str, tuple[Mistake, ...]] = {
        "grad_W1": (
            Mistake(
                "missing_two",
                grad_w1 / 2,
                "The derivative of a squared norm brings a factor 2.",
            ),
        ),
        "grad_W2": (Mistake("missing_two", grad_w2 / 2, "The derivative of a square brings a 2."),),
        "loss_at_Uk": (
            Mistake(
                "kept_eigenvalues",
                sympy.nsimplify(sum(val for val, _ in pairs[:k])),
                "That is the variance kept by the code; the loss is what is thrown away.",
            ),
        ),
    }
    if len(stationary) > 1:
        mistakes["stationary"] = (
            Mistake(
                "only_top",
                (stationary[0],),
                f"Also select {', '.join(stationary[1:])}: the gradients vanish there too.",
            ),
        )
    return Solution(answers, steps, mistakes)


__all__ = ["numeric_gradients", "solve_autoencoder"]
