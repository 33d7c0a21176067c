"""The float screen: rule a candidate out in floating point, without SymPy arithmetic.

A wrong answer is compared with every known mistake, every alternative and its own
transpose, and only an *equal* outcome matters there; yet each full comparison evaluates
both values in exact or 40-digit SymPy arithmetic (:mod:`~hwgrade.grader.verify.pointeval`)
and then tries to prove what it found. Most candidates differ from the answer by a wide
margin at the very first point, which machine floats can see in microseconds.

The screen evaluates a value at the engine's own sample points (the same
:func:`~hwgrade.grader.verify.sampling.draw_point` values) in Python floats and NumPy
arrays, carrying beside every number a bound on its rounding error (running error
analysis: sums, products, inverses and elementary functions each propagate it). It
answers only one question — *is this pair certainly different?* — and says yes only when,
at one of the first ``points`` sample points (points the full engine always evaluates),
both values are defined and their difference exceeds both error bounds plus the part's
tolerance. Anything it cannot bound (a branch cut within reach, a nearly singular
matrix, an exponent past float range, a function it does not know) is "undecided" and
left to the full engine. So a screened pair is one the full engine would also have
found unequal: the screen changes no verdict, only how soon a non-match is known
(``tests/test_floatscreen.py`` checks that on thousands of generated answers).

The reference's values at each point are kept per process, so a part's reference and
known mistakes are evaluated once, and an answer once per distinct value.
"""

from __future__ import annotations

import cmath
import math
from functools import lru_cache
from typing import Any

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.tensor.array import NDimArray

from hwgrade.grader.context import Context
from hwgrade.grader.values.numbers import normalize
from hwgrade.grader.values.tuples import is_tuple
from hwgrade.grader.verify.sampling import (
    UNDEFINED,
    Names,
    Point,
    collect_names,
    concrete_size,
    draw_point,
)

#: Unit roundoff of a float64 operation, doubled: every bound below is generous.
EPS = 2.0**-52
#: Largest magnitude carried; beyond it a product could overflow, so the value is undecided.
LIMIT = 1e150
#: Largest exponent (``exp(u)``, ``b^u``) evaluated: the full engine treats exponents
#: past 10^6 as too large to evaluate, and floats overflow long before that.
MAX_EXPONENT = 700.0


class Undecided(Exception):
    """Floating point cannot bound this value here: the full engine decides."""


#: A value with its error bound: (float | complex | ndarray, float | ndarray).
Approx = tuple[Any, Any]


def _check(value: Any, error: Any) -> Approx:
    """Refuse values too large to carry, and errors that are not finite."""
    if isinstance(value, (float, complex)):
        if not (abs(value) <= LIMIT and error <= LIMIT):  # also catches NaN
            raise Undecided("beyond the float range")
        return value, error
    if not (abs(value).max(initial=0.0) <= LIMIT and error.max(initial=0.0) <= LIMIT):
        raise Undecided("beyond the float range")
    return value, error


def _is_matrix(value: Any) -> bool:
    return not isinstance(value, (float, complex))


def _scalar(approx: Approx) -> Approx:
    """A 1x1 matrix used as a number is its entry; a larger one is a shape question."""
    value, error = approx
    if not _is_matrix(value):
        return approx
    if value.shape != (1, 1):
        raise Undecided("a matrix used as a number")
    entry = value[0, 0]
    return (float(entry) if value.dtype.kind == "f" else complex(entry)), float(error[0, 0])


def _number(number: sympy.Expr) -> Approx:
    try:
        value = float(number)
    except (OverflowError, TypeError, ValueError) as exc:
        raise Undecided("not a float") from exc
    return _check(value, 2 * EPS * abs(value))


# ---- scalar arithmetic ---------------------------------------------------------------


def _add(terms: list[Approx]) -> Approx:
    if any(_is_matrix(v) for v, _ in terms):
        return _matadd(terms)
    value = sum((v for v, _ in terms), 0.0)
    size = sum(abs(v) for v, _ in terms)
    error = sum(e for _, e in terms) + len(terms) * EPS * size
    return _check(value, error)


