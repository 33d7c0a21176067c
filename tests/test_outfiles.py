"""Output files: refused up front when they cannot be written, written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwgrade.grader.errors import UsageError
from hwgrade.grader.outfiles import OutputError, check_writable, write_atomic


@pytest.mark.parametrize(
    ("target", "folder", "says"),
    [
        ("a_folder", False, "is a folder; give a file name"),
        ("a_file", True, "is a file, and a folder is wanted here"),
        ("a_file/out.csv", False, "is a file, so nothing can go under it"),
        ("a_file/deeper/out.csv", False, "is a file, so nothing can go under it"),
        ("a_file/gs", True, "is a file, so nothing can go under it"),
    ],
    ids=["folder-for-file", "file-for-folder", "under-a-file", "deep-under-a-file", "gs-under"],
)
def test_unwritable_targets_name_the_option(
    blocked: Path, target: str, folder: bool, says: str
) -> None:
    with pytest.raises(UsageError) as info:
        check_writable(str(blocked / target), "--out", folder=folder)
    assert str(info.value).startswith("--out ") and says in str(info.value)


@pytest.mark.parametrize(
    ("target", "folder"),
    [
        ("new.csv", False),
        ("a_file", False),  # replaced
        ("new/deeper/out.csv", False),  # parents are created
        ("a_folder", True),
        ("new_folder", True),
    ],
    ids=["new-file", "existing-file", "new-parents", "existing-folder", "new-folder"],
)
def test_writable_targets_pass(blocked: Path, target: str, folder: bool) -> None:
    check_writable(str(blocked / target), "--out", folder=folder)


def test_no_permission(blocked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests may run as root, for whom every mode bit is writable: ask os.access instead.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(UsageError, match="no permission to write in"):
        check_writable(str(blocked / "new.csv"), "--json")
    with pytest.raises(UsageError, match="no permission to write it"):
        check_writable(str(blocked / "a_file"), "--json")


def test_write_atomic_replaces_whole(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "g.csv"
    write_atomic(target, "a,b\r\n1,2\r\n", newline="")
    assert target.read_bytes() == b"a,b\r\n1,2\r\n"
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in target.parent.iterdir()] == ["g.csv"]  # no temporary file left


def test_a_rewritten_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    old = tmp_path / "old.csv"
    old.write_text("x")
    old.chmod(0o640)
    write_atomic(old, "y")
    assert old.stat().st_mode & 0o777 == 0o640
    new = tmp_path / "new.csv"
    write_atomic(new, "z")
    umask = os.umask(0)
    os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "g.csv"
    target.write_text("the old grades\n")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OutputError, match="No space left on device") as info:
        write_atomic(target, "half of the new grades")
    assert info.value.exit_code == 1
    assert target.read_text() == "the old grades\n"
    assert [p.name for p in tmp_path.iterdir()] == ["g.csv"]


def test_an_unwritable_place_is_an_output_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(tmp_path / "f" / "g.csv", "x")
