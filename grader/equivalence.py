"""The equivalence engine: is a student's value the reference value?

Cheap and certain checks come first, then probabilistic ones, and the engine never
answers "equal" without evidence (DESIGN.md, "Equivalence"):

1. **shape** — a scalar is not a vector, a 5x1 vector is not a 3x1 one, a 1x1 matrix is
   a scalar. With ``orientation_free`` an *explicit* row answer matches a column of the
   same entries (a typed list has no orientation); a symbolic ``w^T X^T`` for ``X w``
   stays a transposition error;
2. **exact** — structural equality, or ``expand``/``cancel`` of the difference of exact
   scalars when that is cheap; a nonzero *constant* difference proves inequality;
3. **numeric** — evaluation at seeded random points (see :mod:`sampling`): exact
   rationals where possible, 40 digits otherwise; one clear mismatch is proof of
   inequality, a singular inverse or an undefined value is reported as such;
4. **symbolic** — cheap, size-bounded rewriting to confirm numeric agreement. Agreement
   without proof is ``numeric-only``: equal for rational and elementary expressions
   (the zero set of a nonzero analytic difference is hit at random rational points with
   probability zero), unknown for piecewise ones (``max``, ``Piecewise``) whose pieces
   the points may miss.

Decimals: an answer containing a ``Float`` is judged by the relative ``tolerance`` alone
(method ``tolerance``); an exact answer must match exactly. Every public function here
returns a verdict and never raises.

Decisions worth knowing: ``log(x^2)`` and ``2 log(x)`` are *not* equal unless ``x`` is
declared positive (they differ by ``2πi`` at negative ``x``, where the points go);
likewise ``sqrt(x^2)`` is ``|x|``, not ``x``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import mpmath
import sympy
from sympy.tensor.array import NDimArray

from hwgrade.grader.context import Context
from hwgrade.grader.numbers import as_sympy, as_value
from hwgrade.grader.results import Comparison, Equality
from hwgrade.grader.sampling import (
    DIGITS,
    UNDEFINED,
    DomainError,
    ShapeMismatch,
    SingularError,
    agree,
    collect_names,
    draw_point,
    evaluate,
    show_number,
    to_mpc,
    to_number,
)
from hwgrade.grader.tuples import compare_tuples, is_tuple

_EXACT_OPS = 200
_PROOF_OPS = 120
_PIECEWISE = (
    sympy.Max, sympy.Min, sympy.Piecewise, sympy.Heaviside, sympy.sign, sympy.floor,
    sympy.ceiling, sympy.frac, sympy.Mod, sympy.DiracDelta,
)  # fmt: skip
_UNPROVEN = "agrees at every sampled point but could not be proven"


def _normalize(value: Any) -> Any:
    """One representation per kind: scalars, ``ImmutableMatrix`` (vectors as columns), arrays."""
    value = as_value(value)
    if isinstance(value, NDimArray):
        if value.rank() == 0:
            return _normalize(value[()])
        if value.rank() == 1:
            return sympy.ImmutableMatrix(list(value))
        if value.rank() == 2:
            return sympy.ImmutableMatrix(value.tolist())
        return sympy.ImmutableDenseNDimArray(value)
    if isinstance(value, sympy.MatrixBase):
        matrix = sympy.ImmutableMatrix(value)
        return matrix[0, 0] if matrix.shape == (1, 1) else matrix
    if isinstance(value, sympy.Basic):
        return value
    raise TypeError(f"cannot compare a {type(value).__name__}")


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


_BOUND = sympy.Dummy("bound")


def _canonical_lambdas(value: Any) -> Any:
    """Rename every ``Lambda`` variable to one dummy: two parses of ``relu(X w)`` compare equal."""
    if not isinstance(value, sympy.Basic) or not value.has(sympy.Lambda):
        return value
    return value.xreplace(
        {
            lam: sympy.Lambda(_BOUND, lam.expr.xreplace({lam.variables[0]: _BOUND}))
            for lam in value.atoms(sympy.Lambda)
            if len(lam.variables) == 1
        }
    )


def _has_float(value: Any) -> bool:
    return isinstance(value, sympy.Basic) and bool(value.atoms(sympy.Float))


def _is_explicit(value: Any) -> bool:
    return not (isinstance(value, sympy.Basic) and value.has(sympy.MatrixSymbol, sympy.MatrixExpr))


def _entries(value: Any) -> list[Any]:
    if isinstance(value, sympy.MatrixBase):
        return list(value)
    if isinstance(value, NDimArray):
        return list(sympy.flatten(value.tolist()))
    return [value]


def _expand_is_cheap(expr: sympy.Expr) -> bool:
    """Bound ``expand`` before calling it: ``(a+b+c)^40`` has hundreds of terms."""
    if sympy.count_ops(expr) > _EXACT_OPS:
        return False
    for power in expr.atoms(sympy.Pow):
        if power.base.is_Add and power.exp.is_Integer and abs(int(power.exp)) > 12:
            return False
    return True


def _exact_scalar(ref: sympy.Expr, ans: sympy.Expr) -> bool | None:
    """True if the difference expands to 0, False if to a nonzero constant, else None."""
    diff = ref - ans
    if diff == 0:
        return True
    if not _expand_is_cheap(diff):
        return None
    expanded = sympy.expand(diff)
    if expanded == 0:
        return True
    if expanded.is_Rational or (not expanded.free_symbols and expanded.is_zero is False):
        return False
    if sympy.count_ops(expanded) <= _PROOF_OPS and sympy.cancel(sympy.together(expanded)) == 0:
        return True
    return None


def _prove_scalar(ref: sympy.Expr, ans: sympy.Expr, deadline: float) -> bool:
    """Cheap rewrites that confirm ``ref == ans``; never ``simplify`` (it can run for minutes)."""
    diff = sympy.expand(ref - ans) if _expand_is_cheap(ref - ans) else ref - ans
    if sympy.count_ops(diff) > _PROOF_OPS:
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


def _is_elementary(value: Any) -> bool:
    """Rational and elementary functions only: numeric agreement then implies equality."""
    if not isinstance(value, sympy.Basic):
        return True
    return not value.has(*_PIECEWISE, sympy.Derivative, sympy.Integral) and not value.atoms(
        sympy.core.function.AppliedUndef
    )


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
        tolerance: Relative tolerance applied when a decimal (``Float``) is involved.
        orientation_free: Whether an explicit (list) answer in row form matches a column
            reference of the same entries, and vice versa.
        seed: Seed of the random points; the same seed gives the same verdict.
        points: How many valid points must agree.
        symbolic_seconds: Budget for symbolic confirmation (checked between steps).
        absolute_tolerance: When given, decimals are judged by ``|answer - reference|
            <= absolute_tolerance`` instead of the relative ``tolerance`` (STACK's
            NumAbsolute). Exact answers are still compared exactly.

    Returns:
        The :class:`Comparison`; ``UNKNOWN`` with the reason when anything goes wrong.
    """
    try:
        return _compare(
            reference,
            answer,
            ctx,
            tolerance,
            orientation_free,
            seed,
            points,
            symbolic_seconds,
            absolute_tolerance,
        )
    except Exception as exc:
        return Comparison(Equality.UNKNOWN, f"the comparison failed: {exc}", "error")


