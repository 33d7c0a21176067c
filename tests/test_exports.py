"""Grades CSV, JSON report, Gradescope and Canvas files (tests/test_exports.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

# The hand-built batch shared with test_summary, test_report and test_exports.
from sample_batch import (
    BROKEN,
    FEEDBACK_B,
    MU,
    PROMPTS,
    WRONG_B,
    A,
    B,
    batch,
)

from hwgrade.grader.output.exports import (
    CANVAS_COLUMNS,
    CSV_BASE_COLUMNS,
    NOTE_COLUMN,
    fmt_points,
    gradescope_results,
    part_keys_of,
    report_json,
    safe_dir_name,
    spec_part_keys,
    spec_points,
    spec_prompts,
    write_canvas_csv,
    write_csv,
    write_gradescope_dir,
)
from hwgrade.grader.output.summary import summarize
from hwgrade.grader.results import GRADED, AnswerResult, PartResult, SubmissionResult, Verdict

KEYS = [A, B, MU]


def _csv_rows(results: list[SubmissionResult], keys: list[str]) -> list[list[str]]:
    buf = io.StringIO(newline="")
    write_csv(results, buf, keys)
    return list(csv.reader(io.StringIO(buf.getvalue())))


# ---------------------------------------------------------------- grades CSV


def test_csv_header_and_one_row_per_file() -> None:
    rows = _csv_rows(batch(), KEYS)
    assert rows[0] == [*CSV_BASE_COLUMNS, *KEYS, NOTE_COLUMN]
    assert len(rows) == 1 + len(batch())
    assert all(len(r) == len(rows[0]) for r in rows)


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, ["alice", "subs/alice.yaml", "graded", "4", "4", "100", "1", "2", "1", ""]),
        (1, ["bob", "subs/bob.yaml", "graded", "1", "4", "25", "1", "0", "0", ""]),
        (5, None),  # the formula-injection row, checked below
        (
            6,
            [
                "frank",
                "subs/broken.yaml",
                BROKEN,
                "0",
                "4",
                "0",
                "",
                "",
                "",
                "",
            ],
        ),
    ],
    ids=["all-correct", "some-wrong", "evil-id", "ungraded-empty-parts"],
)
def test_csv_rows(index: int, expected: list[str] | None) -> None:
    row = _csv_rows(batch(), KEYS)[1 + index]
    if expected is None:
        assert row[0].startswith("'=")  # neutralised: a spreadsheet shows it as text
        assert row[3:] == ["2", "4", "50", "1", "1", "0", ""]
    else:
        assert row == expected


def test_csv_missing_part_column_is_empty() -> None:
    rows = _csv_rows(batch()[:1], [A, "other.part"])
    assert rows[1][-3:] == ["1", "", ""]


def test_csv_derives_part_keys_when_none_given() -> None:
    assert _csv_rows(batch(), [])[0][len(CSV_BASE_COLUMNS) : -1] == KEYS
    assert part_keys_of(batch()) == KEYS


def test_csv_to_path(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "grades.csv"
    write_csv(batch(), out, KEYS)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("student,file,status,score,max_score,percent,")
    assert "\x1b" not in text


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (0.5, "0.5"), (2 / 3, "0.666667"), (0.0, "0"), (-0.0, "0"), (62.5, "62.5")],
    ids=["int", "half", "third", "zero", "neg-zero", "percent"],
)
def test_fmt_points(value: float, text: str) -> None:
    assert fmt_points(value) == text


# ---------------------------------------------------------------- JSON report


def test_report_json_matches_design() -> None:
    results = batch()
    doc = report_json(results, summarize(results))
    doc = json.loads(json.dumps(doc))
    assert set(doc) == {"submissions", "summary"}
    assert len(doc["submissions"]) == 7
    for sub in doc["submissions"]:
        assert {"student", "file", "status", "score", "max_score", "parts"} <= set(sub)
        for part in sub["parts"]:
            assert {
                "problem",
                "part",
                "verdict",
                "score",
                "max_score",
                "message",
                "interpreted_as",
            } <= set(part)
            assert part["verdict"] in {v.value for v in Verdict}
    assert doc["submissions"][6]["parts"] == []
    assert doc["submissions"][6]["status"].startswith("not YAML")
    parts = {p["key"]: p for p in doc["summary"]["parts"]}
    assert parts[B]["pass_rate"] == pytest.approx(1 / 6, abs=1e-4)
    assert parts[B]["common_wrong"][0]["count"] == 3


def test_report_json_strips_escapes_from_student_text() -> None:
    results = batch()
    text = json.dumps(report_json(results, summarize(results)))
    assert "\u001b" not in text and "\x1b" not in text
    assert "gotcha" in text  # the content stays, only the escape sequences go


# ---------------------------------------------------------------- Gradescope

_TEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "score": float,
    "max_score": float,
    "name": str,
    "number": str,
    "output": str,
    "status": str,
    "visibility": str,
}


def _check_gradescope(doc: dict[str, Any]) -> None:
    json.dumps(doc)  # serialisable
    assert isinstance(doc["score"], float)
    assert isinstance(doc["output"], str)
    assert doc["visibility"] == "visible"
    assert doc["stdout_visibility"] in {"hidden", "visible"}
    assert isinstance(doc["tests"], list)
    for test in doc["tests"]:
        for key, typ in _TEST_TYPES.items():
            assert isinstance(test[key], typ), key
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] == "visible"


@pytest.mark.parametrize("index", range(7), ids=[f"sub{i}" for i in range(7)])
def test_gradescope_required_fields(index: int) -> None:
    _check_gradescope(gradescope_results(batch()[index], prompts=PROMPTS, part_keys=KEYS))


def test_gradescope_graded_tests() -> None:
    doc = gradescope_results(batch()[1], prompts=PROMPTS)
    assert doc["score"] == 1.0
    assert [t["number"] for t in doc["tests"]] == KEYS
    a, b, mu = doc["tests"]
    assert (a["status"], b["status"], mu["status"]) == ("passed", "failed", "failed")
    assert b["name"] == "b: dy/dw"
    assert (b["score"], b["max_score"]) == (0.0, 2.0)
    assert "incorrect" in b["output"] and FEEDBACK_B in b["output"] and WRONG_B in b["output"]
    assert "[1, 2" in mu["output"]  # unreadable: the raw answer is quoted
    assert "REF-SECRET" not in json.dumps(doc)
    assert "did you mean" in doc["output"]


def test_gradescope_partial_credit_is_failed_with_points() -> None:
    b = gradescope_results(batch()[5])["tests"][1]
    assert (b["status"], b["score"], b["max_score"]) == ("failed", 1.0, 2.0)


@pytest.mark.parametrize(
    ("verdict", "score", "status"),
    [
        (Verdict.CORRECT, 2.0, "passed"),
        (Verdict.CARRIED_FORWARD, 2.0, "passed"),  # full credit for the own earlier answer
        (Verdict.CARRIED_FORWARD, 1.0, "failed"),  # partial: still costs points
        (Verdict.INCORRECT, 1.0, "failed"),
        (Verdict.INCORRECT, 0.0, "failed"),
        (Verdict.MISSING, 0.0, "failed"),
    ],
    ids=["correct", "carried-full", "carried-partial", "partial", "wrong", "missing"],
)
def test_gradescope_status_per_verdict(verdict: Verdict, score: float, status: str) -> None:
    part = PartResult("p", "b", AnswerResult(verdict, score, 2.0, "why"), "x")
    sub = SubmissionResult("s", "s.yaml", GRADED, (part,))
    [test] = gradescope_results(sub)["tests"]
    assert (test["status"], test["score"], test["max_score"]) == (status, score, 2.0)
    assert f"Verdict: {verdict.value}" in test["output"]


def test_gradescope_prompt_is_truncated() -> None:
    a = gradescope_results(batch()[0], prompts={A: "word " * 50})["tests"][0]
    assert a["name"].startswith("a: word") and a["name"].endswith("…") and len(a["name"]) < 70


def test_gradescope_ungraded_still_valid() -> None:
    frank = batch()[-1]
    doc = gradescope_results(frank, part_keys=KEYS, points={A: 1, B: 2, MU: 1})
    _check_gradescope(doc)
    assert doc["score"] == 0.0
    assert "could not be graded" in doc["output"] and "bad indentation" in doc["output"]
    assert [(t["number"], t["score"], t["max_score"], t["status"]) for t in doc["tests"]] == [
        (A, 0.0, 1.0, "failed"),
        (B, 0.0, 2.0, "failed"),
        (MU, 0.0, 1.0, "failed"),
    ]
    bare = gradescope_results(frank)
    _check_gradescope(bare)
    assert bare["tests"] == []


def test_gradescope_dir_writes_every_submission(tmp_path: Path) -> None:
    results = batch()
    paths = write_gradescope_dir(results, tmp_path / "gs")
    assert len(paths) == len(results) == len(set(paths))
    for path in paths:
        assert path.name == "results.json"
        assert path.resolve().is_relative_to((tmp_path / "gs").resolve())
        _check_gradescope(json.loads(path.read_text(encoding="utf-8")))
    frank = json.loads(paths[-1].read_text(encoding="utf-8"))
    assert paths[-1].parent.name == "frank"
    assert [t["max_score"] for t in frank["tests"]] == [1.0, 2.0, 1.0]


def test_gradescope_dir_names_are_safe_and_unique(tmp_path: Path) -> None:
    results = [
        SubmissionResult(s, f, "not YAML")
        for s, f in [
            ("alice", "a.yaml"),
            ("Alice", "b.yaml"),
            ("../../etc", "c.yaml"),
            ("", "d e.yaml"),
        ]
    ]
    names = [p.parent.name for p in write_gradescope_dir(results, tmp_path)]
    assert names == ["alice", "Alice-2", "etc", "d_e"]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("alice", "alice"),
        ("../x", "x"),
        ("a/b\\c", "a_b_c"),
        ("...", "submission"),
        ("é", "submission"),
    ],
    ids=["plain", "traversal", "separators", "dots", "non-ascii"],
)
def test_safe_dir_name(name: str, safe: str) -> None:
    assert safe_dir_name(name) == safe


# ---------------------------------------------------------------- Canvas


def test_canvas_csv_format() -> None:
    buf = io.StringIO(newline="")
    write_canvas_csv(batch(), buf, assignment="HW 3 (1234)")
    rows = list(csv.reader(io.StringIO(buf.getvalue())))
    assert rows[0] == [*CANVAS_COLUMNS, "HW 3 (1234)"]
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1] == ["Points Possible", "", "", "", "", "4"]
    assert rows[2] == ["alice", "", "", "alice", "", "4"]
    assert rows[6][5] == "0"  # erin
    assert rows[7][0].startswith("'=") and rows[7][3].startswith("'=")
    assert rows[8] == ["frank", "", "", "frank", "", "0"]  # ungraded: 0, so it is noticed
    assert len(rows) == 2 + len(batch())


def test_canvas_points_possible_override_and_formula_assignment(tmp_path: Path) -> None:
    out = tmp_path / "canvas.csv"
    write_canvas_csv(batch()[:1], out, assignment="=evil()", points_possible=10)
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert rows[0][-1] == "'=evil()"
    assert rows[1][-1] == "10"


# ---------------------------------------------------------------- spec helpers


def _specs() -> list[Any]:
    part = SimpleNamespace
    return [
        SimpleNamespace(
            id="rnn_backprop",
            parts=[part(id="a", prompt="t?", points=1), part(id="b", prompt="dy/dw", points=2)],
        ),
        SimpleNamespace(id="normalization_stats", parts=[part(id="mu", prompt="mean", points=1)]),
    ]


def test_spec_helpers_feed_the_writers() -> None:
    assert spec_part_keys(_specs()) == KEYS
    assert spec_prompts(_specs()) == {A: "t?", B: "dy/dw", MU: "mean"}
    assert spec_points(_specs()) == {A: 1.0, B: 2.0, MU: 1.0}
    doc = gradescope_results(batch()[-1], part_keys=KEYS, points=spec_points(_specs()))
    assert sum(t["max_score"] for t in doc["tests"]) == 4.0
