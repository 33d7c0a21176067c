"""The float screen: rule a candidate out in floating point, without SymPy arithmetic.

A wrong answer is compared with every known mistake, every alternative and its own
transpose, and only an *equal* outcome matters there; yet each full comparison evaluates
both values in exact or 40-digit SymPy arithmetic (:mod:`~hwgrade.grader.verify.pointeval`)
and then tries to prove what it found. Most candidates differ from the answer by a wide
margin at the very first point, which machine floats can see in microseconds.

The screen evaluates a value at the engine's own sample points (the same
:func:`~hwgrade.grader.verify.sampling.draw_point` values) in Python floats and small
row-major grids (:class:`Grid`), carrying beside every number a bound on its rounding
error (running error analysis: sums, products, inverses and elementary functions each
propagate it). It
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

import mpmath
import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.tensor.array import NDimArray

from hwgrade.grader.context import Context
from hwgrade.grader.memo import remembered
from hwgrade.grader.values.numbers import normalize
from hwgrade.grader.values.tuples import is_tuple
from hwgrade.grader.verify.sampling import (
    UNDEFINED,
    Names,
    Point,
    collect_names,
    concrete_size,
    draw_point,
    has_float,
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


class Grid:
    """A small dense matrix of Python floats or complex numbers, row-major.

    The matrices met at sample points have a few dozen entries at most, where Python
    arithmetic is as fast as NumPy's per-call overhead, and NumPy's import alone would
    cost a ``check`` 70 ms. A float entry is exactly real (only real operations made
    it), which keeps branch cuts decidable, as for scalars.
    """

    __slots__ = ("cols", "data", "rows")

    def __init__(self, rows: int, cols: int, data: list[Any]) -> None:
        self.rows, self.cols, self.data = rows, cols, data

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (self.rows, self.cols)

    def map(self, fn: Any) -> Grid:
        """``fn`` of every entry."""
        return Grid(self.rows, self.cols, [fn(x) for x in self.data])

    def zip(self, other: Grid, fn: Any) -> Grid:
        """``fn`` of every pair of entries (same shape)."""
        pairs = zip(self.data, other.data, strict=True)
        return Grid(self.rows, self.cols, [fn(a, b) for a, b in pairs])

    def transposed(self) -> Grid:
        """The transpose."""
        r, c, d = self.rows, self.cols, self.data
        return Grid(c, r, [d[i * c + j] for j in range(c) for i in range(r)])

    def times(self, other: Grid) -> Grid:
        """The matrix product (inner sizes checked by the caller)."""
        n, m, p = self.rows, self.cols, other.cols
        a, b = self.data, other.data
        return Grid(
            n,
            p,
            [
                sum(a[i * m + k] * b[k * p + j] for k in range(m))
                for i in range(n)
                for j in range(p)
            ],
        )

    def magnitudes(self) -> Grid:
        """Entrywise absolute values."""
        return self.map(abs)

    def largest(self) -> float:
        """The largest absolute entry (0 for an empty grid)."""
        return max((abs(x) for x in self.data), default=0.0)

    def frobenius(self) -> float:
        """The Frobenius norm, an upper bound of the spectral norm."""
        return math.sqrt(sum(abs(x) ** 2 for x in self.data))

    def diagonal(self) -> list[Any]:
        """The diagonal entries."""
        return [self.data[i * self.cols + i] for i in range(min(self.rows, self.cols))]

    @staticmethod
    def filled(rows: int, cols: int, fill: float) -> Grid:
        """A grid of one value."""
        return Grid(rows, cols, [fill] * (rows * cols))

    @staticmethod
    def identity(n: int) -> Grid:
        """The n x n identity."""
        return Grid(n, n, [1.0 if i == j else 0.0 for i in range(n) for j in range(n)])


#: A value with its error bound: (float | complex, float) or (Grid, Grid of floats).
Approx = tuple[Any, Any]


def _check(value: Any, error: Any) -> Approx:
    """Refuse values too large to carry, and errors that are not finite."""
    if isinstance(value, Grid):
        size, bound = value.largest(), error.largest()
    else:
        size, bound = abs(value), error
    if not (size <= LIMIT and bound <= LIMIT):  # also catches NaN
        raise Undecided("beyond the float range")
    return value, error


def _is_matrix(value: Any) -> bool:
    return isinstance(value, Grid)


def _scalar(approx: Approx) -> Approx:
    """A 1x1 matrix used as a number is its entry; a larger one is a shape question."""
    value, error = approx
    if not _is_matrix(value):
        return approx
    if value.shape != (1, 1):
        raise Undecided("a matrix used as a number")
    return value.data[0], float(error.data[0])


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
        if va.cols != vb.rows:
            raise Undecided("sizes do not fit")
        ma, mb = va.magnitudes(), vb.magnitudes()
        slack = (va.cols + 2) * EPS
        spread = [ma.times(eb), ea.times(mb), ea.times(eb), ma.times(mb)]
        error = Grid(
            va.rows,
            vb.cols,
            [x + y + z + slack * w for x, y, z, w in zip(*(g.data for g in spread), strict=True)],
        )
        return _check(va.times(vb), error)
    if _is_matrix(va) or _is_matrix(vb):  # a number times a matrix, entry by entry
        (number, ne), (grid, ge) = ((va, ea), (vb, eb)) if _is_matrix(vb) else ((vb, eb), (va, ea))
        entries = [_times((number, ne), (v, e)) for v, e in zip(grid.data, ge.data, strict=True)]
        return Grid(grid.rows, grid.cols, [v for v, _ in entries]), Grid(
            grid.rows, grid.cols, [e for _, e in entries]
        )
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
    scalars = [_scalar(v) for v in values]
    return Grid(rows, cols, [v for v, _ in scalars]), Grid(rows, cols, [e for _, e in scalars])


@lru_cache(maxsize=4096)
def _sampled_matrix(matrix: sympy.ImmutableMatrix) -> Approx:
    """A point's exact random matrix in floats (the same matrix recurs at every point)."""
    return _array([_number(e) for e in matrix], matrix.rows, matrix.cols)