def _compare(
    reference: Any,
    answer: Any,
    ctx: Context,
    tolerance: float,
    orientation_free: bool,
    seed: int,
    points: int,
    symbolic_seconds: float,
    absolute_tolerance: float | None = None,
) -> Comparison:
    ref, ans = _normalize(reference), _normalize(answer)
    if is_tuple(ref) or is_tuple(ans):  # a tuple equals only a tuple, entry by entry
        return compare_tuples(
            ref,
            ans,
            lambda r, a: _compare(
                r,
                a,
                ctx,
                tolerance,
                orientation_free,
                seed,
                points,
                symbolic_seconds,
                absolute_tolerance,
            ),
        )
    infinite = (sympy.oo, -sympy.oo)
    if isinstance(ans, sympy.Expr) and isinstance(ref, sympy.Expr) and ref in infinite:
        if ans == ref:
            return Comparison(Equality.EQUAL, "identical to the expected answer", "exact")
        return Comparison(Equality.NOT_EQUAL, f"the expected answer is {ref}", "exact")
    if isinstance(ref, sympy.Basic) and ref.has(*UNDEFINED):  # log(0): nothing to match
        return Comparison(Equality.UNKNOWN, "the expected answer is undefined (∞ or NaN)", "exact")
    if isinstance(ans, sympy.Basic) and ans.has(*UNDEFINED):
        return Comparison(Equality.NOT_EQUAL, "your answer is undefined (∞ or NaN)", "exact")

    # 1. shapes
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

    # 2. exact
    if _canonical_lambdas(ref) == _canonical_lambdas(ans):
        return Comparison(Equality.EQUAL, "identical to the expected answer", "exact")
    decimals = _has_float(ans) or _has_float(ref)
    explicit = _is_explicit(ref) and _is_explicit(ans)
    if not decimals and explicit:
        verdicts = [_exact_scalar(r, a) for r, a in zip(_entries(ref), _entries(ans), strict=True)]
        if all(v is True for v in verdicts):
            return Comparison(Equality.EQUAL, "equal after expanding", "exact")
        if not ref_shape and verdicts[0] is False:
            return Comparison(
                Equality.NOT_EQUAL,
                "your answer differs from the expected answer by a nonzero constant",
                "exact",
            )

    # 3. numeric
    names = collect_names([ref, ans], ctx)
    rel, absolute = (tolerance, 1e-9) if decimals else (1e-20, 1e-25)
    if decimals and absolute_tolerance is not None:
        rel, absolute = 0.0, absolute_tolerance * (1 + 1e-9)
    method = "tolerance" if decimals else "numeric"
    if not any(isinstance(v, sympy.Basic) and v.free_symbols for v in (ref, ans)):
        points = 1  # a constant has one value: more points would only repeat it
    good = singular = attempts = 0
    wrong: dict[int, None] = {}
    example = ""
    all_rational = True
    with mpmath.workdps(DIGITS):
        while good < points and attempts < 4 * points + 4:
            point = draw_point(names, ctx, seed, attempts)
            attempts += 1
            try:
                ref_values = [to_number(e) for e in _entries(evaluate(ref, point))]
            except (DomainError, SingularError, ZeroDivisionError):
                continue
            try:
                ans_values = [to_number(e) for e in _entries(evaluate(ans, point))]
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
            good += 1
            scale = max([abs(to_mpc(v)) for v in ref_values] + [mpmath.mpf(1)])
            for flat, (r, a) in enumerate(zip(ref_values, ans_values, strict=True)):
                all_rational = all_rational and isinstance(r, sympy.Rational)
                all_rational = all_rational and isinstance(a, sympy.Rational)
                if decimals and absolute_tolerance is not None:
                    bound = absolute
                elif decimals and r != 0:
                    # A nonzero entry is judged by the relative tolerance alone: an
                    # absolute slack would let 1.06e-33 pass for 1e-33, or push 0.333
                    # (exactly on the edge of 1e-3 around 1/3) inside.
                    bound = 0
                else:
                    bound = absolute * scale
                if not agree(r, a, rel, bound):
                    if not wrong and not ref_shape:
                        example = _example(names, point, r, a, decimals, tolerance)
                    wrong.setdefault(flat, None)
            if wrong and not explicit:
                break
    if good == 0:
        return Comparison(
            Equality.UNKNOWN, "the expected answer could not be evaluated at any point", "numeric"
        )
    if wrong:
        if not ref_shape:
            return Comparison(Equality.NOT_EQUAL, example, method)
        if explicit:
            shape = tuple(int(s) for s in ref_shape)
            indices = tuple(_index(f, shape) for f in wrong)
            return Comparison(Equality.NOT_EQUAL, _entries_reason(list(indices)), method, indices)
        return Comparison(
            Equality.NOT_EQUAL,
            "your answer differs from the expected answer for random matrices of the declared "
            "shapes",
            method,
        )

    # 4. symbolic confirmation
    if decimals:
        within = (
            f"the absolute tolerance {absolute_tolerance:g}"
            if absolute_tolerance is not None
            else f"the relative tolerance {tolerance:g}"
        )
        return Comparison(Equality.EQUAL, f"agrees within {within}", "tolerance")
    if all_rational and not names.scalars and not names.matrices and explicit:
        return Comparison(Equality.EQUAL, "equal (exact arithmetic)", "exact")
    if explicit:
        deadline = time.perf_counter() + symbolic_seconds
        if all(
            _prove_scalar(r, a, deadline) for r, a in zip(_entries(ref), _entries(ans), strict=True)
        ):
            return Comparison(Equality.EQUAL, "equal after symbolic rewriting", "symbolic")
    if _is_elementary(ref) and _is_elementary(ans):
        return Comparison(
            Equality.EQUAL,
            f"agrees at {good} random points (exact or 40-digit arithmetic); "
            "not proven symbolically",
            "numeric-only",
        )
    return Comparison(Equality.UNKNOWN, _UNPROVEN, "numeric-only")


