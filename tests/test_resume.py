"""The ``--resume`` cache and the records' ``from_dict`` round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hwgrade.grader.batch.loop import grade_files
from hwgrade.grader.batch.resume import (
    CACHE_NAME,
    ResumeCache,
    default_cache_path,
    file_digest,
    fingerprint,
    shared_cache,
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


# --- the verdict cache in the cache folder (shared between runs and TAs) ---------------


def _class(folder: Path) -> list[Path]:
    """Three students sharing some answers (the parts are rnn_backprop's)."""
    folder.mkdir(parents=True, exist_ok=True)
    answers = ["w", "w^2", "u_1 w"]
    paths = []
    for i, answer in enumerate(answers):
        path = folder / f"s{i}.yaml"
        path.write_text(f"student: s{i}\nanswers:\n  rnn_backprop:\n    c.dy_dt: {answer}\n")
        paths.append(path)
    return paths


def test_shared_cache_serves_another_folder_without_checking(
    tmp_path: Path, problem_set: ProblemSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second TA with the same files elsewhere: no file hit, every check reused."""
    from hwgrade.grader.batch import tasks

    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    first = grade_files(
        _class(tmp_path / "ta1"), problem_set, workers=0, cache=shared_cache(cache_dir, problem_set)
    )

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("a check the cache knows was run again")

    monkeypatch.setattr(tasks, "run_part_group", never)
    cache = shared_cache(cache_dir, problem_set)
    again = grade_files(_class(tmp_path / "ta2"), problem_set, workers=0, cache=cache)
    assert cache.hits == 0  # other paths: the files are new, their checks are not
    assert [r.to_dict() | {"file": ""} for r in again] == [
        r.to_dict() | {"file": ""} for r in first
    ]
    rerun = shared_cache(cache_dir, problem_set)
    grade_files(_class(tmp_path / "ta1"), problem_set, workers=0, cache=rerun)
    assert rerun.hits == 3  # the same files again: whole files from the cache


def test_shared_cache_is_per_problem_set(tmp_path: Path, problem_set: ProblemSet) -> None:
    """An edited spec is another cache file: an old verdict is never read for it.

    The same specs elsewhere (a TA's own copy) share one file: the name hashes content.
    """
    import shutil

    copy = tmp_path / "problems"
    shutil.copytree(problem_set.root, copy)
    before = shared_cache(tmp_path, load_problem_set(str(copy))).path
    assert shared_cache(tmp_path, problem_set).path == before
    spec = copy / "01_rnn_backprop.yaml"
    spec.write_text(spec.read_text() + "\n# an edit\n")
    assert shared_cache(tmp_path, load_problem_set(str(copy))).path != before


@pytest.mark.parametrize("content", ["", "{not json", '{"format": 4}', "[1, 2]", "\x00" * 40])
def test_shared_cache_damaged_file_is_ignored_and_replaced(
    tmp_path: Path, problem_set: ProblemSet, content: str
) -> None:
    path = shared_cache(tmp_path, problem_set).path
    path.write_text(content)
    cache = shared_cache(tmp_path, problem_set)
    assert cache.get_check("k") is None and len(cache) == 0
    cache.put_check("k", ANSWER)
    cache.save()
    assert shared_cache(tmp_path, problem_set).get_check("k") == ANSWER


def test_a_foreign_cache_file_is_not_read(tmp_path: Path, problem_set: ProblemSet) -> None:
    """Another problem set's document under this name (copied, renamed) is a miss."""
    path = shared_cache(tmp_path, problem_set).path
    other = ResumeCache(path, "another fingerprint")
    other.put_check("k", ANSWER)
    other.save()
    assert shared_cache(tmp_path, problem_set).get_check("k") is None


def test_two_writers_merge(tmp_path: Path, problem_set: ProblemSet) -> None:
    """Two runs open the cache, each adds its checks, both save: neither loses any."""
    a, b = shared_cache(tmp_path, problem_set), shared_cache(tmp_path, problem_set)
    for i in range(50):
        a.put_check(f"a{i}", ANSWER)
        b.put_check(f"b{i}", ANSWER)
        if i % 10 == 0:  # interleaved saves, as two terminals checkpoint
            a.save()
            b.save()
    a.save()
    b.save()
    merged = shared_cache(tmp_path, problem_set)
    assert all(merged.get_check(f"{w}{i}") == ANSWER for w in "ab" for i in range(50))


def test_shared_cache_is_bounded(
    tmp_path: Path, problem_set: ProblemSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hwgrade.grader.batch.resume as resume

    monkeypatch.setattr(resume, "MAX_CHECKS", 10)
    cache = shared_cache(tmp_path, problem_set)
    for i in range(25):
        cache.put_check(f"k{i}", ANSWER)
    cache.save()
    kept = shared_cache(tmp_path, problem_set)
    assert [kept.get_check(f"k{i}") is not None for i in range(25)] == [False] * 15 + [True] * 10
    for i in range(30):  # other problem sets' files: the oldest go
        (tmp_path / f"verdicts-old{i:02}.json").write_text("{}")
    shared_cache(tmp_path, problem_set)
    assert len(list(tmp_path.glob("verdicts-*.json"))) <= resume.SHARED_FILES


def test_the_files_a_cache_keeps_are_bounded_too(
    tmp_path: Path, problem_set: ProblemSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File after file checked over terms: the oldest entries go, the newest stay."""
    import hwgrade.grader.batch.resume as resume

    monkeypatch.setattr(resume, "MAX_FILES", 3)
    cache = shared_cache(tmp_path, problem_set, "checks")
    paths = [tmp_path / f"s{i}.yaml" for i in range(5)]
    for i, path in enumerate(paths):
        cache.put(path, f"sha{i}", ["p"], ["p"], SUB)
    cache.save()
    kept = shared_cache(tmp_path, problem_set, "checks")
    found = [kept.get(path, f"sha{i}") is not None for i, path in enumerate(paths)]
    assert found == [False, False, True, True, True]


def test_a_save_rereads_the_file_only_when_another_run_changed_it(
    tmp_path: Path, problem_set: ProblemSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checkpoints of a large class must not parse its whole verdict file each time."""
    a = shared_cache(tmp_path, problem_set)
    reads = []
    original = ResumeCache._read

    def counted(self: ResumeCache) -> Any:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(ResumeCache, "_read", counted)
    a.put_check("a1", ANSWER)
    a.save()
    a.put_check("a2", ANSWER)
    a.save()
    assert reads == []  # only this run wrote it
    other = shared_cache(tmp_path, problem_set)
    other.put_check("b1", ANSWER)
    other.save()
    reads.clear()
    a.save()
    assert reads == []  # nothing new in this run: nothing to write, nothing to merge
    a.put_check("a3", ANSWER)
    a.save()
    assert reads == [a]
    merged = shared_cache(tmp_path, problem_set)
    assert merged.get_check("b1") == ANSWER and merged.get_check("a3") == ANSWER


def test_an_unchanged_rerun_writes_nothing(tmp_path: Path, problem_set: ProblemSet) -> None:
    """A class graded again unchanged only reads its verdicts (26 MB written for nothing)."""
    sub = tmp_path / "a.yaml"
    sub.write_text("answers:\n  rnn_backprop:\n    c.dy_dt: w\n")
    grade_files([sub], problem_set, workers=0, cache=shared_cache(tmp_path, problem_set))
    path = shared_cache(tmp_path, problem_set).path
    before = path.stat()
    again = shared_cache(tmp_path, problem_set)
    grade_files([sub], problem_set, workers=0, cache=again)
    assert again.hits == 1
    after = path.stat()
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)  # not rewritten
    assert after.st_mtime_ns >= before.st_mtime_ns  # but marked as used


def _verdict(i: int) -> AnswerResult:
    return AnswerResult(Verdict.INCORRECT, 0.0, 1.0, f"reason {i}", f"{i}*w", "", "w", "exact")


def test_each_distinct_verdict_is_stored_once(tmp_path: Path) -> None:
    """Files and checks refer to one table of verdicts: a class shares its answers."""
    path = tmp_path / CACHE_NAME
    cache = ResumeCache(path, "fp")
    for i in range(40):
        parts = tuple(PartResult("p", f"q{k}", _verdict(k % 3), f"{k % 3}w") for k in range(6))
        cache.put(
            tmp_path / f"s{i}.yaml",
            f"sha{i}",
            ["p"],
            ["p"],
            SubmissionResult(f"s{i}", f"s{i}.yaml", GRADED, parts, (), 0.0, 0, ""),
        )
        cache.put_check(f"k{i}", _verdict(i % 5))
    cache.save()
    document = json.loads(path.read_text())
    assert len(document["results"]) == 5  # rows 0-4; three of them also serve the files
    kept = ResumeCache(path, "fp")
    for i in range(40):
        found = kept.get(tmp_path / f"s{i}.yaml", f"sha{i}")
        assert found is not None and [p.result for p in found.result.parts] == [
            _verdict(k % 3) for k in range(6)
        ]
        assert kept.get_check(f"k{i}") == _verdict(i % 5)


def test_a_damaged_verdict_row_misses_only_what_uses_it(tmp_path: Path) -> None:
    path = tmp_path / CACHE_NAME
    cache = ResumeCache(path, "fp")
    for i in range(3):
        cache.put_check(f"k{i}", _verdict(i))
    cache.put(tmp_path / "s.yaml", "sha", ["p"], ["p"], SUB)
    cache.save()
    document = json.loads(path.read_text())
    document["results"][document["checks"]["k1"]] = {"verdict": "no such verdict"}
    document["checks"]["k2"] = 99  # a row that does not exist
    path.write_text(json.dumps(document))
    kept = ResumeCache(path, "fp")
    assert [kept.get_check(f"k{i}") for i in range(3)] == [_verdict(0), None, None]
    assert kept.get(tmp_path / "s.yaml", "sha") is not None
    kept.put_check("k3", _verdict(3))
    kept.save()  # what refers to a damaged row is not carried on
    again = ResumeCache(path, "fp")
    assert again.get_check("k0") == _verdict(0) and again.get_check("k3") == _verdict(3)
    assert "k1" not in json.loads(path.read_text())["checks"]


def test_two_writers_with_their_own_verdicts_merge(tmp_path: Path) -> None:
    """Each run numbers its verdicts its own way: a merge renumbers the other's rows."""
    path = tmp_path / CACHE_NAME
    a, b = ResumeCache(path, "fp"), ResumeCache(path, "fp")
    for i in range(20):
        a.put_check(f"a{i}", _verdict(i))
        b.put_check(f"b{i}", _verdict(100 - i))
        b.put(tmp_path / f"b{i}.yaml", f"sha{i}", ["p"], ["p"], SUB)
    a.save()
    b.save()
    a.put_check("a-last", _verdict(100))  # the same verdict as b's first: one row
    a.save()
    merged = ResumeCache(path, "fp")
    assert all(merged.get_check(f"a{i}") == _verdict(i) for i in range(20))
    assert all(merged.get_check(f"b{i}") == _verdict(100 - i) for i in range(20))
    assert merged.get_check("a-last") == _verdict(100)
    assert all(merged.get(tmp_path / f"b{i}.yaml", f"sha{i}") is not None for i in range(20))
    assert len(json.loads(path.read_text())["results"]) == 40 + 1  # 20 + 20 + SUB's


def test_check_keeps_its_own_small_file(tmp_path: Path, problem_set: ProblemSet) -> None:
    """``check`` and ``grade`` never share a file, and bounding one kind spares the other."""
    import hwgrade.grader.batch.resume as resume

    checks = shared_cache(tmp_path, problem_set, "checks").path
    verdicts = shared_cache(tmp_path, problem_set).path
    assert checks != verdicts and checks.name.startswith("checks-")
    verdicts.write_text("{}")
    for i in range(30):
        (tmp_path / f"checks-old{i:02}.json").write_text("{}")
    shared_cache(tmp_path, problem_set, "checks")
    assert len(list(tmp_path.glob("checks-*.json"))) <= resume.SHARED_FILES
    assert verdicts.exists()


def test_check_file_runs_only_the_checks_of_changed_answers(
    tmp_path: Path, problem_set: ProblemSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A student checks, edits one answer, checks again: only what depends on it runs."""
    from hwgrade.grader.batch import tasks
    from hwgrade.grader.batch.loop import check_file

    sub = tmp_path / "s.yaml"
    sub.write_text("student: s\nanswers:\n  rnn_backprop:\n    c.dy_dt: w\n    c.dy_ds: w^2\n")
    first = check_file(sub, problem_set, workers=0, cache=shared_cache(tmp_path, problem_set))
    ran: list[Any] = []
    real = tasks.run_part_group

    def counted(group: Any, *args: Any, **kwargs: Any) -> Any:
        ran.append(group)
        return real(group, *args, **kwargs)

    monkeypatch.setattr(tasks, "run_part_group", counted)
    cache = shared_cache(tmp_path, problem_set, "checks")
    again = check_file(sub, problem_set, workers=0, cache=cache)
    assert ran and cache.hits == 0  # another kind of file: nothing known yet
    ran.clear()
    cache = shared_cache(tmp_path, problem_set, "checks")
    assert check_file(sub, problem_set, workers=0, cache=cache).to_dict() == again.to_dict()
    assert cache.hits == 1 and ran == []  # the unchanged file: no check at all
    sub.write_text(sub.read_text().replace("w^2", "w^3"))
    cache = shared_cache(tmp_path, problem_set, "checks")
    edited = check_file(sub, problem_set, workers=0, cache=cache)
    # the edited answer, and the part whose carried-forward credit depends on it
    assert sorted(g.task.part for g in ran) == ["c.dy_dr", "c.dy_ds"]
    assert edited.parts[0].result.to_dict() == first.parts[0].result.to_dict()  # unchanged


def test_checkpoints_take_a_bounded_share_of_the_run(tmp_path: Path) -> None:
    """A cache whose save is slow is saved less often: at most a tenth of the time."""
    import time

    import hwgrade.grader.batch.resume as resume

    path = tmp_path / CACHE_NAME
    cache = ResumeCache(path, "fp")
    cache._saved_at = time.monotonic() - 2 * resume.CHECKPOINT_SECONDS
    cache._save_seconds = resume.CHECKPOINT_SECONDS  # the last save took 5 s: wait 50 s
    cache.put_check("k0", _verdict(0))
    assert not path.exists()
    cache._save_seconds = 0.01  # a quick save: every CHECKPOINT_SECONDS, as before
    cache.put_check("k1", _verdict(1))
    assert ResumeCache(path, "fp").get_check("k1") == _verdict(1)