def _matadd(terms: list[Approx]) -> Approx:
    shapes = {v.shape if _is_matrix(v) else None for v, _ in terms}
    if len(shapes) != 1:
        raise Undecided("terms of different shapes")
    first, first_error = terms[0]
    values, sizes, errors = first, first.magnitudes(), first_error
    for value, error in terms[1:]:
        values = values.zip(value, lambda a, b: a + b)
        sizes = sizes.zip(value, lambda a, b: a + abs(b))
        errors = errors.zip(error, lambda a, b: a + b)
    slack = len(terms) * EPS
    return _check(values, errors.zip(sizes, lambda e, m: e + slack * m))


def _inverse(a: Approx) -> Approx:
    """The inverse, with a bound that does not trust the elimination (a-posteriori).

    ``X`` is the computed inverse of the float matrix ``A`` and ``R = I - A X`` its
    residual: ``‖A⁻¹ - X‖ ≤ ‖X‖‖R‖ / (1 - ‖R‖)``. The entries' own errors ``E`` move the
    inverse by at most ``s²‖E‖ / (1 - s‖E‖)`` with ``s`` a bound of ``‖A⁻¹‖``
    (Frobenius norms, which bound the spectral ones). Anything near singular is
    undecided.
    """
    value, error = a
    n = value.rows
    if value.cols != n:
        raise Undecided("a matrix that is not square is inverted")
    inverse = _gauss_jordan(value)
    product = value.times(inverse)
    residual_grid = Grid.identity(n).zip(product, lambda i, p: i - p)
    rounding = (n + 2) * EPS * value.magnitudes().times(inverse.magnitudes()).frobenius()
    residual = residual_grid.frobenius() + rounding
    if not residual < 0.5:
        raise Undecided("nearly singular")
    computed = inverse.frobenius() * residual / (1 - residual)
    size = inverse.frobenius() + computed
    moved = error.frobenius()
    if not size * moved < 0.25:
        raise Undecided("nearly singular")
    bound = computed + size * size * moved / (1 - size * moved)
    return _check(inverse, Grid.filled(n, n, bound))


def _gauss_jordan(matrix: Grid) -> Grid:
    """The float inverse by Gauss–Jordan elimination with partial pivoting."""
    n = matrix.rows
    rows = [
        [*matrix.data[i * n : (i + 1) * n], *(1.0 if i == j else 0.0 for j in range(n))]
        for i in range(n)
    ]
    for c in range(n):
        pivot_row = max(range(c, n), key=lambda r: abs(rows[r][c]))
        if rows[pivot_row][c] == 0:
            raise Undecided("singular in floats")
        rows[c], rows[pivot_row] = rows[pivot_row], rows[c]
        pivot = rows[c][c]
        rows[c] = [x / pivot for x in rows[c]]
        for r in range(n):
            factor = rows[r][c]
            if r != c and factor != 0:
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[c], strict=True)]
    return Grid(n, n, [rows[i][n + j] for i in range(n) for j in range(n)])


