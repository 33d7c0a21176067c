"""The derivation mini-language: operations, names, exactness and its refusals."""

import pytest
import sympy

from hwgrade.grader.context import Context, SymbolDecl
from hwgrade.grader.errors import DeriveError
from hwgrade.grader.specs.derive import Deriver

w, x, y, u_1, u_2, u_3 = sympy.symbols("w x y u_1 u_2 u_3")
CTX = Context(tuple(SymbolDecl(n) for n in ("w", "x", "y", "u_1", "u_2", "u_3")))


def _deriver(**values):
    d = Deriver(CTX)
    for name, raw in values.items():
        d.define(name, d.evaluate(raw))
    return d


CASES = [
    ("diff", "diff(w^3 x, w)", 3 * w**2 * x),
    ("diff_n", "diff(w^3 x, w, 2)", 6 * w * x),
    ("nested", "diff(subs(w^2 y, y, x w), w)", 3 * w**2 * x),
    ("subs_pairs", "subs(w x + y, w, 2, x, 3, y, 1/2)", sympy.Rational(13, 2)),
    ("expand", "expand((w + 1)^2)", w**2 + 2 * w + 1),
    ("factor", "factor(w^2 - 1)", (w - 1) * (w + 1)),
    ("simplify", "simplify(exp(w)/(exp(w) + 1) - 1)", -1 / (sympy.exp(w) + 1)),
    ("arith_around_call", "2 diff(w^2, w) + 1", 4 * w + 1),
    ("call_then_name", "diff(w^2, w)x", 2 * w * x),
    ("exact_decimal", "0.6 w", sympy.Rational(3, 5) * w),
    ("max_scalar", "max(-2, 0)", 0),
    ("mean_all", "mean([[1, 2], [3, 5]])", sympy.Rational(11, 4)),
    ("sum_axis", "sum([[1, 2], [3, 5]], axes=[0])", sympy.ImmutableMatrix([4, 7])),
    ("matmul_1x1", "matmul([[1, 2]], [[3], [4]])", 11),
    ("transpose", "transpose([[1, 2]])", sympy.ImmutableMatrix([1, 2])),
    ("max_entrywise", "max([[-1, 2]], 0)", sympy.ImmutableMatrix([[0, 2]])),
]


@pytest.mark.parametrize("text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_operations(text, expected):
    got = _deriver().evaluate(text)
    if isinstance(expected, sympy.MatrixBase):
        assert got == expected
    else:
        assert sympy.simplify(got - expected) == 0


def test_definitions_chain_like_the_rnn():
    d = _deriver(t="u_3 + w(u_2 + w u_1)", y="w t")
    assert d.evaluate("expand(diff(y, w))") == sympy.expand(
        sympy.diff(w * (u_3 + w * (u_2 + w * u_1)), w)
    )


def test_matrix_definitions_in_arithmetic():
    d = _deriver(h=[[1, -1]], W=[[1, 1]], A=[[-0.8, 0.8]])
    assert d.evaluate("matmul(W, transpose(h)) + max(A, 0)") == sympy.ImmutableMatrix(
        [[0, sympy.Rational(4, 5)]]
    )


REFUSED = [
    ("unknown_name", "diff(q, w)", "q"),
    ("not_a_symbol", "diff(w^2, 2)", "declared symbol"),
    ("bad_keyword", "diff(w, w, axes=[0])", "axes"),
    ("subs_pairs", "subs(w, w)", "subs"),
    ("unbalanced", "diff(w, w", "unbalanced"),
    ("empty_arg", "diff(w,, w)", "empty argument"),
    ("bad_axes", "mean([[1]], axes=[5])", "axes"),
    ("ddof", "var([[1, 2]], ddof=3)", "ddof"),
    ("tensor_in_arithmetic", "2 T", "tensor"),
    ("python_is_not_run", "__import__('os')", "cannot read"),
    ("eval_name", "eval(w)", "cannot read"),
]


@pytest.mark.parametrize("text,fragment", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refusals_say_why(text, fragment):
    d = _deriver(T=[[[1, 2]], [[3, 4]]])
    with pytest.raises(DeriveError) as info:
        d.evaluate(text)
    assert fragment in info.value.message


def test_an_operation_is_worked_out_again_once_its_names_change():
    """Operations are remembered per deriver, and forgotten when a name is redefined."""
    d = Deriver(CTX)
    d.define("T", d.evaluate([[1, 2], [3, 5]]))
    assert d.evaluate("sum(T, axes=[0])") == sympy.ImmutableMatrix([4, 7])
    assert d.evaluate("2 sum(T, axes=[0])") == sympy.ImmutableMatrix([8, 14])
    d.define("T", d.evaluate([[0, 1], [1, 1]]))
    assert d.evaluate("sum(T, axes=[0])") == sympy.ImmutableMatrix([1, 2])


def test_exact_matrices_are_kept_and_decimals_made_fractions():
    d = _deriver(A=[[1, 2], [3, 4]], B=[[0.5, 1]])
    assert d.values["A"] is d.evaluate("A")
    assert d.values["B"] == sympy.ImmutableMatrix([[sympy.Rational(1, 2), 1]])
    assert d.evaluate("transpose(B)")[0, 0] == sympy.Rational(1, 2)


def _random_expression(rng, h, g, depth=0):
    """A random 1 x 3 sum, multiple, product or transpose of the rows ``h`` and ``g``."""
    pick = rng.randrange(6 if depth < 3 else 2)
    if pick == 0:
        return h
    if pick == 1:
        return g
    if pick == 2:
        c = sympy.Rational(rng.randint(-5, 5), rng.randint(1, 4))
        return c * _random_expression(rng, h, g, depth + 1)
    if pick == 3:
        return _random_expression(rng, h, g, depth + 1) + _random_expression(rng, h, g, depth + 1)
    row, left, right = (_random_expression(rng, h, g, depth + 1) for _ in range(3))
    if pick == 4:
        return row * (left.T * right)  # 1x3 times 3x3
    return ((left.T * right) * row.T).T  # the transpose of 3x3 times 3x1


def test_substituted_matrix_expressions_agree_with_sympys_doit():
    """Working out sums, multiples, products and transposes directly matches ``doit``."""
    import random

    from hwgrade.grader.specs.derive import _substitute

    rng = random.Random(31)
    h, g = sympy.MatrixSymbol("h", 1, 3), sympy.MatrixSymbol("g", 1, 3)
    for _ in range(300):
        expr = _random_expression(rng, h, g)
        table = {
            h: sympy.ImmutableMatrix([[rng.randint(-3, 3) for _ in range(3)]]),
            g: sympy.ImmutableMatrix([[sympy.Rational(rng.randint(-9, 9), 5) for _ in range(3)]]),
        }
        expected = expr.xreplace(table).doit()
        got = _substitute(expr, table)
        assert isinstance(got, sympy.ImmutableMatrix)
        assert got == sympy.ImmutableMatrix(expected), expr
