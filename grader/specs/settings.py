"""A course's ``hwgrade.toml``: read in one place, every key checked.

A course keeps its choices in ``hwgrade.toml`` (found upwards from the problem folder or
the current folder) under ``[hwgrade]``: where its problems are, which of them make up
the assignment, whether students get their own variants. A misspelt key used to be
ignored silently, which is the worst outcome for a setting that changes grades
(``variantz = true`` grades the whole class on the specs' own numbers), so every key is
checked here, with a did-you-mean, and a wrong one is a usage error naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwgrade.grader.errors import UsageError, did_you_mean

#: Project file looked up from a folder upwards.
TOML_NAME = "hwgrade.toml"

#: The keys of ``[hwgrade]`` and what each must be (for the error message).
KNOWN_KEYS: dict[str, str] = {
    "problems": "a folder path (relative to hwgrade.toml)",
    "assignment": 'a list of problem ids, e.g. ["rnn_backprop", "dropout_ridge"]',
    "variants": "true or false",
    "variant_salt": "a string",
    "canvas_assignment": 'a string: the Canvas gradebook column, e.g. "HW3 (1234)"',
}


@dataclass(frozen=True)
class CourseSettings:
    """The ``[hwgrade]`` table of one ``hwgrade.toml`` (defaults when there is none).

    Attributes:
        path: The file the settings came from (``None``: no file, all defaults).
        problems: The problem folder, resolved against the file's folder.
        assignment: The problems that make up the assignment (empty: all of them).
        variants: Whether every student gets their own variant.
        variant_salt: The course's salt for handing out variants.
        canvas_assignment: The Canvas gradebook column grades go to (``--assignment``).
    """

    path: Path | None = None
    problems: Path | None = None
    assignment: tuple[str, ...] = ()
    variants: bool = False
    variant_salt: str = ""
    canvas_assignment: str = ""

    def where(self) -> str:
        """The file, for messages ("hwgrade.toml" when there is none)."""
        return str(self.path) if self.path is not None else TOML_NAME


def _check_type(path: Path, key: str, value: Any) -> None:
    """Raise a usage error when a known key holds the wrong kind of value."""
    ok = {
        "problems": isinstance(value, str),
        "assignment": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "variants": isinstance(value, bool),
        "variant_salt": isinstance(value, str),
        "canvas_assignment": isinstance(value, str) and bool(value.strip()),
    }[key]
    if not ok:
        raise UsageError(f"{path}: `{key}` must be {KNOWN_KEYS[key]}")


def parse_settings(path: Path, data: dict[str, Any]) -> CourseSettings:
    """Check a parsed ``hwgrade.toml`` document and turn it into settings.

    Raises:
        UsageError: an unknown key (top level or in ``[hwgrade]``), or a value of the
            wrong type; the message names the file and the key.
    """
    for key in data:
        if key in KNOWN_KEYS:
            raise UsageError(f"{path}: `{key}` must go under `[hwgrade]`")
        if key != "hwgrade":
            hint = did_you_mean(key, ["hwgrade", *KNOWN_KEYS])
            raise UsageError(
                f"{path}: unknown key `{key}`{hint}; hwgrade's settings go under `[hwgrade]`"
            )
    section = data.get("hwgrade", {})
    if not isinstance(section, dict):
        raise UsageError(f"{path}: `hwgrade` must be a table (`[hwgrade]`)")
    for key, value in section.items():
        if key not in KNOWN_KEYS:
            known = ", ".join(KNOWN_KEYS)
            raise UsageError(
                f"{path}: unknown key `{key}` in [hwgrade]{did_you_mean(key, KNOWN_KEYS)}"
                f" (known keys: {known})"
            )
        _check_type(path, key, value)
    problems = section.get("problems")
    return CourseSettings(
        path=path,
        problems=(path.parent / problems).resolve() if problems is not None else None,
        assignment=tuple(section.get("assignment", ())),
        variants=section.get("variants", False),
        variant_salt=section.get("variant_salt", ""),
        canvas_assignment=section.get("canvas_assignment", "").strip(),
    )


def find_settings(start: Path) -> CourseSettings | None:
    """The settings of the nearest ``hwgrade.toml`` upwards from ``start`` (``None``: none).

    Raises:
        UsageError: the file cannot be read, is not TOML, or has a wrong key.
    """
    import tomllib

    for folder in (start, *start.parents):
        candidate = folder / TOML_NAME
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UsageError(f"{candidate}: cannot read it: {exc}") from exc
            return parse_settings(candidate, data)
    return None


__all__ = ["KNOWN_KEYS", "TOML_NAME", "CourseSettings", "find_settings", "parse_settings"]
