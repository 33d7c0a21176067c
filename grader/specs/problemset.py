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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hwgrade.grader.errors import SpecError, UsageError, did_you_mean
from hwgrade.grader.specs.model import ProblemSpec
from hwgrade.grader.specs.settings import TOML_NAME, CourseSettings, find_settings
from hwgrade.grader.specs.specfile import load_spec
from hwgrade.grader.specs.variants import VariantSettings

#: Environment variable naming a problem folder.
ENV_VAR = "HWGRADE_PROBLEMS"


@dataclass(frozen=True)
class ProblemSet:
    """The problems of one folder, in file-name order.

    Attributes:
        root: The folder the specs were read from.
        builtin: Whether this is the built-in set shipped with hwgrade.
        problems: The loaded specs.
        variants: Whether students get their own variant (and the course's salt).
        assignment: The course's assignment (``assignment = [...]`` in hwgrade.toml);
            empty: every problem of the set.
        canvas_assignment: The Canvas gradebook column (``canvas_assignment``; empty:
            not set).
    """

    root: Path
    builtin: bool
    problems: tuple[ProblemSpec, ...]
    variants: VariantSettings = field(default_factory=VariantSettings)
    assignment: tuple[str, ...] = ()
    canvas_assignment: str = ""

    def assignment_ids(self, only: Sequence[str] = ()) -> list[str]:
        """The problems a submission is graded on, in the set's order.

        ``check`` and ``grade`` both call this, so one file gets one grade from both:
        every problem of the set, narrowed by ``--problem`` (``only``) or else by the
        course's ``assignment``. A problem of the assignment that a student left out is
        ``missing``, never dropped from the total.

        Raises:
            UsageError: ``only`` names a problem the set does not have.
        """
        chosen = list(dict.fromkeys(only or self.assignment))
        for pid in chosen:
            if self.get(pid) is None:
                raise UsageError(f"unknown problem `{pid}`{self._known(pid)}")
        if not chosen:
            return list(self.ids)
        return [pid for pid in self.ids if pid in chosen]

    def assignment_problems(self, only: Sequence[str] = ()) -> list[ProblemSpec]:
        """The specs of :meth:`assignment_ids`, in the set's order."""
        ids = set(self.assignment_ids(only))
        return [spec for spec in self.problems if spec.id in ids]

    def narrowed(self, only: Sequence[str] = ()) -> bool:
        """Whether the assignment is fewer than all the problems of the set."""
        return len(self.assignment_ids(only)) < len(self.problems)

    def _known(self, pid: str) -> str:
        return did_you_mean(pid, self.ids) or f" (known: {', '.join(self.ids)})"

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


def course_settings(root: Path) -> CourseSettings:
    """The course's ``hwgrade.toml`` settings (defaults when there is none).

    The file beside or above the problem folder wins (the course's own settings), then
    the one above the current folder.
    """
    return find_settings(root) or find_settings(Path.cwd().resolve()) or CourseSettings()


def variant_settings(root: Path, flag: bool | None = None) -> VariantSettings:
    """Whether students get variants: ``--variants/--no-variants``, else ``hwgrade.toml``.

    ``variants = true`` turns variants on and ``variant_salt`` gives the course its own
    numbers (see :func:`course_settings` for which file counts).
    """
    settings = course_settings(root)
    return VariantSettings(settings.variants if flag is None else flag, settings.variant_salt)


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
        found = find_settings(Path.cwd().resolve())
        chosen, origin = (found.problems, found.where()) if found else (None, TOML_NAME)
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
    settings = course_settings(root)
    flag = settings.variants if variants is None else variants
    problem_set = ProblemSet(
        root,
        builtin,
        tuple(problems),
        VariantSettings(flag, settings.variant_salt),
        settings.assignment,
        settings.canvas_assignment,
    )
    unknown = [pid for pid in settings.assignment if problem_set.get(pid) is None]
    if unknown:
        raise UsageError(
            f"{settings.where()}: `assignment` names the unknown problem "
            f"`{unknown[0]}`{problem_set._known(unknown[0])}"
        )
    return problem_set


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
    "course_settings",
    "import_solver_modules",
    "load_problem_set",
    "resolve_problem_dir",
    "variant_settings",
]
