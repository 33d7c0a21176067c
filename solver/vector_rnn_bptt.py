"""Backpropagation through time for ``h_t = σ(W x_t + U h_{t-1})``, ``y_t = V h_t`` (seed 003 Q1).

The loss is ``L = Σ_t ‖z_t - y_t‖²``. Backprop through time needs four pieces, each a
matrix expression over declared shapes:

* the local gradient ``∇_{h_t} L_t = -2 Vᵀ (z_t - y_t)``;
* the Jacobian ``∂h_{t+1}/∂h_t = diag(h_{t+1} ⊙ (1 - h_{t+1})) U`` (σ' = σ(1 - σ));
* the recursion ``∇_{h_t} L = ∇_{h_t} L_t + (∂h_{t+1}/∂h_t)ᵀ ∇_{h_{t+1}} L``;
* the weight gradients, one term per step: ``diag(h_t ⊙ (1 - h_t)) ∇_{h_t} L x_tᵀ``
  for W and the same with ``h_{t-1}ᵀ`` for U, summed over t.

The answer language has no Σ over a symbolic range, so the sums are asked for a fixed
number of steps T (``h_0 = 0``, so U's first term vanishes). Every expression is built by
one helper that works on symbolic and on explicit matrices alike (through the grader's
own shape-checked operations); the solver runs the helpers on an explicit random RNN and
checks the resulting ∇_W L and ∇_U L against SymPy's derivative of the unrolled loss, so
the formulas are derived facts, not typed-in text.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import sympy

from hwgrade.grader.answer.build import diag
from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.grader.values import matrixops as mo
from hwgrade.solver import CarryForward, Mistake, Solution, Step, register, self_checks


def sigma_prime(h: Any) -> Any:
    """``diag(h ⊙ (1 - h))``: σ'(a) = σ(a)(1 - σ(a)) written through the state h = σ(a)."""
    return diag(mo.hadamard(h, mo.add(sympy.Integer(1), mo.neg(h))))


def local_grad(V: Any, z: Any, y: Any) -> Any:
    """∇_h ‖z - y‖² with y = V h."""
    return mo.mul(mo.mul(sympy.Integer(-2), mo.transpose(V)), mo.add(z, mo.neg(y)))


def jacobian(h_next: Any, U: Any) -> Any:
    """∂h_{t+1}/∂h_t."""
    return mo.mul(sigma_prime(h_next), U)


def recursion(e: Any, J: Any, g_next: Any) -> Any:
    """∇_{h_t} L from the local gradient and the next step's total gradient."""
    return mo.add(e, mo.mul(mo.transpose(J), g_next))


def weight_term(h: Any, g: Any, inp: Any) -> Any:
    """One step's contribution to the gradient of a weight that multiplies ``inp``."""
    return mo.mul(mo.mul(sigma_prime(h), g), mo.transpose(inp))


def _sigmoid(v: sympy.Expr) -> sympy.Expr:
    return sympy.Integer(1) / (1 + sympy.exp(-v))


