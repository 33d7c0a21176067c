"""The equivalence engine on SymPy values built directly (independent of the parser)."""

from __future__ import annotations

from typing import Any

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from hwgrade.grader.answer.language import read_answer
from hwgrade.grader.context import Context, SymbolDecl, parse_vars
from hwgrade.grader.results import Equality
from hwgrade.grader.verify.equivalence import compare

EQ, NE, UNK = Equality.EQUAL, Equality.NOT_EQUAL, Equality.UNKNOWN

OPEN = Context(open=True)
w, x, p, u1, u2, u3, a, b = (OPEN.sym(n) for n in ["w", "x", "p", "u_1", "u_2", "u_3", "a", "b"])
POS = Context((SymbolDecl("x", positive=True),))
xp = POS.sym("x")

MAT = parse_vars("X: n x d, y: n x 1, w: d x 1, v: n x 1, d > n")
X, Y, W, V = (MAT.sym(n) for n in ["X", "y", "w", "v"])
N, D = MAT.sym("n"), MAT.sym("d")
Z = sympy.Symbol("z")
SIGMOID = sympy.Lambda(Z, 1 / (1 + sympy.exp(-Z)))

F = sympy.Float
R = sympy.Rational
M = sympy.ImmutableMatrix
T3 = sympy.ImmutableDenseNDimArray

RNN = w * u3 + w**2 * u2 + w**3 * u1

SCALARS: list[tuple[Any, Any, Equality, str]] = [
    (RNN, w * (u3 + w * (u2 + w * u1)), EQ, "exact"),
    (RNN, w * u3 + w**2 * u2, NE, "numeric"),
    (RNN, w * u3 + w**2 * u2 + w**3 * u2, NE, "numeric"),
    (R(13, 12), F("1.0833"), EQ, "tolerance"),
    (R(13, 12), F("1.08"), EQ, "tolerance"),  # correctly rounded to 3 digits (#27)
    (x / 3, F("0.3333") * x, EQ, "tolerance"),
    (x / 3, F("0.33") * x, NE, "tolerance"),
    (R(1, 3), F("0.33"), NE, "tolerance"),
    (R(1, 3), R(1083, 1000), NE, "exact"),
    (x, x + sympy.Integer(10) ** -12, NE, "exact"),
    (x, x + sympy.Integer(10) ** -30, NE, "exact"),
    (x, sympy.sqrt(x**2), NE, "numeric"),
    (x, sympy.Abs(x), NE, "numeric"),
    (sympy.Abs(x), sympy.sqrt(x**2), EQ, "numeric-only"),
    (2 * sympy.log(x), sympy.log(x**2), NE, "numeric"),
    (2 * sympy.log(xp), sympy.log(xp**2), EQ, "exact"),
    (sympy.Integer(1), sympy.sin(x) ** 2 + sympy.cos(x) ** 2, EQ, "symbolic"),
    (sympy.sin(2 * x), 2 * sympy.sin(x) * sympy.cos(x), EQ, "symbolic"),
    (sympy.cos(2 * x), 1 - 2 * sympy.sin(x) ** 2, EQ, "symbolic"),
    (p * (1 - p), p - p**2, EQ, "exact"),
    (p * (1 - p), p + p**2, NE, "numeric"),
    (x, x + sympy.sin(sympy.pi * x), NE, "numeric"),
    ((x**2 - 1) / (x - 1), x + 1, EQ, "exact"),
    (1 / (1 + sympy.exp(-x)), sympy.exp(x) / (1 + sympy.exp(x)), EQ, "exact"),
    (sympy.tanh(x), (sympy.exp(2 * x) - 1) / (sympy.exp(2 * x) + 1), EQ, "symbolic"),
    (sympy.exp(a + b), sympy.exp(a) * sympy.exp(b), EQ, "exact"),
    (sympy.sqrt(2) * sympy.sqrt(3), sympy.sqrt(6), EQ, "exact"),
    (sympy.pi, F("3.1416"), EQ, "tolerance"),
    (sympy.pi, R(22, 7), NE, "exact"),
    (x, sympy.nan, NE, "exact"),
    (x, sympy.zoo, NE, "exact"),
    (sympy.Integer(2), sympy.oo, NE, "exact"),
    (x, x**2 / x, EQ, "exact"),
    (x, 1 / (1 / x), EQ, "exact"),
    (sympy.Max(x, 0), (x + sympy.Abs(x)) / 2, UNK, "numeric-only"),
    (sympy.Max(x, 0), x, NE, "numeric"),
    (sympy.Integer(0), F("0.0"), EQ, "tolerance"),
    (sympy.Integer(0), F("1e-12"), EQ, "tolerance"),
    (sympy.Integer(0), R(1, 10**12), NE, "exact"),
]


