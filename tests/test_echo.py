"""Echo printers: plain text in the answer language, LaTeX, and the parse round trip."""

from __future__ import annotations

import importlib.util
import re
from typing import Any

import pytest
import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from hwgrade.grader.answer.echo import compact_float, to_latex, to_plain
from hwgrade.grader.context import parse_vars
from hwgrade.grader.results import Equality
from hwgrade.grader.verify.equivalence import compare

CTX = parse_vars("X: n x d, y: n x 1, v: d x 1, h: n x 1, w, u_1, u_2, u_3, p, x, b, z, d > n")
X, Y, V, H = (CTX.sym(n) for n in ("X", "y", "v", "h"))
w, u1, u2, u3, p, x, b, z = (CTX.sym(n) for n in ("w", "u_1", "u_2", "u_3", "p", "x", "b", "z"))
Zd = sympy.Symbol("zz")
M = sympy.ImmutableMatrix

PLAIN: list[tuple[Any, str]] = [
    (w * u3 + w**2 * u2 + w**3 * u1, "u_1*w^3 + u_2*w^2 + u_3*w"),
    (w * (u3 + w * (u2 + w * u1)), "w*(u_3 + w*(u_1*w + u_2))"),
    (sympy.Rational(13, 12), "13/12"),
    (sympy.Float("1.0833"), "1.0833"),
    (sympy.Float("1.0833", 30), "1.0833"),
    (sympy.Float("1e-3"), "0.001"),
    (sympy.Float(2.5e-12), "2.5e-12"),
    (sympy.Float("0.3333") * x, "0.3333*x"),
    (x**-2, "x^(-2)"),
    (x ** sympy.Rational(1, 3), "x^(1/3)"),
    (x ** (w**b), "x^(w^b)"),
    (sympy.sqrt(x), "sqrt(x)"),
    (1 / sympy.sqrt(x), "1/sqrt(x)"),
    (sympy.exp(-x), "exp(-x)"),
    (sympy.E, "e"),
    (sympy.log(x), "log(x)"),
    (1 / (1 + sympy.exp(-z)), "sigmoid(z)"),
    (2 / (1 + sympy.exp(-z)), "2*sigmoid(z)"),
    (sympy.Abs(x), "abs(x)"),
    (sympy.Max(0, x), "max(0, x)"),
    (p * (1 - p), "p*(1 - p)"),
    (x / 2, "x/2"),
    (sympy.pi * x, "pi*x"),
    (X.T * (X * X.T).I * Y, "X^T*(X*X^T)^-1*y"),
    ((X.T * X).I, "(X^T*X)^-1"),
    ((X * V).T, "v^T*X^T"),
    (sympy.Transpose(X * V), "(X*v)^T"),
    (sympy.HadamardProduct(X * V, Y), "hadamard(X*v, y)"),
    (sympy.HadamardProduct(Y, H, X * V), "hadamard(hadamard(y, h), X*v)"),
    (sympy.Trace(X.T * X), "trace(X^T*X)"),
    (sympy.DiagMatrix(Y), "diag(y)"),
    (sympy.DiagonalOf(X * X.T), "diag(X*X^T)"),
    (sympy.Identity(CTX.sym("n")) - X * X.T, "I - X*X^T"),
    (3 * X * V - Y, "3*X*v - y"),
    # Scalar coefficients of matrix products print without SymPy's extra parentheses,
    # and a matrix sum puts its positive terms first.
    (p * (1 - p) * V.T * V, "p*(1 - p)*v^T*v"),
    (sympy.Mul(-2, x, evaluate=False) * (X * V - Y) + Y, "y - 2*x*(X*v - y)"),
    (-2 / CTX.sym("n") * X.T * (Y - X * V), "-2/n*X^T*(y - X*v)"),
    ((x + 1) * X * V, "(x + 1)*X*v"),
    (-X * V + Y, "y - X*v"),
    (-X * V, "-X*v"),
    (ElementwiseApplyFunction(sympy.Lambda(Zd, 1 / (1 + sympy.exp(-Zd))), X * V), "sigmoid(X*v)"),
    (ElementwiseApplyFunction(sympy.Lambda(Zd, sympy.exp(Zd)), X * V), "exp(X*v)"),
    (ElementwiseApplyFunction(sympy.Lambda(Zd, sympy.Max(0, Zd)), X * V), "relu(X*v)"),
    (M([1, 2, 3]), "[1, 2, 3]"),
    (M([[1, 2, 3]]), "[[1, 2, 3]]"),
    (M([[1, sympy.Rational(1, 2)], [x, sympy.Float("0.5")]]), "[[1, 1/2], [x, 0.5]]"),
    (M([[7]]), "7"),
    (sympy.ImmutableDenseNDimArray(range(8), (2, 2, 2)), "[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]"),
    ([1, 2], "[1, 2]"),
    (3, "3"),
]


@pytest.mark.parametrize(("value", "expected"), PLAIN, ids=[e for _, e in PLAIN])
def test_plain(value: Any, expected: str) -> None:
    assert to_plain(value) == expected


LATEX: list[tuple[Any, str]] = [
    (X.T * Y, r"X^{\top} y"),
    ((X * X.T).I, r"\left(X X^{\top}\right)^{-1}"),
    (sympy.HadamardProduct(X * V, Y), r"\left(X v\right) \odot y"),
    (M([1, 2]), r"\begin{bmatrix}1\\2\end{bmatrix}"),
    (1 / (1 + sympy.exp(-z)), r"\sigma\left(z\right)"),
    (sympy.Float("2.5e-12"), r"2.5 \cdot 10^{-12}"),
    (sympy.Rational(13, 12), r"\frac{13}{12}"),
    (sympy.Trace(X), r"\operatorname{tr}\left(X\right)"),
]


