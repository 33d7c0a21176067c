"""Random instantiation of answers: the points at which the equivalence engine evaluates.

Numeric checks prove inequality with a single clear mismatch, so the points must be
chosen to expose the usual mistakes rather than to look random:

* scalars are non-integer rationals in ``±[0.3, 2.5]``, never 0 and of both signs (point
  0 is all positive, point 1 all negative, point 2 alternating in name order), so
  ``sqrt(x^2)`` differs from ``x``, ``abs(x y)`` from ``x y`` and ``x + sin(pi x)`` from
  ``x``; scalars declared positive stay positive;
* dimensions get *distinct* sizes (2, 3, 4, ...) respecting the context's relations and
  changing from point to point, so a transposed product has the wrong shape and ``n``
  is not mistaken for a constant;
* matrices are random exact rationals, so products and inverses are computed exactly
  and a singular ``X^T X`` (``d > n``) is detected as singular, not as a huge number.

Everything is derived from string-seeded :class:`random.Random` instances and cached by
``(seed, point index, name, shape)``, so a symbol gets the same value in the reference
and in the answer, and a grading run is reproducible.

Evaluating a value at a point is :mod:`hwgrade.grader.verify.pointeval`; comparing the numbers
that come out (:func:`to_number`, :func:`agree`) stays here with the working precision.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath
import sympy

from hwgrade.grader.context import Context, Relation
from hwgrade.grader.memo import remembered
from hwgrade.grader.values.numbers import as_sympy
from hwgrade.grader.verify.wideeval import TooWide, wide_value

_DENOMINATORS = (7, 11, 13, 17)
#: Working precision (decimal digits) of every non-rational evaluation.
DIGITS = 40
#: Largest exponent evaluated at a point (``e^(10^6)`` is fine; using it as an exponent
#: again would need millions of bits of working precision).
MAX_EXPONENT = 10**6
#: Values that make a point a domain error.
UNDEFINED = (sympy.nan, sympy.zoo, sympy.oo, -sympy.oo)


class DomainError(Exception):
    """The value is undefined (nan, infinite) at this point."""


class MagnitudeError(DomainError):
    """An exponent is too large at this point to evaluate the value (``exp(exp(exp(x)))``)."""


class UnassignedError(Exception):
    """A name is left without a value (it is not a symbol the engine can sample)."""


@dataclass(frozen=True)
class Names:
    """The names appearing in a pair of values, sorted into what gets sampled how.

    Attributes:
        scalars: ``(name, positive)`` of every scalar symbol.
        dimensions: Names of the symbolic dimensions (context's first, then others).
        matrices: ``(name, rows, cols)`` of every matrix symbol, sizes unevaluated.
    """

    scalars: tuple[tuple[str, bool], ...]
    dimensions: tuple[str, ...]
    matrices: tuple[tuple[str, sympy.Expr, sympy.Expr], ...]


@dataclass(frozen=True)
class Point:
    """One instantiation: a value for every scalar and dimension name and every matrix."""

    scalars: dict[str, sympy.Expr]
    matrices: dict[str, sympy.ImmutableMatrix]


def _is_dimension(symbol: sympy.Symbol, ctx: Context) -> bool:
    return symbol.name in ctx.dimensions or bool(symbol.is_integer and symbol.is_positive)


#: What one value contributes to :class:`Names`: dimensions (in the order met), scalars
#: ``(name, positive)`` and matrices ``(name, rows, cols)``.
ValueNames = tuple[tuple[str, ...], tuple[tuple[str, bool], ...], tuple[tuple[str, Any, Any], ...]]


@remembered(8192)
def _value_names(value: sympy.Basic, ctx: Context) -> ValueNames:
    """One value's names, remembered per process (see :func:`collect_names`)."""
    dims: dict[str, None] = {}
    for sym in value.atoms(sympy.Symbol):
        if _is_dimension(sym, ctx):
            dims.setdefault(sym.name, None)
    scalars: dict[str, bool] = {}
    matrices: list[tuple[str, Any, Any]] = []
    for sym in value.free_symbols:
        if isinstance(sym, sympy.MatrixSymbol):
            matrices.append((sym.name, sym.shape[0], sym.shape[1]))
        elif isinstance(sym, sympy.Symbol) and not _is_dimension(sym, ctx):
            decl = ctx.lookup(sym.name)
            positive = bool(sym.is_positive or sym.is_nonnegative) or bool(
                decl and (decl.has("positive") or decl.has("nonnegative"))
            )
            scalars[sym.name] = scalars.get(sym.name, False) or positive
    return tuple(dims), tuple(scalars.items()), tuple(matrices)


def collect_names(values: list[Any], ctx: Context) -> Names:
    """Sort the names used by ``values`` into scalars, dimensions and matrices.

    Each value's names are remembered per process: an answer meets the reference,
    every known mistake and its own transpose, and a reference meets every answer, and
    walking a large expression's atoms each time was a tenth of a class's checking.
    """
    scalars: dict[str, bool] = {}
    dims: dict[str, None] = dict.fromkeys(ctx.dimensions)
    matrices: dict[str, tuple[sympy.Expr, sympy.Expr]] = {}
    for value in values:
        if not isinstance(value, sympy.Basic):
            continue
        value_dims, value_scalars, value_matrices = _value_names(value, ctx)
        for name in value_dims:
            dims.setdefault(name, None)
        for name, positive in value_scalars:
            scalars[name] = scalars.get(name, False) or positive
        for name, rows, cols in value_matrices:
            matrices[name] = (rows, cols)
    return Names(
        tuple(sorted(scalars.items())),
        tuple(dims),
        tuple((name, r, c) for name, (r, c) in sorted(matrices.items())),
    )


@remembered(8192)
def has_float(value: Any) -> bool:
    """Whether a value holds a decimal (the tolerance then applies), remembered per value."""
    return isinstance(value, sympy.Basic) and bool(value.atoms(sympy.Float))


def _rational(rng: random.Random, sign: int) -> sympy.Rational:
    """A non-integer rational in [0.3, 2.5] times ``sign`` (0 means a random sign)."""
    q = rng.choice(_DENOMINATORS)
    while True:
        p = rng.randint(math.ceil(0.3 * q), math.floor(2.5 * q))
        if p % q:
            break
    if sign == 0:
        sign = rng.choice((-1, 1))
    return sympy.Rational(sign * p, q)


def _relation_holds(rel: Relation, sizes: dict[str, int]) -> bool:
    def size(dim: int | str) -> int | None:
        return dim if isinstance(dim, int) else sizes.get(dim)

    left, right = size(rel.left), size(rel.right)
    if left is None or right is None:
        return True
    return {
        ">": left > right,
        "<": left < right,
        ">=": left >= right,
        "<=": left <= right,
    }[rel.op]


@lru_cache(maxsize=4096)
def dimension_sizes(
    dims: tuple[str, ...], relations: tuple[Relation, ...], seed: int, index: int
) -> tuple[tuple[str, int], ...]:
    """Distinct sizes for ``dims`` at point ``index``, respecting ``relations``.

    Small sizes keep exact rational inverses cheap; the pool grows only when the
    relations cannot be met otherwise.
    """
    rng = random.Random(f"dims:{seed}:{index}")
    pool = list(range(2, 2 + max(4, len(dims) + 2)))
    for attempt in range(2000):
        if attempt and attempt % 200 == 0:
            pool.append(pool[-1] + 1)
        sizes = dict(zip(dims, rng.sample(pool, len(dims)), strict=True))
        if all(_relation_holds(rel, sizes) for rel in relations):
            return tuple(sizes.items())
    raise UnassignedError("the dimension relations cannot be satisfied")


@lru_cache(maxsize=16384)
def random_scalar(
    name: str, positive: bool, seed: int, index: int, unit: bool = False
) -> sympy.Rational:
    """The value of scalar ``name`` at point ``index`` (0: positive, 1: negative).

    ``unit`` draws from the open interval (0, 1) (a probability such as dropout's p).
    """
    rng = random.Random(f"scalar:{seed}:{index}:{name}")
    if unit:
        q = rng.choice(_DENOMINATORS)
        return sympy.Rational(rng.randint(1, q - 1), q)
    sign = 1 if positive or index == 0 else (-1 if index == 1 else 0)
    return _rational(rng, sign)


@lru_cache(maxsize=4096)
def random_matrix(
    name: str, rows: int, cols: int, seed: int, index: int, kind: str = ""
) -> sympy.ImmutableMatrix:
    """A random exact rational matrix for ``name`` at point ``index``, of a declared kind.

    ``kind`` is a matrix property (:data:`~hwgrade.grader.context.MATRIX_PROPERTIES`):
    ``diagonal`` (nonzero diagonal), ``symmetric``, ``positive_definite`` (``BᵀB + I``),
    ``orthonormal_columns`` (the first columns of a Cayley transform ``(I - S)(I + S)⁻¹``
    of a skew-symmetric ``S``: orthogonal and still exactly rational); "" is general.
    """
    rng = random.Random(f"matrix:{seed}:{index}:{name}:{rows}x{cols}")
    general = sympy.ImmutableMatrix(rows, cols, [_rational(rng, 0) for _ in range(rows * cols)])
    if kind == "diagonal":
        return sympy.ImmutableMatrix(sympy.diag(*[general[i, i] for i in range(min(rows, cols))]))
    if kind == "symmetric":
        return sympy.ImmutableMatrix(rows, cols, lambda i, j: general[min(i, j), max(i, j)])
    if kind == "positive_definite":
        return sympy.ImmutableMatrix(general.T * general + sympy.eye(cols))
    if kind == "orthonormal_columns":
        skew = sympy.Matrix(rows, rows, lambda i, j: 0)
        for i in range(rows):
            for j in range(i + 1, rows):
                skew[i, j] = _rational(rng, 0)
                skew[j, i] = -skew[i, j]
        eye = sympy.eye(rows)
        q = (eye - skew) * (eye + skew).inv()
        return sympy.ImmutableMatrix(q[:, :cols])
    return general


def _kind(decl: Any) -> str:
    """The first declared matrix property that changes how a matrix is drawn."""
    for prop in ("diagonal", "positive_definite", "symmetric", "orthonormal_columns"):
        if decl is not None and decl.has(prop):
            return prop
    return ""


def concrete_size(size: sympy.Expr, scalars: dict[str, sympy.Expr]) -> int:
    """A matrix size (``n``, ``d + 1``...) as a whole number at a point's dimension values.

    Drawing a point and evaluating at it both need it: a point's random matrices get
    their sizes from it, and so do the identity and zero matrices met while evaluating.
    """
    value = as_sympy(size).xreplace(
        {s: scalars[s.name] for s in size.free_symbols if s.name in scalars}
    )
    if not value.is_Integer or value < 1:
        raise UnassignedError(f"the size `{size}` has no concrete value")
    return int(value)


@remembered(4096)
def draw_point(names: Names, ctx: Context, seed: int, index: int) -> Point:
    """Instantiate every name of ``names`` at point ``index`` (deterministic in ``seed``).

    Remembered per process (the same names meet at the same points in the screen, the
    reference's values and the sampling stage); a point is shared, never modified.
    """
    values: dict[str, sympy.Expr] = {
        name: sympy.Integer(size)
        for name, size in dimension_sizes(names.dimensions, ctx.relations, seed, index)
    }
    free = sorted(name for name, positive in names.scalars if not positive)
    for name, positive in names.scalars:
        decl = ctx.lookup(name)
        unit = decl is not None and decl.has("unit_interval")
        values[name] = random_scalar(name, positive, seed, index, unit)
        if index == 2 and not positive:
            # mixed signs at one point, whatever the seed: abs(x*y) is not x*y
            sign = -1 if free.index(name) % 2 else 1
            values[name] = sign * abs(values[name])
    matrices = {
        name: random_matrix(
            name,
            concrete_size(r, values),
            concrete_size(c, values),
            seed,
            index,
            _kind(ctx.lookup(name)),
        )
        for name, r, c in names.matrices
    }
    return Point(values, matrices)


def _exponent(node: Any) -> Any:
    """The exponent of an exponential node (``exp(y)``, ``b^y`` with ``y`` not a number)."""
    if isinstance(node, sympy.exp):
        return node.args[0]
    if isinstance(node, sympy.Pow) and not node.exp.is_Rational:
        return node.exp
    return None


def nested_exponentials(value: Any) -> bool:
    """Whether an exponent holds another exponential (``exp(exp(x))``, ``7^(e^x)``).

    Only such values can grow past what evaluation can afford at ordinary points, so
    only they pay for :func:`to_number`'s check of every exponent.
    """
    if not isinstance(value, sympy.Basic):
        return False
    for node in sympy.preorder_traversal(value):
        inner = _exponent(node)
        if inner is not None and any(
            _exponent(n) is not None for n in sympy.preorder_traversal(inner)
        ):
            return True
    return False


def _check_exponents(value: sympy.Basic) -> None:
    """Raise :class:`MagnitudeError` if an exponent exceeds :data:`MAX_EXPONENT` here.

    SymPy raises its working precision by the size (in bits) of an exponent before it
    evaluates the power, so ``7^(e^(e^12))`` asks for hundreds of thousands of bits
    and seconds of work before it overflows. Exponents are checked innermost first,
    each evaluated at low precision once the ones inside it are known to be small.
    """
    for node in sympy.postorder_traversal(value):
        inner = _exponent(node)
        if inner is None:
            continue
        try:
            size = abs(inner.evalf(15))
            too_large = bool(size > MAX_EXPONENT) or not size.is_finite
        except (OverflowError, TypeError, ValueError):
            too_large = True
        if too_large:
            raise MagnitudeError(f"an exponent is larger than {MAX_EXPONENT:.0e} here")


def to_number(value: Any, guard: bool = False) -> Any:
    """An exact Rational, or an ``mpmath.mpc`` at :data:`DIGITS` digits; raises if undefined.

    Args:
        value: A value with no free symbols left (a value at a point).
        guard: Check the size of every exponent first (for values with
            :func:`nested_exponentials`); without it a runaway value costs seconds.

    Raises:
        DomainError: Undefined here; :class:`MagnitudeError` when too large to evaluate.
    """
    value = as_sympy(value)
    if value.is_Rational:
        return value
    if value.is_Float:
        return mpmath.mpc(mpmath.mpf(value._mpf_))
    if value.free_symbols:
        raise UnassignedError(f"`{value}` still has unknowns")
    try:
        if guard:
            _check_exponents(value)
        number = value.evalf(DIGITS)
    except (MagnitudeError, OverflowError) as exc:
        # Too large for evalf is not undefined: mpmath's exponents are unbounded, so a
        # huge factor times a tiny one (exp(exp(20 x)) exp(1 - exp(20 x))) is still e.
        try:
            return wide_value(value, DIGITS)
        except (TooWide, ValueError, ZeroDivisionError, OverflowError):
            reason = str(exc) if isinstance(exc, MagnitudeError) else "the value overflows"
            raise MagnitudeError(reason) from exc
    if number.has(*UNDEFINED):
        raise DomainError(str(number))
    re, im = number.as_real_imag()
    parts = []
    for part in (re, im):
        if part.is_Float:
            parts.append(mpmath.mpf(part._mpf_))
        elif part.is_Rational:
            parts.append(mpmath.mpf(int(part.p)) / int(part.q))
        else:
            raise DomainError(f"`{number}` is not a finite number")
    return mpmath.mpc(parts[0], parts[1])


def hidden_difference(ref: Any, ans: Any, guard: bool = False) -> Any:
    """``ans - ref`` at a point when it is not zero, though too small to show; else None.

    Values compared at :data:`DIGITS` digits agree when their difference is below the
    working precision: ``x + exp(-10^6 x^2)`` against ``x`` differs by about 10^-1243779
    at x = 22/13, so every sampled point "agrees". SymPy's ``evalf`` of the *difference*
    is adaptive: a true zero comes back as ``0`` or as a number without a single
    accurate digit (``0.e-174``), a tiny nonzero term with all its digits. A nonzero
    result is confirmed at twice the precision (noise would not survive that), so an
    identity is never called different.

    Args:
        ref: The reference's value at a point, exact (names replaced, not evaluated).
        ans: The answer's value at the same point.
        guard: Check exponents first (see :func:`to_number`).

    Returns:
        The difference as an ``mpmath.mpf``, or ``None`` (zero, or it cannot be told).
    """
    try:
        diff = as_sympy(ans) - as_sympy(ref)
        if diff == 0 or diff.free_symbols or not isinstance(diff, sympy.Expr):
            return None
        if guard:
            _check_exponents(diff)
        first, second = diff.evalf(DIGITS), diff.evalf(2 * DIGITS)
        values = []
        for number in (first, second):
            re, im = number.as_real_imag()
            if im != 0 or not re.is_Float or re._prec < 64 or re == 0:
                return None
            values.append(mpmath.mpf(re._mpf_))
        with mpmath.workdps(DIGITS):
            if abs(values[0] - values[1]) > abs(values[1]) * mpmath.mpf(10) ** -(DIGITS // 2):
                return None
            return values[1]
    except (DomainError, OverflowError, TypeError, ValueError, ZeroDivisionError):
        return None


def to_mpc(value: Any) -> Any:
    """An exact value as an ``mpmath.mpc`` (call inside ``mpmath.workdps(DIGITS)``)."""
    if isinstance(value, sympy.Rational):
        return mpmath.mpc(mpmath.mpf(int(value.p)) / int(value.q))
    return value


def agree(ref: Any, ans: Any, rel: float, absolute: float) -> bool:
    """Two rationals must be equal; otherwise within ``rel`` relative plus ``absolute``."""
    if isinstance(ref, sympy.Rational) and isinstance(ans, sympy.Rational):
        return bool(ref == ans)
    a, b = to_mpc(ref), to_mpc(ans)
    # Tolerances arrive as binary floats (1e-3 is 0.00100000000000000002...); read them as
    # the decimals they were written as, so a value exactly on the edge stays outside.
    rel_mp, abs_mp = (mpmath.mpf(repr(t)) if isinstance(t, float) else t for t in (rel, absolute))
    return bool(abs(a - b) <= rel_mp * max(abs(a), abs(b)) + abs_mp)


def show_number(value: Any) -> str:
    """Six significant digits, for reasons a student reads (``0.861566 + 6.28319i``)."""
    with mpmath.workdps(DIGITS):
        number = to_mpc(value)
        if abs(number.imag) > 1e-30 * max(1, abs(number)):
            return f"{mpmath.nstr(number.real, 6)} + {mpmath.nstr(number.imag, 6)}i"
        return str(mpmath.nstr(number.real, 6))


__all__ = [
    "DIGITS",
    "MAX_EXPONENT",
    "UNDEFINED",
    "DomainError",
    "MagnitudeError",
    "Names",
    "Point",
    "UnassignedError",
    "agree",
    "collect_names",
    "concrete_size",
    "dimension_sizes",
    "draw_point",
    "has_float",
    "hidden_difference",
    "nested_exponentials",
    "random_matrix",
    "random_scalar",
    "show_number",
    "to_mpc",
    "to_number",
]
