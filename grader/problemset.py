"""Finding and loading the problem set every command works on.

The built-in set ships inside the package so that every command works right after
``pip install``; a course points hwgrade at its own folder with ``--problems DIR``, the
``HWGRADE_PROBLEMS`` variable or a ``hwgrade.toml`` found upwards from the current
folder, in that order of precedence (the most explicit choice wins).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hwgrade.grader.errors import SolverError, UsageError
from hwgrade.grader.specs import ProblemSpec, import_solver_modules, load_spec
from hwgrade.solver import Solution, get_solver

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
    """

    root: Path
    builtin: bool
    problems: tuple[ProblemSpec, ...]

    def get(self, problem_id: str) -> ProblemSpec | None:
        """The problem with id ``problem_id``, or ``None``."""
        return next((p for p in self.problems if p.id == problem_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        """Problem ids in order."""
        return tuple(p.id for p in self.problems)


def _toml_problems(start: Path) -> Path | None:
    """The ``[hwgrade] problems`` folder of the nearest ``hwgrade.toml``, if any."""
    import tomllib

    for folder in (start, *start.parents):
        candidate = folder / TOML_NAME
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise UsageError(f"{candidate}: cannot read it: {exc}") from exc
            section = data.get("hwgrade", {})
            value = section.get("problems") if isinstance(section, dict) else None
            if value is None:
                return None
            if not isinstance(value, str):
                raise UsageError(f"{candidate}: `[hwgrade] problems` must be a folder path")
            return (folder / value).resolve()
    return None


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


def load_problem_set(option: str | None = None) -> ProblemSet:
    """Load every ``*.yaml`` spec of the resolved folder (and its own solver modules).

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
        spec = load_spec(file)
        if spec.id in seen:
            raise UsageError(f"{file}: problem id `{spec.id}` is also used by {seen[spec.id]}")
        seen[spec.id] = file
        problems.append(spec)
    return ProblemSet(root, builtin, tuple(problems))


_SOLVED: dict[tuple[str, str, str, str], Solution] = {}


def solve(spec: ProblemSpec) -> Solution:
    """Run the spec's solver once per (id, file, solver, parameters) and cache it.

    Solvers derive symbolically and some verify themselves by brute force, so grading a
    class must not re-run them per submission.

    Raises:
        SolverError: the solver is unknown or fails.
    """
    key = (spec.id, str(spec.path), spec.solver, repr(sorted(spec.parameters.items())))
    cached = _SOLVED.get(key)
    if cached is not None:
        return cached
    fn = get_solver(spec.solver)
    if fn is None:
        raise SolverError(f"problem `{spec.id}`: no solver is registered as `{spec.solver}`")
    try:
        solution = fn(spec.parameters, spec.context)
    except SolverError:
        raise
    except Exception as exc:
        raise SolverError(f"problem `{spec.id}`: solver `{spec.solver}` failed: {exc}") from exc
    _SOLVED[key] = solution
    return solution


__all__ = ["ENV_VAR", "TOML_NAME", "ProblemSet", "load_problem_set", "resolve_problem_dir", "solve"]
