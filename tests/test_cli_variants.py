"""Variants end to end through click's CliRunner: key, template, check, grade, list.

The central promise: with variants on, two students get different numbers, and each
scores full marks with their own key's answers and not with the other's.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from hwgrade.grader.batch.resume import fingerprint
from hwgrade.grader.cli.commands import cli
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.specs.variants import student_variant, variant_spec

PROBLEMS = load_problem_set()
VARYING = [s.id for s in PROBLEMS.problems if s.variation is not None]
#: The assignment of these tests: the varying problems (the others would be `missing`).
ASSIGNED = [arg for pid in VARYING for arg in ("--problem", pid)]


def _pair() -> tuple[str, str]:
    """Two student ids whose variants differ in every varying problem (RNN has 3 choices)."""
    first = "alice"
    mine = {pid: variant_spec(PROBLEMS.get(pid), student_variant(first)) for pid in VARYING}
    for i in range(200):
        other = f"bob{i}"
        theirs = {pid: variant_spec(PROBLEMS.get(pid), student_variant(other)) for pid in VARYING}
        if all(mine[p].parameters != theirs[p].parameters for p in VARYING):
            return first, other
    raise AssertionError("no pair of students with different numbers everywhere")


ALICE, BOB = _pair()


def _run(args: list[str], **kwargs: Any) -> Any:
    return CliRunner().invoke(cli, args, catch_exceptions=False, **kwargs)


def _key(student: str, *extra: str) -> list[dict[str, Any]]:
    result = _run(["key", *VARYING, "--format", "json", "--student", student, *extra])
    assert result.exit_code == 0
    return json.loads(result.stdout)["problems"]


def _submission(path: Path, student: str, key: list[dict[str, Any]]) -> Path:
    answers = {p["id"]: {q["id"]: q["answer"] for q in p["parts"]} for p in key}
    path.write_text(yaml.safe_dump({"student": student, "answers": answers}), encoding="utf-8")
    return path


def test_varying_problems_are_the_four_the_issue_names():
    assert set(VARYING) == {
        "rnn_backprop",
        "normalization_stats",
        "gnn_attention",
        "staged_computation",
    }


def test_two_students_get_different_numbers_and_only_their_own_key_scores(tmp_path):
    keys = {s: _key(s, "--variants") for s in (ALICE, BOB)}
    for a, b in zip(keys[ALICE], keys[BOB], strict=True):
        assert a["variant"] != b["variant"] and a["parameters"] != b["parameters"]
        assert [p["answer"] for p in a["parts"]] != [p["answer"] for p in b["parts"]]
    own = {s: _submission(tmp_path / f"{s}.yaml", s, keys[s]) for s in keys}
    swapped = {
        ALICE: _submission(tmp_path / "alice-with-bob.yaml", ALICE, keys[BOB]),
        BOB: _submission(tmp_path / "bob-with-alice.yaml", BOB, keys[ALICE]),
    }
    for student in (ALICE, BOB):
        mine = _run(["check", str(own[student]), "--variants", "--json", *ASSIGNED])
        assert mine.exit_code == 0, mine.stdout
        data = json.loads(mine.stdout)
        assert data["score"] == data["max_score"] and data["variant"] == student_variant(student)
        other = _run(["check", str(swapped[student]), "--variants", "--json", *ASSIGNED])
        assert other.exit_code == 1
        data = json.loads(other.stdout)
        assert data["score"] < data["max_score"]
        for problem in VARYING:  # every varying problem loses points on the wrong numbers
            got = [p for p in data["parts"] if p["problem"] == problem]
            assert any(p["verdict"] != "correct" for p in got), problem


def test_without_variants_everyone_gets_the_specs_numbers(tmp_path):
    default = json.loads(_run(["key", *VARYING, "--format", "json"]).stdout)["problems"]
    assert _key(ALICE) == default  # --student is a no-op while variants are off
    assert all("variant" not in p for p in default)
    sub = _submission(tmp_path / "a.yaml", ALICE, default)
    assert _run(["check", str(sub), *ASSIGNED]).exit_code == 0
    assert _run(["check", str(sub), "--variants", *ASSIGNED]).exit_code == 1


def test_course_toml_turns_variants_on(tmp_path, monkeypatch):
    assignment = ", ".join(f'"{pid}"' for pid in VARYING)  # the course's assignment
    (tmp_path / "hwgrade.toml").write_text(
        f'[hwgrade]\nvariants = true\nvariant_salt = "t1"\nassignment = [{assignment}]\n'
    )
    monkeypatch.chdir(tmp_path)
    key = _key(ALICE)
    assert key[0]["variant"] == student_variant(ALICE, "t1")
    sub = _submission(tmp_path / "a.yaml", ALICE, key)
    assert _run(["check", str(sub)]).exit_code == 0
    assert _run(["check", str(sub), "--no-variants"]).exit_code == 1
    (tmp_path / "hwgrade.toml").write_text("[hwgrade]\nvariants = 3\n")
    result = _run(["key", "--student", ALICE])
    assert result.exit_code == 2 and "must be true or false" in result.stderr


def test_grade_folder_grades_each_file_on_its_own_variant(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    keys = {s: _key(s, "--variants") for s in (ALICE, BOB)}
    _submission(folder / "a.yaml", ALICE, keys[ALICE])
    _submission(folder / "b.yaml", BOB, keys[BOB])
    _submission(folder / "c.yaml", "carol", keys[ALICE])  # carol copied alice's answers
    out, report = tmp_path / "g.csv", tmp_path / "r.json"
    args = ["grade", str(folder), "--variants", "--out", str(out), "--json", str(report), *ASSIGNED]
    result = _run([*args, "--workers", "1", "-q"])
    assert result.exit_code == 0
    rows = {r["student"]: r for r in csv.DictReader(out.open())}
    assert rows[ALICE]["score"] == rows[ALICE]["max_score"]
    assert rows[BOB]["score"] == rows[BOB]["max_score"]
    assert float(rows["carol"]["score"]) < float(rows["carol"]["max_score"])
    plain = tmp_path / "plain.csv"
    _run(["grade", str(folder), "--out", str(plain), "--workers", "1", "-q", *ASSIGNED])
    with plain.open() as handle:  # the gradebook's columns do not depend on variants
        assert next(csv.reader(handle)) == next(csv.reader(out.open()))
    submissions = json.loads(report.read_text())["submissions"]
    assert {s["student"]: s["variant"] for s in submissions} == {
        ALICE: student_variant(ALICE),
        BOB: student_variant(BOB),
        "carol": student_variant("carol"),
    }


def test_check_report_names_the_variant(tmp_path):
    sub = _submission(tmp_path / "a.yaml", ALICE, _key(ALICE, "--variants"))
    result = _run(["check", str(sub), "--variants", *ASSIGNED], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert f"variant {student_variant(ALICE)}" in first and "[dim]" not in first
    plain = _run(["check", str(sub), *ASSIGNED], env={"COLUMNS": "120"})
    assert "variant" not in plain.stdout.splitlines()[0]


def test_template_shows_the_students_own_statement():
    result = _run(["template", "staged_computation", "--student", ALICE, "--variants"])
    assert result.exit_code == 0
    spec = variant_spec(PROBLEMS.get("staged_computation"), student_variant(ALICE))
    x = spec.parameters["inputs"]["x"]
    assert f'student: "{ALICE}"' in result.stdout
    assert f"(variant {spec.variant})" in result.stdout
    assert f"# | Run it forward with x = {x}," in result.stdout
    assert yaml.safe_load(result.stdout)["student"] == ALICE


@pytest.mark.parametrize("fmt", ["text", "md", "tex"])
def test_key_of_one_variant_names_it(fmt):
    result = _run(["key", "gnn_attention", "--variant", "12", "--format", fmt])
    assert result.exit_code == 0
    assert "variant 12" in result.stdout


def test_variant_and_student_together_is_a_usage_error():
    result = _run(["key", "--variant", "3", "--student", ALICE])
    assert result.exit_code == 2 and "not both" in result.stderr


def test_student_without_variants_says_so():
    result = _run(["key", "staged_computation", "--student", ALICE])
    assert result.exit_code == 0 and "variants are off" in result.stderr


def test_list_marks_what_varies():
    result = _run(["list"])
    assert "varies" in result.stdout and "variants: off" in result.stdout
    assert "inputs.x" in result.stdout


def test_resume_cache_is_invalidated_by_the_variant_setting():
    on = load_problem_set(None, True)
    off = load_problem_set(None, False)
    assert fingerprint(on) != fingerprint(off)
