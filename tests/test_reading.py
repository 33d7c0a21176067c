"""Reading a class's files: chunked for speed, yet every file keeps its own outcome.

Files travel to the readers in chunks; a chunk the sandbox stops is read again file by
file, so that a stalling file costs its own time limit and its neighbours are read as
they would be alone. A fake runner stands in for the sandbox here (no timing involved).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inlinerunner import InlineRunner

from hwgrade.grader.batch.reading import (
    READ_CHUNK,
    LoadChunk,
    LoadTask,
    chunk_size,
    collect_files,
    load_files,
    run_load_chunk,
)
from hwgrade.grader.batch.sandbox import Limits
from hwgrade.grader.grading.submission import Submission

LIMITS = Limits(seconds=5.0)


def stalls(item: Any) -> bool:
    """A task that would read a file named ``stall*`` (the sandbox would stop it)."""
    paths = item.paths if isinstance(item, LoadChunk) else (item.path,)
    return any(Path(p).name.startswith("stall") for p in paths)


def write_class(folder: Path, n: int, stalling: frozenset[int] = frozenset()) -> list[Path]:
    for i in range(n):
        name = f"stall{i:03d}.yaml" if i in stalling else f"s{i:03d}.yaml"
        body = f'student: "s{i}"\nanswers:\n  rnn_backprop:\n    a.y: w u_1\n'
        (folder / name).write_text(body)
    return sorted(folder.glob("*.yaml"), key=lambda p: p.name[-8:])


@pytest.mark.parametrize(
    ("files", "size"),
    [(1, 1), (7, 1), (16, 2), (100, 12), (1000, READ_CHUNK), (0, 1)],
    ids=["one", "few", "sixteen", "hundred", "thousand", "none"],
)
def test_chunk_size_keeps_enough_tasks_to_share(files: int, size: int) -> None:
    assert chunk_size(files) == size


def test_chunks_read_like_single_files(tmp_path: Path) -> None:
    files = write_class(tmp_path, 40)
    runner = InlineRunner(stalls)
    loaded = load_files(files, runner, LIMITS, None)
    assert [s.student for s in loaded if isinstance(s, Submission)] == [f"s{i}" for i in range(40)]
    assert len(runner.calls) == 1 and len(runner.calls[0]) == 8  # 40 files, 5 per task


def test_a_stalled_chunk_is_read_again_file_by_file(tmp_path: Path) -> None:
    files = write_class(tmp_path, 40, stalling=frozenset({13}))
    runner = InlineRunner(stalls)
    done: list[int] = []
    loaded = load_files(files, runner, LIMITS, None, on_done=lambda i, _: done.append(i))
    assert sorted(done) == list(range(40))  # every file counted once for the progress bar
    for i, item in enumerate(loaded):
        if i == 13:
            assert isinstance(item, tuple) and "took longer than 5 s" in item[1]
        else:
            assert isinstance(item, Submission) and item.student == f"s{i}"
    retried = runner.calls[1]
    assert [Path(t.path).name for t in retried] == [Path(f).name for f in files[10:15]]


def test_run_load_chunk_reports_each_file(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text('student: "g"\nanswers:\n  rnn_backprop:\n    a.y: w u_1\n')
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    found = run_load_chunk(LoadChunk(None, (str(good), str(empty))))
    assert isinstance(found[0], Submission) and found[0].student == "g"
    assert isinstance(found[1], str) and "empty" in found[1]
    assert collect_files([str(tmp_path)]) == [empty, good]
    assert LoadTask(None, str(good)).path == str(good)
