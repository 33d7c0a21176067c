from pathlib import Path

import pytest
import sympy

from hwgrade.grader.errors import SolverError, SpecError
from hwgrade.grader.specs.specfile import load_spec
from hwgrade.grader.specs.validation import validate_spec
from hwgrade.problems import BUILTIN_DIR
from hwgrade.solver import Solution, register


@register("tiny_solver")
def _tiny(params, ctx):
    if len(params["weights"]) != len(params["neighbours"]):
        raise SolverError("neighbours and weights do not match")
    n = params["tokens"]
    return Solution(
        {
            "update_rule": ("A",),
            "h1_next": sympy.ImmutableMatrix([[0, 1]]),
            "edges": sympy.Integer(n * (n - 1)),
        }
    )


GOOD = """\
id: tiny
title: Tiny
statement: One part.
symbols:
  w: scalar
  X: n x d
solver: tiny_solver
parameters:
  states: {1: [1, 0], 2: [0, 1]}
  target: 1
  neighbours: [2]
  weights: [1]
  W: [1, 1]
  tokens: 3
  rule_options: {A: sum_in, B: sum_out}
parts:
  - id: update_rule
    prompt: Which rule?
    kind: choice
    choices: {A: in, B: out}
  - id: h1_next
    prompt: New state.
    points: 2
    tolerance: 1e-3
  - id: edges
    prompt: Edges.
"""

BROKEN = [
    ("missing_title", GOOD.replace("title: Tiny\n", ""), "title", 1),
    ("bad_points", GOOD.replace("points: 2", "points: -1"), "parts[1].points", 23),
    ("points_text", GOOD.replace("points: 2", "points: lots"), "parts[1].points", 23),
    ("unknown_kind", GOOD.replace("kind: choice", "kind: essay"), "parts[0].kind", 19),
    ("dup_part", GOOD.replace("id: edges", "id: h1_next"), "parts[2].id", 25),
    ("unknown_solver", GOOD.replace("solver: tiny_solver", "solver: tiny_solvr"), "solver", 7),
    ("bad_shape", GOOD.replace("X: n x d", "X: n x x x d"), "symbols.X", 6),
    ("unknown_field", GOOD.replace("title: Tiny", "title: Tiny\ntitel: x"), "titel", 3),
    (
        "unknown_part_field",
        GOOD.replace("prompt: Edges.", "prompt: Edges.\n    pionts: 3"),
        "parts[2].pionts",
        27,
    ),
    (
        "choice_without_choices",
        GOOD.replace("    choices: {A: in, B: out}\n", ""),
        "parts[0].kind",
        19,
    ),
    ("dup_key", GOOD.replace("title: Tiny", "title: Tiny\ntitle: Again"), "title", 3),
    ("bad_relation", GOOD.replace("parts:", "relations: ['d >> n']\nparts:"), "relations[0]", 16),
    (
        "digits_and_tolerance",
        GOOD.replace("tolerance: 1e-3", "tolerance: 1e-3\n    digits: 4"),
        "parts[1].digits",
        25,
    ),
    ("digits_text", GOOD.replace("tolerance: 1e-3", "digits: four"), "parts[1].digits", 24),
    ("digits_negative", GOOD.replace("tolerance: 1e-3", "digits: -1"), "parts[1].digits", 24),
]