def _times(a: Approx, b: Approx) -> Approx:
    """Product of two numbers or matrices (scalars broadcast; matrices multiply)."""
    (va, ea), (vb, eb) = a, b
    if _is_matrix(va) and _is_matrix(vb):
        if va.shape[1] != vb.shape[0]:
            raise Undecided("sizes do not fit")
        # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
        import numpy as np

        value = va @ vb
        size = np.abs(va) @ np.abs(vb)
        error = np.abs(va) @ eb + ea @ np.abs(vb) + ea @ eb + (va.shape[1] + 2) * EPS * size
        return _check(value, error)
    value = va * vb
    error = abs(va) * eb + ea * abs(vb) + ea * eb + 4 * EPS * abs(va) * abs(vb)
    return _check(value, error)


def _mul(factors: list[Approx]) -> Approx:
    total = factors[0]
    for factor in factors[1:]:
        total = _times(total, factor)
    return total


def _on_cut(value: complex, error: float) -> bool:
    """Whether a complex argument may lie on or across the negative real axis.

    A float is exactly real (only real operations made it), so its side of the cut is
    known; a complex value within its error of the axis is not.
    """
    return bool(value.real < error and abs(value.imag) <= error)


def _log(u: Approx) -> Approx:
    value, error = _scalar(u)
    if abs(value) <= 2 * error or (isinstance(value, complex) and _on_cut(value, error)):
        raise Undecided("log near 0 or its branch cut")
    if isinstance(value, float) and value < 0:
        result: Any = complex(math.log(-value), math.pi)  # principal branch, as SymPy
    elif isinstance(value, float):
        result = math.log(value)
    else:
        result = cmath.log(value)
    bound = error / (abs(value) - error)
    return _check(result, 2 * bound + 4 * EPS * max(1.0, abs(result)))


def _exp(u: Approx) -> Approx:
    value, error = _scalar(u)
    if abs(value) > MAX_EXPONENT or error > 1:
        raise Undecided("an exponent beyond the float range")
    result = math.exp(value) if isinstance(value, float) else cmath.exp(value)
    return _check(result, abs(result) * (math.expm1(error) + 4 * EPS))


def _integer_power(base: Approx, n: int) -> Approx:
    value, error = _scalar(base)
    size = abs(value)
    if n >= 0:
        result = value**n
        bound = (size + error) ** n - size**n + (4 * n + 2) * EPS * size**n
        return _check(result, bound)
    if size <= 2 * error:
        raise Undecided("a power of a number near 0")
    result = value**n
    bound = (size - error) ** n - size**n + (4 * -n + 4) * EPS * abs(result)
    return _check(result, bound)


def _power(base: Approx, exponent: Approx, exact: Any) -> Approx:
    if _is_matrix(base[0]) and base[0].shape != (1, 1):
        raise Undecided("a matrix power in a scalar place")
    if isinstance(exact, sympy.Integer) and abs(int(exact)) <= 64:
        return _integer_power(base, int(exact))
    b, eb = _scalar(base)
    w, ew = _scalar(exponent)
    if b == 0 and eb == 0:
        if isinstance(w, float) and w > 0:
            return 0.0, 0.0
        raise Undecided("0 to a power that is not positive")
    if abs(w) > MAX_EXPONENT:
        raise Undecided("an exponent beyond the float range")
    # The bound is that of exp(w log b); the value is the direct principal power.
    logged = _log((b, eb))
    bound = _exp(_times(logged, (w, ew)))[1]
    if isinstance(b, float) and b < 0:
        value: Any = cmath.exp(w * complex(math.log(-b), math.pi))
    else:
        value = b**w
        if isinstance(value, complex) and isinstance(b, float) and isinstance(w, float):
            raise Undecided("a real power that came out complex")
    return _check(value, bound + 4 * EPS * abs(value))


def _real(u: Approx) -> tuple[float, float]:
    value, error = _scalar(u)
    if not isinstance(value, float):
        raise Undecided("a complex argument")
    return value, error


def _lipschitz(func: Any, u: Approx) -> Approx:
    """A real function whose slope is at most 1 (``tanh``, ``atan``, ``abs``)."""
    value, error = _real(u)
    result = func(value)
    return _check(result, error + 4 * EPS * max(1.0, abs(result)))


