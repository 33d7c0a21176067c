"""The manual score sheet: written, filled by a TA, applied everywhere, never rewritten."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.errors import UsageError
from hwgrade.grader.output.manualsheet import ManualPart, normalise, read_sheet

#: init_symmetry and linear_bottleneck are 2-point manual parts of the built-in free_text.
ANSWERS = {
    "ana": ("Symmetric weights get identical gradients.", "Rank at most k."),
    "ben": ("  symmetric weights get IDENTICAL gradients ", "Rank at most k"),
    "cai": ("Because of biases.", "Rank at most k."),
    "dee": ("", "-1 + fewer parameters"),
}
POINTS = {
    "free_text.init_symmetry": ManualPart("free_text.init_symmetry", 2.0),
    "free_text.linear_bottleneck": ManualPart("free_text.linear_bottleneck", 2.0),
}


def _submission(folder: Path, student: str, first: str, second: str) -> None:
    text = (
        f"student: {student}\nanswers:\n  free_text:\n"
        f"    init_symmetry: {json.dumps(first)}\n    linear_bottleneck: {json.dumps(second)}\n"
    )
    (folder / f"{student}.yaml").write_text(text)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    for student, (first, second) in ANSWERS.items():
        _submission(subs, student, first, second)
    return tmp_path


def _grade(course: Path, *extra: str) -> tuple[int, str]:
    args = ["grade", str(course / "subs"), "--problem", "free_text", "-q"]
    args += ["--manual", str(course / "sheet.csv"), *extra]
    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stderr


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(), newline="")))


def _fill(path: Path, scores: dict[tuple[str, str], tuple[str, str]]) -> None:
    """Fill score and comment cells as a TA would: by part and first student of the row."""
    table = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    for row in table[1:]:
        key = (row[0], row[3].split(";")[0].strip())
        if key in scores:
            row[5], row[6] = scores[key]
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(table)
    path.write_bytes(buffer.getvalue().encode())


def test_the_sheet_groups_distinct_answers_largest_first(course: Path) -> None:
    code, err = _grade(course)
    assert code == 0, err
    rows = _rows(course / "sheet.csv")
    assert list(rows[0]) == ["part", "points", "count", "students", "answer", "score", "comment"]
    got = [(r["part"].split(".")[1], r["count"], r["students"], r["score"]) for r in rows]
    assert got == [
        ("init_symmetry", "2", "ana; ben", ""),  # spacing, case and the final stop differ
        ("init_symmetry", "1", "cai", ""),  # dee left it blank: nothing to score, no row
        ("linear_bottleneck", "3", "ana; ben; cai", ""),
        ("linear_bottleneck", "1", "dee", ""),
    ]
    assert rows[3]["answer"] == "'-1 + fewer parameters"  # never a spreadsheet formula
    assert all(r["points"] == "2" for r in rows)
    readable = (course / "sheet.md").read_text()
    assert "## free_text.init_symmetry (2 points)" in readable
    assert "Because of biases." in readable and "Students: ana, ben" in readable
    assert "4 hand-graded answer(s) not scored yet" not in err  # 7 answers wait
    assert "7 hand-graded answer(s) not scored yet" in err


def test_filled_scores_reach_every_output_and_reruns_keep_the_tas_bytes(course: Path) -> None:
    out, gs, canvas, report = (course / n for n in ("grades.csv", "gs", "canvas.csv", "r.json"))
    assert _grade(course)[0] == 0
    _fill(
        course / "sheet.csv",
        {
            ("free_text.init_symmetry", "ana"): ("2", "Right: symmetry."),
            ("free_text.init_symmetry", "cai"): ("0.5", "Biases do not break it."),
            ("free_text.linear_bottleneck", "ana"): ("1", ""),
        },
    )
    filled = (course / "sheet.csv").read_bytes()
    extra = ["--out", str(out), "--gradescope", str(gs), "--canvas", str(canvas)]
    code, err = _grade(course, *extra, "--json", str(report))
    assert code == 0, err
    assert (course / "sheet.csv").read_bytes() == filled  # nothing new: not rewritten
    grades = {r["student"]: r for r in _rows(out)}
    assert grades["ana"]["free_text.init_symmetry"] == "2"
    assert grades["ben"]["free_text.init_symmetry"] == "2"  # the row's score is the group's
    assert grades["cai"]["free_text.init_symmetry"] == "0.5"
    assert grades["dee"]["free_text.init_symmetry"] == "0"  # blank: 0 of 2, nothing to read
    assert grades["dee"]["free_text.linear_bottleneck"] == ""  # answered, not scored: pending
    assert (grades["ana"]["score"], grades["ana"]["max_score"]) == ("3", "4")
    assert grades["dee"]["max_score"] == "2"  # the pending part is not counted yet
    tests = {t["number"]: t for t in json.loads((gs / "ana" / "results.json").read_text())["tests"]}
    assert tests["free_text.init_symmetry"]["status"] == "passed"
    assert tests["free_text.init_symmetry"]["score"] == 2.0
    assert "Right: symmetry." in tests["free_text.init_symmetry"]["output"]
    assert (
        tests["free_text.linear_bottleneck"]["status"],
        tests["free_text.linear_bottleneck"]["score"],
    ) == ("failed", 1.0)
    dee = {t["number"]: t for t in json.loads((gs / "dee" / "results.json").read_text())["tests"]}
    assert "status" not in dee["free_text.linear_bottleneck"]  # pending: neither pass nor fail
    canvas_rows = list(csv.reader(io.StringIO(canvas.read_text(), newline="")))
    assert ["ana", "", "", "ana", "", "3"] in canvas_rows
    summary = json.loads(report.read_text())["summary"]
    parts = {p["key"]: p for p in summary["parts"]}
    assert parts["free_text.linear_bottleneck"]["pending"] == 1
    assert "1 hand-graded answer(s) not scored yet (free_text.linear_bottleneck 1)" in err

    # a late file and a changed answer: appended after the TA's bytes, which stay as they were
    _submission(course / "subs", "eve", "Because of biases", "It is cheaper.")
    _submission(course / "subs", "cai", "Symmetry is never broken.", "Rank at most k.")
    code, err = _grade(course, "--out", str(out), "--resume")
    assert code == 0, err
    now = (course / "sheet.csv").read_bytes()
    assert now.startswith(filled) and len(now) > len(filled)
    added = _rows(course / "sheet.csv")[4:]
    assert [(r["students"], r["answer"], r["score"]) for r in added] == [
        ("eve", "Because of biases", ""),  # as cai's scored row, but eve is not in it
        ("cai", "Symmetry is never broken.", ""),
        ("eve", "It is cheaper.", ""),
    ]
    grades = {r["student"]: r for r in _rows(out)}
    assert grades["cai"]["free_text.init_symmetry"] == ""  # a new answer waits for its score
    assert grades["ana"]["free_text.init_symmetry"] == "2"


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ("free_text.init_symmetry,2,1,ana,x,lots,", "row 2: the score `lots` is not a number"),
        ("free_text.init_symmetry,2,1,ana,x,-1,", "row 2: the score -1 is outside 0 to 2"),
        ("free_text.init_symmetry,2,1,ana,x,2.5,", "row 2: the score 2.5 is outside 0 to 2"),
        ("free_text.init_symmetry,2,1,ana,x,nan,", "row 2: the score nan is outside 0 to 2"),
        ("free_text.nope,2,1,ana,x,1,", "row 2: unknown manual part `free_text.nope`"),
        ('free_text.init_symmetry,2,1,ana,"x,1,', "not a readable CSV"),
        (
            "free_text.init_symmetry,2,1,ana,x,1,\nfree_text.init_symmetry,2,1,ana,X.,2,",
            "student `ana` is in rows 2 and 3 for the same answer to free_text.init_symmetry",
        ),
    ],
    ids=["text", "negative", "above", "nan", "unknown-part", "malformed", "twice"],
)
def test_a_bad_sheet_stops_before_anything_is_written(course: Path, row: str, says: str) -> None:
    sheet = course / "sheet.csv"
    sheet.write_text("part,points,count,students,answer,score,comment\n" + row + "\n")
    before = sheet.read_bytes()
    code, err = _grade(course, "--out", str(course / "grades.csv"))
    assert code == 2 and says in err, err
    assert not (course / "grades.csv").exists() and not (course / "sheet.md").exists()
    assert sheet.read_bytes() == before


def test_a_missing_column_and_no_manual_part_are_usage_errors(course: Path) -> None:
    (course / "sheet.csv").write_text("part,students,answer\n")
    code, err = _grade(course)
    assert code == 2 and "row 1 lacks the column(s) score, comment" in err
    args = ["grade", str(course / "subs"), "--problem", "rnn_backprop", "--manual", "s.csv"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "no hand-graded (manual) parts" in result.stderr
    code, err = _grade(course, "--out", str(course / "sheet.csv"))
    assert code == 2 and "is also another output of this run" in err


def test_a_split_group_is_two_rows_each_with_its_score(tmp_path: Path) -> None:
    """A TA may split a group by editing `students`; each student meets their own row."""
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "part,points,count,students,answer,score,comment\n"
        "free_text.init_symmetry,2,1,ana,Same.,2,\n"
        "free_text.init_symmetry,2,1,ben,same,1,weaker\n"
    )
    read = read_sheet(sheet, POINTS)
    assert read.lookup("free_text.init_symmetry", "ben", "Same").score == 1  # type: ignore[union-attr]
    assert read.lookup("free_text.init_symmetry", "ana", "same!").score == 2  # type: ignore[union-attr]
    assert read.lookup("free_text.init_symmetry", "cai", "same") is None
    with pytest.raises(UsageError):
        read_sheet(sheet, {})  # its parts are not manual parts of this assignment


@pytest.mark.parametrize(
    ("text", "key"),
    [("  A  b. ", "a b"), ("Rank at most k!?", "rank at most k"), ("x;", "x"), ("", "")],
)
def test_normalise(text: str, key: str) -> None:
    assert normalise(text) == key


def test_check_shows_hand_graded_parts_with_their_points(course: Path) -> None:
    args = ["check", str(course / "subs" / "ana.yaml"), "--problem", "free_text"]
    result = CliRunner().invoke(cli, args, terminal_width=80)
    lines = [line for line in result.stdout.splitlines() if "init_symmetry" in line]
    assert lines and "graded by hand" in lines[0] and lines[0].rstrip().endswith("– / 2")
    assert "0 / 0" not in lines[0] and "undecided" not in lines[0]


def test_a_new_sheet_changes_nothing_else(course: Path) -> None:
    with_sheet, without = course / "a.csv", course / "b.csv"
    assert _grade(course, "--out", str(with_sheet))[0] == 0
    plain = ["grade", str(course / "subs"), "--problem", "free_text", "-q", "--out", str(without)]
    assert CliRunner().invoke(cli, plain).exit_code == 0
    assert with_sheet.read_bytes() == without.read_bytes()
