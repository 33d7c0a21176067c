"""Solved keys on disk: hit, miss on a changed spec, corrupt and foreign entries, writers."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli import cli
from hwgrade.grader.errors import SolverError, UsageError
from hwgrade.grader.specs import keycache, solving
from hwgrade.grader.specs.keycache import KeyCache, entry_key
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.specs.solving import solution_key, solve, solve_spec, use_key_cache
from hwgrade.grader.specs.specfile import load_spec
from hwgrade.solver import Solution, without_self_checks

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "typical.yaml"


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No solution kept in this process, and the disk cache off again afterwards."""
    monkeypatch.setattr(solving, "_SOLVED", {})
    yield
    use_key_cache(None)


def _spec_copy(tmp_path: Path, name: str = "11_triangle_area.yaml") -> Path:
    folder = tmp_path / "course"
    folder.mkdir(exist_ok=True)
    target = folder / name
    shutil.copy(ROOT / "problems" / name, target)
    return target


def _refuse(*args: Any, **kwargs: Any) -> Solution:
    raise SolverError("the solver ran")


def test_a_solution_is_kept_and_read_back_without_solving(
    tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = load_problem_set(None).get("dropout_ridge")
    assert spec is not None
    use_key_cache(KeyCache(tmp_path / "keys"))
    with without_self_checks():
        first = solve(spec)
    assert len(KeyCache(tmp_path / "keys")) == 1
    monkeypatch.setattr(solving, "_SOLVED", {})
    monkeypatch.setattr(solving, "solve_spec", _refuse)
    with without_self_checks():
        again = solve(spec)
    assert dict(again.answers) == dict(first.answers)
    assert {k: [m.id for m in v] for k, v in again.mistakes.items()} == {
        k: [m.id for m in v] for k, v in first.mistakes.items()
    }


def test_carried_forward_rules_survive_the_disk(tmp_path: Path, fresh: None) -> None:
    """rnn_backprop's follow-on references are solver functions: they must still work."""
    spec = load_problem_set(None).get("rnn_backprop")
    assert spec is not None
    cache = KeyCache(tmp_path)
    original = solve_spec(spec)
    key = entry_key(spec.path, solution_key(spec))
    assert cache.put(key, original)
    loaded = cache.get(key)
    assert loaded is not None and loaded.carry_forward
    for part_id, rule in original.carry_forward.items():
        own = {source: original.answers[source] for source in rule.sources}
        assert loaded.carry_forward[part_id].derive(own) == rule.derive(own)


def test_self_checks_always_run_the_solver(
    tmp_path: Path, fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = load_problem_set(None).get("triangle_area")
    assert spec is not None
    use_key_cache(KeyCache(tmp_path))
    with without_self_checks():
        solve(spec)
    monkeypatch.setattr(solving, "_SOLVED", {})
    monkeypatch.setattr(solving, "solve_spec", _refuse)
    with pytest.raises(SolverError, match="the solver ran"):
        solve(spec)  # self-checks on (hwgrade key, validate): vouching is the point


@pytest.mark.parametrize(
    "edit",
    [
        ("title: ", "title: Changed "),  # any byte of the spec
        ("\nparameters:\n", "\n# a comment\nparameters:\n"),
    ],
    ids=["title", "comment"],
)
def test_a_changed_spec_is_a_new_entry(tmp_path: Path, fresh: None, edit: tuple[str, str]) -> None:
    path = _spec_copy(tmp_path)
    spec = load_spec(path)
    before = entry_key(path, solution_key(spec))
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    changed = load_spec(path)
    assert entry_key(path, solution_key(changed)) != before


def test_a_changed_course_solver_is_a_new_entry(tmp_path: Path) -> None:
    path = _spec_copy(tmp_path)
    spec = load_spec(path)
    before = entry_key(path, solution_key(spec))
    (path.parent / "helpers.py").write_text("X = 1\n", encoding="utf-8")
    assert entry_key(path, solution_key(spec)) != before


@pytest.mark.parametrize(
    "content",
    [b"", b"garbage", keycache.MAGIC + b"x" * 64 + b"\nnot a pickle", b"\x80\x04K\x01."],
    ids=["empty", "garbage", "bad-pickle", "bare-pickle"],
)
def test_a_corrupt_entry_is_a_miss_and_is_replaced(
    tmp_path: Path, fresh: None, content: bytes
) -> None:
    spec = load_problem_set(None).get("triangle_area")
    assert spec is not None
    cache = KeyCache(tmp_path)
    key = entry_key(spec.path, solution_key(spec))
    (tmp_path / f"{key}.key").write_bytes(content)
    assert cache.get(key) is None
    use_key_cache(cache)
    with without_self_checks():
        solved = solve(spec)
    assert cache.get(key) is not None
    assert dict(cache.get(key).answers) == dict(solved.answers)  # type: ignore[union-attr]


def test_a_foreign_entry_is_never_read(tmp_path: Path) -> None:
    """An entry copied under another name (another key) is not that key's solution."""
    cache = KeyCache(tmp_path)
    assert cache.put("a" * 64, Solution({"x": 1}))
    (tmp_path / ("a" * 64 + ".key")).rename(tmp_path / ("b" * 64 + ".key"))
    assert cache.get("b" * 64) is None


def _writer(args: tuple[str, int]) -> None:
    folder, n = args
    cache = KeyCache(Path(folder))
    for i in range(40):
        cache.put("c" * 64, Solution({"n": n, "i": i}))


def test_two_writers_at_once_leave_one_whole_entry(tmp_path: Path) -> None:
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_writer, [(str(tmp_path), 1), (str(tmp_path), 2)])
    found = KeyCache(tmp_path).get("c" * 64)
    assert found is not None and found.answers["i"] == 39
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c" * 64 + ".key"]  # no .part left


def test_the_folder_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keycache, "BOUND_EVERY", 1)
    cache = KeyCache(tmp_path, max_entries=3)
    for i in range(6):
        assert cache.put(f"{i:064d}", Solution({"i": i}))
        os.utime(tmp_path / f"{i:064d}.key", (1000 + i, 1000 + i))
    assert len(cache) == 3
    assert [cache.get(f"{i:064d}") is not None for i in range(6)] == [False] * 3 + [True] * 3