@pytest.mark.parametrize(
    ("ref", "ans", "outcome", "method"),
    SCALARS,
    ids=[f"{i}:{r}|{a}" for i, (r, a, _, _) in enumerate(SCALARS)],
)
def test_scalars(ref: Any, ans: Any, outcome: Equality, method: str) -> None:
    ctx = POS if ref.has(xp) else OPEN
    result = compare(ref, ans, ctx)
    assert (result.outcome, result.method) == (outcome, method), result.reason
    assert result.reason


def hada(*args: Any) -> Any:
    return sympy.HadamardProduct(*args)


MATRICES: list[tuple[Any, Any, Equality, str]] = [
    (X.T * (X * X.T).I * Y, X.T * ((X * X.T).I * Y), EQ, "exact"),
    (X.T * (X * X.T).I * Y, X.T * (X.T.T * X.T).I * Y, EQ, "exact"),
    (X.T * (X * X.T).I * Y, (X.T * X).I * X.T * Y, NE, "numeric"),
    (X.T * (X * X.T).I * Y, X.T * (X * X.T).I * (2 * Y), NE, "numeric"),
    (X.T * Y, (Y.T * X).T, EQ, "exact"),
    (X * W, W.T * X.T, NE, "shape"),
    (X * W, (W.T * X.T).T, EQ, "exact"),
    (X.T * Y, X.T * V, NE, "numeric"),
    (X.T * Y, W, NE, "numeric"),
    (X * W, Y, NE, "numeric"),
    (X * X.T, X.T * X, NE, "shape"),
    (hada(X * W, Y), hada(Y, X * W), EQ, "numeric-only"),
    (hada(X * W, Y), sympy.DiagMatrix(Y) * X * W, EQ, "numeric-only"),
    (hada(X * W, Y), Y.T * X * W, NE, "shape"),
    (hada(Y, V), hada(Y, Y), NE, "numeric"),
    (Y.T * Y, sympy.Trace(Y * Y.T), EQ, "numeric-only"),
    (Y.T * Y, sympy.Trace(Y * Y.T) + 1, NE, "numeric"),
    (sympy.Trace(X.T * X), sympy.Trace(X * X.T), EQ, "numeric-only"),
    (Y.T * Y, Y, NE, "shape"),
    (N * X * W, 3 * X * W, NE, "numeric"),
    (X * sympy.Identity(D) * W, X * W, EQ, "exact"),
    ((sympy.Identity(N) + X * X.T) * Y, Y + X * (X.T * Y), EQ, "numeric-only"),
    (
        ElementwiseApplyFunction(SIGMOID, X * W),
        ElementwiseApplyFunction(sympy.Lambda(Z, sympy.exp(Z) / (1 + sympy.exp(Z))), X * W),
        EQ,
        "numeric-only",
    ),
    (
        ElementwiseApplyFunction(SIGMOID, X * W),
        ElementwiseApplyFunction(sympy.Lambda(Z, sympy.exp(Z) / (2 + sympy.exp(Z))), X * W),
        NE,
        "numeric",
    ),
    (M([1, 2, 3]), M([1, 2, 3, 4, 5]), NE, "shape"),
    (M([1, 2, 3]), M([[1, 2, 3]]), EQ, "exact"),
    (M([[1, 2], [3, 4]]), M([[1, 2], [3, 4]]).T, NE, "numeric"),
    (M([R(1, 2), 2]), M([F("0.5"), F("2.0")]), EQ, "tolerance"),
    (M([w * u1, w**2]), M([u1 * w, w * w]), EQ, "exact"),
    (M([[7]]), sympy.Integer(7), EQ, "exact"),
    (sympy.Integer(7), M([[7]]), EQ, "exact"),
    (sympy.Integer(7), M([7, 7]), NE, "shape"),
    (X, sympy.Integer(1), NE, "shape"),
    (X * W - Y, -(Y - X * W), EQ, "exact"),  # the same products, coefficients 1 and -1
    # Stage 3b: the same matrix products with coefficients equal after expanding ...
    (N * (N + 1) * X * W - Y, (N**2 + N) * X * W - Y, EQ, "exact"),
    (N * (N + 1) * X * W - Y, (N**2 + 1) * X * W - Y, NE, "numeric"),
    (N * X * W + Y, (N + 1) * X * W + Y, NE, "numeric"),
    # ... and a 1x1 value read as a scalar, each 1x1 product as its trace
    (Y.T * Y + N * (W.T * W), M([[sympy.Trace(Y.T * Y)]]) + (N * W.T) * W, EQ, "exact"),
    (Y.T * Y + W.T * W, M([[sympy.Trace(Y.T * Y)]]) + 2 * W.T * W, NE, "numeric"),
    ((N - 1) ** 2 * (Y.T * Y), (N**2 - 2 * N + 1) * sympy.Trace(Y.T * Y), EQ, "exact"),
]


