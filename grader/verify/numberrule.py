"""The number rule: when a decimal a student typed is the expected value.

A decimal is right when it is within the part's relative tolerance, or when it is the
expected value correctly rounded to at least the digits the part asks for (those of its
tolerance: 3 for the default 1e-3), so ``0.333`` is 1/3 and ``1.08`` is 13/12 while
``0.33`` and ``1.1`` stay wrong (docs/specs.md, "The number rule"). The equivalence
engine applies it entry by entry; the key and the template say how many digits a part
asks for with the same :func:`significant_digits`.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

import mpmath
import sympy

from hwgrade.grader.verify.sampling import DIGITS, to_mpc


def significant_digits(tolerance: float) -> int:
    """The significant digits a part asks for: those of its relative tolerance (1e-3: 3).

    A tolerance of 0 asks for the exact value; it is given 0 digits (no rounding rule).
    """
    if tolerance <= 0:
        return 0
    return max(1, math.ceil(-math.log10(tolerance) - 1e-9))


def rounds_to(reference: Any, typed: Any, digits: int) -> bool:
    """Whether ``typed`` is ``reference`` correctly rounded to at least ``digits`` digits.

    The digits counted are those of the typed decimal without trailing zeros, but never
    fewer than ``digits``: ``0.33`` for 1/3 is checked at 3 digits (and is wrong),
    ``0.3333`` at 4. An exact tie (0.125 to 2 digits) may go either way, as half-up
    and half-even rounding disagree there. The tolerance alone would refuse ``1.08`` for
    13/12 (a relative error of 3e-3) although it is what rounding to 3 digits gives.
    """
    if digits <= 0:
        return False
    try:
        with mpmath.workdps(DIGITS):
            r = mpmath.mpmathify(to_mpc(reference))
            if not isinstance(r, mpmath.mpf):
                if r.imag:
                    return False
                r = r.real
            if not mpmath.isfinite(r) or r == 0:
                return False
            ref_dec = decimal.Decimal(mpmath.nstr(r, DIGITS, strip_zeros=False))
        if isinstance(reference, sympy.Rational):  # exact, so a tie is a tie
            with decimal.localcontext() as exact:
                exact.prec = DIGITS + 20
                ref_dec = decimal.Decimal(int(reference.p)) / decimal.Decimal(int(reference.q))
        ans_dec = decimal.Decimal(str(typed)).normalize()
        shown = len(ans_dec.as_tuple().digits)
        places = max(digits, shown)
        quantum = decimal.Decimal(1).scaleb(ref_dec.adjusted() - places + 1)
        with decimal.localcontext() as ctx:
            ctx.prec = DIGITS + 20
            return any(
                ref_dec.quantize(quantum, rounding=mode) == ans_dec
                for mode in (decimal.ROUND_HALF_UP, decimal.ROUND_HALF_EVEN)
            )
    except (decimal.InvalidOperation, ValueError, TypeError, OverflowError):
        return False


def digits_hint(tolerance: float) -> str:
    """What a decimal needs here, in digits.

    A student who rounds 1/3 to 0.33 has the right value and too few digits; saying how
    many are asked for is the whole fix, where "relative difference 0.01" is a puzzle.
    """
    digits = significant_digits(tolerance)
    if digits == 0:
        return "this part asks for the exact value: give it as a fraction or expression"
    return f"decimals need {digits} significant digits here (or give the exact value)"


__all__ = ["digits_hint", "rounds_to", "significant_digits"]
