"""Output files: checked before the work starts, then written whole or not at all.

A TA's run over a class can take minutes; finding out at the end that ``--out`` names a
folder, or a path under a file, wastes the run and used to end in a traceback. So every
output path is checked first (:func:`check_writable`), and every file is written to a
temporary file beside it and renamed into place (:func:`write_atomic`), so a full disk
or an interrupted run leaves the previous file intact, never half of a new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from hwgrade.grader.errors import HwgradeError, UsageError

#: How a temporary file is opened (tests put a full disk here).
_fdopen = os.fdopen
#: The process's umask, read once at import (reading it means setting it, which is not
#: safe while other threads create files).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


class OutputError(HwgradeError):
    """An output could not be written after the work was done (a full disk, say).

    The outputs checked before the work are usage errors (exit 2); this one comes after
    the grading, which did complete, so it maps to exit 1, like a file that could not be
    graded: the run's product is incomplete.
    """

    exit_code = 1


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (the folder that will be written in)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def check_writable(target: str, option: str, *, folder: bool = False) -> None:
    """Raise a usage error naming ``option`` when ``target`` cannot be written.

    Missing parent folders are fine (they are created); a parent that is a file, a
    folder where a file is wanted (or the reverse), and a place without write
    permission are not.

    Args:
        target: The path the user gave.
        option: The option that gave it (``--out``), for the message.
        folder: Whether the output is a folder of files (``--gradescope``).

    Raises:
        UsageError: the output cannot be written there.
    """
    path = Path(target).expanduser()
    if path.exists():
        if folder and not path.is_dir():
            raise UsageError(f"{option} {target}: is a file, and a folder is wanted here")
        if not folder and path.is_dir():
            raise UsageError(f"{option} {target}: is a folder; give a file name")
        if not os.access(path, os.W_OK):
            raise UsageError(f"{option} {target}: no permission to write it")
        return
    base = _nearest_existing(path.parent if path.parent != path else path)
    if not base.is_dir():
        raise UsageError(f"{option} {target}: `{base}` is a file, so nothing can go under it")
    if not os.access(base, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {target}: no permission to write in `{base}`")


def _mode_for(path: Path) -> int:
    """The mode a rewritten file keeps: its old one, else what a new file gets (umask)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        return 0o666 & ~_UMASK


def write_atomic(path: Path, text: str, *, newline: str | None = None) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place.

    Readers (a gradebook import, the next ``--resume``) see the old file or the new one,
    never a truncated mix. ``newline=""`` keeps the CRLF line ends the csv module writes.

    Raises:
        OutputError: the file could not be written (the temporary file is removed).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        os.chmod(tmp, _mode_for(path))  # mkstemp makes it private; keep the usual mode
        with _fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise


@contextlib.contextmanager
def lock_outputs(targets: Iterable[str]) -> Iterator[None]:
    """Hold a lock on each output for a whole run, so two runs never interleave.

    Two TAs (or two terminals) grading into the same ``--out`` would each write a
    complete file, but the second would silently replace the first's, built from other
    files. The lock is an advisory ``flock`` on ``.NAME.lock`` beside each output: the
    kernel drops it when the process dies, so a crashed run never leaves a stale lock.
    Where ``fcntl`` does not exist (Windows) nothing is locked.

    Raises:
        UsageError: another run holds the lock of one of ``targets``.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    held: list[tuple[int, Path]] = []
    try:
        for target in targets:
            path = Path(target).expanduser()
            lock = path.parent / f".{path.name}.lock"
            try:
                lock.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
            except OSError:
                continue  # cannot even create it: check_writable has said why already
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise UsageError(
                    f"{target}: another hwgrade run is writing it; wait for it to finish"
                ) from None
            held.append((fd, lock))
        yield
    finally:
        for fd, lock in held:
            with contextlib.suppress(OSError):
                lock.unlink()
            os.close(fd)


__all__ = ["OutputError", "check_writable", "lock_outputs", "write_atomic"]