@pytest.mark.parametrize(
    ("ref", "ans", "outcome", "method"),
    MATRICES,
    ids=[f"{i}:{r}|{a}" for i, (r, a, _, _) in enumerate(MATRICES)],
)
def test_matrices(ref: Any, ans: Any, outcome: Equality, method: str) -> None:
    result = compare(ref, ans, MAT)
    assert (result.outcome, result.method) == (outcome, method), result.reason


def test_singular_inverse_reason() -> None:
    result = compare(X.T * (X * X.T).I * Y, (X.T * X).I * X.T * Y, MAT)
    assert result.outcome is NE
    assert "singular" in result.reason


def test_shape_reason() -> None:
    result = compare(M([1, 2, 3]), M([1, 2, 3, 4, 5]), OPEN)
    assert result.reason == "shape mismatch: your answer is 5x1, the expected answer is 3x1"


def test_orientation_strict() -> None:
    result = compare(M([1, 2, 3]), M([[1, 2, 3]]), OPEN, orientation_free=False)
    assert (result.outcome, result.method) == (NE, "shape")
    assert "transpose" in result.reason


def test_vector_wrong_entries() -> None:
    result = compare(M([1, 2, 3, 4]), M([1, 5, 3, 6]), OPEN)
    assert result.outcome is NE
    assert result.wrong_entries == ((1,), (3,))
    assert "2, 4" in result.reason


def test_tensor_wrong_entries() -> None:
    ref = T3([R(i, 3) for i in range(24)], (4, 2, 3))
    typed = [F(round(i / 3, 4)) for i in range(24)]
    typed[5] = F("9.0")
    result = compare(ref, T3(typed, (4, 2, 3)), OPEN)
    assert result.outcome is NE and result.method == "tolerance"
    assert result.wrong_entries == ((0, 1, 2),)
    typed[5] = F(round(5 / 3, 4))
    assert compare(ref, T3(typed, (4, 2, 3)), OPEN).outcome is EQ


def test_tensor_shape() -> None:
    ref = T3(list(range(24)), (4, 2, 3))
    result = compare(ref, T3(list(range(24)), (4, 3, 2)), OPEN)
    assert (result.outcome, result.method) == (NE, "shape")
    assert "4x3x2" in result.reason


def test_python_lists_and_numbers() -> None:
    assert compare([1, 2], [1.0, 2.0], OPEN).outcome is EQ
    assert compare(3, 3, OPEN).outcome is EQ
    assert compare([[1, 2], [3, 4]], [[1, 2], [3, 4]], OPEN).outcome is EQ


