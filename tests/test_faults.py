"""Faults outside the answers never change a grade: killed workers, interrupted runs.

A test hook stands in for the out-of-memory killer: the checking function is replaced
(before the workers fork, so they inherit it) by one that SIGKILLs its own worker the
first time it checks a chosen answer. The class must come out exactly as it does when
nothing goes wrong.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path
from typing import Any

import pytest

import hwgrade.grader.batch.tasks as tasks
from hwgrade.grader.batch.loop import collect_files, grade_files
from hwgrade.grader.batch.planning import PartGroup
from hwgrade.grader.batch.sandbox import Faults, Limits
from hwgrade.grader.results import SubmissionResult
from hwgrade.grader.specs.problemset import ProblemSet, load_problem_set
from tests.classgen import load

mc = load()
LIMITS = Limits(seconds=10.0)
_CHECK = tasks.run_part_group  # the real one, whatever a test patches in
#: Where the killer leaves its marks (set by a test before the workers fork).
KILLER: dict[str, Any] = {}


def killing_check(group: PartGroup) -> list[Any]:
    """The real check, but the first try of every third distinct answer kills its worker."""
    digest = hashlib.sha256(repr((group.task.key(), group.owns)).encode()).hexdigest()
    mark = Path(KILLER["dir"]) / digest
    if int(digest, 16) % 3 == 0 and not mark.exists():
        mark.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return _CHECK(group)


@pytest.fixture(scope="module")
def problem_set() -> ProblemSet:
    return load_problem_set(None)


@pytest.fixture(scope="module")
def class_files(problem_set: ProblemSet, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("class")
    mc.write_class(mc.make_class(problem_set, 16, hostile_fraction=0.0, seed=11), folder)
    return collect_files([str(folder)])


@pytest.fixture(scope="module")
def undisturbed(class_files: list[Path], problem_set: ProblemSet) -> list[dict[str, Any]]:
    return _dicts(grade_files(class_files, problem_set, workers=2, limits=LIMITS))


def _dicts(results: list[SubmissionResult]) -> list[dict[str, Any]]:
    return [r.to_dict() for r in results]


def test_killed_workers_change_no_grade(
    class_files: list[Path],
    problem_set: ProblemSet,
    undisturbed: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    KILLER["dir"] = str(tmp_path)
    monkeypatch.setattr(tasks, "run_part_group", killing_check)
    faults = Faults()
    results = grade_files(class_files, problem_set, workers=2, limits=LIMITS, faults=faults)
    killed = len(list(tmp_path.iterdir()))
    assert killed > 5, "the hook killed too few workers to mean anything"
    assert faults.workers_died == faults.tasks_retried == killed
    assert _dicts(results) == undisturbed


def test_an_interrupted_resume_run_keeps_what_it_graded(
    class_files: list[Path],
    problem_set: ProblemSet,
    undisturbed: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    from hwgrade.grader.batch.resume import ResumeCache, fingerprint

    def run(cache: ResumeCache, stop_at: float = 2.0) -> tuple[list[SubmissionResult], int]:
        """Grade with a cache; Ctrl-C once ``stop_at`` of the steps are done."""
        totals: list[int] = []

        def progress(done: int, total: int) -> None:
            totals.append(total)
            if done >= total * stop_at and total > len(class_files):  # into the checks
                raise KeyboardInterrupt

        results = grade_files(
            class_files, problem_set, workers=2, limits=LIMITS, cache=cache, on_progress=progress
        )
        return results, totals[-1]

    fresh = tmp_path / "fresh.json"
    _, everything = run(ResumeCache(fresh, fingerprint(problem_set)))  # steps of a whole run
    path = tmp_path / ".hwgrade-cache.json"
    with pytest.raises(KeyboardInterrupt):
        run(ResumeCache(path, fingerprint(problem_set)), stop_at=0.5)
    kept = ResumeCache(path, fingerprint(problem_set))
    assert kept._checks, "the interrupted run kept none of its checks"
    again = ResumeCache(path, fingerprint(problem_set))
    results, steps = run(again)
    assert _dicts(results) == undisturbed
    assert again.hits == len(kept)  # files finished before Ctrl-C are not read again
    # Only what was not finished is checked again: every kept check is a step saved.
    assert steps <= everything - len(kept._checks) // 2
    assert len(ResumeCache(path, fingerprint(problem_set))) == len(class_files)