def _trig(u: Approx, real: Any, cplx: Any) -> Approx:
    """``sin``/``cos``: slope at most ``cosh`` of the imaginary part."""
    value, error = _scalar(u)
    if abs(value) > 1e6:
        raise Undecided("a trigonometric function of a huge argument")
    result = real(value) if isinstance(value, float) else cplx(value)
    slope = math.cosh(abs(value.imag) + error) if isinstance(value, complex) else 1.0
    return _check(result, error * slope + 4 * EPS * max(1.0, abs(result)))


def _hyperbolic(u: Approx, real: Any, cplx: Any) -> Approx:
    """``sinh``/``cosh``: slope at most ``cosh(|u| + error)``."""
    value, error = _scalar(u)
    if abs(value) + error > MAX_EXPONENT:
        raise Undecided("beyond the float range")
    result = real(value) if isinstance(value, float) else cplx(value)
    slope = math.cosh(abs(value) + error)
    return _check(result, error * slope + 4 * EPS * max(1.0, abs(result)))


def _extremum(args: list[Approx], pick: Any) -> Approx:
    reals = [_real(a) for a in args]
    return pick(v for v, _ in reals), max(e for _, e in reals)


def _sign(u: Approx) -> Approx:
    value, error = _real(u)
    if value == 0 and error == 0:
        return 0.0, 0.0
    if abs(value) <= error:
        raise Undecided("sign near 0")
    return math.copysign(1.0, value), 0.0


_LIPSCHITZ = {sympy.tanh: math.tanh, sympy.atan: math.atan}


def _function(expr: Any, args: list[Approx]) -> Approx:
    if isinstance(expr, sympy.exp):
        return _exp(args[0])
    if isinstance(expr, sympy.log) and len(args) == 1:
        return _log(args[0])
    if isinstance(expr, sympy.sin):
        return _trig(args[0], math.sin, cmath.sin)
    if isinstance(expr, sympy.cos):
        return _trig(args[0], math.cos, cmath.cos)
    if isinstance(expr, sympy.sinh):
        return _hyperbolic(args[0], math.sinh, cmath.sinh)
    if isinstance(expr, sympy.cosh):
        return _hyperbolic(args[0], math.cosh, cmath.cosh)
    if type(expr) in _LIPSCHITZ:
        return _lipschitz(_LIPSCHITZ[type(expr)], args[0])
    if isinstance(expr, sympy.Abs):
        value, error = _scalar(args[0])
        return _check(float(abs(value)), error + 2 * EPS * abs(value))
    if isinstance(expr, sympy.Max):
        return _extremum(args, max)
    if isinstance(expr, sympy.Min):
        return _extremum(args, min)
    if isinstance(expr, sympy.sign):
        return _sign(args[0])
    raise Undecided(f"no float rule for {type(expr).__name__}")


# ---- matrices --------------------------------------------------------------------------


def _array(values: list[Approx], rows: int, cols: int) -> Approx:
    # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
    import numpy as np

    scalars = [_scalar(v) for v in values]
    complex_ = any(isinstance(v, complex) for v, _ in scalars)
    value = np.array([v for v, _ in scalars], dtype=complex if complex_ else float)
    error = np.array([e for _, e in scalars], dtype=float)
    return value.reshape(rows, cols), error.reshape(rows, cols)


@lru_cache(maxsize=4096)
def _sampled_matrix(matrix: sympy.ImmutableMatrix) -> Approx:
    """A point's exact random matrix in floats (the same matrix recurs at every point)."""
    return _array([_number(e) for e in matrix], matrix.rows, matrix.cols)


def _matadd(terms: list[Approx]) -> Approx:
    # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
    import numpy as np

    shapes = {v.shape if _is_matrix(v) else None for v, _ in terms}
    if len(shapes) != 1:
        raise Undecided("terms of different shapes")
    value = sum((v for v, _ in terms[1:]), terms[0][0])
    size = sum((np.abs(v) for v, _ in terms[1:]), np.abs(terms[0][0]))
    error = sum((e for _, e in terms[1:]), terms[0][1]) + len(terms) * EPS * size
    return _check(value, error)