def check_against_sympy(sizes: tuple[int, int, int], seed: int) -> None:
    """Check each helper against SymPy's own derivative on one random explicit step.

    ``∂‖z - Vh‖²/∂h`` (exact), ``∂σ(Wx + Uh)/∂h`` (SymPy's Jacobian) and the gradient
    in W and in U of ``gᵀσ(Wx + Uh_prev)`` for a fixed vector g (what one step
    contributes once ∇_{h_t} L = g is known) are each compared with the helper's value.
    The whole unrolled loss is checked against finite differences in the tests.
    """
    m, k, p = sizes
    rng = random.Random(seed)

    def rand(rows: int, cols: int) -> sympy.ImmutableMatrix:
        return sympy.ImmutableMatrix(
            rows, cols, [sympy.Rational(rng.randint(-9, 9), 10) for _ in range(rows * cols)]
        )

    V, W, U, x, z, g, h_v = (
        rand(p, m),
        rand(m, k),
        rand(m, m),
        rand(k, 1),
        rand(p, 1),
        rand(m, 1),
        rand(m, 1),
    )
    h = sympy.ImmutableMatrix(m, 1, sympy.symbols(f"h0:{m}"))
    at_h = dict(zip(h, h_v, strict=True))
    loss_t = sum(v**2 for v in z - V * h)
    want_e = sympy.ImmutableMatrix([sympy.diff(loss_t, s) for s in h]).xreplace(at_h)
    h_next = (W * x + U * h).applyfunc(_sigmoid)
    want_j = h_next.jacobian(h).xreplace(at_h)
    W_s = sympy.ImmutableMatrix(m, k, sympy.symbols(f"W0:{m * k}"))
    U_s = sympy.ImmutableMatrix(m, m, sympy.symbols(f"U0:{m * m}"))
    out = (g.T * (W_s * x + U_s * h_v).applyfunc(_sigmoid))[0, 0]
    at_wu = dict(zip(W_s, W, strict=True)) | dict(zip(U_s, U, strict=True))
    want_w = sympy.ImmutableMatrix(m, k, [sympy.diff(out, s) for s in W_s]).xreplace(at_wu)
    want_u = sympy.ImmutableMatrix(m, m, [sympy.diff(out, s) for s in U_s]).xreplace(at_wu)
    h_new = (W * x + U * h_v).applyfunc(_sigmoid)
    pairs = [
        (local_grad(V, z, V * h_v), want_e),
        (jacobian(h_next.xreplace(at_h), U), want_j),
        (weight_term(h_new, g, x), want_w),
        (weight_term(h_new, g, h_v), want_u),
    ]
    for got, want in pairs:
        diff = (sympy.ImmutableMatrix(got) - want).evalf(30)
        if any(abs(v) > 1e-25 for v in diff):
            raise SolverError("vector_rnn_bptt: a BPTT piece disagrees with SymPy's derivative")


