"""Symbolic proof of equality, bounded: the exact and confirming steps of the engine.

:mod:`hwgrade.grader.verify.equivalence` decides by evaluation at random points; these are its
symbolic steps. :func:`exact_difference` runs before the points (a difference that
expands to zero or to a nonzero constant settles the question cheaply) and
:func:`prove_equal` after them, to turn numeric agreement into a proof. Both refuse to
work on large expressions (``expand`` of ``(a + b + c)^40`` or ``simplify`` of anything
big can run for minutes) and answer "don't know" instead; the engine then reports
``numeric-only``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sympy

EXACT_OPS = 200
"""Largest difference (in SymPy operations) that is expanded to test it for zero."""
PROOF_OPS = 120
"""Largest difference the rewriting steps of :func:`prove_equal` are tried on."""
#: Functions whose pieces random points may miss: agreement there proves nothing.
PIECEWISE = (
    sympy.Max, sympy.Min, sympy.Piecewise, sympy.Heaviside, sympy.sign, sympy.floor,
    sympy.ceiling, sympy.frac, sympy.Mod, sympy.DiracDelta,
)  # fmt: skip


#: The one variable every ``Lambda`` is rewritten to use (see :func:`canonical_lambdas`).
BOUND_VARIABLE = sympy.Dummy("bound")


def canonical_lambdas(value: Any) -> Any:
    """Rename every ``Lambda`` variable to one dummy: two parses of ``relu(X w)`` compare equal."""
    if not isinstance(value, sympy.Basic) or not value.has(sympy.Lambda):
        return value
    return value.xreplace(
        {
            lam: sympy.Lambda(BOUND_VARIABLE, lam.expr.xreplace({lam.variables[0]: BOUND_VARIABLE}))
            for lam in value.atoms(sympy.Lambda)
            if len(lam.variables) == 1
        }
    )


def expand_is_cheap(expr: sympy.Expr) -> bool:
    """Bound ``expand`` before calling it: ``(a+b+c)^40`` has hundreds of terms."""
    if sympy.count_ops(expr) > EXACT_OPS:
        return False
    for power in expr.atoms(sympy.Pow):
        if power.base.is_Add and power.exp.is_Integer and abs(int(power.exp)) > 12:
            return False
    return True


def exact_difference(ref: sympy.Expr, ans: sympy.Expr) -> bool | None:
    """True if the difference expands to 0, False if to a nonzero constant, else None."""
    diff = ref - ans
    if diff == 0:
        return True
    if diff.is_Rational:  # two numbers (most explicit entries): nothing to expand
        return False
    if not expand_is_cheap(diff):
        return None
    expanded = sympy.expand(diff)
    if expanded == 0:
        return True
    if expanded.is_Rational or (not expanded.free_symbols and expanded.is_zero is False):
        return False
    if sympy.count_ops(expanded) <= PROOF_OPS and sympy.cancel(sympy.together(expanded)) == 0:
        return True
    return None


def prove_equal(ref: sympy.Expr, ans: sympy.Expr, deadline: float) -> bool:
    """Cheap rewrites that confirm ``ref == ans``; never ``simplify`` (it can run for minutes)."""
    diff = sympy.expand(ref - ans) if expand_is_cheap(ref - ans) else ref - ans
    if sympy.count_ops(diff) > PROOF_OPS:
        return False
    steps: list[Callable[[sympy.Expr], sympy.Expr]] = [
        lambda e: sympy.cancel(sympy.together(e)),
        lambda e: sympy.expand(sympy.expand_log(e, force=False)),
        lambda e: sympy.expand(sympy.powsimp(sympy.powdenest(e))),
    ]
    if diff.has(sympy.sin, sympy.cos, sympy.tan, sympy.cot, sympy.sec, sympy.csc):
        steps.append(lambda e: sympy.expand(sympy.trigsimp(sympy.expand_trig(e))))
    if diff.has(sympy.tanh, sympy.sinh, sympy.cosh):
        steps.append(lambda e: sympy.cancel(sympy.expand(e.rewrite(sympy.exp))))
    for step in steps:
        if time.perf_counter() > deadline:
            return False
        if step(diff) == 0:
            return True
    return False


def is_elementary(value: Any) -> bool:
    """Rational and elementary functions only: numeric agreement then implies equality."""
    if not isinstance(value, sympy.Basic):
        return True
    return not value.has(*PIECEWISE, sympy.Derivative, sympy.Integral) and not value.atoms(
        sympy.core.function.AppliedUndef
    )


__all__ = [
    "BOUND_VARIABLE",
    "EXACT_OPS",
    "PIECEWISE",
    "PROOF_OPS",
    "canonical_lambdas",
    "exact_difference",
    "expand_is_cheap",
    "is_elementary",
    "prove_equal",
]
