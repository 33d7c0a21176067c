"""Values too large for SymPy's ``evalf``, evaluated with mpmath's unbounded exponents.

SymPy raises its working precision by the size of an exponent before it evaluates a
power, so ``exp(exp(20 x))`` at x = 22/13 (an exponent near 5·10^14) would cost minutes
and is refused by :func:`hwgrade.grader.verify.sampling.to_number`. Refusing it must not make a
right answer wrong: ``exp(exp(20 x)) exp(1 - exp(20 x)) v`` *is* ``e v``. An mpmath
number keeps its exponent as a Python integer, so the product of a huge and a tiny
factor is computed at ordinary precision. This module walks the value's tree with
mpmath, bounded: an exponent or a trigonometric argument above :data:`MAX_ARGUMENT`
(where 40 digits of the argument no longer give digits of the result) and any node it
does not know make it give up, and the caller treats the point as one it cannot use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import sympy

#: Largest |argument| of exp, or of a periodic function, evaluated: beyond it the digits
#: of the argument that decide the result are below the working precision.
MAX_ARGUMENT = mpmath.mpf(10) ** 15
#: Extra digits for the walk, so that a product of a huge and a tiny factor keeps its
#: caller's precision.
GUARD_DIGITS = 15


class TooWide(Exception):
    """The value cannot be evaluated here within the bounds (the point is skipped)."""


_PERIODIC: dict[type, Callable[[Any], Any]] = {
    sympy.sin: mpmath.sin, sympy.cos: mpmath.cos, sympy.tan: mpmath.tan,
    sympy.cot: mpmath.cot, sympy.sec: mpmath.sec, sympy.csc: mpmath.csc,
}  # fmt: skip
_OTHER: dict[type, Callable[[Any], Any]] = {
    sympy.log: mpmath.log, sympy.asin: mpmath.asin, sympy.acos: mpmath.acos,
    sympy.atan: mpmath.atan, sympy.sinh: mpmath.sinh, sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh, sympy.asinh: mpmath.asinh, sympy.acosh: mpmath.acosh,
    sympy.atanh: mpmath.atanh, sympy.Abs: abs,
}  # fmt: skip
_CONSTANTS: dict[Any, Callable[[], Any]] = {
    sympy.pi: lambda: +mpmath.pi,
    sympy.E: lambda: mpmath.e(),
    sympy.I: lambda: mpmath.mpc(0, 1),
}


def wide_value(value: sympy.Expr, digits: int) -> Any:
    """``value`` (no free symbols) as an ``mpmath.mpc`` at ``digits`` digits.

    Raises:
        TooWide: An argument is beyond :data:`MAX_ARGUMENT`, or a node is not known.
    """
    with mpmath.workdps(digits + GUARD_DIGITS):
        number = mpmath.mpc(_walk(value))
    with mpmath.workdps(digits):
        if not (mpmath.isfinite(number.real) and mpmath.isfinite(number.imag)):
            raise TooWide("the value is not finite")
        return +number


def _walk(node: Any) -> Any:
    if node.is_Integer:
        return mpmath.mpf(int(node))
    if node.is_Rational:
        return mpmath.mpf(int(node.p)) / int(node.q)
    if node.is_Float:
        return mpmath.mpf(node._mpf_)
    if node in _CONSTANTS:
        return _CONSTANTS[node]()
    args = [_walk(a) for a in node.args]
    if isinstance(node, sympy.Add):
        return mpmath.fsum(args)
    if isinstance(node, sympy.Mul):
        return mpmath.fprod(args)
    if isinstance(node, sympy.exp):
        return mpmath.exp(_bounded(args[0]))
    if isinstance(node, sympy.Pow):
        base, exponent = args
        if base == 0:
            return mpmath.mpf(0) if mpmath.re(exponent) > 0 else _fail("0 to a power")
        return mpmath.exp(_bounded(exponent * mpmath.log(base)))
    if type(node) in _PERIODIC:
        return _PERIODIC[type(node)](_bounded(args[0]))
    if type(node) in _OTHER:
        return _OTHER[type(node)](args[0])
    if isinstance(node, (sympy.Max, sympy.Min)) and all(mpmath.im(a) == 0 for a in args):
        pick = max if isinstance(node, sympy.Max) else min
        return pick(mpmath.re(a) for a in args)
    return _fail(f"`{type(node).__name__}` is not evaluated beyond SymPy's range")


def _bounded(argument: Any) -> Any:
    if abs(argument) > MAX_ARGUMENT:
        _fail("an argument beyond 10^15")
    return argument


def _fail(reason: str) -> Any:
    raise TooWide(reason)


__all__ = ["MAX_ARGUMENT", "TooWide", "wide_value"]
