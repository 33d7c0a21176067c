"""The equivalence engine: is a student's value the reference value?

Cheap and certain checks come first, then probabilistic ones, and the engine never
answers "equal" without evidence (DESIGN.md, "Equivalence"):

1. **shape** — a scalar is not a vector, a 5x1 vector is not a 3x1 one, a 1x1 matrix is
   a scalar. With ``orientation_free`` an *explicit* row answer matches a column of the
   same entries (a typed list has no orientation); a symbolic ``w^T X^T`` for ``X w``
   stays a transposition error;
2. **exact** — structural equality, or ``expand``/``cancel`` of the difference of exact
   scalars when that is cheap (:mod:`proof`); a nonzero *constant* difference proves
   inequality;
3. **numeric** — evaluation at seeded random points (see :mod:`sampling`): exact
   rationals where possible, 40 digits otherwise; one clear mismatch is proof of
   inequality, a singular inverse or an undefined value is reported as such. A matrix
   expression that machine floats (:mod:`floatscreen`, error bounded) already show to
   differ at the first point gets that same verdict without the exact evaluation; a
   scalar built from matrices (``σ(wᵀx)``, its traces as atoms) whose difference
   expands to 0 is proven before any point is evaluated;
4. **symbolic** — cheap, size-bounded rewriting (:mod:`proof`) to confirm numeric
   agreement. Agreement without proof is ``numeric-only``: equal for rational and
   elementary expressions (the zero set of a nonzero analytic difference is hit at
   random rational points with probability zero), unknown for piecewise ones (``max``,
   ``Piecewise``) whose pieces the points may miss.

Decimals: an answer containing a ``Float`` is judged by the relative ``tolerance``
(method ``tolerance``); a decimal typed as a whole entry is also right when it is the
expected value correctly rounded to at least the digits the tolerance asks for
(:func:`significant_digits`: 3 for the default 1e-3), so ``0.333`` is 1/3 and ``1.08`` is
13/12 while ``0.33`` and ``1.1`` stay wrong. An exact answer must match exactly. Every
public function here returns a verdict and never raises.

Decisions worth knowing: ``log(x^2)`` and ``2 log(x)`` are *not* equal unless ``x`` is
declared positive (they differ by ``2πi`` at negative ``x``, where the points go);
likewise ``sqrt(x^2)`` is ``|x|``, not ``x``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy
from sympy.tensor.array import NDimArray

from hwgrade.grader.context import Context
from hwgrade.grader.memo import remembered
from hwgrade.grader.results import Comparison, Equality
from hwgrade.grader.values.numbers import as_sympy, entries, normalize
from hwgrade.grader.values.tuples import compare_tuples, is_tuple
from hwgrade.grader.verify.floatscreen import certainly_different, shown_difference
from hwgrade.grader.verify.numberrule import digits_hint, rounds_to, significant_digits
from hwgrade.grader.verify.pointeval import ShapeMismatch, SingularError, evaluate
from hwgrade.grader.verify.proof import (
    canonical_lambdas,
    exact_difference,
    is_elementary,
    prove_equal,
)
from hwgrade.grader.verify.sampling import (
    DIGITS,
    UNDEFINED,
    DomainError,
    MagnitudeError,
    Names,
    agree,
    collect_names,
    draw_point,
    has_float,
    hidden_difference,
    nested_exponentials,
    show_number,
    to_mpc,
    to_number,
)

_UNPROVEN = "agrees at every sampled point but could not be proven"
_DIFFERS_FOR_MATRICES = (
    "your answer differs from the expected answer for random matrices of the declared shapes"
)


def _shape(value: Any) -> tuple[Any, ...]:
    if isinstance(value, (sympy.MatrixBase, sympy.MatrixExpr, NDimArray)):
        shape = tuple(value.shape)
        return () if shape == (1, 1) else shape
    return ()


def _same_size(a: Any, b: Any) -> bool:
    return bool(sympy.expand(as_sympy(a) - as_sympy(b)) == 0)


def _describe(shape: tuple[Any, ...]) -> str:
    if not shape:
        return "a scalar"
    sep = "x" if all(isinstance(s, (int, sympy.Integer)) for s in shape) else " x "
    return sep.join(str(s) for s in shape)


def _transpose(value: Any) -> Any:
    return value.T


def _is_vector(shape: tuple[Any, ...]) -> bool:
    return len(shape) == 2 and (shape[0] == 1 or shape[1] == 1)


def _is_explicit(value: Any) -> bool:
    return not (isinstance(value, sympy.Basic) and value.has(sympy.MatrixSymbol, sympy.MatrixExpr))


def _index(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    if _is_vector(shape):
        return (flat,)
    index = []
    for size in reversed(shape):
        index.append(flat % size)
        flat //= size
    return tuple(reversed(index))


def _entries_reason(wrong: list[tuple[int, ...]]) -> str:
    shown = [str(i[0] + 1) if len(i) == 1 else str(tuple(k + 1 for k in i)) for i in wrong[:6]]
    more = f" and {len(wrong) - 6} more" if len(wrong) > 6 else ""
    noun = "entry" if len(wrong) == 1 else "entries"
    verb = "differs" if len(wrong) == 1 else "differ"
    return f"{noun} {', '.join(shown)}{more} (counting from 1) {verb} from the expected answer"


@dataclass(frozen=True)
class Settings:
    """How a comparison judges: the part's tolerance, the points, the budgets.

    One value travels through every stage of :func:`_compare` (and into each entry of a
    tuple) instead of the same six parameters passed along by hand.

    Attributes:
        tolerance: Relative tolerance applied when a decimal (``Float``) is involved.
        orientation_free: Whether an explicit (list) answer in row form matches a column
            reference of the same entries, and vice versa.
        seed: Seed of the random points; the same seed gives the same verdict.
        points: How many valid points must agree.
        symbolic_seconds: Budget for symbolic confirmation (checked between steps).
        absolute_tolerance: When given, decimals are judged by ``|answer - reference|
            <= absolute_tolerance`` instead of the relative ``tolerance`` (STACK's
            NumAbsolute). Exact answers are still compared exactly.
    """

    tolerance: float = 1e-3
    orientation_free: bool = True
    seed: int = 0
    points: int = 6
    symbolic_seconds: float = 1.0
    absolute_tolerance: float | None = None

    @property
    def digits(self) -> int | None:
        """Digits of the rounding rule (``None`` under an absolute tolerance)."""
        return significant_digits(self.tolerance) if self.absolute_tolerance is None else None


def compare(
    reference: Any,
    answer: Any,
    ctx: Context,
    *,
    tolerance: float = 1e-3,
    orientation_free: bool = True,
    seed: int = 0,
    points: int = 6,
    symbolic_seconds: float = 1.0,
    absolute_tolerance: float | None = None,
) -> Comparison:
    """Decide whether ``answer`` is equivalent to ``reference``; never raises.

    Args:
        reference: The solver's value (scalar, matrix, matrix expression or tensor).
        answer: The student's value, of any of the same kinds.
        ctx: Declared names, so that symbols are sampled as declared (positive, shapes).
        tolerance: See :class:`Settings`, as are the other keyword arguments.
        orientation_free: See :class:`Settings`.
        seed: See :class:`Settings`.
        points: See :class:`Settings`.
        symbolic_seconds: See :class:`Settings`.
        absolute_tolerance: See :class:`Settings`.

    Returns:
        The :class:`Comparison`; ``UNKNOWN`` with the reason when anything goes wrong.
    """
    settings = Settings(
        tolerance, orientation_free, seed, points, symbolic_seconds, absolute_tolerance
    )
    try:
        return _compare(reference, answer, ctx, settings)
    except Exception as exc:
        return Comparison(Equality.UNKNOWN, f"the comparison failed: {exc}", "error")


def _compare(reference: Any, answer: Any, ctx: Context, settings: Settings) -> Comparison:
    """The stages in order; each one either settles the question or passes it on."""
    # A symbol the homework defines (Γ from X, h_0 = 0) is what it stands for.
    ref = normalize(ctx.expand_definitions(reference))
    ans = normalize(ctx.expand_definitions(answer))
    if is_tuple(ref) or is_tuple(ans):  # a tuple equals only a tuple, entry by entry
        return compare_tuples(ref, ans, lambda r, a: _compare(r, a, ctx, settings))
    settled = _undefined(ref, ans)
    if settled is not None:
        return settled
    shaped = _match_shapes(ref, ans, settings.orientation_free)  # 1. shapes
    if isinstance(shaped, Comparison):
        return shaped
    ans, ref_shape = shaped
    decimals = has_float(ans) or has_float(ref)
    explicit = _is_explicit(ref) and _is_explicit(ans)
    settled = _exact(ref, ans, ref_shape, decimals, explicit)  # 2. exact
    if settled is not None:
        return settled
    settled = _screened(ref, ans, ctx, settings, ref_shape, decimals, explicit)  # 3a. floats
    if settled is not None:
        return settled
    settled = _expanded(ref, ans, ref_shape, decimals, explicit)  # 3b. one cheap proof
    if settled is not None:
        return settled
    found = _sample(ref, ans, ctx, settings, decimals, explicit)  # 3. numeric
    if isinstance(found, Comparison):
        return found
    settled = _disagreement(ref, ans, found, ref_shape, settings)
    if settled is not None:
        return settled
    return _confirm(ref, ans, found, ref_shape, settings)  # 4. symbolic


def _screened(
    ref: Any,
    ans: Any,
    ctx: Context,
    settings: Settings,
    ref_shape: tuple[Any, ...],
    decimals: bool,
    explicit: bool,
) -> Comparison | None:
    """The sampling stage's own verdict, when machine floats already show what it is.

    Sampling stops at the first point where a matrix expression or a scalar goes wrong
    (an explicit scalar reads on, but only to look for an undefined point), and its
    verdict then says the same thing whatever the exact numbers: for a matrix
    expression a fixed sentence, for a scalar the first point and both values to six
    digits. When floats, their error bounded (:mod:`floatscreen`), show both values
    defined and different at that point (and, for an explicit scalar, defined at every
    point) and fix the six digits, exact evaluation would give the very same verdict at
    a hundred times the cost. Exact answers only: decimals bring the tolerance and the
    rounding rule, which the exact path judges.
    """
    if decimals:
        return None
    if ref_shape and not explicit:
        seed, tol = settings.seed, settings.tolerance
        if certainly_different(ref, ans, ctx, tolerance=tol, digits=None, seed=seed, points=1):
            return Comparison(Equality.NOT_EQUAL, _DIFFERS_FOR_MATRICES, "numeric")
        return None
    if ref_shape:
        return None  # explicit arrays: the verdict lists every wrong entry at every point
    shown = shown_difference(
        ref, ans, ctx, seed=settings.seed, points=settings.points, everywhere=explicit
    )
    if shown is None:
        return None
    names = collect_names([ref, ans], ctx)
    where = _where(names, draw_point(names, ctx, settings.seed, 0))
    values = f"your answer is {shown[1]}, the expected value is {shown[0]}"
    return Comparison(Equality.NOT_EQUAL, f"{where} {values}" if where else values, "numeric")


def _expanded(
    ref: Any, ans: Any, ref_shape: tuple[Any, ...], decimals: bool, explicit: bool
) -> Comparison | None:
    """A value built from matrices whose difference expands to 0, proven before the points.

    Such a value is not explicit, so stage 2 leaves it to the points, which agree at all
    six but cannot prove it, at 30-50 ms for an expression of a dozen matrix factors:
    the verdict would come from sampling and a symbolic confirmation. Yet most equal
    answers differ from the reference only in how their scalar parts are written:

    - a scalar (``σ(w_2ᵀx + b_2)``), or a 1x1 matrix expression (``p(1-p) wᵀΓ²w +
      ‖y - pXw‖²``), is a scalar once each 1x1 product is read as its trace
      (:func:`_as_scalar`): with the traces as atoms, the difference expands to 0;
    - a larger matrix expression (``-(1 - σ)·g·x`` against ``(σ - 1)·g·x``) is a sum
      of scalar multiples of matrix products: the same products with coefficients
      whose differences expand to 0 (:func:`_same_combination`).

    Each step is an identity (the trace of a 1x1 matrix is its entry; a sum of equal
    multiples of equal products is equal), so a proof here is a proof. Only a proof is
    taken from here: anything else goes on to the points, which say where and by how
    much an answer is wrong.
    """
    if decimals or explicit:
        return None
    try:
        if ref_shape:
            proven = _same_combination(ref, ans)
        else:
            r, a = _as_scalar(ref), _as_scalar(ans)
            proven = r is not None and a is not None and exact_difference(r, a) is True
    except Exception:  # a matrix piece expand cannot handle: the points decide
        return None
    if proven:
        return Comparison(Equality.EQUAL, "equal after expanding", "exact")
    return None


def _as_scalar(value: Any) -> sympy.Expr | None:
    """A scalar or 1x1 value as a scalar, each 1x1 product read as its trace (else ``None``)."""
    if isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixExpr):
        return value
    if not isinstance(value, sympy.MatrixExpr) or tuple(value.shape) != (1, 1):
        return None
    if isinstance(value, sympy.MatrixBase):
        entry: sympy.Expr = value[0, 0]  # an explicit matrix's entries are SymPy values
        return entry
    if isinstance(value, sympy.MatAdd):
        terms = [_as_scalar(term) for term in value.args]
        return None if any(t is None for t in terms) else sympy.Add(*terms)
    if isinstance(value, sympy.MatMul):
        coeff, matrices = value.as_coeff_matrices()
        if len(matrices) == 1 and isinstance(matrices[0], sympy.MatrixBase):
            entry = _as_scalar(matrices[0])
            return None if entry is None else coeff * entry
        return coeff * sympy.Trace(sympy.MatMul(*matrices))
    return sympy.Trace(value)


def _combination(value: Any) -> dict[Any, Any] | None:
    """A matrix expression as {matrix product: its scalar coefficient} (``None``: not a sum)."""
    terms = value.args if isinstance(value, sympy.MatAdd) else (value,)
    found: dict[Any, Any] = {}
    for term in terms:
        if isinstance(term, sympy.MatMul):
            coeff, matrices = term.as_coeff_matrices()
            key = tuple(matrices)
        elif isinstance(term, sympy.MatrixExpr) and not isinstance(term, sympy.MatrixBase):
            coeff, key = sympy.S.One, (term,)
        else:
            return None  # an explicit part: stage 2 and the points judge it entry by entry
        found[key] = found.get(key, sympy.S.Zero) + coeff
    return found


def _same_combination(ref: Any, ans: Any) -> bool:
    """Whether both are the same matrix products with coefficients equal after expanding."""
    if not all(isinstance(v, sympy.MatrixExpr) for v in (ref, ans)):
        return False
    r, a = _combination(ref), _combination(ans)
    if r is None or a is None or r.keys() != a.keys():
        return False
    return all(exact_difference(r[key], a[key]) is True for key in r)


def _undefined(ref: Any, ans: Any) -> Comparison | None:
    """Infinite and undefined values, which no point can be evaluated at."""
    infinite = (sympy.oo, -sympy.oo)
    if isinstance(ans, sympy.Expr) and isinstance(ref, sympy.Expr) and ref in infinite:
        if ans == ref:
            return Comparison(Equality.EQUAL, "identical to the expected answer", "exact")
        return Comparison(Equality.NOT_EQUAL, f"the expected answer is {ref}", "exact")
    if isinstance(ref, sympy.Basic) and ref.has(*UNDEFINED):  # log(0): nothing to match
        return Comparison(Equality.UNKNOWN, "the expected answer is undefined (∞ or NaN)", "exact")
    if isinstance(ans, sympy.Basic) and ans.has(*UNDEFINED):
        return Comparison(Equality.NOT_EQUAL, "your answer is undefined (∞ or NaN)", "exact")
    return None


def _match_shapes(
    ref: Any, ans: Any, orientation_free: bool
) -> Comparison | tuple[Any, tuple[Any, ...]]:
    """A shape mismatch, or the answer (turned to the reference's orientation) and shape."""
    ref_shape, ans_shape = _shape(ref), _shape(ans)
    both_vectors = len(ref_shape) == len(ans_shape) == 2 and _is_vector(ref_shape)
    if both_vectors and _is_vector(ans_shape):  # noqa: SIM102 - one condition per line
        if not any(_same_size(a, b) for a, b in zip(ref_shape, ans_shape, strict=True)) and all(
            _same_size(a, b) for a, b in zip(ref_shape, reversed(ans_shape), strict=True)
        ):
            if not (orientation_free and isinstance(ans, sympy.MatrixBase)):
                return Comparison(
                    Equality.NOT_EQUAL,
                    f"your answer is a {_describe(ans_shape)} vector, the expected answer is "
                    f"{_describe(ref_shape)}: transpose it",
                    "shape",
                )
            ans, ans_shape = _transpose(ans), ref_shape
    if len(ref_shape) != len(ans_shape) or not all(
        _same_size(a, b) for a, b in zip(ref_shape, ans_shape, strict=True)
    ):
        return Comparison(
            Equality.NOT_EQUAL,
            f"shape mismatch: your answer is {_describe(ans_shape)}, "
            f"the expected answer is {_describe(ref_shape)}",
            "shape",
        )
    return ans, ref_shape


def _exact(
    ref: Any, ans: Any, ref_shape: tuple[Any, ...], decimals: bool, explicit: bool
) -> Comparison | None:
    """Structural equality, or a cheap exact difference of exact explicit values."""
    if canonical_lambdas(ref) == canonical_lambdas(ans):
        return Comparison(Equality.EQUAL, "identical to the expected answer", "exact")
    if not decimals and explicit:
        pairs = zip(entries(ref), entries(ans), strict=True)
        if ref_shape:  # only "every entry is equal" is taken from here: stop at the first other
            if all(exact_difference(r, a) is True for r, a in pairs):
                return Comparison(Equality.EQUAL, "equal after expanding", "exact")
            return None
        first = next(pairs, None)  # a scalar: one entry (a 1x1 matrix counts as one)
        verdict = exact_difference(*first) if first is not None else None
        if verdict is True:
            return Comparison(Equality.EQUAL, "equal after expanding", "exact")
        if verdict is False:
            return Comparison(
                Equality.NOT_EQUAL,
                "your answer differs from the expected answer by a nonzero constant",
                "exact",
            )
    return None


@dataclass
class Evidence:
    """What evaluation at the sampled points found, for the stages that judge it.

    Attributes:
        names: The scalars, matrices and dimensions sampled.
        decimals: A decimal is involved, so the tolerance applies.
        explicit: Both values are explicit (no matrix symbols): entries can be named.
        guard: Either value nests exponentials (evaluated with unbounded exponents).
        good: Points at which both values could be evaluated.
        overflowed: Points skipped as too large to evaluate.
        wrong: Flat indices of the entries that disagreed, in order found.
        example: For a scalar, where and how it first disagreed.
        rounded: A wrong decimal was close enough to be the value rounded too early.
        by_rounding: An entry agreed only as the value correctly rounded.
        all_rational: Every value at every point was an exact rational.
        first: The exact values of both at the first good point (for hidden terms).
        first_point: That point.
    """

    names: Any
    decimals: bool
    explicit: bool
    guard: bool
    good: int = 0
    overflowed: int = 0
    wrong: dict[int, None] = field(default_factory=dict)
    example: str = ""
    rounded: bool = False
    by_rounding: bool = False
    all_rational: bool = True
    first: tuple[list[Any], list[Any]] | None = None
    first_point: Any = None


def _sample(
    ref: Any, ans: Any, ctx: Context, settings: Settings, decimals: bool, explicit: bool
) -> Comparison | Evidence:
    """Evaluate both at seeded random points; a verdict only for an early clear failure."""
    names = collect_names([ref, ans], ctx)
    rel, absolute = (settings.tolerance, 1e-9) if decimals else (1e-20, 1e-25)
    if decimals and settings.absolute_tolerance is not None:
        rel, absolute = 0.0, settings.absolute_tolerance * (1 + 1e-9)
    points = settings.points
    if not any(isinstance(v, sympy.Basic) and v.free_symbols for v in (ref, ans)):
        points = 1  # a constant has one value: more points would only repeat it
    guard_ref, guard_ans = nested_exponentials(ref), nested_exponentials(ans)
    found = Evidence(names, decimals, explicit, guard_ref or guard_ans)
    # Entries the student typed as one decimal may also be the value correctly rounded.
    digits = settings.digits
    typed = [e if isinstance(e, sympy.Float) else None for e in entries(ans)] if digits else []
    singular = attempts = 0
    with mpmath.workdps(DIGITS):
        while found.good < points and attempts < 4 * points + 4:
            reference = _reference_at(ref, names, ctx, settings.seed, attempts, guard_ref)
            point = draw_point(names, ctx, settings.seed, attempts)
            attempts += 1
            if reference is None:
                continue  # the reference is undefined here: no evidence either way
            ref_exact, ref_values = reference
            try:
                ans_exact = tuple(entries(evaluate(ans, point)))
                ans_values = [to_number(e, guard_ans) for e in ans_exact]
            except MagnitudeError:
                found.overflowed += 1  # too large to evaluate here is not wrong: try others
                continue
            except SingularError:
                singular += 1
                if singular >= 3:
                    return Comparison(
                        Equality.NOT_EQUAL, "the matrix you invert is singular", "numeric"
                    )
                continue
            except (DomainError, ZeroDivisionError):
                return Comparison(
                    Equality.NOT_EQUAL,
                    "your answer is undefined at some values where the expected answer is defined",
                    "numeric",
                )
            except ShapeMismatch as exc:
                return Comparison(
                    Equality.NOT_EQUAL, f"the sizes in your answer do not fit: {exc}", "shape"
                )
            if len(ref_values) != len(ans_values):
                return Comparison(
                    Equality.NOT_EQUAL,
                    f"shape mismatch: your answer has {len(ans_values)} entries, "
                    f"the expected answer {len(ref_values)}",
                    "shape",
                )
            found.good += 1
            if found.first is None:  # the exact values at one point, to check what is hidden
                found.first = (list(ref_exact), list(ans_exact))
                found.first_point = point
            scale = max([abs(to_mpc(v)) for v in ref_values] + [mpmath.mpf(1)])
            for flat, (r, a) in enumerate(zip(ref_values, ans_values, strict=True)):
                found.all_rational = found.all_rational and isinstance(r, sympy.Rational)
                found.all_rational = found.all_rational and isinstance(a, sympy.Rational)
                if decimals and settings.absolute_tolerance is not None:
                    bound = absolute
                elif decimals and r != 0:
                    # A nonzero entry is judged by the relative tolerance alone: an
                    # absolute slack would let 1.06e-33 pass for 1e-33, or push 0.333
                    # (exactly on the edge of 1e-3 around 1/3) inside.
                    bound = 0
                else:
                    bound = absolute * scale
                if not agree(r, a, rel, bound):
                    decimal_typed = typed[flat] if flat < len(typed) else None
                    if decimal_typed is not None and rounds_to(r, decimal_typed, digits or 0):
                        found.by_rounding = True
                        continue
                    if not found.wrong and not _shape(ref):
                        found.example = _example(names, point, r, a, decimals, settings.tolerance)
                    found.wrong.setdefault(flat, None)
                    found.rounded = found.rounded or (
                        decimals
                        and settings.absolute_tolerance is None
                        and agree(r, a, 30 * rel, bound)
                    )
            if found.wrong and not explicit:
                break
    return found


Values = tuple[tuple[Any, ...], tuple[Any, ...]]


@remembered(4096)
def _reference_at(
    ref: Any, names: Names, ctx: Context, seed: int, attempt: int, guard: bool
) -> Values | None:
    """The reference's exact entries and their numbers at one point; ``None`` if undefined.

    Remembered per process: a reference (or a known mistake) meets every student's
    answer at the same points, and its exact evaluation there (a 40-digit ``exp``, a
    rational inverse, or an inverse that is singular at every point, tried at each of
    them) costs as much as the answer's own. The points depend only on the names, the
    context, the seed and the attempt, so those key the values. Anything else it raises
    is not remembered.
    """
    point = draw_point(names, ctx, seed, attempt)
    try:
        with mpmath.workdps(DIGITS):
            exact = tuple(entries(evaluate(ref, point)))
            return exact, tuple(to_number(e, guard) for e in exact)
    except (DomainError, SingularError, ZeroDivisionError):
        return None


def _disagreement(
    ref: Any, ans: Any, found: Evidence, ref_shape: tuple[Any, ...], settings: Settings
) -> Comparison | None:
    """The verdict when the points disagreed, or could not be evaluated at all."""
    if found.good == 0 and found.overflowed:
        deadline = time.perf_counter() + settings.symbolic_seconds
        if found.explicit and all(
            prove_equal(r, a, deadline) for r, a in zip(entries(ref), entries(ans), strict=True)
        ):
            return Comparison(Equality.EQUAL, "equal after symbolic rewriting", "symbolic")
        return Comparison(
            Equality.UNKNOWN,
            "your answer is too large to evaluate at every sampled point (an exponent beyond"
            " 10^15 there), so it could not be checked",
            "numeric",
        )
    if found.good == 0:
        return Comparison(
            Equality.UNKNOWN, "the expected answer could not be evaluated at any point", "numeric"
        )
    if not found.wrong:
        return None
    method = "tolerance" if found.decimals else "numeric"
    exact_asked = found.decimals and settings.digits == 0  # a part that asks for the exact value
    hint = f"; {digits_hint(settings.tolerance)}" if found.rounded or exact_asked else ""
    if not ref_shape:
        return Comparison(Equality.NOT_EQUAL, found.example + hint, method)
    if found.explicit:
        shape = tuple(int(s) for s in ref_shape)
        indices = tuple(_index(f, shape) for f in found.wrong)
        reason = _entries_reason(list(indices)) + hint
        return Comparison(Equality.NOT_EQUAL, reason, method, indices)
    return Comparison(Equality.NOT_EQUAL, _DIFFERS_FOR_MATRICES, method)


def _confirm(
    ref: Any, ans: Any, found: Evidence, ref_shape: tuple[Any, ...], settings: Settings
) -> Comparison:
    """Every point agreed: accept within tolerance, prove, or look for a hidden term."""
    if found.decimals:
        within = (
            f"the absolute tolerance {settings.absolute_tolerance:g}"
            if settings.absolute_tolerance is not None
            else f"the relative tolerance {settings.tolerance:g}"
        )
        if found.by_rounding:
            within += (
                f" or as the expected value correctly rounded to {settings.digits} significant"
                " digits"
            )
        return Comparison(Equality.EQUAL, f"agrees within {within}", "tolerance")
    names = found.names
    if found.all_rational and not names.scalars and not names.matrices and found.explicit:
        return Comparison(Equality.EQUAL, "equal (exact arithmetic)", "exact")
    if found.explicit:
        deadline = time.perf_counter() + settings.symbolic_seconds
        if all(
            prove_equal(r, a, deadline) for r, a in zip(entries(ref), entries(ans), strict=True)
        ):
            return Comparison(Equality.EQUAL, "equal after symbolic rewriting", "symbolic")
    hidden = _hidden(found.first, found.explicit and not found.all_rational, found.guard)
    if hidden is not None:
        flat, size = hidden
        where = _where(names, found.first_point)
        entry = f"entry {flat + 1} of " if ref_shape else ""
        return Comparison(
            Equality.NOT_EQUAL,
            f"{entry}your answer differs from the expected answer by about"
            f" {mpmath.nstr(size, 3)}{' ' + where if where else ''}: too small to"
            " show at the sampled points, but not zero: a negligible term is left over",
            "numeric",
        )
    if is_elementary(ref) and is_elementary(ans):
        return Comparison(
            Equality.EQUAL,
            f"agrees at {found.good} random points (exact or 40-digit arithmetic); "
            "not proven symbolically",
            "numeric-only",
        )
    return Comparison(Equality.UNKNOWN, _UNPROVEN, "numeric-only")


def _hidden(
    first: tuple[list[Any], list[Any]] | None, applies: bool, guard: bool
) -> tuple[int, Any] | None:
    """The first entry whose difference is nonzero but hidden below the precision.

    Checked only where agreement would otherwise be accepted without a proof, at the
    first sampled point (a term that hides at one point is nonzero there).
    """
    if first is None or not applies:
        return None
    for flat, (r, a) in enumerate(zip(*first, strict=True)):
        size = hidden_difference(r, a, guard)
        if size is not None:
            return flat, abs(size)
    return None


def _example(names: Any, point: Any, ref: Any, ans: Any, decimals: bool, tolerance: float) -> str:
    """A reason that shows where a scalar answer goes wrong, with the values."""
    values = f"your answer is {show_number(ans)}, the expected value is {show_number(ref)}"
    if decimals:
        with mpmath.workdps(DIGITS):
            a, r = to_mpc(ans), to_mpc(ref)
            err = abs(a - r) / max(abs(r), mpmath.mpf("1e-30"))
        values += f" (relative difference {mpmath.nstr(err, 2)}, tolerance {tolerance:g})"
    where = _where(names, point)
    return f"{where} {values}" if where else values


def _where(names: Any, point: Any) -> str:
    """``at x = 22/13, n = 5``: the sampled point a reason speaks of ("" for a constant)."""
    shown = [f"{n} = {point.scalars[n]}" for n, _ in names.scalars[:4]]
    shown += [f"{n} = {point.scalars[n]}" for n in names.dimensions if n in point.scalars][:2]
    return f"at {', '.join(shown)}" if shown else ""


__all__ = ["Evidence", "Settings", "compare"]