def _inverse(a: Approx) -> Approx:
    # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
    import numpy as np

    value, error = a
    rows, cols = value.shape
    if rows != cols:
        raise Undecided("a matrix that is not square is inverted")
    try:
        inverse = np.linalg.inv(value)
    except np.linalg.LinAlgError as exc:
        raise Undecided("singular in floats") from exc
    # Perturbation theory: the computed inverse is that of A + Δ, with Δ the entries'
    # errors plus a backward error of the elimination; within ‖A⁻¹‖‖Δ‖ < 1/4 the
    # inverse moves by at most 4‖A⁻¹‖²‖Δ‖ in every entry.
    delta = float(np.linalg.norm(error)) + 10 * rows * EPS * float(np.linalg.norm(value))
    size = float(np.linalg.norm(inverse, 2))
    if not math.isfinite(size) or size * delta >= 0.25:
        raise Undecided("nearly singular")
    bound = 4 * size * size * delta / (1 - 2 * size * delta)
    return _check(inverse, np.full(value.shape, bound))


def _matpower(base: Approx, exact: Any) -> Approx:
    if not isinstance(exact, sympy.Integer) or abs(int(exact)) > 64:
        raise Undecided("a matrix power that is not a small integer")
    n = int(exact)
    if n < 0:
        base, n = _inverse(base), -n
    value = base[0]
    if value.shape[0] != value.shape[1]:
        raise Undecided("a power of a matrix that is not square")
    # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
    import numpy as np

    total: Approx = (np.eye(value.shape[0]), np.zeros(value.shape))
    for _ in range(n):
        total = _times(total, base)
    return total


def _elementwise(a: Approx, b: Approx) -> Approx:
    (va, ea), (vb, eb) = a, b
    if va.shape != vb.shape:
        raise Undecided("a Hadamard product of different shapes")
    # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
    import numpy as np

    value = va * vb
    size = np.abs(va) * np.abs(vb)
    return _check(value, np.abs(va) * eb + ea * np.abs(vb) + ea * eb + 4 * EPS * size)


def _entries(a: Approx) -> list[Approx]:
    value, error = a
    real = value.dtype.kind == "f"
    return [
        (float(v) if real else complex(v), float(e))
        for v, e in zip(value.ravel(), error.ravel(), strict=True)
    ]


def _trace(a: Approx) -> Approx:
    value, error = a
    if value.shape[0] != value.shape[1]:
        raise Undecided("the trace of a matrix that is not square")
    n = value.shape[0]
    return _add(_entries((value.diagonal().reshape(n, 1), error.diagonal().reshape(n, 1))))


def _determinant(a: Approx) -> Approx:
    # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
    import numpy as np

    value, error = a
    n = value.shape[0]
    if value.shape != (n, n):
        raise Undecided("the determinant of a matrix that is not square")
    det = complex(np.linalg.det(value))
    delta = float(np.linalg.norm(error)) + 10 * n * EPS * float(np.linalg.norm(value))
    size = float(np.linalg.norm(value))
    bound = 1.1 * n * delta * (size + delta) ** (n - 1)
    result: Any = det.real if value.dtype.kind == "f" else det
    return _check(result, bound)


# ---- the walk --------------------------------------------------------------------------


