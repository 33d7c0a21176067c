"""A runner for tests: tasks run in this process, chosen ones "time out" like the sandbox's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hwgrade.grader.batch.sandbox import TaskOutcome


class InlineRunner:
    """Runs every task in-process; a task ``stops`` picks out gets a timed-out outcome.

    It records each ``map`` call's tasks in :attr:`calls`, so that a test can see what
    was retried and how, and reports progress through ``on_done`` as the pool does.
    """

    def __init__(self, stops: Callable[[Any], bool]) -> None:
        self.stops = stops
        self.calls: list[list[Any]] = []

    def map(
        self,
        fn: Callable[[Any], Any],
        items: Iterable[Any],
        on_done: Callable[[int, TaskOutcome], None] | None = None,
    ) -> list[TaskOutcome]:
        todo = list(items)
        self.calls.append(todo)
        out = []
        for i, item in enumerate(todo):
            if self.stops(item):
                outcome = TaskOutcome(ok=False, error="too slow", timed_out=True)
            else:
                outcome = TaskOutcome(ok=True, value=fn(item))
            if on_done is not None:
                on_done(i, outcome)
            out.append(outcome)
        return out
