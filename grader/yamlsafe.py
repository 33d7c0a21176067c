"""Load a student's submission file: YAML reduced to strings, lists and mappings.

A submission is untrusted: every byte of it is chosen by the student. PyYAML's
``safe_load`` is not enough on its own: it still types scalars implicitly (``no`` becomes
``False``, ``010`` becomes ``8``, a 5000-digit number raises ``ValueError``), it expands
aliases (billion laughs, self-containing lists), silently keeps the last of two duplicate
keys (the TA sees one answer, the grader grades the other), and its composer recurses
once per nesting level. So this module never builds a node graph at all: it walks
PyYAML's event stream (both parsers are explicit state machines, not recursive) and builds
plain ``dict`` / ``list`` / ``str`` values itself with an explicit stack, refusing
everything a submission has no use for. Every failure, whatever its origin, becomes one
:class:`~hwgrade.grader.errors.SubmissionError` whose message names the line.

Events come from libyaml's C parser when PyYAML was built with it (about 10× faster than
the pure-Python parser, which dominated the cost of reading a class); only the C
*composer* recurses, and it is never used. Whenever the C parser raises anything, the
file is parsed again by the pure-Python parser, so that every message is worded the same
whichever parser is installed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from hwgrade.grader.errors import SubmissionError
from hwgrade.grader.sanitize import json_safe

MAX_FILE_BYTES = 1_000_000
"""Largest submission accepted, checked before any parsing (a whole homework is ~5 KB)."""
MAX_DEPTH = 20
"""Deepest nesting of lists/mappings; a rank-4 tensor answer needs 7 levels."""
MAX_NODES = 100_000
"""Most scalars + lists + mappings in one file, bounding the work done on it."""

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

try:  # libyaml is optional: PyYAML may be built without it
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    _CParser = None  # type: ignore[assignment, misc]


class StringOnlyLoader(yaml.SafeLoader):
    """A ``SafeLoader`` whose resolver knows only strings, sequences and mappings.

    With no implicit resolvers every untagged scalar resolves to ``str``: ``no``, ``0.5``,
    ``1e-3``, ``3:4``, ``~`` and ``2001-01-01`` stay the text the student typed. It is
    the pure-Python loader on purpose: libyaml's composer recurses in C on deep nesting.
    :func:`load_untrusted_yaml` uses only its scanner and parser (the fallback to
    libyaml's event parser); the class is exposed so that trusted files (problem specs)
    can share the same scalar semantics.
    """

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - shadows the class table


def _where(name: str, event_or_mark: Any) -> str:
    """Prefix ``name, line N`` for an event or a mark (both may lack position)."""
    mark = getattr(event_or_mark, "start_mark", event_or_mark)
    line = getattr(mark, "line", None)
    return f"{name}, line {line + 1}" if isinstance(line, int) else name


def _show(text: str, limit: int = 40) -> str:
    """A short, control-free rendering of student text for an error message."""
    clean = json_safe(text).replace("\n", " ").replace("\t", " ")
    return repr(clean if len(clean) <= limit else clean[: limit - 1] + "…")


def _decode(data: bytes | str, name: str) -> str:
    """Bytes (or text) of a submission to text, refusing binary and non-UTF-8 data."""
    if isinstance(data, str):
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SubmissionError(f"{name}: the text contains invalid characters") from exc
    else:
        raw = bytes(data)
    if len(raw) > MAX_FILE_BYTES:
        raise SubmissionError(
            f"{name}: the file is too large ({len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,})"
        )
    if raw.startswith(_UTF16_BOMS):
        raise SubmissionError(f"{name}: the file is UTF-16 encoded; save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise SubmissionError(f"{name}, line {line}: the file contains binary data (NUL byte)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SubmissionError(f"{name}, line {line}: the file is not valid UTF-8 text") from exc
    return text


def _yaml_error_message(exc: yaml.YAMLError, name: str, text: str) -> str:
    """One line naming the line for any PyYAML error (marked or reader errors)."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        return f"{name}, line {line}: character U+{code:04X} is not allowed in a YAML file"
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        where = _where(name, mark)
        column = getattr(mark, "column", None)
        if isinstance(column, int):
            where += f", column {column + 1}"
        hint = " (indent with spaces, not tabs)" if "\\t" in problem or "\t" in problem else ""
        return f"{where}: not valid YAML: {json_safe(problem)}{hint}"
    return f"{name}: not valid YAML: {json_safe(str(exc)).splitlines()[0][:200]}"


class _Builder:
    """Turns the event stream into values with an explicit stack (no recursion).

    Each open container is a ``[container, pending_key]`` frame; for a mapping,
    ``pending_key`` is ``None`` while a key is expected.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.stack: list[list[Any]] = []
        self.nodes = 0
        self.root: Any = None
        self.has_root = False

    def _fail(self, event: Event, message: str) -> SubmissionError:
        return SubmissionError(f"{_where(self.name, event)}: {message}")

    def _check_node(self, event: NodeEvent) -> None:
        if event.anchor is not None:
            raise self._fail(
                event, f"anchors (&{_show(event.anchor)[1:-1]}) are not allowed in a submission"
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            raise self._fail(event, f"tags ({_show(tag)}) are not allowed in a submission")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self._fail(event, f"the file has more than {MAX_NODES:,} values")

    def _add(self, event: NodeEvent, value: Any, is_scalar: bool) -> None:
        """Attach a finished (scalar) or freshly opened (container) value to its parent."""
        if not self.stack:
            self.root, self.has_root = value, True
            return
        frame = self.stack[-1]
        container = frame[0]
        if isinstance(container, list):
            container.append(value)
            return
        if frame[1] is None:  # expecting a key
            if not is_scalar:
                raise self._fail(event, "a key must be plain text, not a list or a mapping")
            if value == "<<":
                raise self._fail(event, "merge keys (<<) are not allowed in a submission")
            if value in container:
                raise self._fail(event, f"duplicate key {_show(value)}")
            frame[1] = value
            return
        container[frame[1]] = value
        frame[1] = None

    def feed(self, event: Event) -> None:
        """Consume one event inside the document.

        A plain scalar inside a container is most of a file's events: it takes a short
        path (exact type, no anchor or tag) that does what the general one below does.
        """
        stack = self.stack
        if (
            type(event) is ScalarEvent
            and stack
            and event.anchor is None
            and event.tag is None
            and self.nodes < MAX_NODES
        ):
            self.nodes += 1
            frame = stack[-1]
            parent, key = frame
            if type(parent) is list:
                parent.append(event.value)
            elif key is not None:
                parent[key] = event.value
                frame[1] = None
            else:
                self._add(event, event.value, True)
            return
        if isinstance(event, AliasEvent):
            raise self._fail(event, "aliases (*name) are not allowed in a submission")
        if isinstance(event, ScalarEvent):
            self._check_node(event)
            self._add(event, event.value, True)
        elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
            self._check_node(event)
            if len(self.stack) >= MAX_DEPTH:
                raise self._fail(event, f"nesting is deeper than {MAX_DEPTH} levels")
            container: Any = [] if isinstance(event, SequenceStartEvent) else {}
            self._add(event, container, False)
            self.stack.append([container, None])
        elif isinstance(event, (SequenceEndEvent, MappingEndEvent)):
            self.stack.pop()
        else:  # pragma: no cover - the parser emits nothing else inside a document
            raise self._fail(event, f"unexpected YAML event {type(event).__name__}")


def _build(next_event: Callable[[], Event | None], name: str, require_mapping: bool) -> Any:
    """Drive a parser (its ``get_event``): one document, built by :class:`_Builder`."""
    builder = _Builder(name)
    documents = 0
    while True:
        event = next_event()
        if isinstance(event, (StreamStartEvent, DocumentEndEvent)):
            continue
        if event is None or isinstance(event, StreamEndEvent):  # None: libyaml, past the end
            break
        if isinstance(event, DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise SubmissionError(
                    f"{_where(name, event)}: the file holds more than one YAML document "
                    "(remove the extra '---')"
                )
            continue
        builder.feed(event)
    if not builder.has_root or builder.root == "":
        raise SubmissionError(f"{name}: the file is empty")
    if require_mapping and not isinstance(builder.root, dict):
        kind = "a list" if isinstance(builder.root, list) else "plain text"
        raise SubmissionError(
            f"{name}: the top level must be a mapping of `key: value` lines, not {kind}"
        )
    return builder.root


def load_untrusted_yaml(
    data: bytes | str, *, name: str = "<input>", require_mapping: bool = True
) -> Any:
    """Parse an untrusted submission into nested ``dict`` / ``list`` / ``str`` values.

    Args:
        data: The raw file content; bytes must be UTF-8 (a BOM is allowed).
        name: How the messages refer to the input (usually the file name).
        require_mapping: Refuse a document whose top level is not a mapping (the
            submission contract). Pass ``False`` for inputs whose top level may be a
            list or a string, such as an ``equiv --pairs`` file.

    Returns:
        A ``dict`` (or, without ``require_mapping``, a list or string) whose keys are
        strings and whose values are strings, lists or dicts of the same, at most
        :data:`MAX_DEPTH` deep with at most :data:`MAX_NODES` values.

    Raises:
        SubmissionError: For anything else, with a one-line message naming the line.
            No other exception escapes, whatever the input.
    """
    name = json_safe(name).replace("\n", " ")[:200] or "<input>"
    text = _decode(data, name)
    if not text.strip():
        raise SubmissionError(f"{name}: the file is empty")
    if _CParser is not None:
        try:
            return _build(_CParser(text).get_event, name, require_mapping)
        except SubmissionError:
            raise
        except Exception:  # the pure-Python parser words the message (or succeeds)
            pass
    try:
        loader = StringOnlyLoader(text)
        loader.name = name
        try:
            return _build(loader.get_event, name, require_mapping)
        finally:
            loader.dispose()
    except SubmissionError:
        raise
    except yaml.YAMLError as exc:
        raise SubmissionError(_yaml_error_message(exc, name, text)) from None
    except RecursionError:
        raise SubmissionError(f"{name}: the file is nested too deeply") from None
    except MemoryError:
        raise SubmissionError(f"{name}: the file needs too much memory to read") from None
    except Exception as exc:
        detail = json_safe(str(exc)).splitlines()[0][:200] if str(exc) else ""
        raise SubmissionError(
            f"{name}: the file could not be read ({type(exc).__name__}{': ' if detail else ''}"
            f"{detail})"
        ) from None


def load_untrusted_file(path: Path, *, require_mapping: bool = True) -> Any:
    """Read and parse a submission file, reading at most ``MAX_FILE_BYTES + 1`` bytes.

    The file is opened non-blocking and must be a regular file, so that a FIFO or a
    device planted in a submissions folder cannot hang the batch.

    Args:
        path: The submission file.
        require_mapping: As for :func:`load_untrusted_yaml`.

    Returns:
        The parsed mapping, as :func:`load_untrusted_yaml` returns it.

    Raises:
        SubmissionError: When the file cannot be read or is not a usable submission.
    """
    name = json_safe(str(path)) or "<file>"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise SubmissionError(f"{name}: cannot open the file ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SubmissionError(f"{name}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SubmissionError(f"{name}: cannot read the file ({exc.strerror})") from None
    finally:
        os.close(fd)
    return load_untrusted_yaml(data, name=name, require_mapping=require_mapping)


__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "StringOnlyLoader",
    "load_untrusted_file",
    "load_untrusted_yaml",
]