def _matpower(base: Approx, exact: Any) -> Approx:
    if not isinstance(exact, sympy.Integer) or abs(int(exact)) > 64:
        raise Undecided("a matrix power that is not a small integer")
    n = int(exact)
    if n < 0:
        base, n = _inverse(base), -n
    value = base[0]
    if value.rows != value.cols:
        raise Undecided("a power of a matrix that is not square")
    total: Approx = (Grid.identity(value.rows), Grid.filled(value.rows, value.rows, 0.0))
    for _ in range(n):
        total = _times(total, base)
    return total


def _elementwise(a: Approx, b: Approx) -> Approx:
    (va, ea), (vb, eb) = a, b
    if va.shape != vb.shape:
        raise Undecided("a Hadamard product of different shapes")
    quads = zip(va.data, ea.data, vb.data, eb.data, strict=True)
    entries = [_times((x, ex), (y, ey)) for x, ex, y, ey in quads]
    return Grid(va.rows, va.cols, [v for v, _ in entries]), Grid(
        va.rows, va.cols, [e for _, e in entries]
    )


def _entries(a: Approx) -> list[Approx]:
    value, error = a
    return [(v, float(e)) for v, e in zip(value.data, error.data, strict=True)]


def _trace(a: Approx) -> Approx:
    value, error = a
    if value.rows != value.cols:
        raise Undecided("the trace of a matrix that is not square")
    return _add(list(zip(value.diagonal(), error.diagonal(), strict=True)))