def test_a_folder_anyone_may_write_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "open"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(UsageError, match="writable by anyone"):
        KeyCache(folder)


def test_check_keeps_keys_in_the_folder_and_no_cache_keeps_none(
    tmp_path: Path, fresh: None
) -> None:
    runner = CliRunner()
    folder = tmp_path / "keys"
    first = runner.invoke(cli, ["check", "--cache", str(folder), "--json", str(EXAMPLE)])
    assert first.exit_code == 1, first.output  # typical.yaml has wrong answers
    assert len(KeyCache(folder)) == 3  # the three problems the file answers
    again = runner.invoke(cli, ["check", "--cache", str(folder), "--json", str(EXAMPLE)])
    assert again.output == first.output
    off = tmp_path / "off"
    runner.invoke(cli, ["check", "--cache", str(off), "--no-cache", str(EXAMPLE)])
    assert not off.exists()


def test_an_unusable_cache_folder_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--cache", str(blocker / "keys"), str(EXAMPLE)])
    assert result.exit_code == 2
    assert "cache folder" in result.output


def test_the_size_is_checked_only_now_and_then(tmp_path: Path) -> None:
    """Listing the folder on every write would cost a class with variants dearly."""
    cache = KeyCache(tmp_path, max_entries=3)
    for i in range(keycache.BOUND_EVERY):
        cache.put(f"{i:064d}", Solution({"i": i}))
    assert len(cache) == keycache.BOUND_EVERY  # checked at the first write only
    cache.put("x" * 64, Solution({}))
    assert len(cache) == 3


def test_grade_keeps_verdicts_in_the_folder(tmp_path: Path, fresh: None) -> None:
    """A rerun of an unchanged class takes every file from the cache, same grades."""
    runner = CliRunner()
    folder = tmp_path / "keys"
    examples = EXAMPLE.parent
    args = ["grade", "--workers", "0", "--cache", str(folder), str(examples)]
    first = runner.invoke(cli, [*args, "--out", str(tmp_path / "a.csv")])
    assert list(folder.glob("verdicts-*.json")), first.output
    assert "graded by an earlier run" not in first.output
    again = runner.invoke(cli, [*args, "--out", str(tmp_path / "b.csv")])
    assert again.exit_code == first.exit_code
    n = len(list(examples.glob("*.yaml")))
    assert f"cache: {n} of {n} files graded by an earlier run" in again.output
    assert (tmp_path / "a.csv").read_text() == (tmp_path / "b.csv").read_text()
    off = runner.invoke(
        cli, [*args[:3], "--cache", str(folder), "--no-cache", str(examples), "--out", "-"]
    )
    assert off.exit_code == first.exit_code
    assert "earlier run" not in off.output