class _Evaluator:
    """One value at one point; ``bound`` holds a Lambda's variable while its body runs."""

    def __init__(self, point: Point) -> None:
        self.point = point
        self.bound: dict[sympy.Basic, Approx] = {}

    def size(self, expr: sympy.Expr) -> int:
        return int(concrete_size(expr, self.point.scalars))

    def value(self, expr: Any) -> Approx:
        if isinstance(expr, NDimArray):
            flat = [self.value(e) for e in sympy.flatten(expr.tolist())]
            return _array(flat, len(flat), 1)
        if expr in self.bound:
            return self.bound[expr]
        if isinstance(expr, sympy.Symbol):
            if expr.name not in self.point.scalars:
                raise Undecided(f"`{expr.name}` has no value")
            return _number(self.point.scalars[expr.name])
        if isinstance(expr, sympy.MatrixSymbol):
            if expr.name not in self.point.matrices:
                raise Undecided(f"`{expr.name}` has no value")
            return _sampled_matrix(self.point.matrices[expr.name])
        if expr is sympy.I:
            return 1j, 0.0
        if isinstance(expr, (sympy.Number, sympy.NumberSymbol)):
            return _number(expr)
        if isinstance(expr, sympy.MatrixBase):
            return _array([self.value(e) for e in expr], expr.rows, expr.cols)
        return self.compound(expr)

    def compound(self, expr: Any) -> Approx:
        if isinstance(expr, (sympy.Identity, sympy.ZeroMatrix, sympy.OneMatrix)):
            # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
            import numpy as np

            rows, cols = (self.size(s) for s in expr.shape)
            if isinstance(expr, sympy.Identity):
                return np.eye(rows), np.zeros((rows, rows))
            fill = 0.0 if isinstance(expr, sympy.ZeroMatrix) else 1.0
            return np.full((rows, cols), fill), np.zeros((rows, cols))
        if isinstance(expr, ElementwiseApplyFunction):
            inner = self.value(expr.expr)
            lam = expr.function
            if not isinstance(lam, sympy.Lambda) or len(lam.variables) != 1:
                raise Undecided("an elementwise function of several variables")
            out = []
            for entry in _entries(inner):
                self.bound[lam.variables[0]] = entry
                try:
                    out.append(self.value(lam.expr))
                finally:
                    del self.bound[lam.variables[0]]
            return _array(out, *inner[0].shape)
        if isinstance(expr, sympy.Pow):
            return _power(self.value(expr.base), self.value(expr.exp), expr.exp)
        if isinstance(expr, sympy.MatPow):
            return _matpower(self.value(expr.args[0]), expr.args[1])
        if isinstance(expr, HadamardPower):
            base = self.value(expr.args[0])
            exponent = self.value(expr.args[1])
            out = [_power(e, exponent, expr.args[1]) for e in _entries(base)]
            return _array(out, *base[0].shape)
        args = [self.value(a) for a in expr.args]
        if isinstance(expr, (sympy.Add, sympy.MatAdd)):
            return _add(args)
        if isinstance(expr, (sympy.Mul, sympy.MatMul)):
            return _mul(args)
        if isinstance(expr, sympy.Transpose):
            return args[0][0].T, args[0][1].T
        if isinstance(expr, sympy.Inverse):
            return _inverse(args[0])
        if isinstance(expr, sympy.HadamardProduct):
            total = args[0]
            for other in args[1:]:
                total = _elementwise(total, other)
            return total
        if isinstance(expr, sympy.Trace):
            return _trace(args[0])
        if isinstance(expr, sympy.Determinant):
            return _determinant(args[0])
        if isinstance(expr, sympy.DiagMatrix):
            return self.diagonal_matrix(args[0])
        if isinstance(expr, sympy.DiagonalOf):
            value, error = args[0]
            n = min(value.shape)
            return value.diagonal()[:n].reshape(n, 1), error.diagonal()[:n].reshape(n, 1)
        if isinstance(expr, sympy.DiagonalMatrix):
            # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
            import numpy as np

            value, error = args[0]
            keep = np.eye(*value.shape) != 0
            return np.where(keep, value, 0), np.where(keep, error, 0.0)
        if isinstance(expr, MatrixElement):
            i, j = expr.args[1], expr.args[2]
            if not (isinstance(i, sympy.Integer) and isinstance(j, sympy.Integer)):
                raise Undecided("a symbolic index")
            element: Approx = _entries(args[0])[int(i) * args[0][0].shape[1] + int(j)]
            return element
        if isinstance(expr, (sympy.Function, sympy.Max, sympy.Min)):
            return _function(expr, [_scalar(a) for a in args])
        raise Undecided(f"no float rule for {type(expr).__name__}")

    def diagonal_matrix(self, vector: Approx) -> Approx:
        # lazy: NumPy is met only with matrices; scalar checks and start-up do without it
        import numpy as np

        value, error = vector
        if 1 not in value.shape:
            raise Undecided("diag of a matrix")
        return np.diag(value.ravel()), np.diag(error.ravel())


# ---- the screen ------------------------------------------------------------------------


