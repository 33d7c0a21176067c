"""Backprop practice (seed 001 Q2 and Q3(b)): a sum of sigmoid units, a two-layer linear net.

Three small derivations share this module because the seed asks them together:

* ``f = (y - Σ_j σ(w_jᵀx + b_j))²`` with ``n`` units: the gradient in one unit's weight
  vector and bias, derived with SymPy on a scalar stand-in ``s_j`` for each unit's
  pre-activation (the chain rule then multiplies by ``∂(w_iᵀx)/∂w_i = x``, again from
  SymPy's matrix derivative), and the gradient-descent updates;
* ``ℓ = ½‖W_2(W_1x + b) - u‖²`` (the seed's Φ = identity): SymPy's matrix derivative
  gives every gradient; the key states them in the readable ``W_2ᵀ r xᵀ`` form, checked
  equal to SymPy's on an exact random instance;
* the number of weights of a fully connected net with layer sizes ``d_0..d_N``:
  ``Σ d_i d_{i+1}``, with and without biases, as a formula and for the spec's sizes.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from typing import Any

import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.grader.values import matrixops as mo
from hwgrade.solver import CarryForward, Mistake, Solution, Step, register, self_checks


def _sigmoid(s: sympy.Expr) -> sympy.Expr:
    return sympy.Integer(1) / (1 + sympy.exp(-s))


def _check_equal(pairs: list[tuple[Any, Any]], ctx: Context, seed: int) -> None:
    """Raise unless each pair of matrix expressions agrees on an exact random instance."""
    rng = random.Random(seed)
    sizes: dict[Any, int] = {}
    for left, right in pairs:
        for mat in left.atoms(sympy.MatrixSymbol) | right.atoms(sympy.MatrixSymbol):
            for dim in mat.shape:
                if not dim.is_Integer and dim not in sizes:
                    sizes[dim] = 2 + len(sizes)  # distinct sizes expose transpositions
    values: dict[Any, Any] = {}
    for left, right in pairs:
        expr = (left - right).xreplace(sizes)  # matrix symbols now have integer shapes
        for mat in expr.atoms(sympy.MatrixSymbol) - set(values):
            rows, cols = (int(n) for n in mat.shape)
            values[mat] = sympy.ImmutableMatrix(
                rows, cols, [sympy.Rational(rng.randint(-9, 9), 7) for _ in range(rows * cols)]
            )
        diff = sympy.ImmutableMatrix(expr.xreplace(values).doit())
        if any(sympy.nsimplify(entry) != 0 for entry in diff):  # exact rationals
            raise SolverError("sigmoid_sum_gradients: a stated gradient differs from SymPy's")


def _unit_parts(ctx: Context, units: int, unit: int) -> tuple[dict[str, Any], ...]:
    """Answers, steps, mistakes and definitions for the sum-of-sigmoids loss."""
    x, y, eps = ctx.sym("x"), ctx.sym("y"), ctx.sym("epsilon")
    ws = [ctx.sym(f"w_{j}") for j in range(1, units + 1)]
    bs = [ctx.sym(f"b_{j}") for j in range(1, units + 1)]
    s = sympy.symbols(f"s_1:{units + 1}")
    sig = [_sigmoid(sj) for sj in s]
    readable = 2 * (sum(sig) - y) * sig[unit - 1] * (1 - sig[unit - 1])
    if self_checks():  # SymPy's chain rule through the scalar stand-ins agrees
        f = (y - sum(sig)) ** 2
        if sympy.simplify(sympy.diff(f, s[unit - 1]) - readable) != 0:
            raise SolverError("sigmoid_sum_gradients: df/ds is not 2(Σσ - y)σ(1 - σ)")
    w, b = ws[unit - 1], bs[unit - 1]
    dz_dw = sympy.diff(w.T * x, w)  # = x: the gradient of w_iᵀx in w_i
    # Each unit's pre-activation: the 1x1 product as the answer language reads it, plus b_j.
    pre = {
        sj: mo.to_scalar(mo.mul(mo.transpose(wj), x)) + bj
        for sj, wj, bj in zip(s, ws, bs, strict=True)
    }
    dz_db = sympy.diff(pre[s[unit - 1]], b)  # = 1
    g_b = readable.xreplace(pre) * dz_db
    g_w = readable.xreplace(pre) * dz_dw
    no_two = (readable / 2).xreplace(pre)
    answers = {
        "grad_w": g_w,
        "grad_b": g_b,
        "update_w": w - eps * g_w,
        "update_b": b - eps * g_b,
    }
    i = unit
    steps = {
        "grad_w": (
            Step("z_j = w_jᵀx + b_j, r = y - Σ_j σ(z_j), f = r²"),
            Step(
                f"df/dz_{i} = 2r · (-σ(z_{i})(1 - σ(z_{i})))"
                f" = 2(Σ_j σ(z_j) - y) σ(z_{i})(1 - σ(z_{i}))",
                sympy.latex(readable),
            ),
            Step(f"∇ of z_{i} in w_{i} is x (the derivative is xᵀ; the gradient is its transpose)"),
        ),
        "grad_b": (Step(f"dz_{i}/db_{i} = 1, so ∂f/∂b_{i} = df/dz_{i}"),),
        "update_w": (Step(f"step against the gradient: w_{i} ← w_{i} - ε ∇_{{w_{i}}} f"),),
        "update_b": (Step(f"b_{i} ← b_{i} - ε ∂f/∂b_{i}"),),
    }
    mistakes = {
        "grad_w": (
            Mistake("no_two", no_two * x, "The derivative of a square brings a factor 2."),
            Mistake("sign", -g_w, "Sign: d/dr of r² is 2r and dr/dz = -σ(1 - σ)."),
        ),
        "grad_b": (Mistake("no_two", no_two, "The derivative of a square brings a factor 2."),),
        "update_w": (
            Mistake("ascent", w + eps * g_w, "Gradient descent subtracts ε times the gradient."),
        ),
        "update_b": (
            Mistake("ascent", b + eps * g_b, "Gradient descent subtracts ε times the gradient."),
        ),
    }
    r_value = y - sum(_sigmoid(v) for v in pre.values())
    definitions = {f"z_{j + 1}": pre[s[j]] for j in range(units)} | {"r": r_value}
    carry = {
        "update_w": CarryForward(("grad_w",), lambda v: w - eps * v["grad_w"]),
        "update_b": CarryForward(("grad_b",), lambda v: b - eps * v["grad_b"]),
    }
    return answers, steps, mistakes, definitions, carry


def _two_layer_parts(ctx: Context, seed: int) -> tuple[dict[str, Any], ...]:
    """Gradients and GD updates of ``ℓ = ½‖W_2(W_1x + b) - u‖²`` (Φ = identity)."""
    W1, W2, x, b, u, eps = (ctx.sym(n) for n in ("W_1", "W_2", "x", "b", "u", "epsilon"))
    hidden = W1 * x + b
    r = W2 * hidden - u
    grads = {"W1": W2.T * r * x.T, "W2": r * hidden.T, "x": W1.T * W2.T * r, "b": W2.T * r}
    if self_checks():  # SymPy's own matrix derivative of the loss, on a random instance
        loss = sympy.Trace(r.T * r) / 2
        derived = {k: sympy.diff(loss, v) for k, v in (("W1", W1), ("W2", W2), ("x", x), ("b", b))}
        _check_equal([(grads[k], derived[k]) for k in grads], ctx, seed)
    answers = {
        "two_layer.grad_x": grads["x"],
        "two_layer.grad_b": grads["b"],
        "two_layer.update_W1": W1 - eps * grads["W1"],
        "two_layer.update_W2": W2 - eps * grads["W2"],
    }
    steps = {
        "two_layer.grad_x": (
            Step("forward: h = W_1x + b, r = W_2h - u, ℓ = ½ rᵀr; ∇_r ℓ = r"),
            Step("back through W_2 then W_1: multiply by the transposes", sympy.latex(grads["x"])),
        ),
        "two_layer.grad_b": (Step("∂h/∂b = I, so ∇_b ℓ = ∇_h ℓ = W_2ᵀ r"),),
        "two_layer.update_W1": (
            Step("∇_{W_1} ℓ = (∇_h ℓ) xᵀ = W_2ᵀ r xᵀ (outer product with the layer's input)"),
            Step("W_1 ← W_1 - ε ∇_{W_1} ℓ", sympy.latex(answers["two_layer.update_W1"])),
        ),
        "two_layer.update_W2": (
            Step("∇_{W_2} ℓ = r hᵀ = r (W_1x + b)ᵀ"),
            Step("W_2 ← W_2 - ε ∇_{W_2} ℓ", sympy.latex(answers["two_layer.update_W2"])),
        ),
    }
    mistakes = {
        "two_layer.grad_x": (
            Mistake("half", grads["x"] / 2, "With the ½ in ℓ the factor 2 cancels: no ½ remains."),
        ),
        "two_layer.update_W1": (
            Mistake("ascent", W1 + eps * grads["W1"], "Descent subtracts ε times the gradient."),
        ),
        "two_layer.update_W2": (
            Mistake(
                "no_bias",
                W2 - eps * r * (W1 * x).T,
                "The hidden layer's value is W_1x + b: the bias belongs in the outer product.",
            ),
            Mistake("ascent", W2 + eps * grads["W2"], "Descent subtracts ε times the gradient."),
        ),
    }
    return answers, steps, mistakes


def _weight_count_parts(ctx: Context, sizes: list[int]) -> tuple[dict[str, Any], ...]:
    """Weights (and weights plus biases) of a fully connected net with these layer sizes."""
    layers = len(sizes) - 1
    d = sympy.IndexedBase("d")
    i = sympy.Symbol("i", integer=True)
    weights = sympy.Sum(d[i] * d[i + 1], (i, 0, layers - 1)).doit()
    with_bias = sympy.Sum((d[i] + 1) * d[i + 1], (i, 0, layers - 1)).doit()
    named = {d[k]: ctx.sym(f"d_{k}") for k in range(layers + 1)}
    numbers = {ctx.sym(f"d_{k}"): sympy.Integer(v) for k, v in enumerate(sizes)}
    formula = weights.xreplace(named)
    value, value_bias = formula.xreplace(numbers), with_bias.xreplace(named).xreplace(numbers)
    product = sympy.Mul(*numbers.values())
    answers = {"weights.formula": formula, "weights.value": value, "weights.with_bias": value_bias}
    shown = " + ".join(f"{a}·{b}" for a, b in itertools.pairwise(sizes))
    steps = {
        "weights.formula": (
            Step("each layer's weight matrix is d_{i+1} x d_i", sympy.latex(formula)),
        ),
        "weights.value": (Step(f"{shown} = {value}"),),
        "weights.with_bias": (
            Step("each of the d_{i+1} units also has a bias: (d_i + 1) d_{i+1}"),
        ),
    }
    mistakes = {
        "weights.formula": (
            Mistake(
                "with_bias",
                with_bias.xreplace(named),
                "That counts the biases too; the question counts weights only.",
            ),
        ),
        "weights.value": (
            Mistake("with_bias", value_bias, "That counts the biases too; weights only here."),
            Mistake("product", product, "Weights connect consecutive layers: add d_i d_{i+1}."),
        ),
        "weights.with_bias": (
            Mistake("no_bias", value, "Add one bias per unit of every layer after the input."),
        ),
    }
    return answers, steps, mistakes


@register("sigmoid_sum_gradients")
def solve_sigmoid_sum(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive the sigmoid-sum gradients, the two-layer updates and the weight counts.

    Parameters: ``units`` (n, number of sigmoid units), ``unit`` (which unit i is asked),
    ``layers`` (layer sizes d_0..d_N for the weight count), ``check_seed``.
    """
    try:
        units, unit = int(parameters["units"]), int(parameters["unit"])
        sizes = [int(v) for v in parameters["layers"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise SolverError(f"sigmoid_sum_gradients: needs units, unit and layers: {exc}") from exc
    if not 1 <= unit <= units or len(sizes) < 2:
        raise SolverError("sigmoid_sum_gradients: need 1 <= unit <= units and two layers")
    answers, steps, mistakes, definitions, carry = _unit_parts(ctx, units, unit)
    for more in (
        _two_layer_parts(ctx, int(parameters.get("check_seed", 0))),
        _weight_count_parts(ctx, sizes),
    ):
        answers |= more[0]
        steps |= more[1]
        mistakes |= more[2]
    return Solution(answers, steps, mistakes, definitions, carry)


__all__ = ["solve_sigmoid_sum"]
