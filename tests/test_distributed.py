"""``--scheduler``: the same tasks on a Dask cluster (a LocalCluster on loopback).

Skipped when Dask is not installed (``pip install 'hwgrade[dask]'``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hwgrade.grader.batch.loop import collect_files, grade_files
from hwgrade.grader.batch.sandbox import Limits
from hwgrade.grader.errors import UsageError
from hwgrade.grader.specs.problemset import load_problem_set

distributed = pytest.importorskip("distributed", reason="Dask is not installed (hwgrade[dask])")

from tests.classgen import load  # noqa: E402

mc = load()


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        memory_limit="2GiB",
    )
    with cluster, distributed.Client(cluster, timeout=60) as c:
        yield c


def test_results_equal_the_local_pool(client: Any, tmp_path: Path) -> None:

    problem_set = load_problem_set(None)
    mc.write_class(mc.make_class(problem_set, 16, hostile_fraction=0.25, seed=3), tmp_path)
    _remote_equals_local(client, collect_files([str(tmp_path)]), Limits(seconds=10))


def _remote_equals_local(client: Any, files: list[Path], limits: Limits) -> list[Any]:
    """Grade on the cluster and on a local pool: the results must be the same."""
    from hwgrade.grader.batch.distributed import DaskRunner

    problem_set = load_problem_set(None)
    runner = DaskRunner(None, limits, client=client)
    remote = grade_files(files, problem_set, runner=runner, limits=limits)
    local = grade_files(files, problem_set, workers=2, limits=limits)
    assert [r.to_dict() for r in remote] == [r.to_dict() for r in local]
    return remote


def test_task_errors_become_outcomes(client: Any) -> None:
    from hwgrade.grader.batch.distributed import DaskRunner

    runner = DaskRunner(None, Limits(seconds=60), client=client)
    [bad, good] = runner.map(int, ["x", "3"])
    assert not bad.ok and "ValueError" in bad.error
    assert good.ok and good.value == 3


def test_overdue_task_is_a_timeout_and_the_rest_finish(client: Any) -> None:
    from hwgrade.grader.batch.distributed import DaskRunner

    runner = DaskRunner(None, Limits(seconds=1), client=client)
    outcomes = runner.map(time.sleep, [0.01, 30, 0.01, 0.01])
    assert [o.ok for o in outcomes] == [True, False, True, True]
    assert outcomes[1].timed_out


def test_unreachable_scheduler_is_a_usage_error() -> None:
    from hwgrade.grader.batch.distributed import DaskRunner

    with pytest.raises(UsageError):
        DaskRunner("tcp://127.0.0.1:9", connect_timeout=1)


def test_a_relative_path_reaches_the_workers(
    client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers started in another folder open the files the TA named relatively."""

    problem_set = load_problem_set(None)
    mc.write_class(mc.make_class(problem_set, 6, hostile_fraction=0.0, seed=5), tmp_path / "subs")
    monkeypatch.chdir(tmp_path)  # the cluster's workers stay in the folder they started in
    files = collect_files(["subs"])
    assert not files[0].is_absolute()
    remote = _remote_equals_local(client, files, Limits(seconds=10))
    assert all(r.graded for r in remote) and {r.file for r in remote} == {str(f) for f in files}


def test_hostile_answers_cost_no_one_else_their_time_limit(client: Any, tmp_path: Path) -> None:
    """With hanging answers in the class and the default 5 s limit, Dask grades as locally."""

    problem_set = load_problem_set(None)
    mc.write_class(mc.make_class(problem_set, 12, hostile_fraction=0.25, seed=9), tmp_path)
    _remote_equals_local(client, collect_files([str(tmp_path)]), Limits(seconds=5))


def test_workers_that_cannot_see_the_files_stop_the_run(tmp_path: Path) -> None:
    from hwgrade.grader.batch.reading import _no_blind_workers

    seen = tmp_path / "a.yaml"
    seen.write_text("answers: {}\n")
    gone = tmp_path / "gone.yaml"
    _no_blind_workers([(gone, "cannot open the file (No such file or directory)")])  # a row
    with pytest.raises(UsageError, match="same absolute path"):
        _no_blind_workers([(seen, "cannot open the file (No such file or directory)")])
