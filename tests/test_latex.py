"""LaTeX tokenizer: the same token stream as plain syntax, and syntax detection."""

import pytest

from hwgrade.grader.answer.latex import detect_syntax, tokenize_latex
from hwgrade.grader.answer.lexer import tokenize_plain
from hwgrade.grader.errors import AnswerSyntaxError

#: Parentheses keep the bracket the reader saw (only a typed `(` can open a tuple); the
#: plain-syntax comparison looks through that to the grouping itself.
_AS_PLAIN = {"LPAREN:{": "LPAREN:(", "LPAREN:[": "LPAREN:(", "RPAREN:}": "RPAREN:)"}
_AS_PLAIN["RPAREN:]"] = "RPAREN:)"


def stream(tokens: list, raw: bool = False) -> list[str]:
    shown = [f"{t.kind}:{t.text}" for t in tokens]
    return shown if raw else [_AS_PLAIN.get(s, s) for s in shown]


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
        (r"\lim x", "limit"),
        (r"\operatorname{foo}(x)", "unknown function `foo`"),
        (r"\int x", "integral"),
        (r"\sum x", "sum"),
        (r"\partial x", "derivative"),
        (r"\foo", "unknown LaTeX command"),
        (r"\frac{1}{2", "missing"),
        (r"x}", "unbalanced"),
        (r"h_{t*1}", "a name, a number or an index"),
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


# --- additions from the conformance suites (docs/conformance.md) -------------------------

import sympy  # noqa: E402

from hwgrade.grader.answer.language import read_answer  # noqa: E402
from hwgrade.grader.context import Context  # noqa: E402

_x, _y, _a, _theta = sympy.symbols("x y a theta")
LATEX_VALUES = [
    (r"\sin^{-1} a", sympy.asin(_a)),
    (r"\tanh^{-1}(a)", sympy.atanh(_a)),
    (r"\cos^2(x)", sympy.cos(_x) ** 2),
    (r"\cos^{2}{x}", sympy.cos(_x) ** 2),
    (r"\arccos{-1}", sympy.pi),
    (r"(\csc x)(\sec y)", sympy.csc(_x) * sympy.sec(_y)),
    (r"\operatorname{arcsinh}(a)", sympy.asinh(_a)),
    (r"\log_{2} 8", sympy.log(8) / sympy.log(2)),
    (r"\boxed{\frac{1}{3}}", sympy.Rational(1, 3)),
    (r"\lfloor x\rfloor + \lceil y \rceil", sympy.floor(_x) + sympy.ceiling(_y)),
    (r"\exponentialE^{3}", sympy.exp(3)),
    (r"\infty", sympy.oo),
    (r"(x + 1)!", sympy.factorial(_x + 1)),
    (r"14{,}916", sympy.Integer(14916)),
    (r"32,\! 349", sympy.Integer(32349)),
    (r"1 \frac{1}{2}", sympy.Rational(3, 2)),
    (r"-3 \frac{1}{2}", sympy.Rational(-7, 2)),
    (r"x^2 \frac{1}{2}", _x**2 / 2),
    (r"2\frac{x}{3}", 2 * _x / 3),
    (r"\theta\begin{matrix}1\\3\end{matrix}", sympy.ImmutableMatrix([_theta, 3 * _theta])),
]


@pytest.mark.parametrize(("text", "value"), LATEX_VALUES, ids=[t for t, _ in LATEX_VALUES])
def test_latex_values(text: str, value: sympy.Basic) -> None:
    assert read_answer(text, Context(open=True), "latex").value == value


@pytest.mark.parametrize("text", [r"1\frac{3}{2}", r"\sin^2 2x", r"x != 1", r"\lfloor x"])
def test_latex_refusals(text: str) -> None:
    with pytest.raises(AnswerSyntaxError):
        read_answer(text, Context(open=True), "latex")


# --- decorated names, modulo, nested bars, `\left{` (Math-Verify gaps closed) ------------

from hwgrade.grader.errors import ShapeError  # noqa: E402
from hwgrade.grader.results import Equality  # noqa: E402
from hwgrade.grader.verify.equivalence import compare  # noqa: E402

