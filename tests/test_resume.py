"""The ``--resume`` cache and the records' ``from_dict`` round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwgrade.grader.batch.loop import grade_files
from hwgrade.grader.batch.resume import (
    CACHE_NAME,
    ResumeCache,
    default_cache_path,
    file_digest,
    fingerprint,
)
from hwgrade.grader.batch.sandbox import Limits
from hwgrade.grader.results import GRADED, AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.specs.problemset import ProblemSet, load_problem_set

ANSWER = AnswerResult(
    Verdict.INCORRECT,
    0.5,
    2.0,
    "known mistake",
    "2*w",
    "2 w",
    "w",
    "known-mistake",
    (("mistake", "double"),),
)
SUB = SubmissionResult(
    "alice", "a.yaml", GRADED, (PartResult("p", "q", ANSWER, "2w"),), ("a note",), 2.0
)
UNREAD = SubmissionResult("bob", "b.yaml", "the file is empty", (), (), 7.5)


@pytest.mark.parametrize("record", [ANSWER], ids=["answer"])
def test_answer_round_trip(record: AnswerResult) -> None:
    assert AnswerResult.from_dict(json.loads(json.dumps(record.to_dict()))) == record


@pytest.mark.parametrize("record", [SUB, UNREAD], ids=["graded", "unreadable"])
def test_submission_round_trip(record: SubmissionResult) -> None:
    data = json.loads(json.dumps(record.to_dict() | {"max_possible": record.max_possible}))
    assert SubmissionResult.from_dict(data) == record


@pytest.fixture(scope="module")
def problem_set() -> ProblemSet:
    return load_problem_set(None)


def test_cache_hit_miss_and_save(tmp_path: Path, problem_set: ProblemSet) -> None:
    sub = tmp_path / "a.yaml"
    sub.write_text("answers:\n  rnn_backprop:\n    c.dy_dt: w\n")
    cache_file = tmp_path / CACHE_NAME
    cache = ResumeCache(cache_file, fingerprint(problem_set))
    [first] = grade_files([sub], problem_set, workers=1, limits=Limits(), cache=cache)
    assert cache.hits == 0 and cache_file.is_file()

    again = ResumeCache(cache_file, fingerprint(problem_set))
    assert len(again) == 1
    [second] = grade_files([sub], problem_set, workers=1, limits=Limits(), cache=again)
    assert again.hits == 1 and second == first

    sub.write_text("answers:\n  rnn_backprop:\n    c.dy_dt: 2 w\n")
    changed = ResumeCache(cache_file, fingerprint(problem_set))
    [third] = grade_files([sub], problem_set, workers=1, limits=Limits(), cache=changed)
    assert changed.hits == 0 and third != first


def test_other_problem_set_discards_the_cache(tmp_path: Path) -> None:
    cache_file = tmp_path / CACHE_NAME
    cache = ResumeCache(cache_file, "one")
    cache.put(tmp_path / "x.yaml", "abc", ["p"], ["p"], SUB)
    cache.save()
    assert len(ResumeCache(cache_file, "one")) == 1
    assert len(ResumeCache(cache_file, "two")) == 0


def test_timeouts_are_not_cached(tmp_path: Path) -> None:
    slow = AnswerResult(Verdict.TIMEOUT, 0.0, 1.0, "took too long")
    result = SubmissionResult("c", "c.yaml", GRADED, (PartResult("p", "q", slow),))
    cache = ResumeCache(tmp_path / CACHE_NAME, "fp")
    cache.put(tmp_path / "c.yaml", "abc", ["p"], ["p"], result)
    assert len(cache) == 0


@pytest.mark.parametrize(
    "content", ["", "not json", "[1, 2]", '{"format": 1, "fingerprint": "fp", "files": 3}']
)
def test_damaged_cache_is_ignored(tmp_path: Path, content: str) -> None:
    path = tmp_path / CACHE_NAME
    path.write_text(content)
    assert len(ResumeCache(path, "fp")) == 0


def test_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / CACHE_NAME
    target = (tmp_path / "x.yaml").resolve()
    doc = {"format": 1, "fingerprint": "fp", "files": {str(target): {"sha256": "abc"}}}
    path.write_text(json.dumps(doc))
    assert ResumeCache(path, "fp").get(target, "abc") is None


def test_assignment_change_regrades_cached_files(tmp_path: Path, problem_set: ProblemSet) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("answers:\n  rnn_backprop:\n    c.dy_dt: w\n")
    cache = ResumeCache(tmp_path / CACHE_NAME, fingerprint(problem_set))
    [first] = grade_files([a], problem_set, workers=1, cache=cache, only=["rnn_backprop"])
    assert {p.problem for p in first.parts} == {"rnn_backprop"}
    b = tmp_path / "b.yaml"
    b.write_text("answers:\n  gnn_attention:\n    edges: '12'\n")
    cache = ResumeCache(tmp_path / CACHE_NAME, fingerprint(problem_set))
    both = ["rnn_backprop", "gnn_attention"]
    ra, rb = grade_files([a, b], problem_set, workers=1, cache=cache, only=both)
    assert cache.hits == 0  # a was graded under another assignment: graded again
    for result in (ra, rb):
        assert {p.problem for p in result.parts} == set(both)
    gnn = [p.result.verdict for p in ra.parts if p.problem == "gnn_attention"]
    assert set(gnn) == {Verdict.MISSING}


def test_digest_and_default_path(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    assert file_digest(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert file_digest(tmp_path / "missing") is None
    assert default_cache_path(str(tmp_path / "out" / "g.csv")).parent.name == "out"


def test_entries_without_latex_miss_when_latex_is_shown(tmp_path: Path) -> None:
    cache = ResumeCache(tmp_path / CACHE_NAME, "fp")
    path = tmp_path / "a.yaml"
    cache.put(path, "d1", ["p"], ["p"], SUB, latex=False)
    assert cache.get(path, "d1", latex=False) is not None
    assert cache.get(path, "d1", latex=True) is None
    cache.put(path, "d1", ["p"], ["p"], SUB)
    assert cache.get(path, "d1", latex=False) is not None
    assert cache.get(path, "d1") is not None