def test_never_raises() -> None:
    result = compare(x, "x", OPEN)
    assert result.outcome is UNK
    assert compare(x, object(), OPEN).outcome is UNK


def test_relation_respected_and_deterministic() -> None:
    first = compare(N * X * W, 3 * X * W, MAT, seed=7)
    assert first == compare(N * X * W, 3 * X * W, MAT, seed=7)
    # d > n means d is never 2, the smallest size: trace(I_d) = d is not 2
    assert compare(sympy.Trace(sympy.Identity(D)), sympy.Integer(2), MAT).outcome is NE


def test_points_zero_undefined_answer() -> None:
    result = compare(x, x**2 / (x - x), OPEN)
    assert result.outcome is NE


_SYMS = [w, x, p]
monomials = st.tuples(
    st.integers(-5, 5).filter(bool), st.integers(0, 3), st.integers(0, 3), st.integers(0, 2)
)


def _poly(terms: list[tuple[int, int, int, int]]) -> Any:
    return sympy.Add(*[c * w**i * x**j * p**k for c, i, j, k in terms])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(monomials, min_size=1, max_size=4),
    st.lists(monomials, min_size=1, max_size=3),
    monomials,
)
def test_property_forms(num: Any, den: Any, extra: Any) -> None:
    top, bottom = _poly(num), _poly(den)
    if top == 0 or bottom == 0:
        return
    expr = top / bottom
    for form in (sympy.expand(expr), sympy.factor(expr), sympy.cancel(expr)):
        assert compare(expr, form, OPEN).outcome is EQ
    c, i, j, k = extra
    perturbed = sympy.factor(expr) + c * w**i * x**j * p**k
    assert compare(expr, perturbed, OPEN).outcome is NE


# --- additions from the conformance suites (docs/conformance.md) -------------------------


@pytest.mark.parametrize(
    ("ref", "ans", "kwargs", "outcome"),
    [
        (F("1e-33"), F("1.06e-33"), {"tolerance": 0.05}, NE),
        (F("1e-33"), F("1.04e-33"), {"tolerance": 0.05}, EQ),
        (x / 3, F("0.333") * x, {}, NE),
        (sympy.Integer(1), F("0.95", 30), {"tolerance": 0.05}, EQ),  # as the reader builds it
        (sympy.pi, F("3.14"), {"absolute_tolerance": 0.001}, NE),
        (sympy.pi, F("3.1416"), {"absolute_tolerance": 0.001}, EQ),
        (sympy.Integer(1), F("1.05"), {"absolute_tolerance": 0.05}, EQ),
        (sympy.oo, sympy.oo, {}, EQ),
        (sympy.oo, -sympy.oo, {}, NE),
        (sympy.oo, x, {}, NE),
    ],
    ids=str,
)
def test_tolerance_edges_and_infinity(
    ref: Any, ans: Any, kwargs: dict[str, Any], outcome: Equality
) -> None:
    assert compare(ref, ans, OPEN, **kwargs).outcome is outcome


# --- sign patterns and undefined references (found by the conformance work) --------------


@pytest.mark.parametrize(
    ("ref", "ans"),
    [("abs(x*y)", "x*y"), ("abs(x)*abs(y)", "x*y"), ("abs(abs(x) - abs(y))", "abs(x - y)")],
    ids=["abs-product", "product-of-abs", "abs-difference"],
)
def test_mixed_signs_are_sampled(ref: str, ans: str) -> None:
    """Point 2 gives symbols alternating signs, so x*y is not always positive."""
    ctx = Context(open=True)
    got = compare(read_answer(ref, ctx, "plain").value, read_answer(ans, ctx, "plain").value, ctx)
    assert got.outcome is Equality.NOT_EQUAL, got.reason


def test_undefined_reference_is_unknown() -> None:
    ctx = Context(open=True)
    zoo = read_answer("log(0)", ctx, "plain").value
    assert compare(zoo, zoo, ctx).outcome is Equality.UNKNOWN


# --- tuples `(a, b)`: a kind of their own, compared entry by entry ------------------------

