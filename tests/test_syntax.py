"""Parser: tree shapes, implicit multiplication, name resolution, depth bounds."""

import pytest

from hwgrade.grader.answer.lexer import tokenize_plain
from hwgrade.grader.answer.nodes import (
    Call,
    Name,
    Neg,
    Power,
    Product,
    Sum,
    Transpose,
    TupleExpr,
)
from hwgrade.grader.answer.syntax import parse_tokens
from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError

OPEN = Context(open=True)
RNN = parse_vars("w, u_1, u_2, u_3")
MAT = parse_vars("X: n x d, y: n x 1, w: d x 1, p")


def parse(text: str, ctx: Context = OPEN):
    return parse_tokens(tokenize_plain(text), ctx, text)


def test_precedence_and_unary_minus() -> None:
    tree, _ = parse("-x^2 + y")
    assert isinstance(tree, Sum)
    first = tree.terms[0][1]
    assert isinstance(first, Neg) and isinstance(first.operand, Power)


def test_power_is_right_associative() -> None:
    tree, _ = parse("a^b^c")
    assert isinstance(tree, Power) and isinstance(tree.exponent, Power)


@pytest.mark.parametrize("text", ["2x", "2 x", "w u_1", "2(x+1)", "(a+b)(a-b)"], ids=lambda v: v)
def test_implicit_products(text: str) -> None:
    tree, _ = parse(text)
    assert isinstance(tree, Product)
    assert tree.factors[1][0] == "implicit"


def test_symbol_before_paren_is_a_product_function_is_a_call() -> None:
    tree, _ = parse("w(u_2 + w u_1)", RNN)
    assert isinstance(tree, Product)
    tree, _ = parse("sigma(z)")
    assert isinstance(tree, Call) and tree.func == "sigmoid"
    tree, _ = parse("sigma(z)", parse_vars("sigma, z"))
    assert isinstance(tree, Product)


def test_one_over_two_x_note() -> None:
    tree, notes = parse("1/2x")
    assert isinstance(tree, Product)
    assert [op for op, _ in tree.factors] == ["", "/", "implicit"]
    assert notes == ["read `1/2x` as (1/2)*x"]


def test_two_numbers_side_by_side() -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        parse("11 6/6")
    assert info.value.position == 3
    with pytest.raises(AnswerSyntaxError):
        parse("2 3")


def test_split_names_and_transpose_binding() -> None:
    tree, notes = parse("pXw", MAT)
    assert notes == ["read `pXw` as p*X*w"]
    assert [f.name for _, f in tree.factors] == ["p", "X", "w"]
    tree, _ = parse("XX^T", MAT)
    assert isinstance(tree.factors[1][1], Transpose)
    tree, _ = parse("X^Ty", MAT)
    assert isinstance(tree.factors[0][1], Transpose)
    assert isinstance(tree.factors[1][1], Name)


def test_declared_T_is_a_power() -> None:
    tree, _ = parse("x^T", parse_vars("x, T"))
    assert isinstance(tree, Power)


@pytest.mark.parametrize(
    ("text", "ctx", "position", "fragment"),
    [
        ("w + q", RNN, 4, "unknown symbol `q`"),
        ("u1", RNN, 0, "did you mean `u_1`?"),
        ("foo(x)", OPEN, 0, "unknown function `foo`"),
        ("exp", OPEN, 0, "is a function"),
        ("x[0]", OPEN, 1, "indexing"),
        ("2(1, 2)", OPEN, 1, "tuple"),
        ("()", OPEN, 0, "empty"),
        ("x +", OPEN, 3, "ends too early"),
        ("(x", OPEN, 2, "`)`"),
        ("x)", OPEN, 1, "unexpected `)`"),
        ("hadamard(x)", OPEN, 0, "takes 2"),
        ("nan", OPEN, 0, "`nan` is not a value"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_errors_with_columns(text: str, ctx: Context, position: int, fragment: str) -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        parse(text, ctx)
    assert info.value.position == position
    assert fragment in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "(" * 60 + "x" + ")" * 60,
        "-" * 80 + "x",
        "x" + "^x" * 60,
        "[" * 60 + "1" + "]" * 60,
        "x" + "ᵀ" * 80,
    ],
    ids=["parens", "minus", "powers", "brackets", "postfix"],
)
def test_depth_bound(text: str) -> None:
    with pytest.raises(AnswerLimitError):
        parse(text)


# --- tuples `(a, b)` ----------------------------------------------------------------------

XAB = parse_vars("x, a, b")


@pytest.mark.parametrize(
    ("text", "entries"),
    [("(1, 2)", 2), ("(a, b, a + b)", 3), ("((a), -b)", 2), ("(a(b + 1), 2)", 2)],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_bare_parenthesised_comma_list_is_a_tuple(text: str, entries: int) -> None:
    tree, _ = parse(text)
    assert isinstance(tree, TupleExpr) and len(tree.items) == entries


@pytest.mark.parametrize(
    ("text", "func"),
    [("max(a, b)", "max"), ("min(a, b, 1)", "min"), ("atan2(a, b)", "atan2"), ("log(a, 2)", "log")],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_name_before_the_parenthesis_keeps_a_call(text: str, func: str) -> None:
    tree, _ = parse(text)
    assert isinstance(tree, Call) and tree.func == func


@pytest.mark.parametrize(
    ("text", "ctx", "position", "fragment"),
    [
        ("x(a, b)", XAB, 1, "tuple"),  # a declared symbol times a tuple: never a product
        ("f(a, b)", OPEN, 1, "tuple"),
        ("2 (a, b)", OPEN, 2, "tuple"),
        ("(a, b) + 1", OPEN, 0, "tuple"),
        ("(a, b)^T", OPEN, 0, "tuple"),
        ("-(a, b)", OPEN, 1, "tuple"),
        ("((a, b), 1)", OPEN, 1, "tuple"),
        ("[(a, b), (a, b)]", OPEN, 1, "tuple"),
        ("max((a, b), 1)", OPEN, 4, "tuple"),
        ("(a, b]", OPEN, 5, "interval"),
        ("(a, )", OPEN, 4, "unexpected `)`"),
        ("(1,000)", OPEN, 3, "leading zeros"),
        ("diag(a, b)", OPEN, 0, "takes 1"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_tuple_errors(text: str, ctx: Context, position: int, fragment: str) -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        parse(text, ctx)
    assert info.value.position == position
    assert fragment in info.value.message
