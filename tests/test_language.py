"""The facade: seed examples, syntax detection, lists, payloads, and never-raise-else."""

import contextlib
import random
import string

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from hwgrade.grader.answer.language import detect_syntax, read_answer
from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError, ShapeError

OPEN = Context(open=True)
RNN = parse_vars("w, u_1, u_2, u_3")
KKT = parse_vars("X: 3 x 5, y: 3 x 1")
RIDGE = parse_vars("X: n x d, y: n x 1, w: d x 1, p")


def test_rnn_seed() -> None:
    got = read_answer("w(u_3 + w(u_2 + w u_1))", RNN).value
    ref = read_answer("w u_3 + w^2 u_2 + w^3 u_1", RNN).value
    assert sympy.expand(got - ref) == 0


@pytest.mark.parametrize(
    "text",
    [
        "Xᵀ(XXᵀ)⁻¹y",
        "X^T (X X^T)^-1 y",
        r"X^\top (XX^\top)^{-1} y",
        "X.T @ inv(X @ X.T) @ y",
        r"$X^{T}\left(X X^{T}\right)^{-1} y$",
    ],
    ids=lambda v: v,
)
def test_min_norm_seed(text: str) -> None:
    rng = random.Random(3)
    xv = sympy.ImmutableMatrix(
        3, 5, [sympy.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(15)]
    )
    yv = sympy.ImmutableMatrix(3, 1, [sympy.Rational(rng.randint(-9, 9), 3) for _ in range(3)])
    expected = xv.T * (xv * xv.T).inv() * yv
    value = read_answer(text, KKT).value
    got = value.xreplace({KKT.sym("X"): xv, KKT.sym("y"): yv}).doit()
    assert sympy.Matrix(got) == sympy.Matrix(expected)


def test_min_norm_wrong_shapes() -> None:
    with pytest.raises(ShapeError) as info:
        read_answer("X (X^T X)^-1 y", KKT)
    assert "3x5" in info.value.message and "3x1" in info.value.message


def test_ridge_norm_latex_and_plain_agree() -> None:
    latex = read_answer(r"\|y - pXw\|_2^2", RIDGE)
    plain = read_answer("norm(y - p X w)^2", RIDGE)
    assert latex.syntax == "latex" and plain.syntax == "plain"
    subs = {
        RIDGE.dim("n"): 4,
        RIDGE.dim("d"): 2,
        RIDGE.sym("p"): sympy.Rational(1, 3),
        RIDGE.sym("X"): sympy.ImmutableMatrix(4, 2, range(8)),
        RIDGE.sym("y"): sympy.ImmutableMatrix([1, 2, 3, 4]),
        RIDGE.sym("w"): sympy.ImmutableMatrix([1, -1]),
    }
    a = latex.value.xreplace(subs).doit()
    b = plain.value.xreplace(subs).doit()
    assert sympy.simplify(a - b) == 0
    assert latex.names == frozenset({"y", "p", "X", "w"})


def test_pxw_split_note() -> None:
    got = read_answer("norm(y - pXw)^2", RIDGE)
    assert "read `pXw` as p*X*w" in got.notes


def test_greek_equivalence() -> None:
    ctx = parse_vars("eta, w")
    values = [read_answer(t, ctx).value for t in ("eta w", "η w", r"\eta w")]
    assert values[0] == values[1] == values[2]


def test_result_fields() -> None:
    got = read_answer("1/2x + 0.5", OPEN)
    assert got.syntax == "plain" and got.has_decimals and not got.flat_list
    assert got.notes == ("read `1/2x` as (1/2)*x",)
    assert got.names == frozenset({"x"})
    assert not read_answer("13/12", OPEN).has_decimals
    assert read_answer("[1, 2]", OPEN).flat_list


