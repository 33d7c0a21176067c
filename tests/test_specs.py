from pathlib import Path

import pytest
from hwgrade.grader.errors import SpecError
from hwgrade.grader.specs import load_spec, validate_spec
from hwgrade.problems import BUILTIN_DIR

GOOD = """\
id: tiny
title: Tiny
statement: One part.
symbols:
  w: scalar
  X: n x d
solver: gnn_attention
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
    ("unknown_solver", GOOD.replace("solver: gnn_attention", "solver: gnn_atention"), "solver", 7),
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