@register("vector_rnn_bptt")
def solve_vector_rnn(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive the BPTT pieces, per-step weight-gradient terms and their sums over T steps.

    Parameters: ``T`` (steps in the summed parts; the spec declares x_t, h_t, g_t for
    t = 1..T), ``check_sizes`` ([m, k, p] of the self-check RNN), ``check_seed``.
    """
    try:
        steps = int(parameters.get("T", 3))
        sizes = tuple(int(v) for v in parameters.get("check_sizes", (2, 3, 4)))
        if self_checks():
            seed = int(parameters.get("check_seed", 0))
            check_against_sympy((sizes[0], sizes[1], sizes[2]), seed)
        U, V = ctx.sym("U"), ctx.sym("V")
        x_t, h_t, h_prev, h_next = (ctx.sym(n) for n in ("x_t", "h_t", "h_prev", "h_next"))
        z_t, g_t, g_next, e_t, J = (ctx.sym(n) for n in ("z_t", "g_t", "g_next", "e_t", "J"))
        per_step = [
            (ctx.sym(f"x_{t}"), ctx.sym(f"h_{t}"), ctx.sym(f"g_{t}")) for t in range(1, steps + 1)
        ]
    except (KeyError, ValueError, IndexError) as exc:
        raise SolverError(f"vector_rnn_bptt: spec and parameters do not fit: {exc}") from exc
    y_t = mo.mul(V, h_t)  # y_t is defined as V h_t; the grader substitutes a student's y_t
    e_ref = local_grad(V, z_t, y_t)
    J_ref = jacobian(h_next, U)
    sw = [weight_term(h, g, x) for x, h, g in per_step]
    su = [weight_term(per_step[i][1], per_step[i][2], per_step[i - 1][1]) for i in range(1, steps)]
    answers: dict[str, Any] = {
        "recursion": recursion(e_t, J, g_next),
        "local_grad": e_ref,
        "jacobian": J_ref,
        "recursion_explicit": recursion(e_ref, J_ref, g_next),
        "grad_W_term": weight_term(h_t, g_t, x_t),
        "grad_U_term": weight_term(h_t, g_t, h_prev),
        "grad_W_total": sympy.MatAdd(*sw),
        "grad_U_total": sympy.MatAdd(*su) if len(su) > 1 else su[0],
    }
    text = {
        "recursion": "h_t reaches L directly (through L_t) and through h_{t+1}: add both paths; "
        "a Jacobian's transpose carries a gradient backwards",
        "local_grad": "L_t = (z_t - V h_t)ᵀ(z_t - V h_t); its gradient in h_t is -2 Vᵀ(z_t - y_t)",
        "jacobian": "h_{t+1} = σ(a_{t+1}), a_{t+1} = W x_{t+1} + U h_t: ∂h_{t+1}/∂a_{t+1} = "
        "diag(σ'(a_{t+1})) = diag(h_{t+1} ⊙ (1 - h_{t+1})), ∂a_{t+1}/∂h_t = U",
        "recursion_explicit": "substitute the local gradient and the Jacobian into the recursion",
        "grad_W_term": "at step t, ∇_{a_t} L = diag(h_t ⊙ (1 - h_t)) ∇_{h_t} L and "
        "a_t = W x_t + ...: the gradient of W is that vector times x_tᵀ",
        "grad_U_term": "same, with a_t = U h_{t-1} + ...: times h_{t-1}ᵀ",
        "grad_W_total": "W is shared by every step: add the per-step terms",
        "grad_U_total": "h_0 = 0, so the first step adds nothing to ∇_U L",
    }
    steps_out: dict[str, tuple[Step, ...]] = {
        pid: (Step(text[pid], sympy.latex(answers[pid])),) for pid in answers
    }
    steps_out["jacobian"] += (Step("checked against SymPy's Jacobian on a random instance"),)
    mistakes: dict[str, tuple[Mistake, ...]] = {
        "recursion": (
            Mistake(
                "no_transpose",
                mo.add(e_t, mo.mul(J, g_next)),
                "Gradients flow back through the transposed Jacobian (∂h_{t+1}/∂h_t)ᵀ.",
            ),
            Mistake(
                "no_local",
                mo.mul(mo.transpose(J), g_next),
                "h_t also affects L directly through L_t: add ∇_{h_t} L_t.",
            ),
        ),
        "local_grad": (
            Mistake(
                "no_two",
                mo.mul(sympy.Rational(1, 2), e_ref),
                "The derivative of a squared norm brings a factor 2.",
            ),
            Mistake("sign", mo.neg(e_ref), "y_t enters with a minus sign: ∇ = -2 Vᵀ(z_t - y_t)."),
        ),
        "jacobian": (
            Mistake(
                "wrong_side",
                mo.mul(U, sigma_prime(h_next)),
                "The sigmoid acts after U: diag(σ') multiplies U from the left.",
            ),
            Mistake(
                "no_sigmoid",
                U,
                "h_{t+1} = σ(...): the chain rule brings σ' = h_{t+1} ⊙ (1 - h_{t+1}).",
            ),
        ),
        "recursion_explicit": (
            Mistake(
                "no_transpose",
                recursion(e_ref, mo.transpose(J_ref), g_next),
                "Use the transposed Jacobian: Uᵀ diag(σ') ∇_{h_{t+1}} L.",
            ),
        ),
        "grad_W_term": (
            Mistake(
                "no_sigmoid",
                mo.mul(g_t, mo.transpose(x_t)),
                "W sits inside σ: multiply by diag(h_t ⊙ (1 - h_t)) first.",
            ),
            Mistake(
                "local_only",
                weight_term(h_t, local_grad(V, z_t, y_t), x_t),
                "Use the total gradient ∇_{h_t} L, not only ∇_{h_t} L_t.",
            ),
        ),
        "grad_U_term": (
            Mistake(
                "same_step",
                weight_term(h_t, g_t, h_t),
                "U multiplies the previous state: the outer product is with h_{t-1}.",
            ),
        ),
        "grad_W_total": (
            Mistake("last_only", sw[-1], "W is used at every step: sum the terms of all steps."),
        ),
    }
    carry = {
        "recursion_explicit": CarryForward(
            ("local_grad", "jacobian"), lambda v: recursion(v["local_grad"], v["jacobian"], g_next)
        ),
    }
    return Solution(answers, steps_out, mistakes, {"y_t": y_t}, carry)


__all__ = [
    "check_against_sympy",
    "jacobian",
    "local_grad",
    "recursion",
    "sigma_prime",
    "solve_vector_rnn",
    "weight_term",
]