def float_value(value: Any, point: Point) -> Approx:
    """``value`` at ``point`` in floats, with a bound on its error in every entry.

    Raises:
        Undecided: Floating point cannot evaluate or bound it there.
    """
    try:
        return _Evaluator(point).value(value)
    except (Undecided, RecursionError):
        raise
    except Exception as exc:  # a size without a value, an overflow, a NumPy error
        raise Undecided(f"{type(exc).__name__}: {exc}") from exc


def _at(value: Any, names: Names, ctx: Context, seed: int, index: int) -> Approx | None:
    try:
        return float_value(value, draw_point(names, ctx, seed, index))
    except Exception:  # undecided here, or no point can be drawn: nothing is claimed
        return None


_cached_at = lru_cache(maxsize=8192)(_at)


def _values_at(value: Any, names: Names, ctx: Context, seed: int, index: int) -> Approx | None:
    """:func:`_at`, remembered: a reference meets every student's answer at the same points."""
    try:
        return _cached_at(value, names, ctx, seed, index)
    except TypeError:  # an unhashable value
        return _at(value, names, ctx, seed, index)


def _flat(approx: Approx) -> tuple[list[Any], list[float]]:
    value, error = approx
    if _is_matrix(value):
        return list(value.ravel()), [float(e) for e in error.ravel()]
    return [value], [float(error)]


def _shape(approx: Approx) -> tuple[int, ...]:
    value = approx[0]
    if not _is_matrix(value) or value.shape == (1, 1):
        return ()
    return tuple(value.shape)


def _has_float(value: Any) -> bool:
    return isinstance(value, sympy.Basic) and bool(value.atoms(sympy.Float))


def certainly_different(
    reference: Any,
    answer: Any,
    ctx: Context,
    *,
    tolerance: float = 1e-3,
    digits: int | None = 3,
    absolute_tolerance: float | None = None,
    seed: int = 0,
    points: int = 6,
) -> bool:
    """Whether floating point proves that the full engine would not find them equal.

    True only when, at one of the first ``points`` sample points (each of which the
    full engine evaluates), both values are defined and some entry differs by more than
    the two error bounds plus what the part's tolerance and rounding rule forgive.
    Never raises; anything uncertain is ``False``.

    Args:
        reference: The value the answer is checked against (a reference or a mistake).
        answer: The student's value.
        ctx: Declared names: the points are drawn as the full engine draws them.
        tolerance: The relative tolerance for decimals.
        digits: The rounding rule's significant digits (``None``: no rounding rule).
        absolute_tolerance: The absolute tolerance for decimals, when the part has one.
        seed: The engine's seed.
        points: The engine's number of points.
    """
    try:
        ref = normalize(ctx.expand_definitions(reference))
        ans = normalize(ctx.expand_definitions(answer))
        if is_tuple(ref) or is_tuple(ans):
            return False
        if any(isinstance(v, sympy.Basic) and v.has(*UNDEFINED) for v in (ref, ans)):
            return False
        names = collect_names([ref, ans], ctx)
        if not any(isinstance(v, sympy.Basic) and v.free_symbols for v in (ref, ans)):
            points = 1  # the engine evaluates a constant once
        forgiven = slack = 0.0
        if _has_float(ref) or _has_float(ans):  # what the tolerance and rounding rule allow
            rounding = 10.0 ** (1 - digits) if digits else 0.0
            forgiven = 2 * max(tolerance, rounding)
            slack = 2 * (absolute_tolerance or 0.0) + 1e-8
        for index in range(points):
            ref_at = _values_at(ref, names, ctx, seed, index)
            if ref_at is None:
                continue
            ans_at = _values_at(ans, names, ctx, seed, index)
            if ans_at is None:
                continue
            if _shape(ref_at) != _shape(ans_at):
                return False  # orientation and shape rules are the full engine's
            (rv, re_), (av, ae) = _flat(ref_at), _flat(ans_at)
            for r, er, a, ea in zip(rv, re_, av, ae, strict=True):
                size = max(abs(r), abs(a), 1.0)
                allowed = er + ea + forgiven * max(abs(r), abs(a)) + slack * size
                if abs(a - r) > 2 * allowed + 8 * EPS * size:
                    return True
        return False
    except Exception:
        return False


__all__ = ["EPS", "Undecided", "certainly_different", "float_value"]
