"""Builder: every construct becomes a SymPy value that instantiates to the right matrix."""

import random
from typing import Any

import pytest
import sympy

from hwgrade.grader.answer.language import instantiate, read_answer
from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.errors import ShapeError

OPEN = Context(open=True)
CTX = parse_vars("X: n x d, A: n x n, v: n x 1, y: n x 1, w: d x 1, p")
rng = random.Random(7)


def rand(rows: int, cols: int) -> sympy.ImmutableMatrix:
    return sympy.ImmutableMatrix(
        rows,
        cols,
        [sympy.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(rows * cols)],
    )


def values(ctx: Context, sizes: dict[str, int]) -> tuple[dict[Any, Any], dict[str, Any]]:
    """A substitution for the consumer (MatrixSymbols, dims) and the same as plain matrices."""
    subs: dict[Any, Any] = {ctx.dim(k): sympy.Integer(v) for k, v in sizes.items()}
    plain: dict[str, Any] = {}
    for decl in ctx.symbols:
        if decl.shape is None:
            val = sympy.Rational(rng.randint(1, 9), 7)
        else:
            dims = [sizes[d] if isinstance(d, str) else d for d in decl.shape]
            val = rand(*dims)
        subs[ctx.sym(decl.name)] = val
        plain[decl.name] = val
    return subs, plain


def sig(m: sympy.ImmutableMatrix) -> sympy.ImmutableMatrix:
    return m.applyfunc(lambda z: 1 / (1 + sympy.exp(-z)))