_b = sympy.Symbol("b")
NEW_VALUES = [
    (r"2\bar{x}", 2 * sympy.Symbol("x_bar")),
    (r"\overline{x}_n", sympy.Symbol("x_bar_n")),
    (r"a \mod b", sympy.Mod(_a, _b)),
    (r"a \bmod b + 1", sympy.Mod(_a, _b) + 1),
    (r"17 \bmod 5", sympy.Integer(2)),
    (r"||x||", sympy.Abs(_x)),
    (r"||[3, 4]||", sympy.Integer(5)),
    (r"||x||y||", sympy.Abs(sympy.Abs(_x) * sympy.Abs(_y))),
    (r"||x| - |y||", sympy.Abs(sympy.Abs(_x) - sympy.Abs(_y))),
    (r"|a - |b||", sympy.Abs(_a - sympy.Abs(_b))),
    (r"\left|a - \left|b\right|\right|", sympy.Abs(_a - sympy.Abs(_b))),
    (r"|a||b|", sympy.Abs(_a) * sympy.Abs(_b)),
    (r"|a|b|x|", _b * sympy.Abs(_a) * sympy.Abs(_x)),
    (r"x^{\left{3 + 1\right}}", _x**4),
    (r"14 {, }916", sympy.Integer(14916)),
]


@pytest.mark.parametrize(("text", "value"), NEW_VALUES, ids=[t for t, _ in NEW_VALUES])
def test_new_latex_values(text: str, value: sympy.Basic) -> None:
    assert read_answer(text, Context(open=True), "latex").value == value


#: (reference, answer): each new construct must not accept the answer a careless reading
#: would (a decoration dropped, operands swapped, a bar read the other way).
NEW_NEGATIVES = [
    (r"\bar{x}", "x"),
    (r"\overline{x}_n", "x_n"),
    (r"2\bar{x}", r"2\bar{y}"),
    (r"a \mod b", r"b \mod a"),
    (r"a \mod b", "a - b"),
    (r"a \mod b", "a"),
    (r"||x||y||", "|x| y"),
    (r"||x| - |y||", "|x - y|"),
    (r"|a - |b||", "|a - b|"),
    (r"x^{\left{3 + 1\right}}", "x^3"),
    (r"14 {, }916", "14.916"),
]


@pytest.mark.parametrize(
    ("ref", "ans"), NEW_NEGATIVES, ids=[f"{r} vs {a}" for r, a in NEW_NEGATIVES]
)
def test_new_constructs_do_not_accept_wrong_answers(ref: str, ans: str) -> None:
    ctx = Context(open=True)
    result = compare(
        read_answer(ref, ctx, "latex").value, read_answer(ans, ctx, "latex").value, ctx
    )
    assert result.outcome is Equality.NOT_EQUAL, result.reason


@pytest.mark.parametrize(
    "text",
    [
        r"|x|y|",  # unbalanced: no pairing of the bars exists
        r"\bar{x + y}",  # a decoration takes a name, not an expression
        r"\overline",
        r"a \mod",
        r"\mod b",
        r"[1, 2] \bmod 2",  # modulo takes scalars
    ],
)
def test_new_constructs_refused(text: str) -> None:
    with pytest.raises((AnswerSyntaxError, ShapeError)):
        read_answer(text, Context(open=True), "latex")


# --- tuples `(a, b)` / `\left( a, b \right)` ---------------------------------------------

from hwgrade.grader.answer.latex import GROUP, TABLES  # noqa: E402


def test_parentheses_keep_the_bracket_that_was_typed() -> None:
    """Only a typed `(` or `\\left(` has the text `(`: groups and brackets cannot be tuples."""
    assert stream(tokenize_latex(r"\left( a \right)"), raw=True)[0] == "LPAREN:("
    assert stream(tokenize_latex(r"\left[ a \right]"), raw=True)[::2][:2] == [
        "LPAREN:[",
        "RPAREN:]",
    ]
    for text in (r"\frac{a}{b}", r"\{ a \}", r"{a}", r"\boxed{a}", r"\sqrt{a}", r"\cos^2(a)"):
        parens = [t for t in stream(tokenize_latex(text), raw=True) if t.startswith("LPAREN")]
        assert parens and all(t == f"LPAREN:{GROUP}" for t in parens), text


R = sympy.Rational
TUPLES = [
    (r"\left( \frac{1}{5}, \frac{1}{6} \right)", sympy.Tuple(R(1, 5), R(1, 6))),
    (r"(1,\frac{9}{2})", sympy.Tuple(1, R(9, 2))),
    (r"(\tfrac{27}{8},\tfrac{15}{8})", sympy.Tuple(R(27, 8), R(15, 8))),
    (r"\left( \frac{4}{3}, -\frac{1}{3} \right)", sympy.Tuple(R(4, 3), R(-1, 3))),
    (r"(3, \frac{\pi}{2})", sympy.Tuple(3, sympy.pi / 2)),
    (r"(1,2).", sympy.Tuple(1, 2)),  # trailing punctuation of a sentence
    (r"$(x, y^{2})$", sympy.Tuple(_x, _y**2)),
    (r"\boxed{(a, 1\frac{1}{2})}", sympy.Tuple(_a, R(3, 2))),
    (r"\bigl( \max(x, y), 14{,}916 \bigr)", sympy.Tuple(sympy.Max(_x, _y), 14916)),
]