TUP = sympy.Tuple
TUPLES: list[tuple[Any, Any, Equality, str, str]] = [
    (TUP(1, R(9, 2)), TUP(1, R(9, 2)), EQ, "exact", "matches"),
    (TUP(1, R(9, 2)), TUP(1, F("4.5", 30)), EQ, "tolerance", "tolerance"),
    (TUP(R(1, 3), 1), TUP(F("0.3333", 30), 1), EQ, "tolerance", "tolerance"),
    (TUP(x**2 - 1, w), TUP((x - 1) * (x + 1), w), EQ, "exact", "matches"),
    (TUP(sympy.sin(x) ** 2, 1), TUP(1 - sympy.cos(x) ** 2, 1), EQ, "symbolic", "rewriting"),
    (TUP(R(1, 3), 1), TUP(F("0.333", 30), 1), EQ, "tolerance", "correctly rounded"),
    (TUP(R(1, 3), 1), TUP(F("0.33", 30), 1), NE, "tolerance", "entry 1"),
    (TUP(1, 2), TUP(2, 1), NE, "exact", "entries 1, 2"),
    (TUP(x, w), TUP(w, x), NE, "numeric", "entries 1, 2"),
    (TUP(1, 2), TUP(1, 3), NE, "exact", "entry 2"),
    (TUP(R(27, 8), R(15, 8)), TUP(0, 0), NE, "exact", "entries 1, 2"),
    (TUP(1, 2), TUP(1, 2, 3), NE, "shape", "3 entries"),
    (TUP(1, 2, 3), TUP(1, 2), NE, "shape", "2 entries"),
    (TUP(1, 2), M([1, 2]), NE, "shape", "2x1 vector, the expected answer is a tuple"),
    (TUP(1, 2), M([[1, 2]]), NE, "shape", "1x2 vector"),
    (M([1, 2]), TUP(1, 2), NE, "shape", "tuple of 2 entries, the expected answer is a 2x1"),
    (M([[1, 2], [3, 4]]), TUP(1, 2, 3, 4), NE, "shape", "2x2 matrix"),
    (Y, TUP(1, 2), NE, "shape", "n x 1 vector"),
    (TUP(1, 2), 1, NE, "shape", "a scalar"),
    (3, TUP(1, 2), NE, "shape", "a tuple of 2 entries, the expected answer is a scalar"),
    (TUP(1, 2), [1, 2], NE, "shape", "vector"),
    (TUP(sympy.Max(x, 1), 1), TUP(sympy.Max(1, x), 1), EQ, "exact", "matches"),
    (TUP(sympy.log(0), 1), TUP(1, 1), UNK, "exact", "tuple entry 1"),
]


@pytest.mark.parametrize(
    ("ref", "ans", "outcome", "method", "says"),
    TUPLES,
    ids=[f"{i}:{r}|{a}" for i, (r, a, *_) in enumerate(TUPLES)],
)
def test_tuples(ref: Any, ans: Any, outcome: Equality, method: str, says: str) -> None:
    result = compare(ref, ans, MAT if Y in (ref, ans) else OPEN)
    assert (result.outcome, result.method) == (outcome, method), result.reason
    assert says in result.reason


def test_tuple_wrong_entries_and_absolute_tolerance() -> None:
    result = compare(TUP(1, 2, 3), TUP(1, 5, 7), OPEN)
    assert result.wrong_entries == ((1,), (2,))
    near = compare(TUP(R(1, 3), 2), TUP(F("0.33", 30), 2), OPEN, absolute_tolerance=0.005)
    assert near.outcome is EQ
    far = compare(TUP(R(1, 3), 2), TUP(F("0.32", 30), 2), OPEN, absolute_tolerance=0.005)
    assert far.outcome is NE


def test_a_runaway_answer_is_judged_where_it_can_be_evaluated() -> None:
    """An exponent tower is skipped where it is too large (fast), judged where it is not."""
    tower = sympy.sin(7 ** sympy.exp(sympy.exp(sympy.exp(10 * x)))) + 1
    found = compare(x, tower, OPEN)
    assert (found.outcome, found.method) == (NE, "numeric")
    assert "your answer is" in found.reason