def _determinant(a: Approx) -> Approx:
    """The determinant by elimination, bounded by how far a perturbation can move it.

    ``|det(A + Δ) - det A| ≤ n‖Δ‖(‖A‖ + ‖Δ‖)ⁿ⁻¹``, with ``Δ`` the entries' errors plus a
    generous backward error of the elimination itself.
    """
    value, error = a
    n = value.rows
    if value.cols != n:
        raise Undecided("the determinant of a matrix that is not square")
    rows = [list(value.data[i * n : (i + 1) * n]) for i in range(n)]
    det: Any = 1.0
    for c in range(n):
        pivot_row = max(range(c, n), key=lambda r: abs(rows[r][c]))
        if rows[pivot_row][c] == 0:
            det = 0.0
            break
        if pivot_row != c:
            rows[c], rows[pivot_row] = rows[pivot_row], rows[c]
            det = -det
        det *= rows[c][c]
        for r in range(c + 1, n):
            factor = rows[r][c] / rows[c][c]
            rows[r] = [x - factor * y for x, y in zip(rows[r], rows[c], strict=True)]
    size = value.frobenius()
    delta = error.frobenius() + 100 * n * EPS * size
    return _check(det, 1.1 * n * delta * (size + delta) ** (n - 1))


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
            rows, cols = (self.size(s) for s in expr.shape)
            if isinstance(expr, sympy.Identity):
                return Grid.identity(rows), Grid.filled(rows, rows, 0.0)
            fill = 0.0 if isinstance(expr, sympy.ZeroMatrix) else 1.0
            return Grid.filled(rows, cols, fill), Grid.filled(rows, cols, 0.0)
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
            return _array(out, inner[0].rows, inner[0].cols)
        if isinstance(expr, sympy.Pow):
            return _power(self.value(expr.base), self.value(expr.exp), expr.exp)
        if isinstance(expr, sympy.MatPow):
            return _matpower(self.value(expr.args[0]), expr.args[1])
        if isinstance(expr, HadamardPower):
            base = self.value(expr.args[0])
            exponent = self.value(expr.args[1])
            out = [_power(e, exponent, expr.args[1]) for e in _entries(base)]
            return _array(out, base[0].rows, base[0].cols)
        args = [self.value(a) for a in expr.args]
        if isinstance(expr, (sympy.Add, sympy.MatAdd)):
            return _add(args)
        if isinstance(expr, (sympy.Mul, sympy.MatMul)):
            return _mul(args)
        if isinstance(expr, sympy.Transpose):
            return args[0][0].transposed(), args[0][1].transposed()
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
            diagonal = value.diagonal()
            return Grid(len(diagonal), 1, diagonal), Grid(len(diagonal), 1, error.diagonal())
        if isinstance(expr, sympy.DiagonalMatrix):
            value, error = args[0]
            cols = value.cols
            off = [k for k in range(len(value.data)) if k // cols != k % cols]
            kept, kept_error = list(value.data), list(error.data)
            for k in off:
                kept[k], kept_error[k] = 0.0, 0.0
            return Grid(value.rows, cols, kept), Grid(value.rows, cols, kept_error)
        if isinstance(expr, MatrixElement):
            i, j = expr.args[1], expr.args[2]
            if not (isinstance(i, sympy.Integer) and isinstance(j, sympy.Integer)):
                raise Undecided("a symbolic index")
            element: Approx = _entries(args[0])[int(i) * args[0][0].cols + int(j)]
            return element
        if isinstance(expr, (sympy.Function, sympy.Max, sympy.Min)):
            return _function(expr, [_scalar(a) for a in args])
        raise Undecided(f"no float rule for {type(expr).__name__}")

    def diagonal_matrix(self, vector: Approx) -> Approx:
        value, error = vector
        if 1 not in value.shape:
            raise Undecided("diag of a matrix")
        n = len(value.data)
        square = [(i, j) for i in range(n) for j in range(n)]
        return Grid(n, n, [value.data[i] if i == j else 0.0 for i, j in square]), Grid(
            n, n, [error.data[i] if i == j else 0.0 for i, j in square]
        )


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
    except Exception as exc:  # a size without a value, an overflow, a zero division
        raise Undecided(f"{type(exc).__name__}: {exc}") from exc


@remembered(8192)
def _values_at(value: Any, names: Names, ctx: Context, seed: int, index: int) -> Approx | None:
    """``value`` at point ``index`` in floats, ``None`` where undecided.

    Remembered: a reference meets every student's answer at the same points.
    """
    try:
        return float_value(value, draw_point(names, ctx, seed, index))
    except Exception:  # undecided here, or no point can be drawn: nothing is claimed
        return None


def _flat(approx: Approx) -> tuple[list[Any], list[float]]:
    value, error = approx
    if _is_matrix(value):
        return list(value.data), [float(e) for e in error.data]
    return [value], [float(error)]


def _shape(approx: Approx) -> tuple[int, ...]:
    value = approx[0]
    if not _is_matrix(value) or value.shape == (1, 1):
        return ()
    return tuple(value.shape)


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
        if has_float(ref) or has_float(ans):  # what the tolerance and rounding rule allow
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


def _shown(value: Any, error: float) -> str | None:
    """How :func:`~hwgrade.grader.verify.sampling.show_number` prints the exact value.

    Six significant digits of a real value whose whole error interval rounds to the
    same digits (rounding is monotone, so the exact value, inside it, does too);
    ``None`` for a complex value or an interval that straddles a rounding edge.
    """
    if not isinstance(value, float):
        return None
    shown = {mpmath.nstr(mpmath.mpf(x), 6) for x in (value - error, value, value + error)}
    return str(shown.pop()) if len(shown) == 1 else None


def _scalar_valued(value: Any) -> bool:
    """A number-valued expression: a scalar, or a 1x1 matrix expression (``wᵀ D w``)."""
    if not isinstance(value, sympy.Expr):
        return False
    return not isinstance(value, sympy.MatrixExpr) or tuple(value.shape) == (1, 1)


def shown_difference(
    reference: Any, answer: Any, ctx: Context, *, seed: int = 0, points: int = 6, everywhere: bool
) -> tuple[str, str] | None:
    """The two exact scalars at the first point, as a reason shows them, when they differ.

    For the equivalence engine's scalar verdict, which names the first point where an
    exact answer goes wrong and both values there: returned only when, at that point,
    both are real, defined and certainly different (no tolerance: neither holds a
    decimal), their six shown digits are certain, and, with ``everywhere``, both are
    also defined at every one of the first ``points`` points (where the engine, which
    reads on after a wrong point for an explicit value, could otherwise meet an
    undefined answer and say that instead). Never raises.

    Returns:
        ``(reference shown, answer shown)``, or ``None`` to leave it to the engine.
    """
    try:
        ref = normalize(ctx.expand_definitions(reference))
        ans = normalize(ctx.expand_definitions(answer))
        values = (ref, ans)
        if not all(_scalar_valued(v) for v in values):
            return None
        if any(v.has(*UNDEFINED) or has_float(v) for v in values):
            return None
        names = collect_names([ref, ans], ctx)
        if not (ref.free_symbols or ans.free_symbols):
            points = 1  # the engine evaluates a constant once
        first: tuple[Approx, Approx] | None = None
        for index in range(points if everywhere else 1):
            ref_at = _values_at(ref, names, ctx, seed, index)
            ans_at = _values_at(ans, names, ctx, seed, index)
            if ref_at is None or ans_at is None:
                return None
            first = first or (_scalar(ref_at), _scalar(ans_at))
        if first is None:
            return None
        (r, er), (a, ea) = first
        size = max(abs(r), abs(a), 1.0)
        if not abs(a - r) > 2 * (er + ea) + 8 * EPS * size:
            return None
        shown_r, shown_a = _shown(r, er), _shown(a, ea)
        return (shown_r, shown_a) if shown_r is not None and shown_a is not None else None
    except Exception:
        return None


__all__ = ["EPS", "Undecided", "certainly_different", "float_value", "shown_difference"]