def test_yaml_lists() -> None:
    vec = read_answer(["2.8333", "2.6667", 2.5, "2"], OPEN)
    assert vec.value.shape == (4, 1) and vec.flat_list and vec.has_decimals
    assert vec.source == "[2.8333, 2.6667, 2.5, 2]"
    mat = read_answer([["1", "2"], ["3", "x"]], OPEN)
    assert mat.value.shape == (2, 2) and not mat.flat_list and mat.names == frozenset({"x"})
    ten = read_answer([[["1", "2"]], [["3", "4"]]], OPEN)
    assert ten.value.shape == (2, 1, 2)
    with pytest.raises(ShapeError):
        read_answer([["1", "2"], ["3"]], OPEN)
    with pytest.raises(ShapeError):
        read_answer(["X", "1"], KKT)
    with pytest.raises(AnswerSyntaxError):
        read_answer([True], OPEN)
    with pytest.raises(AnswerLimitError):
        read_answer(["1"] * 10_001, OPEN)
    with pytest.raises(AnswerLimitError):
        read_answer(["x" * 1500] * 8, OPEN)
    deep: list = ["1"]
    for _ in range(60):
        deep = [deep]
    with pytest.raises(AnswerLimitError):
        read_answer(deep, OPEN)


def test_syntax_override() -> None:
    assert read_answer("ab", OPEN, syntax="latex").value == sympy.Symbol("a") * sympy.Symbol("b")
    assert read_answer("ab", OPEN, syntax="plain").value == sympy.Symbol("ab")
    assert detect_syntax(r"\frac{1}{2}") == "latex"


PAYLOADS = [
    "__import__('os').system('x')",
    'eval("1")',
    "(lambda: 1)()",
    "x.__class__",
    'f"{x}"',
    "diff(x**2, x)",
    "Derivative(x, x)",
    "integrate(x, x)",
    "solve(x, x)",
    "limit(x, x, 0)",
    "Sum(x, (x, 1, 2))",
    "sympify('x')",
    "x; import os",
    "x = 1",
    "x := 1",
    "[x for x in y]",
    "().__class__.__bases__",
    "exec('1')",
    "3 != 2",
    "f(x)[0]",
    "x if y else z",
    "\\input{/etc/passwd}",
    "",
    "   ",
]


@pytest.mark.parametrize("text", PAYLOADS, ids=lambda v: repr(v)[:30])
def test_payloads_rejected(text: str) -> None:
    with pytest.raises(AnswerSyntaxError):
        read_answer(text, OPEN)


@pytest.mark.parametrize(
    "text",
    [
        "x" * 2001,
        "1" * 40,
        "1e1000000",
        "2^(2^100)",
        "10^10^10",
        "(" * 100 + "x" + ")" * 100,
        "-" * 1500 + "x",
        "x" + "+x" * 600,
        "x" + "ᵀ" * 500,
        "2" + "^2" * 500,
    ],
    ids=[
        "length",
        "digits",
        "decexp",
        "tower",
        "tower3",
        "parens",
        "minus",
        "tokens",
        "postfix",
        "powers",
    ],
)
def test_limits(text: str) -> None:
    with pytest.raises(AnswerLimitError):
        read_answer(text, OPEN)


def test_fullwidth_and_non_values() -> None:
    assert read_answer("ｘ + 1", OPEN).value == sympy.Symbol("x") + 1
    for text in ("nan", "NaN", "zoo"):
        with pytest.raises(AnswerSyntaxError):
            read_answer(text, OPEN)


def test_error_column_and_token() -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        read_answer("w u_1 + q", RNN)
    assert info.value.position == 8 and info.value.token == "q"
    assert "unknown symbol `q`" in info.value.message


@pytest.mark.parametrize("text", [r"\frac{0}{0}", r"\frac{1}{0}", "1/0", "0^-1"], ids=lambda v: v)
def test_non_values(text: str) -> None:
    with pytest.raises((AnswerSyntaxError, ShapeError)):
        read_answer(text, OPEN)


