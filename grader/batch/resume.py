"""The ``--resume`` cache and the verdict cache: re-grade only what is new or changed.

A TA re-runs ``hwgrade grade`` on the same folder as late submissions trickle in. A
file's grade depends only on its bytes, the problem set and which problems the batch
grades (the scope), so the cache keys each entry by the file's path and the SHA-256
of its content, remembers the scope it was graded in, and is thrown away as a whole
when the problem set's fingerprint (a hash of every spec and solver file in the
folder, plus hwgrade's version) changes. It is one JSON file, written atomically and
saved as the run goes (every few seconds), so a run interrupted half-way keeps what it
finished: whole files, and every check that completed (kept by
:meth:`~hwgrade.grader.batch.planning.PartGroup.member_key`, since a class shares its answers
and files complete only near the end). Only verdicts of completed checks are stored: a
``timeout`` or a dead worker decided nothing about the answer, and the next run tries
again.

The same cache, kept in the cache folder (:func:`shared_cache`; ``grade`` uses it unless
``--no-cache`` or ``--resume``), is what makes any rerun cost only what changed: its
file is named by the fingerprint and a hash of hwgrade's own source, so TAs grading the
same problem set share it, and a check one of them completed (keyed by its content, not
by a path) is not run again by the others. Two runs saving at once merge what they found
(each save re-reads the file first), a damaged or foreign file is ignored and replaced,
and the folder keeps at most :data:`SHARED_FILES` such files of at most
:data:`MAX_CHECKS` checks and :data:`MAX_FILES` files each. ``check`` keeps a file of
its own kind beside it (a few files' verdicts, so that checking one file never loads a
class's megabytes). Verdicts are JSON, never code; each distinct verdict is stored once
(a class shares its answers: 1,000 files of 72 parts hold about 10,000), and a run that
added nothing writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hwgrade._version import __version__
from hwgrade.grader.outfiles import OutputError, write_atomic
from hwgrade.grader.results import SANDBOX, AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.specs.keycache import hwgrade_source
from hwgrade.grader.specs.problemset import ProblemSet

#: The cache's file name, in the current folder or beside ``--out``.
CACHE_NAME = ".hwgrade-cache.json"
#: While a run goes on, the cache is saved at most once per this many seconds: each save
#: writes the whole cache (about 10 MB for 1,000 files of 72 answers, 0.1 s).
CHECKPOINT_SECONDS = 5.0
#: A checkpoint waits at least this many times as long as the last save took, so that
#: saving a large class's cache (0.1-0.2 s each) takes no more than a tenth of the run.
SAVE_SHARE = 10
#: Bumped whenever the entry layout changes; an older cache is ignored.
FORMAT = 5
_CHUNK = 1 << 20
#: Checks kept in one cache file at most (the oldest go first): about 100 MB.
MAX_CHECKS = 200_000
#: Files kept in one cache file at most (the oldest go first): a TA who checks file
#: after file with ``check``, term after term, must not grow it without end.
MAX_FILES = 20_000
#: Verdict-cache files of each kind kept in the cache folder (one per problem set and
#: hwgrade).
SHARED_FILES = 16


def fingerprint(problem_set: ProblemSet) -> str:
    """Hash of the problem set's spec and solver files and of hwgrade's version.

    Any edit to a spec (a tolerance, a known mistake, a point value) or to an
    instructor's solver module can change a grade, so it invalidates the whole cache;
    so does turning variants on or off or changing the course's variant salt.
    """
    digest = hashlib.sha256(f"hwgrade {__version__}\n".encode())
    digest.update(repr(problem_set.variants).encode())  # variants on/off, salt: new keys
    root = problem_set.root
    files = sorted(
        p for p in root.iterdir() if p.is_file() and p.suffix in {".yaml", ".yml", ".py"}
    )
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's content (``None`` when it cannot be read: grade it again)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def shared_cache(folder: Path, problem_set: ProblemSet, kind: str = "verdicts") -> ResumeCache:
    """The verdict cache of ``problem_set`` in the cache folder (shared between runs).

    Its name hashes the problem set's :func:`fingerprint` and hwgrade's own source, so
    an edited spec, solver or grader never reads an old verdict. Opening it removes the
    oldest such files beyond :data:`SHARED_FILES`.

    Args:
        folder: The cache folder.
        problem_set: The problems graded.
        kind: ``verdicts`` for ``grade`` (a whole class: tens of megabytes), ``checks``
            for ``check``, whose file stays as small as the few files checked with it,
            so a TA's ``check`` of one file never loads the class's verdicts.
    """
    digest = hashlib.sha256(f"{fingerprint(problem_set)}\0{hwgrade_source()}".encode())
    name = f"{kind}-{digest.hexdigest()[:32]}.json"
    _bound_folder(folder, keep=name, prefix=f"{kind}-")
    return ResumeCache(folder / name, digest.hexdigest())


def _bound_folder(folder: Path, keep: str, prefix: str) -> None:
    try:
        found = sorted(
            (p for p in folder.glob(f"{prefix}*.json") if p.name != keep),
            key=lambda p: p.stat().st_mtime,
        )
        for old in found[: max(0, len(found) - (SHARED_FILES - 1))]:
            old.unlink(missing_ok=True)
    except OSError:
        return


def default_cache_path(out: str | None) -> Path:
    """Beside ``--out`` when it is given, else in the current folder."""
    if out:
        return Path(out).resolve().parent / CACHE_NAME
    return Path.cwd() / CACHE_NAME


@dataclass(frozen=True)
class CachedEntry:
    """What the cache knows about one file.

    Attributes:
        answered: Problem ids the file answers (the batch's scope is their union).
        scope: The problems it was graded against.
        result: Its result.
    """

    answered: tuple[str, ...]
    scope: tuple[str, ...]
    result: SubmissionResult


@dataclass
class _Document:
    """A cache file's content, as read: raw file entries, checks and the verdict table.

    ``results[i]`` is the verdict rebuilt from row ``i`` of the file's table (``None``
    for a damaged row: whatever refers to it is a miss).
    """

    files: dict[str, Any]
    checks: dict[str, Any]
    results: list[AnswerResult | None]


def _rebuilt(row: Any) -> AnswerResult | None:
    try:
        return AnswerResult.from_dict(row)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


class ResumeCache:
    """Results of earlier runs, keyed by absolute path and content hash.

    The file keeps each distinct verdict once, in a table that file entries (a row
    per part: problem, part, the answer as typed, the verdict's row) and checks refer
    to by position: a class shares its answers, so 72,000 graded parts of 1,000 files
    hold about 10,000 distinct verdicts, and the file is a fraction of what a result
    per part would take to write, read and rebuild on every rerun.

    Args:
        path: The cache file (read if it exists and matches ``fingerprint``).
        fingerprint: The problem set's :func:`fingerprint`.
    """

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.hits = 0
        #: Why the last save failed ("" when it did not).
        self.error = ""
        self._saved_at = time.monotonic()
        #: How long the last save took: checkpoints keep to a tenth of the run's time.
        self._save_seconds = 0.0
        #: The file's version (inode, mtime, size) when this run last read or wrote it: a
        #: save renames a new file into place, so another run's save is a new inode.
        self._version: tuple[int, int, int] | None = None
        #: Whether this run added anything since it last read or wrote the file.
        self._dirty = False
        found = self._read()
        self._results = found.results
        self._rows: dict[AnswerResult, int] = {}
        for row, result in enumerate(self._results):
            if result is not None:
                self._rows.setdefault(result, row)
        self._entries: dict[str, Any] = found.files
        self._checks: dict[str, Any] = found.checks

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            found = self.path.stat()
        except OSError:
            return None
        return found.st_ino, found.st_mtime_ns, found.st_size

    def _read(self) -> _Document:
        """The file's content (empty for a missing, damaged or foreign file)."""
        self._version = self._stat()
        empty = _Document({}, {}, [])
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return empty
        if not (
            isinstance(data, dict)
            and data.get("format") == FORMAT
            and data.get("fingerprint") == self.fingerprint
            and isinstance(data.get("files"), dict)
            and isinstance(data.get("results"), list)
        ):
            return empty
        checks = data.get("checks")
        return _Document(
            data["files"],
            checks if isinstance(checks, dict) else {},
            [_rebuilt(row) for row in data["results"]],
        )

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _key(path: Path) -> str:
        return str(path.resolve())

    def _row(self, result: AnswerResult) -> int:
        """The table row holding ``result``, added when it is new (each verdict once)."""
        row = self._rows.get(result)
        if row is None:
            row = self._rows[result] = len(self._results)
            self._results.append(result)
        return row

    def _result(self, row: Any) -> AnswerResult:
        """The verdict in ``row``; ``KeyError`` for a damaged or missing row."""
        if not isinstance(row, int) or not 0 <= row < len(self._results):
            raise KeyError(row)
        found = self._results[row]
        if found is None:
            raise KeyError(row)
        return found

    def get(self, path: Path, digest: str | None, *, latex: bool = True) -> CachedEntry | None:
        """The entry for ``path`` if its content is unchanged (a damaged entry is a miss).

        A run that shows LaTeX (``latex``) misses entries graded without it.
        """
        if digest is None:
            return None
        entry = self._entries.get(self._key(path))
        if not isinstance(entry, dict) or entry.get("sha256") != digest:
            return None
        if latex and entry.get("latex", True) is not True:
            return None
        try:
            data = entry["result"]
            parts = tuple(
                PartResult(str(problem), str(part), self._result(row), str(answer))
                for problem, part, answer, row in data["parts"]
            )
            result = replace(SubmissionResult.from_dict(data | {"parts": []}), parts=parts)
            return CachedEntry(tuple(entry["answered"]), tuple(entry["scope"]), result)
        except (KeyError, TypeError, ValueError):
            return None

    def put(
        self,
        path: Path,
        digest: str | None,
        answered: Sequence[str],
        scope: Sequence[str],
        result: SubmissionResult,
        *,
        latex: bool = True,
    ) -> None:
        """Remember a result (not when it holds a timeout, or the file was unreadable).

        ``latex`` records whether the result's answers were printed in LaTeX too.
        """
        if digest is None or any(
            p.result.verdict is Verdict.TIMEOUT or p.result.method == SANDBOX for p in result.parts
        ):
            return  # no completed check decided it: the next run tries again
        if "took longer than" in result.status or "worker" in result.status:
            return  # the reader was stopped: try again next time
        self._entries[self._key(path)] = {
            "sha256": digest,
            "answered": list(answered),
            "scope": list(scope),
            "latex": latex,
            "result": result.to_dict()
            | {  # each part's verdict by its row in the table: stored once for the class
                "max_possible": result.max_possible,
                "parts": [[p.problem, p.part, p.answer, self._row(p.result)] for p in result.parts],
            },
        }
        self._dirty = True

    def get_check(self, key: str) -> AnswerResult | None:
        """The verdict of a check completed in an earlier run (a damaged entry is a miss)."""
        try:
            return self._result(self._checks.get(key))
        except KeyError:
            return None

    def put_check(self, key: str, result: AnswerResult) -> None:
        """Keep the verdict of a completed check (saved with the next checkpoint).

        Kept per check, not only per file: a class shares its answers, so a file
        completes only near the end of a run, and a run interrupted half-way would
        otherwise keep almost nothing.
        """
        if result.verdict is Verdict.TIMEOUT or result.method == SANDBOX:
            return
        self._checks[key] = self._row(result)
        self._dirty = True
        self.checkpoint()

    def _merge(self, other: _Document) -> None:
        """Take in what another run saved, this run's entries winning, rows renumbered."""
        rows: dict[int, int] = {}
        for row, result in enumerate(other.results):
            if result is not None:
                rows[row] = self._row(result)

        def renumbered(row: Any) -> int | None:
            return rows.get(row) if isinstance(row, int) else None

        files = {}
        for key, entry in other.files.items():
            try:
                parts = entry["result"]["parts"]
                numbered = [[*part[:3], renumbered(part[3])] for part in parts]
            except (KeyError, TypeError, IndexError):
                continue
            if all(part[3] is not None for part in numbered):
                result = entry["result"] | {"parts": numbered}
                files[key] = entry | {"result": result}
        checks = {k: rows[v] for k, v in other.checks.items() if renumbered(v) is not None}
        self._entries = files | self._entries
        self._checks = checks | self._checks

    def _compacted(self) -> None:
        """Keep only the table rows still referred to, renumbered in order."""
        used: dict[int, int] = {}

        def number(row: Any) -> int:
            self._result(row)  # a damaged row is not carried on
            return used.setdefault(row, len(used))

        entries = {}
        for key, entry in self._entries.items():
            try:
                parts = [[*part[:3], number(part[3])] for part in entry["result"]["parts"]]
            except (KeyError, TypeError, IndexError):
                continue
            entries[key] = entry | {"result": entry["result"] | {"parts": parts}}
        checks = {}
        for key, row in self._checks.items():
            try:
                checks[key] = number(row)
            except KeyError:
                continue
        results: list[AnswerResult | None] = [None] * len(used)
        for old, new in used.items():
            results[new] = self._results[old]
        self._entries, self._checks, self._results = entries, checks, results
        self._rows = {result: row for row, result in enumerate(results) if result is not None}

    def save(self) -> None:
        """Write the cache atomically (a temporary file renamed over the old one).

        What another run saved to the same file since this one read or wrote it is kept
        (the file, when it changed, is read again and merged, this run's entries
        winning), so two TAs or two terminals grading at once lose nothing but a check
        computed twice; a file only this run writes is not read again at each checkpoint.
        A run that added nothing (an unchanged class graded again) writes nothing.

        Raises:
            OutputError: it could not be written (the old cache file is kept).
        """
        if not self._dirty and self._version is not None:
            self._touch()  # still in use: the folder's bound removes the oldest first
            self._saved_at = time.monotonic()
            return
        if self._stat() != self._version:
            self._merge(self._read())
        if len(self._entries) > MAX_FILES:  # the oldest first, as for checks
            self._entries = dict(list(self._entries.items())[len(self._entries) - MAX_FILES :])
        if len(self._checks) > MAX_CHECKS:  # the oldest first: a bounded file
            self._checks = dict(list(self._checks.items())[len(self._checks) - MAX_CHECKS :])
        began = time.monotonic()
        self._compacted()
        document = {
            "format": FORMAT,
            "fingerprint": self.fingerprint,
            "results": [result.to_dict() if result else None for result in self._results],
            "files": self._entries,
            "checks": self._checks,
        }
        write_atomic(self.path, json.dumps(document, ensure_ascii=False))
        self._version = self._stat()  # ours: the next save reads it again only if it changed
        self._saved_at = time.monotonic()
        self._save_seconds = self._saved_at - began
        self._dirty = False

    def _touch(self) -> None:
        """Mark the file as used now without rewriting it.

        Only the file this run knows (same inode): had another run renamed its own into
        place meanwhile, taking that file's version as read would skip its merge later.
        """
        known = self._version
        try:
            os.utime(self.path)
        except OSError:
            return
        now = self._stat()
        if known is not None and now is not None and now[0] == known[0]:
            self._version = now

    def try_save(self) -> bool:
        """:meth:`save`, keeping a failure in :attr:`error` instead of raising.

        A cache that cannot be written must not cost the run its grades: the batch
        finishes, writes its outputs, and the command reports this at the end.
        """
        try:
            self.save()
        except OutputError as exc:
            self.error = exc.message
            return False
        return True

    def checkpoint(self) -> None:
        """Save if :data:`CHECKPOINT_SECONDS` have passed since the last save.

        Called as files finish, so that an interrupted run (Ctrl-C, a killed terminal)
        keeps what it graded: a save every few seconds, not one per file, since each
        writes the whole cache; and at most a tenth of the time (:data:`SAVE_SHARE`),
        since the run's own checks wait while it saves.
        """
        every = max(CHECKPOINT_SECONDS, SAVE_SHARE * self._save_seconds)
        if time.monotonic() - self._saved_at >= every:
            self.try_save()


__all__ = [
    "CACHE_NAME",
    "CachedEntry",
    "ResumeCache",
    "default_cache_path",
    "file_digest",
    "fingerprint",
    "shared_cache",
]
