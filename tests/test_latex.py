"""LaTeX tokenizer: the same token stream as plain syntax, and syntax detection."""

import pytest
from hwgrade.grader.errors import AnswerSyntaxError
from hwgrade.grader.latex import detect_syntax, tokenize_latex
from hwgrade.grader.lexer import tokenize_plain


def stream(tokens: list) -> list[str]:
    return [f"{t.kind}:{t.text}" for t in tokens]


@pytest.mark.parametrize(
    ("latex", "plain"),
    [
        (r"\frac{a}{b}", "((a)/(b))"),
        (r"\dfrac{1}{2}", "((1)/(2))"),
        (r"\tfrac12", "((1)/(2))"),
        (r"w^{2}", "w^(2)"),
        (r"w^23", "w^2 3"),
        (r"u_{1} \cdot w", "u_1 * w"),
        (r"a \times b", "a * b"),
        (r"\left( x \right)", "(x)"),
        (r"\left[ x \right]", "(x)"),
        (r"\{ x \}", "(x)"),
        (r"pXw", "p X w"),
        (r"\sigma(z)", "sigma(z)"),
        (r"\eta_1", "eta_1"),
        (r"\mathbf{W}", "W"),
        (r"\boldsymbol{\beta}", "beta"),
        (r"\mathrm{relu}(x)", "relu(x)"),
        (r"a \odot b", "a ⊙ b"),
        (r"\begin{bmatrix} a & b \\ c & d \end{bmatrix}", "[[a, b], [c, d]]"),
        (r"\begin{pmatrix} a \\ b \\ \end{pmatrix}", "[[a], [b]]"),
        (r"$x + 1$", "x + 1"),
        (r"\(x\).", "x"),
        (r"x\,y\;z\!w~v", "x y z w v"),
        (r"\pi", "pi"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_same_tokens_as_plain(latex: str, plain: str) -> None:
    assert [s for s in stream(tokenize_latex(latex))][:-1] == stream(tokenize_plain(plain))[:-1]


def test_transpose_forms() -> None:
    for text in (r"X^\top", r"X^{\top}", r"X^\intercal"):
        assert stream(tokenize_latex(text))[:2] == ["NAME:X", "TRANSPOSE:T"], text


def test_norm_and_root() -> None:
    assert stream(tokenize_latex(r"\|v\|_2^2"))[:-1] == [
        "NORM:norm",
        "NAME:v",
        "NORM:norm",
        "OP:^",
        "NUM:2",
    ]
    assert stream(tokenize_latex(r"\lVert v \rVert"))[:-1] == ["NORM:norm", "NAME:v", "NORM:norm"]
    assert stream(tokenize_latex(r"\sqrt[3]{x}"))[:-1] == [
        "FUNC:root",
        "LPAREN:(",
        "NUM:3",
        "COMMA:,",
        "NAME:x",
        "RPAREN:)",
    ]
    assert stream(tokenize_latex(r"\operatorname{diag}(v)"))[0] == "FUNC:diag"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (r"\infty", "infinity"),
        (r"\operatorname{foo}(x)", "unknown function `foo`"),
        (r"\int x", "integral"),
        (r"\sum x", "sum"),
        (r"\partial x", "derivative"),
        (r"\foo", "unknown LaTeX command"),
        (r"\frac{1}{2", "missing"),
        (r"x}", "unbalanced"),
        (r"h_{t-1}", "name or a number"),
        (r"\text{x}", "text"),
        (r"x = 1", "="),
        (r"a & b", "&"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_latex_refused(text: str, fragment: str) -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        tokenize_latex(text)
    assert fragment in info.value.message


def test_positions_are_columns_of_the_original() -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        tokenize_latex(r"$x + \foo$")
    assert info.value.position == 5


@pytest.mark.parametrize(
    ("text", "syntax"),
    [
        ("w u_1 + 2", "plain"),
        ("u_{1} + x", "plain"),
        ("X^T y", "plain"),
        (r"\frac{1}{2}", "latex"),
        ("w^{2}", "latex"),
        ("h_{t1}", "latex"),
        ("$x$", "latex"),
        (r"\|v\|", "latex"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_detect(text: str, syntax: str) -> None:
    assert detect_syntax(text) == syntax