# --- overflow (#27): too large to evaluate is never wrong ----------------------------------

WIDE = parse_vars("x, v: n x 1")
wx, wv = WIDE.sym("x"), WIDE.sym("v")
HUGE = sympy.exp(sympy.exp(20 * wx))  # near e^(5e14) at x = 22/13: beyond evalf, not mpmath
BEYOND = sympy.exp(sympy.exp(40 + wx**2))  # beyond 10^15 in the exponent at every point
OVERFLOWS: list[tuple[Any, Any, Equality, str]] = [
    (sympy.E * wv, HUGE * sympy.exp(1 - sympy.exp(20 * wx)) * wv, EQ, ""),
    (sympy.E, sympy.sqrt(HUGE) * sympy.sqrt(sympy.exp(2 - sympy.exp(20 * wx))), EQ, ""),
    (sympy.E * wv, 2 * HUGE * sympy.exp(1 - sympy.exp(20 * wx)) * wv, NE, "differs"),
    (wx * wv, BEYOND * sympy.exp(1 - sympy.exp(40 + wx**2)) * wv, UNK, "too large to evaluate"),
    (
        sympy.E,
        sympy.sqrt(BEYOND) * sympy.sqrt(sympy.exp(2 - sympy.exp(40 + wx**2))),
        UNK,
        "could not be checked",
    ),
    (sympy.E, BEYOND * sympy.exp(1 - sympy.exp(40 + wx**2)), EQ, "expanding"),  # exact first
]


@pytest.mark.parametrize(
    ("ref", "ans", "outcome", "says"),
    OVERFLOWS,
    ids=["e-v", "e-sqrt", "2e-v", "beyond", "beyond-unproven", "beyond-exact"],
)
def test_overflow_is_never_wrong(ref: Any, ans: Any, outcome: Equality, says: str) -> None:
    result = compare(ref, ans, WIDE)
    assert result.outcome is outcome, result.reason
    assert says in result.reason


def test_nested_sigmoids_are_still_compared() -> None:
    def sig(t: Any) -> Any:
        return 1 / (1 + sympy.exp(-t))

    three = sig(sig(sig(x)))
    rewritten = 1 / (1 + 1 / sympy.exp(sig(sig(x))))
    assert compare(three, rewritten, OPEN).outcome is EQ
    assert compare(three, sig(sig(x)), OPEN).outcome is NE


# --- the number rule (#27): within the tolerance, or correctly rounded to the digits -----

M = sympy.Matrix


def dec(text: str) -> sympy.Float:
    """A decimal as the reader builds it (40 digits, so ``0.333`` is exactly 0.333)."""
    return sympy.Float(text, 40)