@pytest.mark.parametrize(("value", "expected"), LATEX, ids=[e for _, e in LATEX])
def test_latex(value: Any, expected: str) -> None:
    assert to_latex(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(sympy.Float("1.0833"), "1.0833"), (sympy.Float(100.0), "100"), (sympy.Float(1e20), "1e20")],
    ids=str,
)
def test_compact_float(value: sympy.Float, expected: str) -> None:
    assert compact_float(value) == expected


ROUND_TRIP = [v for v, _ in PLAIN] + [
    sympy.Float("0.3333") * x + sympy.Rational(1, 3),
    (X.T * X + sympy.Identity(CTX.sym("d"))).I * X.T * Y,
    sympy.sqrt(sympy.Trace(Y.T * Y)),
    sympy.OneMatrix(CTX.sym("n"), 1) - H,
    -2 / CTX.sym("n") * X.T * (Y - X * V) * b,
    -(x + 1) / 3 * X * V,
    x / (2 * p) * X.T * Y,
]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=[to_plain(v) for v in ROUND_TRIP])
def test_round_trip(value: Any) -> None:
    if importlib.util.find_spec("hwgrade.grader.answer.language") is None:
        pytest.skip("the parser (hwgrade.grader.answer.language) is not there yet")
    from hwgrade.grader.answer.language import read_answer

    text = to_plain(value)
    parsed = read_answer(text, CTX, "plain").value
    result = compare(value, parsed, CTX)
    assert result.outcome is Equality.EQUAL, f"{text!r}: {result.reason}"


def _key_answers() -> list[tuple[str, Any, Any, Any]]:
    """(id, the key's plain answer, the solver's value, context) for every built-in part."""
    from hwgrade.grader.output.keys import key_json
    from hwgrade.grader.specs.problemset import load_problem_set
    from hwgrade.grader.specs.solving import solve

    problem_set = load_problem_set()
    key = {p["id"]: p for p in key_json(problem_set.problems)["problems"]}
    rows = []
    for spec in problem_set.problems:
        solution = solve(spec)
        for part in key[spec.id]["parts"]:
            if part["kind"] in ("choice", "manual"):
                continue
            rows.append(
                (f"{spec.id}.{part['id']}", part["answer"], solution.answers[part["id"]], spec)
            )
    return rows


KEY_ANSWERS = _key_answers()


@pytest.mark.parametrize(
    ("answer", "value", "spec"),
    [row[1:] for row in KEY_ANSWERS],
    ids=[row[0] for row in KEY_ANSWERS],
)
def test_key_answers_read_back_equivalent(answer: Any, value: Any, spec: Any) -> None:
    """The key's plain answers (what students copy from) read back to the solver's values."""
    from hwgrade.grader.answer.language import read_answer

    parsed = read_answer(answer, spec.context, "plain").value
    result = compare(value, parsed, spec.context, orientation_free=True)
    assert result.outcome is Equality.EQUAL, f"{answer!r}: {result.reason}"


#: A parenthesised scalar product in front of ``*``: ``(-2*eta)*``, ``(p*(1 - p))*``.
_WRAPPED_COEFFICIENT = re.compile(r"\((-[\w/.^]+(\*[\w/.^]+)*|p\*\(1 - p\))\)\*")


def test_key_echo_has_no_parenthesised_scalar_coefficients() -> None:
    for name, answer, _, _ in KEY_ANSWERS:
        if isinstance(answer, str):
            assert not _WRAPPED_COEFFICIENT.search(answer), (name, answer)
    assert _WRAPPED_COEFFICIENT.search("(-2*eta)*(X*a)")
    assert _WRAPPED_COEFFICIENT.search("(p*(1 - p))*w^T*w")


# --- tuples `(a, b)` ----------------------------------------------------------------------

from hwgrade.grader.answer.echo import to_pretty  # noqa: E402

TUPLES: list[tuple[Any, str, str]] = [
    (sympy.Tuple(1, 2), "(1, 2)", r"\left(1, 2\right)"),
    (
        sympy.Tuple(sympy.Rational(1, 5), sympy.Float("4.5", 30), -x),
        "(1/5, 4.5, -x)",
        r"\left(\frac{1}{5}, 4.5, - x\right)",
    ),
    (sympy.Tuple(u1**2, sympy.sqrt(w)), "(u_1^2, sqrt(w))", r"\left(u_{1}^{2}, \sqrt{w}\right)"),
    (
        sympy.Tuple(1 / (1 + sympy.exp(-z)), 0),
        "(sigmoid(z), 0)",
        r"\left(\sigma\left(z\right), 0\right)",
    ),
]


@pytest.mark.parametrize(("value", "plain", "latex"), TUPLES, ids=[p for _, p, _ in TUPLES])
def test_tuple_echo_reads_back_as_the_same_tuple(value: Any, plain: str, latex: str) -> None:
    from hwgrade.grader.answer.language import read_answer

    assert (to_plain(value), to_latex(value)) == (plain, latex)
    for text, syntax in ((plain, "plain"), (latex, "latex")):
        parsed = read_answer(text, CTX, syntax).value  # type: ignore[arg-type]
        assert isinstance(parsed, sympy.Tuple), text
        assert compare(value, parsed, CTX).outcome is Equality.EQUAL, text
    assert to_pretty(plain).startswith("(") and to_pretty(plain).endswith(")")
