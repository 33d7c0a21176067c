"""Solved keys kept on disk, so that a rerun (or ``hwgrade check``) does not solve again.

Solving is symbolic work (``dropout_ridge`` alone takes 0.4 s), repeated identically by
every ``check`` and every ``grade`` of the same problem set. :class:`KeyCache` keeps each
solution in a folder, one file per (spec file's bytes, its parameters and derivations,
the source of hwgrade and of the course's solver modules, hwgrade's version, Python's
version), so that any change to what a solution depends on is a new entry and an old
one is never read for it.

A solution holds SymPy values and, for error carried forward, the solver's own Python
functions, so an entry is a pickle (cloudpickle). A pickle runs code when it is read,
which makes the cache folder exactly as trusted as a course's solver modules, which
hwgrade imports and runs too: only course staff may write there. The folder is created
private (0700), a folder anyone may write to is refused, and an entry that does not
read back (corrupt, truncated, written by another version, for another key) is ignored
and solved again. Entries are written to a temporary file and renamed into place, so
two TAs (or workers) writing the same entry at once leave one whole file; the folder
holds at most :data:`MAX_ENTRIES` entries, the oldest removed first.

Student text never reaches this module: only instructor specs and solvers are keys.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import cloudpickle

import hwgrade._version
import hwgrade.grader
import hwgrade.solver
from hwgrade._version import __version__
from hwgrade.grader.errors import UsageError
from hwgrade.solver import Solution

#: The environment variable naming the cache folder (``off`` turns the cache off).
ENV_VAR = "HWGRADE_CACHE"
#: Entries kept at most; the least recently written go first. With variants on, every
#: student has an entry per varying problem (4,000 for 1,000 students and the built-in
#: set), so the bound is set well above a large class: about 100 MB at ~5 KB an entry.
MAX_ENTRIES = 20_000
#: How many entries a process writes between two checks of the folder's size.
BOUND_EVERY = 64
#: The first bytes of every entry, so that another file is never unpickled.
MAGIC = b"hwgrade-key-1\n"
_SUFFIX = ".key"


def default_folder() -> Path:
    """``$HWGRADE_CACHE``, else ``$XDG_CACHE_HOME/hwgrade/keys``, else ``~/.cache/...``."""
    named = os.environ.get(ENV_VAR)
    if named:
        return Path(named).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hwgrade" / "keys"


def disabled_by_environment() -> bool:
    """Whether ``$HWGRADE_CACHE`` is ``off`` (as the test suite sets it)."""
    return os.environ.get(ENV_VAR, "").strip().lower() in ("off", "0", "no", "none")


@lru_cache(maxsize=1)
def hwgrade_source() -> str:
    """A hash of hwgrade's own Python files: a solution depends on the code deriving it."""
    folders = [
        Path(hwgrade._version.__file__).resolve().parent,
        *(Path(p).resolve() for p in hwgrade.grader.__path__),
        *(Path(p).resolve() for p in hwgrade.solver.__path__),
    ]
    return _hash_files(sorted({f for d in folders for f in d.rglob("*.py")}))


def _hash_files(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        try:
            data = file.read_bytes()
        except OSError:
            continue
        digest.update(str(file).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def entry_key(spec_file: Path | None, solution_key: tuple[str, ...]) -> str:
    """The name of a solution's entry: everything the solution depends on, hashed.

    Args:
        spec_file: The spec's file (its bytes count: symbols, shapes, parts); its
            folder's ``*.py`` files (a course's solvers) count too.
        solution_key: :func:`~hwgrade.grader.specs.solving.solution_key` (id, file,
            solver, parameters as rendered for a variant, derivations).
    """
    digest = hashlib.sha256()
    for piece in (__version__, sys.version, hwgrade_source(), *solution_key):
        digest.update(piece.encode("utf-8", "surrogatepass") + b"\0")
    if spec_file is not None:
        digest.update(_hash_files([spec_file]).encode())
        digest.update(_hash_files(sorted(spec_file.parent.glob("*.py"))).encode())
    return digest.hexdigest()


class KeyCache:
    """A folder of solved keys, one file per :func:`entry_key`.

    Reading never raises (a bad entry is a miss); writing never raises either (a full
    disk or a read-only folder only means the next run solves again).
    """

    def __init__(self, folder: Path, max_entries: int = MAX_ENTRIES) -> None:
        """Open (creating, private) the folder.

        Raises:
            UsageError: the folder cannot be created, or anyone may write to it.
        """
        self.folder = Path(folder)
        self.max_entries = max_entries
        self._written = 0
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            mode = self.folder.stat().st_mode
        except OSError as exc:
            raise UsageError(f"cannot use the cache folder {self.folder}: {exc}") from None
        if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
            raise UsageError(
                f"the cache folder {self.folder} is writable by anyone; a cached key runs"
                " code when read, so give it to course staff only (chmod o-w)"
            )

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{_SUFFIX}"

    def get(self, key: str) -> Solution | None:
        """The solution stored under ``key``, or ``None`` (absent, corrupt, foreign)."""
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        header = MAGIC + key.encode() + b"\n"
        if not data.startswith(header):
            return None
        try:
            found = pickle.loads(data[len(header) :])
        except Exception:  # truncated, another Python, a solver module that is gone
            return None
        return found if isinstance(found, Solution) else None

    def put(self, key: str, solution: Solution) -> bool:
        """Store ``solution`` under ``key``; whether it was written."""
        try:
            payload = cloudpickle.dumps(solution)
        except Exception:  # a solver value that does not pickle: solve it next time
            return False
        target = self._path(key)
        try:
            handle, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(MAGIC + key.encode() + b"\n" + payload)
                os.replace(tmp, target)  # whole, or not at all
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return False
        self._written += 1
        if (self._written - 1) % BOUND_EVERY == 0:  # the first, then every 64th: listing costs
            self._bound()
        return True

    def _bound(self) -> None:
        """Remove the oldest entries beyond :attr:`max_entries`."""
        try:
            entries = list(self.folder.glob(f"*{_SUFFIX}"))
            if len(entries) <= self.max_entries:
                return
            entries.sort(key=lambda p: p.stat().st_mtime)
            for old in entries[: len(entries) - self.max_entries]:
                old.unlink(missing_ok=True)
        except OSError:
            return

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob(f"*{_SUFFIX}"))


__all__ = [
    "ENV_VAR",
    "MAGIC",
    "MAX_ENTRIES",
    "KeyCache",
    "default_folder",
    "disabled_by_environment",
    "entry_key",
    "hwgrade_source",
]