ALPHABET = (
    list(string.ascii_letters[:8])
    + list("0123456789.+-*/^()[],_ ")
    + [
        "**",
        "ᵀ",
        "⁻¹",
        "²",
        "\\frac",
        "{",
        "}",
        "\\|",
        "\\left(",
        "\\right)",
        "X",
        "y",
        "I",
        "sigma",
        "exp",
        "T",
        ".T",
        "e",
        "1e-3",
        "\\sqrt",
        "&",
        "\\\\",
        "\\begin{bmatrix}",
        "\\end{bmatrix}",
        "⊙",
        "diag",
        "inv",
        "norm",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(ALPHABET), max_size=30), st.sampled_from(["plain", "latex", "auto"])
)
def test_token_soup_never_raises_anything_else(parts: list[str], syntax: str) -> None:
    text = "".join(parts)
    for ctx in (OPEN, KKT, RIDGE):
        with contextlib.suppress(AnswerSyntaxError, ShapeError):
            read_answer(text, ctx, syntax=syntax)  # type: ignore[arg-type]


# --- additions from the conformance suites (docs/conformance.md) -------------------------

_x, _y, _a, _b = sympy.symbols("x y a b")

EXTENDED = [
    ("sec(x) + csc(x) + cot(x)", sympy.sec(_x) + sympy.csc(_x) + sympy.cot(_x)),
    ("sinh(x) - cosh(x)", sympy.sinh(_x) - sympy.cosh(_x)),
    ("arcsin(x) + acos(x) + arctan(x)", sympy.asin(_x) + sympy.acos(_x) + sympy.atan(_x)),
    ("atan2(y, x)", sympy.atan2(_y, _x)),
    ("sgn(x)*abs(x)", sympy.sign(_x) * sympy.Abs(_x)),
    ("floor(x) + ceil(y)", sympy.floor(_x) + sympy.ceiling(_y)),
    ("log(8, 2)", sympy.Integer(3)),
    ("log(x, b)", sympy.log(_x) / sympy.log(_b)),
    ("5!", sympy.Integer(120)),
    ("x! + 0!", sympy.factorial(_x) + 1),
    ("binomial(5, 2)", sympy.Integer(10)),
    ("oo", sympy.oo),
    ("-infty + 99", -sympy.oo),
    ("7,425,000", sympy.Integer(7425000)),
    ("(x - a)^6000", (_x - _a) ** 6000),
]


@pytest.mark.parametrize(("text", "value"), EXTENDED, ids=[t for t, _ in EXTENDED])
def test_extended_language(text: str, value: sympy.Expr) -> None:
    assert read_answer(text, OPEN, "plain").value == value


@pytest.mark.parametrize(
    "text",
    ["(10^20)!", "1001!", "binomial(10^6, 3)", "5 != 5", "!", "32, 349", "1,22", "0,111"],
)
def test_extended_language_refusals(text: str) -> None:
    with pytest.raises(AnswerSyntaxError):
        read_answer(text, OPEN, "plain")


def test_grouped_digits_only_at_top_level() -> None:
    assert read_answer("[1,000, 2]", OPEN).value.shape == (3, 1)
    assert read_answer("max(1,000)", OPEN).value == 1


def test_structure_keeps_the_typed_form() -> None:
    parsed = read_answer("2*(x - 1)", OPEN)
    assert parsed.value == 2 * _x - 2
    assert isinstance(parsed.structure, sympy.Mul)
    assert read_answer("[1, 2]", OPEN).structure == read_answer("[1, 2]", OPEN).value


# --- tuples `(a, b)` ----------------------------------------------------------------------


def test_tuple_answers() -> None:
    got = read_answer("(1, 0.5)", OPEN)
    assert got.value == sympy.Tuple(1, sympy.Float("0.5", 30))
    assert got.has_decimals and not got.flat_list and got.syntax == "plain"
    assert read_answer(r"\left( x, 2 \right)", OPEN).value == sympy.Tuple(_x, 2)
    typed = read_answer("(2*(x - 1), 1)", OPEN).structure
    assert isinstance(typed, sympy.Tuple) and isinstance(typed[0], sympy.Mul)


@pytest.mark.parametrize(
    "data", [["(1, 2)", "3"], [["(1, 2)"]], ["x", r"\left(1, 2\right)"]], ids=str
)
def test_a_yaml_list_entry_cannot_be_a_tuple(data: list) -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        read_answer(data, OPEN)
    assert "is a tuple" in info.value.message