@pytest.mark.parametrize(("text", "value"), TUPLES, ids=[t for t, _ in TUPLES])
def test_latex_tuples(text: str, value: sympy.Basic) -> None:
    assert read_answer(text, Context(open=True), "latex").value == value


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (r"\left[ 1, 2 \right]", "comma inside brackets"),  # grouping brackets, not a list
        (r"\{1, 2\}", "comma inside brackets"),  # a set
        (r"\left\{1, 2\right\}", "comma inside brackets"),
        (r"\boxed{1, 2}", "comma inside brackets"),
        (r"\frac{1, 2}{3}", "comma inside brackets"),
        (r"\left( 1, 2 \right]", "interval"),
        (r"(1, 2]", "unbalanced"),
        (r"[1, 2)", "missing `]`"),
        (r"2\left(1, 2\right)", "tuple"),
        (r"\frac{(1, 2)}{3}", "tuple"),
        (r"\begin{bmatrix} (1, 2) & 3 \end{bmatrix}", "tuple"),
    ],
    ids=lambda v: v,
)
def test_latex_tuple_refusals(text: str, fragment: str) -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        read_answer(text, Context(open=True), "latex")
    assert fragment in info.value.message


# ---------------------------------------------------------------- never misread (#26)

from hwgrade.grader.cli.commands import cli  # noqa: E402

MISREADINGS = [
    # Leibniz notation, in every spelling, is a derivative: refused like \partial and diff.
    (r"\frac{d}{dx} x^2", "invalid", "", "write the derivative itself"),
    (r"\dfrac{d}{dt} x", "invalid", "", "write the derivative itself"),
    (r"\frac{\mathrm{d}}{\mathrm{d}x} x", "invalid", "", "write the derivative itself"),
    (r"\frac{\mathrm d}{\mathrm d x} x", "invalid", "", "write the derivative itself"),
    (r"\frac{d f}{dx}", "invalid", "", "write the derivative itself"),
    (r"\frac{dy}{dx}", "invalid", "", "write the derivative itself"),
    (r"\frac{\partial}{\partial x} x", "invalid", "", "write the derivative itself"),
    (r"\frac{\partial L}{\partial w_1}", "invalid", "", "write the derivative itself"),
    (r"\frac{\partial y_1}{\partial \theta}", "invalid", "", "write the derivative itself"),
    # ... but a d that is a symbol still reads as one.
    (r"\frac{d-1}{d x}", "incorrect", "(d - 1)/(d*x)", ""),
    (r"\frac{d}{2}", "incorrect", "d/2", ""),
    (r"\frac{x d}{d}", "correct", "x", ""),
    # Digits inside a font command are the number.
    (r"\mathrm{2} + 3", "incorrect", "5", ""),
    (r"\mathit{21}", "incorrect", "21", ""),
    (r"\mathbf{1} x", "correct", "x", ""),
    (r"\mathrm{0.5} x + \mathrm{0.5} x", "correct", "1*x", ""),
    (r"\mathrm{x}", "correct", "x", ""),
    # A `(` must close inside the brace group it opened in.
    (r"\frac{(2 + x}{1 - x)}", "invalid", "", "is not closed before the `}`"),
    (r"\sqrt{(x}+1)", "invalid", "", "is not closed before the `}`"),
    (r"(\frac{1}{x)}", "invalid", "", "closes a `(` opened outside"),
    (r"\frac{(x)}{(1)}", "correct", "x", ""),
    (r"\left(\frac{x}{1}\right)", "correct", "x", ""),
    (r"{(x)}", "correct", "x", ""),
]


@pytest.mark.parametrize(
    ("answer", "verdict", "echo", "says"), MISREADINGS, ids=[m[0] for m in MISREADINGS]
)
def test_never_misread(answer: str, verdict: str, echo: str, says: str) -> None:
    names = "x, d, f, g, y, y_1, L, w_1, theta, t, a_{n+k}, h_{t-1}"
    data = equiv_json("x", answer, names)
    assert (data["verdict"], data["interpreted_as"]) == (verdict, echo), data["message"]
    assert says in data["message"]