NUMBER_RULE: list[tuple[Any, Any, dict[str, Any], Equality, str]] = [
    (R(1, 3), dec("0.333"), {}, EQ, "correctly rounded to 3 significant digits"),
    (R(2, 3), dec("0.667"), {}, EQ, "agrees within"),
    (R(13, 12), dec("1.08"), {}, EQ, "correctly rounded to 3 significant digits"),
    (R(-1, 3), dec("-0.333"), {}, EQ, "correctly rounded"),
    (sympy.sqrt(2), dec("1.41"), {}, EQ, "correctly rounded"),
    (R(1000, 3), dec("333.0"), {}, EQ, "correctly rounded"),
    (R(1, 300000), dec("3.33e-6"), {}, EQ, "agrees"),
    (R(1, 3), dec("0.3330"), {}, EQ, "correctly rounded"),  # a trailing zero claims nothing
    (M([R(1, 3), R(2, 3)]), M([dec("0.333"), dec("0.667")]), {}, EQ, "correctly rounded"),
    (
        sympy.ImmutableDenseNDimArray([[[R(1, 3), 1]], [[R(13, 12), 2]]]),
        sympy.ImmutableDenseNDimArray([[[dec("0.333"), 1]], [[dec("1.08"), 2]]]),
        {},
        EQ,
        "correctly rounded",
    ),
    # fewer digits, or the wrong last digit, stay wrong, and are told the digits asked for
    (R(1, 3), dec("0.33"), {}, NE, "decimals need 3 significant digits"),
    (R(13, 12), dec("1.1"), {}, NE, "decimals need 3 significant digits"),
    (R(1, 3), dec("0.334"), {}, NE, "decimals need 3 significant digits"),
    (sympy.sqrt(2), dec("1.42"), {}, NE, "relative difference"),
    (R(1000, 3), dec("330.0"), {}, NE, "decimals need 3 significant digits"),
    (M([R(1, 3), R(2, 3)]), M([dec("0.333"), dec("0.67")]), {}, NE, "entry 2"),
    # inside an expression only the tolerance counts: 0.333 x is on its edge
    (x / 3, dec("0.333") * x, {}, NE, "relative difference"),
    # a part that asks for more digits, or for the exact value
    (R(1, 3), dec("0.3333"), {"tolerance": 1e-4}, EQ, "4 significant digits"),
    (R(1, 3), dec("0.333"), {"tolerance": 1e-4}, NE, "decimals need 4 significant digits"),
    (R(13, 12), dec("1.083"), {"tolerance": 1e-4}, EQ, "4 significant digits"),
    (R(1, 3), dec("0.333"), {"tolerance": 0.0}, NE, "asks for the exact value"),
    (R(1, 2), dec("0.5"), {"tolerance": 0.0}, EQ, "agrees"),
    # an exact tie rounds either way: half-up (0.13) or half-even (0.12)
    (R(1, 8), dec("0.13"), {"tolerance": 1e-2}, EQ, "correctly rounded to 2"),
    (R(1, 8), dec("0.12"), {"tolerance": 1e-2}, EQ, "correctly rounded to 2"),
    (R(1, 8), dec("0.11"), {"tolerance": 1e-2}, NE, "decimals need 2 significant digits"),
]


@pytest.mark.parametrize(
    ("ref", "ans", "kwargs", "outcome", "says"),
    NUMBER_RULE,
    ids=[f"{i}:{r}|{a}" for i, (r, a, *_) in enumerate(NUMBER_RULE)],
)
def test_the_number_rule(
    ref: Any, ans: Any, kwargs: dict[str, Any], outcome: Equality, says: str
) -> None:
    result = compare(ref, ans, OPEN, **kwargs)
    assert result.outcome is outcome, result.reason
    assert says in result.reason


# --- narrow spikes and negligible terms (#27): agreement at points is not enough ---------

SPIKES: list[tuple[Any, Any, Equality, str]] = [
    (x, x + sympy.exp(-(10**6) * x**2), NE, "too small to show at the sampled points"),
    (x, x + sympy.exp(-((10**4 * (x - R(1, 3))) ** 2)), NE, "but not zero"),
    (x, x + sympy.sin(x) / 10**30, NE, "by about"),
    (sympy.sqrt(2) * x, sympy.sqrt(2) * x + x / 10**50, NE, "negligible term"),
    (
        sympy.Matrix([x, 1]),
        sympy.Matrix([x + sympy.exp(-(10**6) * x**2), 1]),
        NE,
        "entry 1 of your answer differs",
    ),
    # identities that only evaluation confirms stay right
    (sympy.log(1 + sympy.exp(-1000 * x)), sympy.log(sympy.exp(1000 * x) + 1) - 1000 * x, EQ, ""),
    (sympy.pi / 2, sympy.atan(xp) + sympy.atan(1 / xp), EQ, ""),
    (x, x + sympy.exp(-(10**6) * x**2) - sympy.exp(-(10**6) * x**2), EQ, ""),
    # a typed decimal keeps the tolerance rule
    (x, x + sympy.Float("1e-300", 40), EQ, "tolerance"),
]


@pytest.mark.parametrize(
    ("ref", "ans", "outcome", "says"),
    SPIKES,
    ids=[f"{i}:{a}" for i, (_, a, *_) in enumerate(SPIKES)],
)
def test_negligible_terms_are_not_equal(ref: Any, ans: Any, outcome: Equality, says: str) -> None:
    result = compare(ref, ans, POS if ans.has(xp) else OPEN)
    assert result.outcome is outcome, result.reason
    assert says in result.reason


