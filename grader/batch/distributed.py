"""``--scheduler ADDRESS``: run the batch's tasks on an existing Dask cluster.

The tasks are the very ones the local :class:`~hwgrade.grader.batch.sandbox.WorkerPool`
runs (:func:`~hwgrade.grader.batch.reading.run_load_task`,
:func:`~hwgrade.grader.batch.tasks.run_part_group`), so a cluster grades exactly as one
machine does; only the transport differs, and it is Dask's own (nothing home-made). Dask
is an optional extra (``pip install 'hwgrade[dask]'``), imported only here and only when
a scheduler is named.

Limits on a cluster: a Dask task cannot be killed from outside its worker, so the time
limit works in two steps. The runner keeps no more tasks in flight than the cluster has
threads, and a task's clock starts when the task itself announces that it runs (a Dask
event, :data:`STARTED`), so its deadline (that time + ``Limits.seconds`` + a grace for
the round trip) measures its own run time, not time spent queued behind another task or
waiting for a restarted worker. An
overdue task is cancelled and reported as a timeout, and the worker running it is
restarted through its nanny, which is what frees the thread (a cluster without nannies
keeps that thread busy until the task ends). Memory is bounded by the workers' own
``memory_limit``: the nanny restarts a worker that exceeds it, and its task ends as
crashed. The workers must have hwgrade installed and see the ``--problems`` folder at
the same path.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from hwgrade.grader.batch.reading import problem_set_for
from hwgrade.grader.batch.sandbox import Faults, Limits, TaskOutcome
from hwgrade.grader.batch.sandboxworker import describe_exception
from hwgrade.grader.errors import UsageError
from hwgrade.grader.specs.solving import solve

#: Seconds added to a task's deadline for the scheduler round trip.
GRACE = 0.5
#: Seconds between looks at the scheduler while a task has not started.
POLL = 0.25
_INSTALL = "--scheduler needs Dask: pip install 'hwgrade[dask]'"


#: The Dask event topic on which a task says that it has started to run.
STARTED = "hwgrade-task-started"


def call_task(fn: Callable[[Any], Any], arg: Any, token: str = "") -> tuple[bool, Any]:
    """Run on a Dask worker: ``(True, value)`` or ``(False, one-line error)``, never raises.

    Catching here keeps a task's exception from travelling back as a remote traceback
    (with student text in it) and matches the local pool's outcome format. First it
    announces ``token`` on :data:`STARTED`, so that the runner starts the task's clock
    when it really runs, not when the scheduler assigned it to a worker (where it may
    wait behind another task, or for a worker being restarted).
    """
    if token:
        with contextlib.suppress(Exception):  # no worker (tests) or no events: no clock
            from distributed import get_worker

            get_worker().log_event(STARTED, token)
    try:
        return True, fn(arg)
    except BaseException as exc:
        return False, describe_exception(exc)


def warm_worker(problems: str | None) -> int:
    """Run once on every worker: load the problem set and run its solvers.

    Solving can take seconds (symbolic derivations); doing it before the first task
    keeps that time out of the first answers' time limit.
    """
    problem_set = problem_set_for(problems)
    for spec in problem_set.problems:
        solve(spec)
    return len(problem_set.problems)


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise UsageError(_INSTALL) from exc
    return distributed


class DaskRunner:
    """A :class:`~hwgrade.grader.batch.sandbox.Runner` on a Dask cluster.

    Args:
        address: The scheduler's address (``tcp://host:8786``); ignored if ``client``
            is given.
        limits: The per-task time limit (memory is the workers' ``memory_limit``).
        client: An existing ``distributed.Client`` (tests, notebooks).
        connect_timeout: Seconds to wait for the scheduler.
        problems: The ``--problems`` option; every worker loads and solves it up front.
        faults: Counts of workers lost and tasks run again (the run's summary).

    Raises:
        UsageError: Dask is not installed, or the scheduler cannot be reached.
    """

    def __init__(
        self,
        address: str | None,
        limits: Limits | None = None,
        *,
        client: Any = None,
        connect_timeout: float = 10.0,
        problems: str | None = None,
        faults: Faults | None = None,
    ) -> None:
        self._dist = _import_distributed()
        self.limits = limits or Limits()
        self.faults = faults if faults is not None else Faults()
        self._owned = client is None
        if client is None:
            try:
                client = self._dist.Client(address, timeout=connect_timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.client = client
        self.restarted = 0
        self._started: dict[str, float] = {}  # token -> when its task began to run
        with contextlib.suppress(Exception):
            client.subscribe_topic(STARTED, self._on_started)
        try:
            client.run(warm_worker, problems)
        except Exception as exc:
            self.close()
            raise UsageError(f"the Dask workers cannot load the problem set: {exc}") from exc

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening, and disconnect (only from a client this runner opened itself)."""
        with contextlib.suppress(Exception):
            self.client.unsubscribe_topic(STARTED)
        if self._owned:
            self.client.close()

    def _on_started(self, event: Any) -> None:
        """A task announced that it started (runs on the client's event loop)."""
        with contextlib.suppress(Exception):
            _, token = event
            self._started[str(token)] = time.monotonic()

    def _slots(self) -> int:
        """Tasks in flight at once: one per worker thread of the cluster."""
        try:
            return max(1, int(sum(self.client.nthreads().values())))
        except Exception:
            return 1

    def _restart_running(self, key: str) -> None:
        """Restart the worker that runs ``key`` (frees the stuck thread); best effort."""
        try:
            where = [w for w, keys in self.client.processing().items() if key in keys]
            if where:
                self.client.restart_workers(where, timeout=30, raise_for_error=False)
                self.restarted += 1
        except Exception:  # no nanny, or the worker is already gone
            return

    def _mark_started(self, running: dict[Any, list[Any]]) -> None:
        """Start the clock of each task when it starts to run on a worker.

        The task announces its start (:func:`call_task`); the deadline counts from that
        announcement, so time spent queued behind another task or waiting for a worker
        being restarted is never charged to the answer. A task that runs again (its
        worker was restarted) announces again and its clock starts over. Should no
        announcement ever come (a cluster that drops events), a task assigned to a
        worker for three time limits is counted as started, so nothing waits forever.
        """
        for entry in running.values():
            announced = self._started.get(entry[2])
            if announced is not None and (entry[1] is None or announced > entry[1]):
                entry[1] = announced
        if all(entry[1] is not None or entry[3] is not None for entry in running.values()):
            busy: set[Any] = set()  # nothing to look up: spare the scheduler a round trip
        else:
            try:
                busy = {k for keys in self.client.processing().values() for k in keys}
            except Exception:
                busy = {f.key for f in running}  # cannot ask: count from now
        now = time.monotonic()
        for future, entry in running.items():
            _, start, _, assigned = entry
            if start is not None:
                continue
            if assigned is None and future.key in busy:
                entry[3] = now
            elif (
                start is None and assigned is not None and now - assigned >= 3 * self.limits.seconds
            ):
                entry[1] = now  # no announcement came: count from now

    def _outcome(self, future: Any) -> TaskOutcome:
        """The outcome of a finished (or failed) future."""
        try:
            ok, payload = future.result()
        except self._dist.KilledWorker:
            message = "the Dask worker running the check died (possibly out of memory)"
            return TaskOutcome(False, None, message, False, True)
        except BaseException as exc:
            return TaskOutcome(ok=False, error=describe_exception(exc))
        if ok:
            return TaskOutcome(ok=True, value=payload)
        return TaskOutcome(ok=False, error=str(payload))

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        on_done: Callable[[int, TaskOutcome], None] | None = None,
    ) -> list[TaskOutcome]:
        """Run ``fn`` on every item on the cluster; never raises because of a task.

        Returns:
            One outcome per item, in input order; an overdue task is a timeout.
        """
        todo = list(items)
        results: list[TaskOutcome | None] = [None] * len(todo)
        pending = deque(range(len(todo)))
        # future -> [index, start time or None, token, time first seen assigned or None]
        running: dict[Any, list[Any]] = {}
        slots = self._slots()
        retried: set[int] = set()

        def finish(index: int, outcome: TaskOutcome) -> None:
            results[index] = outcome
            if on_done is not None:
                on_done(index, outcome)

        while pending or running:
            while pending and len(running) < slots:
                index = pending.popleft()
                token = uuid.uuid4().hex
                try:
                    future = self.client.submit(
                        call_task, fn, todo[index], token, pure=False, retries=0
                    )
                except Exception as exc:  # the cluster is gone, or the item cannot be sent
                    finish(index, TaskOutcome(ok=False, error=describe_exception(exc)))
                    continue
                running[future] = [index, None, token, None]
            if not running:
                continue
            self._mark_started(running)
            starts = [entry[1] for entry in running.values() if entry[1] is not None]
            wait_for = POLL
            if starts:
                wait_for = min(POLL, min(starts) + self.limits.seconds + GRACE - time.monotonic())
            with contextlib.suppress(TimeoutError):
                self._dist.wait(
                    list(running), timeout=max(0.0, wait_for), return_when="FIRST_COMPLETED"
                )
            now = time.monotonic()
            for future, (index, start, token, _) in list(running.items()):
                if future.done():
                    del running[future]
                    self._started.pop(token, None)
                    outcome = self._outcome(future)
                    if outcome.crashed and index not in retried:
                        # A lost worker says nothing about its task: run it once more.
                        self.faults.workers_died += 1
                        self.faults.tasks_retried += 1
                        retried.add(index)
                        pending.append(index)
                        continue
                    if outcome.crashed:
                        self.faults.workers_died += 1
                        error = f"{outcome.error}; run again on another worker, it died again"
                        outcome = TaskOutcome(False, None, error, False, True)
                    finish(index, outcome)
                elif start is not None and now >= start + self.limits.seconds + GRACE:
                    del running[future]
                    self._started.pop(token, None)
                    self._restart_running(future.key)
                    future.cancel()
                    message = f"the answer check took longer than {self.limits.seconds:g} s"
                    finish(index, TaskOutcome(False, None, message, True, False))
        return [r if r is not None else TaskOutcome(ok=False, error="lost") for r in results]


__all__ = ["GRACE", "STARTED", "DaskRunner", "call_task", "warm_worker"]