def equiv_json(reference: str, answer: str, names: str) -> dict[str, str]:
    """``hwgrade equiv --json`` on a LaTeX answer, through click's runner."""
    import json

    from click.testing import CliRunner

    args = ["equiv", reference, answer, "--syntax", "latex", "--json", "--vars", names]
    data: dict[str, str] = json.loads(CliRunner().invoke(cli, args).stdout)
    return data


# LaTeX that students type (#26 part 3): read, or refused with what to write instead.
TYPED = [
    (r"\left| x \right|", "incorrect", "abs(x)", ""),
    (r"| x | + 1", "incorrect", "abs(x) + 1", ""),
    (r"\lvert x \rvert", "incorrect", "abs(x)", ""),
    (r"\dfrac{x}{2} + \tfrac{x}{2}", "correct", "x", ""),
    (r"\boldsymbol{\theta}", "incorrect", "theta", ""),
    (r"\operatorname{tr}(x)", "correct", "x", ""),
    (r"\mathsf{x}", "correct", "x", ""),
    (r"\sin^2 x + \cos^2 x", "incorrect", "sin(x)^2 + cos(x)^2", ""),
    (r"\sin^2 x", "incorrect", "sin(x)^2", ""),
    (r"\cos^2\theta", "incorrect", "cos(theta)^2", ""),
    (r"\sin^{2}(x) y", "incorrect", "y*sin(x)^2", ""),
    (r"\sin^2 \frac{x}{2}", "incorrect", "sin(x/2)^2", ""),
    (r"\sin^2 \frac{x}{2} y", "incorrect", "y*sin(x/2)^2", ""),
    (r"\cos^2 \sqrt{x}", "incorrect", "cos(sqrt(x))^2", ""),
    (r"\sin^2 \sqrt[3]{x}", "incorrect", "sin(x^(1/3))^2", ""),
    (r"\tanh^2 \tfrac x2", "incorrect", "tanh(x/2)^2", ""),
    (r"\sin^2 \frac{\sin^2 \frac{x}{2}}{2}", "incorrect", "sin(sin(x/2)^2/2)^2", ""),
    (r"\sin^2 2x", "invalid", "", r"write `\sin^2(...)` with its argument"),
    (r"\sin^2 -x", "invalid", "", r"write `\sin^2(...)` with its argument"),
    # Products of bracketed factors, as typeset; what reads like indexing is refused.
    (r"[x][y]", "incorrect", "x*y", ""),
    (r"[x + 1][x - 1]", "incorrect", "(x - 1)*(x + 1)", ""),
    (r"(x + 1)[x - 1]", "incorrect", "(x - 1)*(x + 1)", ""),
    (r"\left[x\right]\left[y\right]", "incorrect", "x*y", ""),
    (r"[x][2.5]", "incorrect", "2.5*x", ""),
    (r"2[x + y]", "incorrect", "2*x + 2*y", ""),
    (r"x[1]", "invalid", "", "reads like indexing, which is not allowed: write an entry as `x_1`"),
    (r"(x y)[0]", "invalid", "", "reads like indexing"),
    (r"[x][-1]", "invalid", "", "reads like indexing"),
    # A subscript that is an index expression names an entry (one symbol, if declared).
    (r"a_{n+k}", "incorrect", "a_{n+k}", ""),
    (r"a_{n + k} - a_{n+k} + x", "correct", "x", ""),
    (r"h_{t-1}^2 x", "incorrect", "h_{t-1}^2*x", ""),
    (r"\mathbf{h}_{t-1}", "incorrect", "h_{t-1}", ""),
    (r"h_{t+1}", "invalid", "", "unknown symbol `h_{t+1}`; this problem's symbols are"),
    (r"h_{t*1}", "invalid", "", "must be a name, a number or an index such as `t-1`"),
    (r"h_{t-}", "invalid", "", "must be a name, a number or an index such as `t-1`"),
    # `\circ` is the Hadamard product of matrices; between scalars it would be f ∘ g.
    (r"f \circ g", "invalid", "", "reads as a composition of functions"),
    (r"x \circ 1", "invalid", "", "reads as a composition of functions"),
    (r"x \odot 1", "correct", "x", ""),
    (r"x\thinspace y", "incorrect", "x*y", ""),
    (r"x \medspace y \negthinspace", "incorrect", "x*y", ""),
    (r"x\negmedspace y\thickspace\enspace", "incorrect", "x*y", ""),
    (r"\binom{4}{2} x", "incorrect", "6*x", ""),
    (r"\tbinom{4}{2}", "incorrect", "6", ""),
    (r"\dbinom{t}{2}", "incorrect", "binomial(t, 2)", ""),
    (r"\binom42", "incorrect", "6", ""),
    (r"\trace(x)", "correct", "x", ""),
    (r"\bigl( x \bigr)", "correct", "x", ""),
    (r"\lg x", "invalid", "", r"write `\log_2` or `\log_{10}`"),
    (r"x \neq y", "invalid", "", "is a relation: write only the expression"),
    (r"x \leq y", "invalid", "", "is a relation: write only the expression"),
    (r"x \ge y", "invalid", "", "is a relation: write only the expression"),
    (r"x \to 0", "invalid", "", "is a relation: write only the expression"),
    (r"x^\circ", "invalid", "", "write the angle in radians"),
    (r"x^{\circ}", "invalid", "", "write the angle in radians"),
]