@settings(max_examples=25, deadline=None)
@given(
    st.integers(min_value=21, max_value=120), st.sampled_from([sympy.sin, sympy.exp, sympy.sqrt])
)
def test_a_tiny_coefficient_is_found_at_any_size(k: int, f: Any) -> None:
    """x + 10^-k f(x) is not x, however small 10^-k is next to the 40 working digits."""
    result = compare(x**2 + 1, x**2 + 1 + f(x**2 + 1) / sympy.Integer(10) ** k, OPEN)
    assert result.outcome is NE, result.reason


# --- a reference's exact values are remembered per point -------------------------------


def test_a_reference_is_evaluated_once_per_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many answers against one reference: its exact values are computed once per point."""
    from hwgrade.grader.verify import equivalence

    calls: list[Any] = []
    real = equivalence.evaluate

    def counting(value: Any, point: Any) -> Any:
        calls.append(value)
        return real(value, point)

    monkeypatch.setattr(equivalence, "evaluate", counting)
    reference = sympy.exp(p) * W.T * X.T * Y
    answers = [sympy.exp(p) * Y.T * X * W + k * (W.T * X.T * Y - Y.T * X * W) for k in range(2, 6)]
    equivalence._reference_at.cache_clear()
    remembered = [compare(reference, answer, MAT) for answer in answers]
    assert len(calls) == 6 + 6 * len(answers)  # the reference at six points, once
    fresh = []
    for answer in answers:
        equivalence._reference_at.cache_clear()
        fresh.append(compare(reference, answer, MAT))
    assert len(calls) == 6 + 6 * len(answers) + 12 * len(answers)
    assert remembered == fresh
    assert {(c.outcome, c.method) for c in remembered} == {(EQ, "numeric-only")}


def test_a_reference_undefined_everywhere_stays_unknown_when_remembered() -> None:
    """``(Xᵀ X)⁻¹`` with d > n (d x d of rank n) is singular at every point, every time."""
    from hwgrade.grader.verify import equivalence

    equivalence._reference_at.cache_clear()
    singular = (X.T * X).inv() * X.T * Y
    first = compare(singular, X.T * (X * X.T).inv() * Y, MAT)
    again = compare(singular, 2 * X.T * (X * X.T).inv() * Y, MAT)
    assert first.outcome == again.outcome == UNK
    assert first.reason == again.reason
    assert equivalence._reference_at.cache_info().hits > 0


# --- 3b. a scalar built from matrices, proven by expanding its difference --------------

WX = sympy.Trace(W.T * X.T * Y)  # a scalar of its own once the matrices are inside
SIG_WX = 1 / (1 + sympy.exp(-WX))

EXPANDED = [
    (SIG_WX * (1 - SIG_WX), SIG_WX - SIG_WX**2, EQ, "exact", "sigmoid-derivative"),
    (p * SIG_WX, p * SIG_WX + (p + 3) ** 2 - p**2 - 6 * p - 9, EQ, "exact", "added-zero"),
    (p * SIG_WX, p * SIG_WX + (p + 3) ** 2 - p**2 - 6 * p, NE, "numeric", "added-nine"),
    (WX**2, WX * sympy.Trace(Y.T * X * W), EQ, "numeric-only", "transposed-trace"),
    (2 * WX, WX + sympy.Trace(W.T * X.T * Y + 0 * W.T * X.T * Y), EQ, "exact", "same-atom"),
]


@pytest.mark.parametrize(
    ("ref", "ans", "outcome", "method"),
    [c[:4] for c in EXPANDED],
    ids=[c[4] for c in EXPANDED],
)
def test_scalars_of_matrices_are_proven_by_expanding(
    ref: Any, ans: Any, outcome: Equality, method: str
) -> None:
    """Equal by expansion: ``exact``; a nonzero difference: the points say where."""
    result = compare(ref, ans, MAT)
    assert (result.outcome, result.method) == (outcome, method), result.reason
    if outcome is NE:
        assert "your answer is" in result.reason  # the point and both values, as before
