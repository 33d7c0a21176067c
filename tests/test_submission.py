"""Submission structure checks: ids, types, notes, and file-level failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SubmissionError
from hwgrade.grader.grading.submission import NAMELESS, load_submission, parse_submission
from hwgrade.grader.specs.model import PartSpec, ProblemSpec

SPEC = ProblemSpec(
    id="rnn_backprop",
    title="t",
    statement="s",
    context=Context(),
    parameters={},
    solver="x",
    parts=(PartSpec("a.t", "p"), PartSpec("a.y", "p"), PartSpec("b", "p")),
)
PROBLEMS = {"rnn_backprop": SPEC}


def test_student_defaults_to_file_stem() -> None:
    sub = parse_submission({"answers": {"rnn_backprop": {"b": "1"}}}, "dir/alice.yaml", PROBLEMS)
    assert sub.student == "alice"
    assert sub.answers == {"rnn_backprop": {"b": "1"}}
    assert sub.notes == (NAMELESS,)  # the batch report lists nameless files


def test_student_field_is_used() -> None:
    sub = parse_submission({"student": "bob", "answers": {}}, "x.yaml", PROBLEMS)
    assert sub.student == "bob"


@pytest.mark.parametrize(
    ("answers", "note"),
    [
        (
            {"rnn_backprp": {"b": "1"}},
            "unknown problem `rnn_backprp` (did you mean `rnn_backprop`?)",
        ),
        ({"rnn_backprop": {"a.tt": "1"}}, "unknown part `rnn_backprop.a.tt` (did you mean `a.t`?)"),
        ({"rnn_backprop": "w"}, "`rnn_backprop` must map part ids to answers"),
        ({"zzz": {}}, "unknown problem `zzz` (`hwgrade list` shows the problem ids): not graded"),
        (
            {"rnn_backprop": {"zz": "1"}},
            "unknown part `rnn_backprop.zz` (`hwgrade template rnn_backprop` shows the part ids)",
        ),
    ],
    ids=["problem-typo", "part-typo", "parts-not-mapping", "unknown-problem", "unknown-part"],
)
def test_unknown_ids_become_notes(answers: dict[str, object], note: str) -> None:
    sub = parse_submission({"answers": answers}, "f.yaml", PROBLEMS)
    assert any(note in n for n in sub.notes), sub.notes


def test_unknown_top_level_key_is_noted() -> None:
    sub = parse_submission({"answer": {}, "answers": {}}, "f.yaml", PROBLEMS)
    assert any("`answer`" in n and "did you mean `answers`" in n for n in sub.notes)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["a"], "must be a mapping"),
        ({"student": "x"}, "no `answers:`"),
        ({"answers": ["a"]}, "must map problem ids"),
        ({"student": ["a"], "answers": {}}, "single name"),
    ],
    ids=["list-document", "no-answers", "answers-list", "student-list"],
)
def test_unusable_structure_raises(data: object, message: str) -> None:
    with pytest.raises(SubmissionError, match=message):
        parse_submission(data, "f.yaml", PROBLEMS)


def test_load_submission_reads_every_scalar_as_text(tmp_path: Path) -> None:
    path = tmp_path / "carol.yaml"
    path.write_text("answers:\n  rnn_backprop:\n    b: 0.5\n    a.t: no\n", encoding="utf-8")
    sub = load_submission(path, PROBLEMS)
    assert sub.answers["rnn_backprop"] == {"b": "0.5", "a.t": "no"}


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01binary", b"answers: [unclosed", b"a: &x 1\nb: *x\n"],
    ids=["empty", "binary", "broken-yaml", "alias"],
)
def test_load_submission_refuses_bad_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(SubmissionError):
        load_submission(path, PROBLEMS)


@pytest.mark.parametrize("content", [b"", b"# only a comment\n", b"---\n"], ids=str)
def test_empty_file_says_where_to_start(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(content)
    with pytest.raises(SubmissionError, match="start from `hwgrade template"):
        load_submission(path, PROBLEMS)


@pytest.mark.parametrize(
    ("value", "kept"), [("  s1234 ", "s1234"), ("1001", "1001"), (None, ""), ("", "")]
)
def test_student_id_is_kept_for_gradebooks(value: object, kept: str) -> None:
    sub = parse_submission({"student_id": value, "answers": {}}, "f.yaml", PROBLEMS)
    assert sub.student_id == kept and not any("ignored" in n for n in sub.notes)


def test_student_id_must_be_one_id() -> None:
    with pytest.raises(SubmissionError, match="`student_id:` must be a single id"):
        parse_submission({"student_id": ["1", "2"], "answers": {}}, "f.yaml", PROBLEMS)