@pytest.mark.parametrize("name,text,field,line", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_spec_names_file_field_and_line(tmp_path, name, text, field, line):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    err = info.value
    assert err.path == str(path) and err.field == field and err.line == line, str(err)
    assert str(path) in str(err) and field in str(err)


@pytest.mark.parametrize(
    ("field", "tolerance"), [("digits: 4", 1e-4), ("digits: 0", 0.0), ("", 1e-3)]
)
def test_digits_is_the_tolerance_an_instructor_thinks_in(tmp_path, field, tolerance):
    path = tmp_path / "digits.yaml"
    path.write_text(GOOD.replace("tolerance: 1e-3", field))
    assert load_spec(path).part("h1_next").tolerance == tolerance


def test_good_spec_loads_and_validates(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    spec = load_spec(path)
    assert spec.part("h1_next").tolerance == pytest.approx(1e-3)
    assert spec.context.lookup("X").shape == ("n", "d")
    assert validate_spec(path) == []


def test_solver_missing_answer_and_extra_answer(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        GOOD.replace("  - id: edges\n    prompt: Edges.\n", "  - id: nodes\n    prompt: N.\n")
    )
    messages = [str(e) for e in validate_spec(path)]
    assert any("no reference answer for part `nodes`" in m for m in messages)
    assert any("answers part `edges`" in m for m in messages)


def test_solver_failure_is_reported(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("weights: [1]", "weights: [1, 2]"))
    (err,) = validate_spec(path)
    assert "failed" in str(err) and err.field == "parameters" and err.line == 8


def test_choice_reference_must_be_an_option(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("choices: {A: in, B: out}", "choices: {B: out, C: x}"))
    assert any("not among its choices" in str(e) for e in validate_spec(path))


def test_not_yaml_and_empty(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n")
    with pytest.raises(SpecError) as info:
        load_spec(bad)
    assert info.value.line is not None
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(SpecError, match="empty"):
        load_spec(empty)


def test_tags_are_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(GOOD.replace("title: Tiny", "title: !!python/object:os.system x"))
    with pytest.raises(SpecError):
        load_spec(path)


@pytest.mark.parametrize("path", sorted(BUILTIN_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_builtin_specs_validate(path: Path):
    assert validate_spec(path) == []


DERIVED = """\
id: derived
title: Derived
statement: No solver.
symbols:
  w: scalar
  x: scalar
parameters: {x_0: 2}
definitions:
  L: "(w x)^2"
parts:
  - id: a
    prompt: dL/dw
    reference: "diff(L, w)"
    mistakes:
      - derive: "diff(L, w) / 2"
        message: chain rule
        credit: 0.5
  - id: b
    prompt: which?
    kind: choice
    choices: {A: one, B: two}
    reference: B
  - id: c
    prompt: essay
    kind: manual
    model_answer: anything
"""

BROKEN_DERIVED = [
    ("no_reference", DERIVED.replace('    reference: "diff(L, w)"\n', ""), "parts[0]", 11),
    ("choice_label", DERIVED.replace("reference: B", "reference: C"), "parts[1].reference", 22),
    (
        "manual_reference",
        DERIVED.replace("model_answer: anything", "reference: w"),
        "parts[2].reference",
        26,
    ),
    (
        "answer_and_derive",
        DERIVED.replace("        message: chain rule", "        answer: w\n        message: x"),
        "parts[0].mistakes[0]",
        15,
    ),
    ("definition_is_symbol", DERIVED.replace("  L: ", "  w_: 1\n  w: "), "definitions.w", 10),
    ("submission_file", "student: bob\nanswers:\n  derived: {a: w}\n", "answers", 2),
]


@pytest.mark.parametrize("name,text,field,line", BROKEN_DERIVED, ids=[b[0] for b in BROKEN_DERIVED])
def test_broken_derived_spec_names_file_field_and_line(tmp_path, name, text, field, line):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    err = info.value
    assert err.path == str(path) and err.field == field and err.line == line, str(err)


def test_derived_spec_validates_without_a_solver(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(DERIVED)
    spec = load_spec(path)
    assert spec.solver == "" and spec.derived
    assert spec.part("a").mistakes == () and len(spec.part("a").derived_mistakes) == 1
    assert validate_spec(path) == []


BAD_DERIVATIONS = [
    (
        "bad_reference",
        ('reference: "diff(L, w)"', 'reference: "diff(L, q)"'),
        "parts[0].reference",
        13,
    ),
    (
        "bad_mistake",
        ('derive: "diff(L, w) / 2"', 'derive: "diff(L, w, x)"'),
        "parts[0].mistakes[0].derive",
        15,
    ),
    ("bad_definition", ('L: "(w x)^2"', 'L: "(w x)^^2"'), "definitions.L", 9),
]


@pytest.mark.parametrize(
    "name,edit,field,line", BAD_DERIVATIONS, ids=[b[0] for b in BAD_DERIVATIONS]
)
def test_failing_derivation_names_file_field_and_line(tmp_path, name, edit, field, line):
    path = tmp_path / f"{name}.yaml"
    path.write_text(DERIVED.replace(*edit))
    (err,) = validate_spec(path)
    assert err.path == str(path) and err.field == field and err.line == line, str(err)
    assert f"{path}:{line}" in str(err)


# ---------------------------------------------------------------- symbol properties


SYMBOLS = [
    ("unknown_property", "  G: {shape: d x d, properties: [diagonl]}\n", "`diagonl` is not a"),
    ("matrix_property_on_scalar", "  q: {shape: scalar, properties: [diagonal]}\n", "of a scalar"),
    ("scalar_property_on_matrix", "  G: {shape: d x d, properties: [unit_interval]}\n", "matrix"),
    ("not_square", "  G: {shape: n x d, properties: [symmetric]}\n", "needs a square shape"),
    ("unreadable_definition", '  G: {shape: d x d, definition: "X^T X +"}\n', "cannot read"),
    ("wrong_shape_definition", '  G: {shape: d x d, definition: "X X^T"}\n', "the symbol d x d"),
    ("self_definition", '  G: {shape: d x d, definition: "2 G"}\n', "the symbol it defines"),
]


@pytest.mark.parametrize("name,line,says", SYMBOLS, ids=[s[0] for s in SYMBOLS])
def test_bad_symbol_properties_and_definitions(tmp_path, name, line, says):
    path = tmp_path / f"{name}.yaml"
    path.write_text(GOOD.replace("  X: n x d\n", "  X: n x d\n" + line))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert says in str(info.value) and "symbols." in str(info.value.field)


def test_properties_and_definitions_are_read(tmp_path):
    path = tmp_path / "good.yaml"
    extra = (
        "  p: {shape: scalar, properties: [unit_interval]}\n"
        '  G: {shape: d x d, properties: [diagonal], definition: "sqrt(diag(diag(X^T X)))"}\n'
        '  h: {shape: n x 1, definition: "0"}\n'
    )
    path.write_text(GOOD.replace("  X: n x d\n", "  X: n x d\n" + extra))
    ctx = load_spec(path).context
    assert ctx.lookup("p").has("unit_interval") and ctx.sym("p").is_positive
    assert ctx.lookup("G").has("diagonal") and ctx.lookup("G").definition is not None
    assert isinstance(ctx.lookup("h").definition, sympy.ZeroMatrix)
    assert validate_spec(path) == []


def test_validate_reports_a_definition_that_breaks_a_property(tmp_path):
    path = tmp_path / "bad.yaml"
    line = '  G: {shape: d x d, properties: [diagonal], definition: "X^T X"}\n'
    path.write_text(GOOD.replace("  X: n x d\n", "  X: n x d\n" + line))
    [error] = validate_spec(path)
    assert "the definition of `G` is not diagonal" in str(error)
    assert error.field == "symbols.G.definition"


def test_select_all_mistakes_give_feedback_not_credit(tmp_path):
    """The select-all rule scores every pick: a credit there would be silently ignored."""
    multi = "kind: choice\n    multiple: true\n    mistakes: [{answer: A, message: m, credit: 0.5}]"
    path = tmp_path / "multi.yaml"
    path.write_text(GOOD.replace("kind: choice", multi))
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert info.value.field == "parts[0].mistakes[0].credit"
    assert "select-all rule" in str(info.value)
    path.write_text(GOOD.replace("kind: choice", multi.replace(", credit: 0.5", "")))
    assert load_spec(path).part("update_rule").multiple