@pytest.mark.parametrize(("answer", "verdict", "echo", "says"), TYPED, ids=[t[0] for t in TYPED])
def test_latex_that_students_type(answer: str, verdict: str, echo: str, says: str) -> None:
    test_never_misread(answer, verdict, echo, says)


def test_function_powers_without_parentheses_are_right() -> None:
    assert equiv_json("1", r"\sin^2 x + \cos^2 x", "x")["verdict"] == "correct"


# Bars, vmatrix and `\circ` around matrices: what a linear-algebra text means by them.
MATRICES = [
    ("det(A)", r"|A|", "correct", "det(A)", ""),
    ("det(A)", r"\left| A \right|", "correct", "det(A)", ""),
    ("det(A) det(B)", r"|A B|", "correct", "det(A*B)", ""),
    ("det(A)^2", r"|A| |A^\top|", "correct", "det(A)*det(A^T)", ""),
    ("2 - 4", r"\left|\begin{bmatrix}1 & 2\\ 3 & 4\end{bmatrix}\right|", "correct", "-2", ""),
    ("x*s - 2", r"\begin{vmatrix} x & 1 \\ 2 & s \end{vmatrix}", "correct", "s*x - 2", ""),
    ("2*x", r"2\begin{vmatrix} x & 0 \\ 0 & 1 \end{vmatrix}", "correct", "2*x", ""),
    ("x", r"\begin{vmatrix} 1 & x \end{vmatrix}", "incorrect", "", "det needs a square matrix"),
    ("x", r"\begin{vmatrix} x \end{bmatrix}", "invalid", "", r"`\end{bmatrix}` closes"),
    ("norm(v)", r"|v|", "invalid", "", "write `norm(...)` for its length or `abs(...)`"),
    ("abs(x)", r"|v^\top v| + |x| - v^\top v", "correct", "abs(x) + abs(norm(v)^2) - v^T*v", ""),
    ("hadamard(v, v)", r"v \circ v", "correct", "hadamard(v, v)", ""),
    ("hadamard(A, B)", r"A \circ B", "correct", "hadamard(A, B)", ""),
    ("x*s", r"x \circ s", "invalid", "", "reads as a composition of functions"),
    # Norms, fonts and transposes of declared vectors and matrices, as papers typeset them.
    ("norm(v)^2", r"\|v\|_2^2", "correct", "norm(v)^2", ""),
    ("norm(v)^2", r"\lVert v \rVert^2", "correct", "norm(v)^2", ""),
    ("X^T y", r"\mathbf{X}^\top \mathbf{y}", "correct", "X^T*y", ""),
    ("X^T y", r"X^\mathsf{T} y", "correct", "X^T*y", ""),
    ("X^T y", r"\mathbf{X}^{\mathsf{T}}\mathbf{y}", "correct", "X^T*y", ""),
    (
        "[theta, 3 theta]",
        r"\theta \begin{pmatrix}1\\3\end{pmatrix}",
        "correct",
        "[theta, 3*theta]",
        "",
    ),
]


@pytest.mark.parametrize(
    ("reference", "answer", "verdict", "echo", "says"), MATRICES, ids=[m[1] for m in MATRICES]
)
def test_bars_and_matrices(reference: str, answer: str, verdict: str, echo: str, says: str) -> None:
    data = equiv_json(
        reference, answer, "x, s, theta, A: n x n, B: n x n, v: n x 1, X: n x d, y: n x 1"
    )
    assert (data["verdict"], data["interpreted_as"]) == (verdict, echo), data["message"]
    assert says in data["message"]


def test_a_command_name_has_one_meaning() -> None:
    """The command tables are disjoint: a name is skipped, refused, tokens or a handler."""
    names = [name for table in TABLES.values() for name in table]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})
    assert {"frac", "begin", "alpha", "sum", "cdot", "quad", "text"} <= set(names)
