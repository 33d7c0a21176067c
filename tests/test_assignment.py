"""One assignment, one grade: ``check`` and ``grade`` score every file the same way.

The assignment is every problem of the set in use, narrowed by ``--problem`` or by
``assignment = [...]`` in hwgrade.toml; a problem a file leaves out is ``missing`` in
both commands and in every output.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.specs.problemset import load_problem_set

PROBLEMS = load_problem_set()

RNN_RIGHT = """    a.t: "u_3 + w u_2 + w^2 u_1"
    b: "u_3 + 2 w u_2 + 3 w^2 u_1"
"""
NORM = """  normalization_stats:
    mu_batch: [5/2, 5/2]
    var_batch: [13/11, 17/11]
"""
#: A small class: every kind of file the assignment must treat alike in both commands.
CLASS: dict[str, str] = {
    "full.yaml": "student: ann\nanswers:\n  rnn_backprop:\n" + RNN_RIGHT + NORM,
    # Skipped normalization_stats: 1/10.5 from `check` and 1/16.5 from `grade` before.
    "skipped.yaml": 'student: ben\nanswers:\n  rnn_backprop:\n    a.t: "u_3 + w u_2 + w^2 u_1"\n',
    "carried.yaml": (
        "student: cat\nanswers:\n  rnn_backprop:\n"
        '    a.y: "w^2 u_1 + w u_2 + u_3"\n    b: "2 w u_1 + u_2"\n'
    ),
    "other.yaml": 'student: dan\nanswers:\n  dropout_ridge:\n    regularizer: "p(1-p) w^T w"\n',
    "blank.yaml": "student: eve\nanswers:\n  rnn_backprop:\n    a.t: ''\n",
    "nothing.yaml": "student: fay\nanswers:\n  no_such_problem:\n    a: '1'\n",
    "broken.yaml": "answers: [unclosed\n",
}


def _run(args: list[str], cwd: Path | None = None) -> Any:
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, args, catch_exceptions=False)
    with runner.isolated_filesystem(temp_dir=cwd):
        return runner.invoke(cli, args, catch_exceptions=False)


@pytest.fixture()
def klass(tmp_path: Path) -> Path:
    folder = tmp_path / "subs"
    folder.mkdir()
    for name, text in CLASS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _grade(folder: Path, tmp_path: Path, *extra: str) -> dict[str, dict[str, Any]]:
    report = tmp_path / "report.json"
    _run(["grade", str(folder), "--json", str(report), "--workers", "1", "-q", *extra])
    return {Path(s["file"]).name: s for s in json.loads(report.read_text())["submissions"]}


def _check(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = _run(["check", "--json", str(path), *extra])
    return result.exit_code, json.loads(result.stdout)


def _parts(sub: dict[str, Any]) -> dict[str, tuple[str, float, float]]:
    return {
        f"{p['problem']}.{p['part']}": (p["verdict"], p["score"], p["max_score"])
        for p in sub["parts"]
    }


@pytest.mark.parametrize(
    "assignment",
    [(), ("rnn_backprop", "normalization_stats")],
    ids=["whole-set", "narrowed"],
)
def test_check_gives_every_file_the_grade_grade_gives(
    klass: Path, tmp_path: Path, assignment: tuple[str, ...]
) -> None:
    extra = [arg for pid in assignment for arg in ("--problem", pid)]
    graded = _grade(klass, tmp_path, *extra)
    assert sorted(graded) == sorted(CLASS)
    for name in CLASS:
        code, alone = _check(klass / name, *extra)
        batch = graded[name]
        assert (alone["score"], alone["max_score"]) == (batch["score"], batch["max_score"]), name
        assert alone["status"] == batch["status"], name
        assert _parts(alone) == _parts(batch), name
        assert code == (2 if batch["status"] != "graded" else 1), name


def test_a_skipped_problem_is_missing_and_counts_in_the_total(klass: Path) -> None:
    narrowed = ("--problem", "rnn_backprop", "--problem", "normalization_stats")
    code, data = _check(klass / "skipped.yaml", *narrowed)
    assert code == 1
    assert (data["score"], data["max_score"]) == (1.0, 16.5)
    norm = [p for p in data["parts"] if p["problem"] == "normalization_stats"]
    assert {p["verdict"] for p in norm} == {"missing"} and len(norm) == 6
    assert all("hwgrade template normalization_stats" in p["message"] for p in norm)
    _, whole = _check(klass / "skipped.yaml")  # the default: every problem of the set
    assert {p["problem"] for p in whole["parts"]} == set(PROBLEMS.ids)


def test_missing_problem_in_csv_and_gradescope(klass: Path, tmp_path: Path) -> None:
    out, gs = tmp_path / "g.csv", tmp_path / "gs"
    args = ["grade", str(klass), "--out", str(out), "--gradescope", str(gs), "-q"]
    _run([*args, "--workers", "1", "--problem", "rnn_backprop", "--problem", "dropout_ridge"])
    rows = {r["student"]: r for r in csv.DictReader(out.open(newline=""))}
    assert rows["ben"]["dropout_ridge.regularizer"] == "0"  # missing: 0 points, not blank
    assert rows["ben"]["max_score"] == rows["dan"]["max_score"] == "16.5"
    doc = json.loads((gs / "ben" / "results.json").read_text())
    tests = {t["number"]: t for t in doc["tests"]}
    assert "Verdict: missing" in tests["dropout_ridge.regularizer"]["output"]
    assert tests["dropout_ridge.regularizer"]["status"] == "failed"


def test_course_toml_assignment_is_used_by_both_commands(klass: Path, tmp_path: Path) -> None:
    (tmp_path / "hwgrade.toml").write_text(
        '[hwgrade]\nassignment = ["normalization_stats", "rnn_backprop"]\n', encoding="utf-8"
    )
    report = tmp_path / "r.json"
    result = _run(["grade", str(klass), "--json", str(report), "-q", "--workers", "1"], tmp_path)
    assert result.exit_code == 1, result.output  # two files cannot be graded
    subs = {Path(s["file"]).name: s for s in json.loads(report.read_text())["submissions"]}
    assert {p["problem"] for p in subs["skipped.yaml"]["parts"]} == {
        "rnn_backprop",
        "normalization_stats",
    }
    text = _run(["check", str(klass / "skipped.yaml")], tmp_path).stdout
    assert "Assignment: rnn_backprop, normalization_stats" in text  # the set's order
    assert "Score: 1 / 16.5" in text


def test_whole_set_check_header_names_no_assignment(klass: Path) -> None:
    text = _run(["check", str(klass / "full.yaml")]).stdout
    assert "Assignment:" not in text
    assert "nothing answered (" in text  # problems left out: one line each


@pytest.mark.parametrize("command", ["check", "grade"])
def test_unknown_problem_is_a_usage_error_naming_it(klass: Path, command: str) -> None:
    result = CliRunner().invoke(cli, [command, str(klass / "full.yaml"), "--problem", "rnn"])
    assert result.exit_code == 2
    assert "unknown problem `rnn`" in result.stderr and "rnn_backprop" in result.stderr


def test_unknown_problem_in_toml_assignment(tmp_path: Path) -> None:
    (tmp_path / "hwgrade.toml").write_text('[hwgrade]\nassignment = ["dropout_rigde"]\n')
    result = _run(["list"], tmp_path)
    assert result.exit_code == 2
    assert "hwgrade.toml" in result.stderr and "did you mean `dropout_ridge`?" in result.stderr


def test_a_file_answering_none_of_the_assignment_cannot_be_graded(klass: Path) -> None:
    code, data = _check(klass / "other.yaml", "--problem", "rnn_backprop")
    assert code == 2
    assert data["status"] == "the file answers none of the assignment's problems (rnn_backprop)"
    assert data["max_score"] == 10.5


def test_check_statement_shows_the_problems_text(klass: Path) -> None:
    args = ["check", str(klass / "full.yaml"), "--problem", "normalization_stats", "--statement"]
    text = CliRunner().invoke(cli, args, env={"COLUMNS": "80"}).stdout
    spec = PROBLEMS.get("normalization_stats")
    assert spec is not None
    first_words = " ".join(spec.statement.split()[:6])
    assert first_words in " ".join(text.split())
    plain = CliRunner().invoke(cli, args[:-1], env={"COLUMNS": "80"}).stdout
    assert first_words not in " ".join(plain.split())