CASES = [
    ("X^T y", lambda m: m["X"].T * m["y"]),
    ("A⁻¹ v", lambda m: m["A"].inv() * m["v"]),
    ("inv(A) v", lambda m: m["A"].inv() * m["v"]),
    ("A^2 v", lambda m: m["A"] ** 2 * m["v"]),
    ("transpose(X) v", lambda m: m["X"].T * m["v"]),
    ("A.T@v", lambda m: m["A"].T * m["v"]),
    ("1 - v", lambda m: sympy.ones(3, 1) - m["v"]),
    ("2 + p v", lambda m: 2 * sympy.ones(3, 1) + m["p"] * m["v"]),
    ("I - A", lambda m: sympy.eye(3) - m["A"]),
    ("(2I + A) v", lambda m: (2 * sympy.eye(3) + m["A"]) * m["v"]),
    ("I - X(X^TX)^-1X^T", lambda m: sympy.eye(3) - m["X"] * (m["X"].T * m["X"]).inv() * m["X"].T),
    ("v ⊙ y", lambda m: m["v"].multiply_elementwise(m["y"])),
    ("hadamard(v, y) + v", lambda m: m["v"].multiply_elementwise(m["y"]) + m["v"]),
    ("trace(A)", lambda m: m["A"].trace()),
    ("diag(v)", lambda m: sympy.diag(*m["v"])),
    ("diag(A)", lambda m: sympy.Matrix([m["A"][i, i] for i in range(3)])),
    ("diag(A) + v", lambda m: sympy.Matrix([m["A"][i, i] for i in range(3)]) + m["v"]),
    ("norm(v)", lambda m: sympy.sqrt(sum(x**2 for x in m["v"]))),
    ("norm(X)", lambda m: sympy.sqrt(sum(x**2 for x in m["X"]))),
    ("norm(y - pXw)^2", lambda m: sum(x**2 for x in m["y"] - m["p"] * m["X"] * m["w"])),
    (r"\|y - pXw\|_2^2", lambda m: sum(x**2 for x in m["y"] - m["p"] * m["X"] * m["w"])),
    ("sigmoid(v)", lambda m: sig(m["v"])),
    ("1 - sigmoid(X w)", lambda m: sympy.ones(3, 1) - sig(m["X"] * m["w"])),
    ("v^T v", lambda m: m["v"].T * m["v"]),
    ("v^T v / n", lambda m: (m["v"].T * m["v"])[0, 0] / 3),
    ("(v^T v) X", lambda m: (m["v"].T * m["v"])[0, 0] * m["X"]),
    ("sqrt(v^T v)", lambda m: sympy.sqrt((m["v"].T * m["v"])[0, 0])),
    ("X / 2", lambda m: m["X"] / 2),
    ("A^0", lambda m: sympy.eye(3)),
    ("det(A)", lambda m: m["A"].det()),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_instantiates(text: str, expected: Any) -> None:
    value = read_answer(text, CTX).value
    subs, plain = values(CTX, {"n": 3, "d": 2})
    plain["n"] = 3
    got = value.xreplace(subs).doit()
    if isinstance(got, sympy.MatrixExpr) and not isinstance(got, sympy.MatrixBase):
        got = instantiate(value, subs)
    want = expected(plain)
    got, want = (
        x[0, 0] if isinstance(x, sympy.MatrixBase) and x.shape == (1, 1) else x for x in (got, want)
    )
    if isinstance(want, sympy.MatrixBase) or isinstance(got, sympy.MatrixBase):
        got_m, want_m = sympy.Matrix(got), sympy.Matrix(want)
        assert got_m.shape == want_m.shape
        assert (got_m - want_m).applyfunc(sympy.simplify) == sympy.zeros(*want_m.shape)
    else:
        assert sympy.simplify(got - want) == 0


@pytest.mark.parametrize(
    "text",
    [
        "X X",
        "y + w",
        "X v",
        "A + X",
        "v ⊙ w",
        "inv(X)",
        "trace(X)",
        "diag(X)",
        "X / v",
        "I + 1",
        "I",
        "[[1, 2], [3]]",
        "[[1, 2], [2, 4]]^-1",
    ],
    ids=lambda v: v,
)
def test_shape_errors(text: str) -> None:
    with pytest.raises(ShapeError):
        read_answer(text, CTX)


def test_shape_error_names_both_shapes() -> None:
    with pytest.raises(ShapeError) as info:
        read_answer("X X", parse_vars("X: 3 x 5"))
    assert "3x5" in info.value.message and info.value.message.count("3x5") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.5", sympy.Float("2.5", 30)),
        ("1e-3", sympy.Float("0.001", 30)),
        ("13/12", sympy.Rational(13, 12)),
        ("1/2x", sympy.Symbol("x") / 2),
        ("2e", 2 * sympy.E),
        ("pi", sympy.pi),
        (
            "exp(x) + ln(x) + log(x)",
            sympy.exp(sympy.Symbol("x")) + 2 * sympy.log(sympy.Symbol("x")),
        ),
        ("abs(x) + sqrt(x)", sympy.Abs(sympy.Symbol("x")) + sympy.sqrt(sympy.Symbol("x"))),
        (
            "sin(x)+cos(x)+tan(x)+tanh(x)",
            sum(f(sympy.Symbol("x")) for f in (sympy.sin, sympy.cos, sympy.tan, sympy.tanh)),
        ),
        ("relu(x)", sympy.Max(0, sympy.Symbol("x"))),
        (
            "max(x, 1) + min(x, 2)",
            sympy.Max(sympy.Symbol("x"), 1) + sympy.Min(sympy.Symbol("x"), 2),
        ),
        ("σ(z)", 1 / (1 + sympy.exp(-sympy.Symbol("z")))),
        ("η + eta", 2 * sympy.Symbol("eta")),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_scalars(text: str, expected: Any) -> None:
    value = read_answer(text, OPEN).value
    assert sympy.simplify(value - expected) == 0
    if isinstance(expected, sympy.Float):
        assert value._prec >= 99  # at least 30 decimal digits


def test_declared_e_and_sigma() -> None:
    ctx = parse_vars("e, sigma, z")
    value = read_answer("sigma(z) + e", ctx).value
    e, s, z = (ctx.sym(k) for k in ("e", "sigma", "z"))
    assert sympy.expand(value - (s * z + e)) == 0


def test_lists_and_arithmetic() -> None:
    got = read_answer("0.6*[-2, 2] + [1, 0]", OPEN)
    assert got.value.shape == (2, 1) and got.flat_list and got.has_decimals
    assert abs(got.value[0] - sympy.Rational(-1, 5)) < 1e-25
    tensor = read_answer("[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]", OPEN).value
    assert tensor.shape == (2, 2, 2)
    matrix = read_answer("[[1, 2], [3, 4]]", OPEN)
    assert matrix.value.shape == (2, 2) and not matrix.flat_list


def test_huge_powers_rejected() -> None:
    from hwgrade.grader.errors import AnswerLimitError

    huge = ("10^10^10", "2^(2^100)", "(2^1000)^1000", "x^10001", "(x^9999)^9999")
    for text in (*huge, "((9^999)^999)^999"):
        with pytest.raises(AnswerLimitError):
            read_answer(text, OPEN)


# --- tuples `(a, b)` ----------------------------------------------------------------------

from hwgrade.grader.errors import AnswerSyntaxError  # noqa: E402

_x = sympy.Symbol("x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(1, 2)", sympy.Tuple(1, 2)),
        ("(x, 2x, x^2)", sympy.Tuple(_x, 2 * _x, _x**2)),
        ("(1/2, 0.5)", sympy.Tuple(sympy.Rational(1, 2), sympy.Float("0.5", 30))),
        ("(max(x, 1), -x)", sympy.Tuple(sympy.Max(_x, 1), -_x)),
        ("([1, 2]^T*[3, 4], 1)", sympy.Tuple(11, 1)),  # a 1x1 product is a scalar entry
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_tuples_are_tuples_of_scalars(text: str, expected: Any) -> None:
    assert read_answer(text, OPEN).value == expected


@pytest.mark.parametrize(
    ("text", "ctx", "fragment"),
    [
        ("(v, 1)", CTX, "entry 1 of the tuple is a n x 1 matrix"),
        ("(p, X)", CTX, "entry 2 of the tuple is a n x d matrix"),
        ("([1, 2], 3)", OPEN, "entry 1 of the tuple is a 2x1 matrix"),
        ("(I, p)", CTX, "entry 1 of the tuple is the identity `I`"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_tuple_entries_must_be_scalars(text: str, ctx: Context, fragment: str) -> None:
    with pytest.raises(AnswerSyntaxError) as info:
        read_answer(text, ctx)
    assert fragment in info.value.message


# --- numbers too large to evaluate ------------------------------------------------------

from hwgrade.grader.errors import AnswerLimitError  # noqa: E402


@pytest.mark.parametrize(
    "text",
    [
        "exp(exp(exp(3)))",
        "sin(exp(exp(exp(3))) + 3)",
        "e^(e^(e^3))",
        "7^exp(exp(3))",
        "exp(10001)",
        "sigmoid(-exp(exp(10)))",
        "exp(exp(10)) - 1",
    ],
    ids=["exp-tower", "sin-of-tower", "e-power-tower", "symbolic-exponent", "just-over", "sigmoid",
         "exp-exp-10"],
)  # fmt: skip
def test_constant_exponents_are_bounded_by_value(text: str) -> None:
    with pytest.raises(AnswerLimitError):
        read_answer(text, OPEN)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exp(10000)", sympy.exp(10000)),
        ("exp(exp(3))", sympy.exp(sympy.exp(3))),
        ("2^sqrt(2)", 2 ** sympy.sqrt(2)),
        ("exp(x^2)", sympy.exp(sympy.Symbol("x") ** 2)),
    ],
    ids=["at-the-bound", "exp-exp-3", "irrational-exponent", "symbolic"],
)
def test_reasonable_exponents_still_read(text: str, expected: Any) -> None:
    assert read_answer(text, OPEN).value == expected


# --- diag(v) -----------------------------------------------------------------------------


def test_diag_of_a_symbolic_vector_keeps_the_written_order() -> None:
    from hwgrade.grader.answer.echo import to_plain

    value = read_answer("diag(hadamard(v, 1 - v)) A", CTX).value
    assert to_plain(value) == "diag(hadamard(v, 1 - v))*A"
    assert to_plain(value.doit()) == "diag(hadamard(v, 1 - v))*A"  # nothing reordered


def test_diag_becomes_explicit_once_the_vector_is() -> None:
    v = CTX.sym("v")
    diag = read_answer("diag(v)", CTX).value
    explicit = sympy.ImmutableMatrix([1, 2, 3])
    assert diag.xreplace({v: explicit}).doit() == sympy.ImmutableMatrix(sympy.diag(1, 2, 3))
    one = sympy.ImmutableMatrix([[5]])
    assert diag.xreplace({v: one}).doit() == one


def test_diag_pulls_scalars_out_of_a_product() -> None:
    value = read_answer("diag(2 p v)", CTX).value.doit()
    p, v = CTX.sym("p"), CTX.sym("v")
    assert value == 2 * p * read_answer("diag(v)", CTX).value
    assert value.xreplace({v: sympy.ImmutableMatrix([1, 1, 1]), p: 1}).doit() == 2 * sympy.eye(3)


def test_dividing_by_a_number_reads_as_the_expression_times_its_reciprocal() -> None:
    """``(t) * 18/18`` is ``t`` as read alone: division does not re-sort what was built."""
    from hwgrade.grader.answer.echo import to_plain

    alone = read_answer("X^T y + w", CTX).value
    divided = read_answer("(X^T y + w) * 18/18", CTX).value
    assert divided == alone
    assert to_plain(divided) == to_plain(alone) == "X^T*y + w"
    half = read_answer("(X w - y) / 2", CTX).value
    assert half == read_answer("1/2 (X w - y)", CTX).value


# --- the subtree cache: a class's answers read alike with and without it ---------------


def _class_texts() -> list[tuple[str, Context]]:
    """Every generated answer of the built-in set (key forms, rewrites, mistakes, own)."""
    from hwgrade.grader.specs.problemset import load_problem_set
    from tests.classgen import load

    mc = load()
    problem_set = load_problem_set(None)
    pool = mc.answer_pool(problem_set)
    texts: list[tuple[str, Context]] = []
    for spec in problem_set.problems:
        for part in spec.parts:
            k = f"{spec.id}.{part.id}"
            if part.kind in ("manual", "choice") or k not in pool.exact:
                continue
            answers = [pool.exact[k], *pool.rewrites[k], *pool.wrong[k]]
            answers += [mc.own_answer(pool, k, n, right) for n in range(2, 25) for right in (1, 0)]
            texts += [(a, spec.context) for a in answers if isinstance(a, str)]
    more = ["sigmoid(X w) + sigmoid(X w)", "X w - y + (X w - y)", "[[1, 2], [3, 4]] [1, 2]"]
    return texts + [(t, CTX) for t in more]


def _read(text: str, ctx: Context) -> Any:
    """What a reading gives, elementwise functions' fresh variables made canonical."""
    from hwgrade.grader.answer.echo import to_plain
    from hwgrade.grader.verify.proof import canonical_lambdas

    try:
        parsed = read_answer(text, ctx)
    except Exception as exc:
        return type(exc).__name__, str(exc)
    fields = (parsed.names, parsed.notes, parsed.flat_list, parsed.has_decimals, parsed.syntax)
    value, structure = canonical_lambdas(parsed.value), canonical_lambdas(parsed.structure)
    return value, structure, fields, to_plain(parsed.value)


def test_the_subtree_cache_changes_no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of answers sharing subexpressions: identical values, names, flags, echo."""
    from hwgrade.grader.answer import build

    texts = _class_texts()
    assert len(texts) > 1500
    build._SUBTREES.clear()
    cached = [_read(t, c) for t, c in texts]
    assert len(build._SUBTREES) > 100  # it was used
    monkeypatch.setattr(build, "MAX_KEYED_NODES", -1)  # every tree built afresh
    fresh = [_read(t, c) for t, c in texts]
    for (text, _), a, b in zip(texts, cached, fresh, strict=True):
        assert a == b, text


def test_distributing_a_number_by_the_shallow_step_changes_no_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``r (A + B)`` distributed by hwgrade's shortcut reads exactly as SymPy's own rule."""
    from hwgrade.grader.answer import build
    from hwgrade.grader.values import matrixops

    r, a_plus_b = sympy.Rational(1, 3), CTX.sym("X") * CTX.sym("w") + CTX.sym("y")
    assert matrixops._distributed(sympy.MatMul(r, a_plus_b)) is not None  # the shortcut applies
    assert matrixops._product(r, a_plus_b) == sympy.MatMul(r, a_plus_b).doit()
    texts = _class_texts()
    build._SUBTREES.clear()
    shortcut = [_read(t, c) for t, c in texts]
    monkeypatch.setattr(matrixops, "_distributed", lambda product: None)  # SymPy's rule
    build._SUBTREES.clear()
    sympys = [_read(t, c) for t, c in texts]
    build._SUBTREES.clear()
    for (text, _), a, b in zip(texts, shortcut, sympys, strict=True):
        assert a == b, text


def test_elementwise_functions_of_matrices_are_never_shared() -> None:
    """Their bound variable is fresh per build: two readings stay distinct objects."""
    first = read_answer("sigmoid(X w) + y", CTX).value
    second = read_answer("sigmoid(X w) + y", CTX).value
    assert first is not second
    assert read_answer("X w - y", CTX).value is read_answer("X w  -  y", CTX).value
