"""Reading a class's submission files: found on disk, read in workers, scoped.

Reading runs in the same worker processes and under the same limits as checking, so a
file built to stall the YAML reader costs its time limit, not the batch; an unreadable
file becomes a ``(path, reason)`` pair that ends as a row with that reason. Workers find
the problem set in a table the parent fills before they fork (reading needs the specs,
not the solutions).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hwgrade.grader.batch.sandbox import Limits, Runner, TaskOutcome
from hwgrade.grader.errors import SubmissionError, UsageError
from hwgrade.grader.grading.submission import Submission, load_submission
from hwgrade.grader.specs.problemset import ProblemSet, load_problem_set

#: File endings picked up when a folder is given.
SUBMISSION_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadTask:
    """One submission file to read in a worker.

    Attributes:
        problems: The ``--problems`` option.
        path: The file, absolute: a worker on another machine or in another folder
            (a Dask worker) must open the same file, not one relative to its own folder.
        display: The file as the user gave it, for rows and messages.
    """

    problems: str | None
    path: str
    display: str = ""


#: Problem sets handed over by the parent before its workers fork, by ``--problems``.
_PRIMED: dict[str | None, ProblemSet] = {}


def prime_problem_set(option: str | None, problem_set: ProblemSet) -> None:
    """Make forked workers reuse the parent's loaded (and solved) problem set.

    Without it every worker re-reads the specs and re-runs the solvers (about a second
    per worker); forked workers inherit this table and the solver cache for free.
    """
    _PRIMED[option] = problem_set


def primed_problem_set(option: str | None) -> ProblemSet:
    """The problem set a worker grades against (loaded once per process)."""
    found = _PRIMED.get(option)
    if found is None:
        found = _PRIMED[option] = load_problem_set(option)
    return found


def run_load_task(task: LoadTask) -> Submission | str:
    """Worker entry point: read one file; the reason as a string when it is unusable."""
    by_id = {spec.id: spec for spec in primed_problem_set(task.problems).problems}
    display = task.display or task.path
    try:
        return load_submission(Path(task.path), by_id, display=display)
    except SubmissionError as exc:  # the row already names the file: drop it from the reason
        message = exc.message
        for name in (task.path, display):
            if message.startswith(name):
                message = message[len(name) :].lstrip(",: ") or message
                break
        return message
    except Exception as exc:
        return f"could not be read ({type(exc).__name__})"


@dataclass(frozen=True)
class LoadChunk:
    """Several submission files read by one worker task (see :func:`load_files`).

    ``paths`` are absolute and ``displays`` as the user gave them (see :class:`LoadTask`).
    """

    problems: str | None
    paths: tuple[str, ...]
    displays: tuple[str, ...] = ()


def run_load_chunk(chunk: LoadChunk) -> list[Submission | str]:
    """Worker entry point: read each file of a chunk, as :func:`run_load_task` would."""
    displays = chunk.displays or chunk.paths
    return [
        run_load_task(LoadTask(chunk.problems, path, display))
        for path, display in zip(chunk.paths, displays, strict=True)
    ]


def _task_of(problems: str | None, path: Path) -> LoadTask:
    """The task that reads ``path``: opened by its absolute path, shown as given."""
    return LoadTask(problems, str(path.resolve()), str(path))


#: Most files per reading task. Reading a file takes about a millisecond; one message
#: per file left the readers waiting on the parent (which also runs the solvers).
READ_CHUNK = 16


def chunk_size(files: int) -> int:
    """Files per reading task: up to :data:`READ_CHUNK`, at least 8 tasks when possible."""
    return max(1, min(READ_CHUNK, files // 8))


def collect_files(paths: Iterable[str]) -> list[Path]:
    """Expand files, folders (recursively, ``*.yaml``/``*.yml``) and globs, in a stable order.

    Raises:
        UsageError: A path matches nothing.
    """
    found: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in SUBMISSION_SUFFIXES
                )
            )
        elif path.exists():
            found.append(path)
        else:
            matches = sorted(Path(m) for m in glob.glob(item, recursive=True))
            if not matches:
                raise UsageError(f"no such file or folder: {item}")
            found.extend(m for m in matches if m.is_file())
    unique: dict[Path, None] = {}
    for path in found:
        unique.setdefault(path, None)
    return list(unique)


def load_reason(outcome: TaskOutcome, limits: Limits) -> str:
    """The status of a file whose reader the sandbox had to stop."""
    if outcome.timed_out:
        return f"could not be read (reading it took longer than {limits.seconds:g} s)"
    return f"could not be read ({outcome.error or 'the reader stopped'})"


def load_files(
    files: Sequence[Path],
    runner: Runner,
    limits: Limits,
    problems_option: str | None,
    on_done: Callable[[int, TaskOutcome], None] | None = None,
) -> list[Submission | tuple[Path, str]]:
    """Read every file through ``runner``; unusable ones become ``(path, reason)``.

    Files travel in chunks (one task reads several). A chunk the sandbox stops (a file
    that stalls the reader, a crash) is read again file by file, so every file ends
    with the outcome it would have had alone, under its own time limit.
    """
    size = chunk_size(len(files))
    starts = list(range(0, len(files), size))
    chunks = []
    for i in starts:
        tasks = [_task_of(problems_option, p) for p in files[i : i + size]]
        chunks.append(
            LoadChunk(
                problems_option, tuple(t.path for t in tasks), tuple(t.display for t in tasks)
            )
        )

    def chunk_done(c: int, outcome: TaskOutcome) -> None:
        if on_done is not None and _chunk_values(outcome, chunks[c]) is not None:
            for k in range(len(chunks[c].paths)):
                on_done(starts[c] + k, outcome)

    outcomes: list[TaskOutcome] = []
    again: list[int] = []
    for c, outcome in enumerate(runner.map(run_load_chunk, chunks, on_done=chunk_done)):
        values = _chunk_values(outcome, chunks[c])
        if values is None:
            again.extend(range(starts[c], starts[c] + len(chunks[c].paths)))
            values = [TaskOutcome(ok=False)] * len(chunks[c].paths)  # replaced below
        outcomes.extend(values)
    if again:
        tasks = [_task_of(problems_option, files[i]) for i in again]

        def single_done(k: int, outcome: TaskOutcome) -> None:
            if on_done is not None:
                on_done(again[k], outcome)

        for i, outcome in zip(
            again, runner.map(run_load_task, tasks, on_done=single_done), strict=True
        ):
            outcomes[i] = outcome
    loaded: list[Submission | tuple[Path, str]] = []
    for path, outcome in zip(files, outcomes, strict=True):
        if outcome.ok and isinstance(outcome.value, Submission):
            loaded.append(outcome.value)
        elif outcome.ok and isinstance(outcome.value, str):
            loaded.append((path, outcome.value))
        else:
            loaded.append((path, load_reason(outcome, limits)))
    _no_blind_workers(loaded)
    return loaded


def _no_blind_workers(loaded: Sequence[Submission | tuple[Path, str]]) -> None:
    """Stop the run when the workers cannot open files that this process can.

    That is the set-up, not the students: Dask workers that do not see the submission
    folder (another machine, no shared file system) would give the whole class 0 with
    "cannot open the file". A file nobody can open keeps its row and its reason.

    Raises:
        UsageError: naming a file and what the workers need.
    """
    blind = [
        path
        for path, reason in (x for x in loaded if not isinstance(x, Submission))
        if reason.startswith("cannot open the file") and os.access(path, os.R_OK)
    ]
    if blind:
        more = f" and {len(blind) - 1} other files" if len(blind) > 1 else ""
        raise UsageError(
            f"the workers cannot open {blind[0]}{more}, which this machine reads: they must"
            " see the submission folder at the same absolute path (a shared file system)"
        )


def _chunk_values(outcome: TaskOutcome, chunk: LoadChunk) -> list[TaskOutcome] | None:
    """One outcome per file of a chunk that ran to the end; ``None`` if it was stopped."""
    value = outcome.value
    if not outcome.ok or not isinstance(value, list) or len(value) != len(chunk.paths):
        return None
    return [TaskOutcome(ok=True, value=v) for v in value]


def problem_set_for(option: str | None) -> ProblemSet:
    """The problem set of ``--problems`` in this process (primed, else loaded once)."""
    return primed_problem_set(option)


__all__ = [
    "READ_CHUNK",
    "SUBMISSION_SUFFIXES",
    "LoadChunk",
    "LoadTask",
    "chunk_size",
    "collect_files",
    "load_files",
    "load_reason",
    "prime_problem_set",
    "problem_set_for",
    "run_load_chunk",
    "run_load_task",
]
