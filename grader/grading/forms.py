"""Form rules: whether an answer is *written* expanded or factored.

Some parts ask for a form, not just a value (``expand`` the loss, ``factor`` the
variance). Equality cannot tell: ``w (u_2 + w u_1)`` equals its expansion. These
predicates look at the structure of the answer as typed (``ParsedAnswer.structure``,
before SymPy's automatic evaluation turns ``2*(x - 1)`` into ``2*x - 2``), which is why
they live apart from the equivalence engine, which looks only at values.
"""

from __future__ import annotations

from typing import Any

import sympy

from hwgrade.grader.values.numbers import entries, normalize


def _has_distributable(expr: Any) -> bool:
    """Whether a product has a sum as a factor, or a sum is raised to a positive integer.

    Function arguments are not looked into (``cos(2*x)`` is expanded). Works on values
    as typed (unevaluated, see ``ParsedAnswer.structure``) as well as on built values.
    """
    stack = [expr]
    while stack:
        node = stack.pop()
        if not isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow)):
            continue
        if isinstance(node, sympy.Mul) and any(isinstance(a, sympy.Add) for a in node.args):
            return True
        if isinstance(node, sympy.Pow):
            if isinstance(node.base, sympy.Add) and node.exp.is_Integer and node.exp > 1:
                return True
            stack.append(node.base)
            continue
        stack.extend(node.args)
    return False


def is_expanded(expr: Any) -> bool:
    """Whether ``expr`` is a sum of monomials (for parts that ask for the expanded form).

    A product such as ``w (u_2 + w u_1)`` is not expanded even though it is equal to
    its expansion; the check is structural on purpose. Pass the answer as typed
    (``ParsedAnswer.structure``): SymPy itself turns ``2*(x - 1)`` into ``2*x - 2``.
    A list or matrix is factored when each of its entries is.
    """
    try:
        values = entries(normalize(expr))
        return not any(_has_distributable(e) for e in values if isinstance(e, sympy.Expr))
    except Exception:
        return False


def _factors(expr: sympy.Expr) -> list[sympy.Expr]:
    """Top-level factors (powers by their base), flattening nested and unevaluated products."""
    out: list[sympy.Expr] = []
    stack: list[sympy.Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, sympy.Mul):
            stack.extend(node.args)
        elif isinstance(node, sympy.Pow) and not node.base.is_number:
            stack.append(node.base)
        else:
            out.append(node)
    return out


def _irreducible(factor: sympy.Expr) -> bool:
    """A number, an atom, or a sum that does not factor further (no integer content > 1)."""
    value = factor.doit()  # re-evaluate what was typed, e.g. ``x - 4 + 4/x``
    if value.is_number or not value.free_symbols:
        return True
    if not isinstance(value, sympy.Add):
        return not isinstance(value, (sympy.Mul, sympy.Pow)) or len(_factors(value)) == 1
    _, denominator = sympy.fraction(sympy.together(value))
    if denominator.free_symbols:
        return False
    content, factors = sympy.factor_list(value)
    if len(factors) != 1 or factors[0][1] != 1:
        return False
    return bool(content.is_Float or (content.is_Rational and abs(content.p) == 1))


def is_factored(expr: Any) -> bool:
    """Whether ``expr`` is a product of irreducible factors (``p (1 - p)``, not ``p - p^2``).

    Each top-level factor (powers count by their base) must be a number, a
    non-polynomial atom such as ``exp(x)``, or a sum that does not factor further over
    the rationals and has no integer content (``2x + 6`` is ``2 (x + 3)``; a rational
    content such as ``1 - x/2`` is fine). Pass the answer as typed
    (``ParsedAnswer.structure``): SymPy itself turns ``2*(x - 1)`` into ``2*x - 2``.
    A list or matrix is factored when each of its entries is.
    """
    try:
        values = entries(normalize(expr))  # a list is factored when every entry is
        return all(
            isinstance(v, sympy.Expr) and all(_irreducible(f) for f in _factors(v)) for v in values
        )
    except Exception:
        return False


__all__ = ["is_expanded", "is_factored"]