def _example(names: Any, point: Any, ref: Any, ans: Any, decimals: bool, tolerance: float) -> str:
    """A reason that shows where a scalar answer goes wrong, with the values."""
    values = f"your answer is {show_number(ans)}, the expected value is {show_number(ref)}"
    if decimals:
        with mpmath.workdps(DIGITS):
            a, r = to_mpc(ans), to_mpc(ref)
            err = abs(a - r) / max(abs(r), mpmath.mpf("1e-30"))
        values += f" (relative difference {mpmath.nstr(err, 2)}, tolerance {tolerance:g})"
    shown = [f"{n} = {point.scalars[n]}" for n, _ in names.scalars[:4]]
    shown += [f"{n} = {point.scalars[n]}" for n in names.dimensions if n in point.scalars][:2]
    if not shown:
        return values
    return f"at {', '.join(shown)} {values}"


def numeric_value(value: Any, ctx: Context, seed: int = 0) -> Any:
    """``value`` at the first point where it is defined (for hints and diagnostics).

    Returns:
        The evaluated value (numbers at 40 digits), or ``None`` if it is undefined at
        every tried point.
    """
    try:
        value = _normalize(value)
        names = collect_names([value], ctx)
        for index in range(12):
            try:
                result = evaluate(value, draw_point(names, ctx, seed, index))
            except (DomainError, SingularError, ZeroDivisionError):
                continue
            if isinstance(result, (sympy.MatrixBase, NDimArray)):
                return result.applyfunc(lambda e: e if e.is_Rational else e.evalf(DIGITS))
            return result if result.is_Rational else result.evalf(DIGITS)
    except Exception:
        return None
    return None


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
    """
    try:
        entries = _entries(_normalize(expr))
        return not any(_has_distributable(e) for e in entries if isinstance(e, sympy.Expr))
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
    """
    try:
        value = _normalize(expr)
        if not isinstance(value, sympy.Expr):
            return False
        return all(_irreducible(f) for f in _factors(value))
    except Exception:
        return False


__all__ = ["compare", "is_expanded", "is_factored", "numeric_value"]
