"""Finding and loading the problem set every command works on.

The built-in set ships inside the package so that every command works right after
``pip install``; a course points hwgrade at its own folder with ``--problems DIR``, the
``HWGRADE_PROBLEMS`` variable or a ``hwgrade.toml`` found upwards from the current
folder, in that order of precedence (the most explicit choice wins). A course folder
holds spec YAML files and, where a derivation cannot say it, its own solver modules
(``*.py`` next to the specs, imported so that their ``@register`` lines run).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwgrade.grader.errors import SpecError, UsageError
from hwgrade.grader.specfile import load_spec
from hwgrade.grader.specs import ProblemSpec
from hwgrade.grader.variants import VariantSettings

#: Environment variable naming a problem folder.
ENV_VAR = "HWGRADE_PROBLEMS"
#: Project file looked up from the current folder upwards.
TOML_NAME = "hwgrade.toml"


@dataclass(frozen=True)
class ProblemSet:
    """The problems of one folder, in file-name order.

    Attributes:
        root: The folder the specs were read from.
        builtin: Whether this is the built-in set shipped with hwgrade.
        problems: The loaded specs.
        variants: Whether students get their own variant (and the course's salt).
    """

    root: Path
    builtin: bool
    problems: tuple[ProblemSpec, ...]
    variants: VariantSettings = field(default_factory=VariantSettings)

    def variant_number(self, variant: int | None = None, student: str | None = None) -> int:
        """Which variant a command shows: ``--variant N``, else the student's, else 0."""
        if variant is not None:
            return variant
        return self.variants.variant_of(student) if student is not None else 0

    def get(self, problem_id: str) -> ProblemSpec | None:
        """The problem with id ``problem_id``, or ``None``."""
        return next((p for p in self.problems if p.id == problem_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        """Problem ids in order."""
        return tuple(p.id for p in self.problems)


def _find_toml(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``hwgrade.toml`` upwards from ``start`` and its ``[hwgrade]`` table."""
    import tomllib

    for folder in (start, *start.parents):
        candidate = folder / TOML_NAME
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UsageError(f"{candidate}: cannot read it: {exc}") from exc
            section = data.get("hwgrade", {})
            return candidate, section if isinstance(section, dict) else {}
    return None


def _toml_problems(start: Path) -> Path | None:
    """The ``[hwgrade] problems`` folder of the nearest ``hwgrade.toml``, if any."""
    found = _find_toml(start)
    if found is None:
        return None
    candidate, section = found
    value = section.get("problems")
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError(f"{candidate}: `[hwgrade] problems` must be a folder path")
    return (candidate.parent / value).resolve()


def variant_settings(root: Path, flag: bool | None = None) -> VariantSettings:
    """Whether students get variants: ``--variants/--no-variants``, else ``hwgrade.toml``.

    The toml is looked up from the problem folder first (the course's own settings),
    then from the current folder; ``variants = true`` turns variants on and
    ``variant_salt`` gives the course its own numbers.
    """
    found = _find_toml(root) or _find_toml(Path.cwd().resolve())
    section = found[1] if found else {}
    enabled, salt = section.get("variants", False), section.get("variant_salt", "")
    if found and (not isinstance(enabled, bool) or not isinstance(salt, str)):
        msg = "`variants` must be true or false and `variant_salt` a string"
        raise UsageError(f"{found[0]}: {msg}")
    return VariantSettings(enabled if flag is None else flag, salt)


def resolve_problem_dir(option: str | None) -> tuple[Path, bool]:
    """Which problem folder to use, and whether it is the built-in one.

    Precedence: ``--problems DIR`` > ``$HWGRADE_PROBLEMS`` > ``hwgrade.toml`` (found
    upwards from the current folder, its path relative to the toml) > built-in.

    Raises:
        UsageError: the chosen folder does not exist.
    """
    from hwgrade.problems import BUILTIN_DIR

    chosen: Path | None = None
    origin = ""
    if option:
        chosen, origin = Path(option).expanduser().resolve(), "--problems"
    elif os.environ.get(ENV_VAR):
        chosen, origin = Path(os.environ[ENV_VAR]).expanduser().resolve(), ENV_VAR
    else:
        chosen, origin = _toml_problems(Path.cwd().resolve()), TOML_NAME
    if chosen is None:
        return BUILTIN_DIR, True
    if not chosen.is_dir():
        raise UsageError(f"problem folder `{chosen}` (from {origin}) does not exist")
    return chosen, chosen == BUILTIN_DIR


def _is_submission(file: Path) -> bool:
    """Whether a YAML file in the problem folder is a submission (``answers:``, no ``parts:``)."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")[:200_000]
    except OSError:
        return False
    return bool(re.search(r"^answers\s*:", text, re.M)) and not re.search(r"^parts\s*:", text, re.M)


def load_problem_set(option: str | None = None, variants: bool | None = None) -> ProblemSet:
    """Load every ``*.yaml`` spec of the resolved folder (and its own solver modules).

    ``variants`` is the command line's choice (``None``: the course setting decides).

    Raises:
        SpecError: a spec does not load.
        UsageError: the folder is missing, or two specs share an id.
    """
    root, builtin = resolve_problem_dir(option)
    import_solver_modules(root)
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
    problems: list[ProblemSpec] = []
    seen: dict[str, Path] = {}
    for file in files:
        if _is_submission(file):
            continue  # a student file kept next to the specs: not a problem
        spec = load_spec(file)
        if spec.id in seen:
            raise UsageError(f"{file}: problem id `{spec.id}` is also used by {seen[spec.id]}")
        seen[spec.id] = file
        problems.append(spec)
    return ProblemSet(root, builtin, tuple(problems), variant_settings(root, variants))


_IMPORTED: dict[Path, str] = {}
#: Python files in a course folder that are not solver modules (tests, pytest config).
_NOT_SOLVERS = ("test_*.py", "*_test.py", "conftest.py", "_*.py")


def import_solver_modules(folder: Path) -> None:
    """Import the instructor's own solver modules (``*.py`` next to the specs).

    These are trusted course files; importing them runs their ``@register`` lines. The
    built-in folder is skipped (its solvers live in :mod:`hwgrade.solver`), and so are
    the course's tests (``test_*.py``), which import pytest and are not solvers.
    """
    from hwgrade.problems import BUILTIN_DIR

    folder = Path(folder).resolve()
    if folder == BUILTIN_DIR:
        return
    for file in sorted(folder.glob("*.py")):
        if file in _IMPORTED or any(file.match(pattern) for pattern in _NOT_SOLVERS):
            continue
        digest = hashlib.sha1(str(file).encode()).hexdigest()[:10]
        name = f"hwgrade_course_{digest}_{file.stem}"
        module_spec = importlib.util.spec_from_file_location(name, file)
        if module_spec is None or module_spec.loader is None:
            continue
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise SpecError(f"cannot import solver module: {exc}", str(file)) from exc
        _IMPORTED[file] = name


__all__ = [
    "ENV_VAR",
    "TOML_NAME",
    "ProblemSet",
    "import_solver_modules",
    "load_problem_set",
    "resolve_problem_dir",
    "variant_settings",
]
