"""Finding, loading and solving the problem set every command works on.

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

from hwgrade.grader.derive import DeriveError, Deriver
from hwgrade.grader.echo import to_latex, to_plain
from hwgrade.grader.errors import SolverError, SpecError, UsageError
from hwgrade.grader.names import canonical_name, is_valid_name
from hwgrade.grader.specreader import line_of
from hwgrade.grader.specs import ProblemSpec, load_spec
from hwgrade.grader.variants import VariantSettings
from hwgrade.solver import Mistake, Solution, Step, get_solver

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


_SOLVED: dict[tuple[str, ...], Solution] = {}


def solution_key(spec: ProblemSpec) -> tuple[str, ...]:
    """What a spec's solution depends on: (id, file, solver, parameters, derivations)."""
    refs = [(p.reference, [(m.derive, m.message) for m in p.derived_mistakes]) for p in spec.parts]
    return (
        spec.id,
        str(spec.path),
        spec.solver,
        repr(sorted(spec.parameters.items(), key=str)),
        repr((spec.definitions, refs)),
    )


def remember_solution(spec: ProblemSpec, solution: Solution) -> None:
    """Make :func:`solve` return ``solution`` for ``spec`` (solved in another process)."""
    _SOLVED.setdefault(solution_key(spec), solution)


def solve(spec: ProblemSpec) -> Solution:
    """:func:`solve_spec`, once per (id, file, solver, parameters, derivations).

    Solvers derive symbolically and some verify themselves by brute force, so grading a
    class must not re-run them per submission.

    Raises:
        SolverError: the solver is unknown or fails.
        SpecError: a derivation fails (naming the file, field and line).
    """
    key = solution_key(spec)
    cached = _SOLVED.get(key)
    if cached is None:
        try:
            cached = _SOLVED[key] = solve_spec(spec)
        except SolverError as exc:
            raise SolverError(f"problem `{spec.id}`: {exc.message}") from exc
    return cached


def solve_spec(spec: ProblemSpec) -> Solution:
    """Every reference of a spec: its solver's answers, then its derivations on top.

    A spec may mix the two: a course solver for what a derivation cannot say, and
    ``reference`` derivations for the rest (a part's derivation wins over the solver).

    Raises:
        SolverError: the solver is unknown or fails.
        SpecError: a derivation fails.
    """
    base = Solution({})
    if spec.solver:
        fn = get_solver(spec.solver)
        if fn is None:
            raise SolverError(f"no solver is registered as `{spec.solver}`")
        try:
            base = fn(spec.parameters, spec.context)
        except SolverError as exc:
            raise SolverError(f"solver `{spec.solver}` failed: {exc.message}") from exc
        except Exception as exc:  # the solver is instructor code: report any failure
            raise SolverError(
                f"solver `{spec.solver}` failed: {type(exc).__name__}: {exc}"
            ) from exc
    if not spec.derived:
        return base
    derived = derive_solution(spec)
    mistakes = {k: tuple(base.mistakes.get(k, ())) for k in base.mistakes}
    for part_id, found in derived.mistakes.items():
        mistakes[part_id] = mistakes.get(part_id, ()) + tuple(found)
    return Solution(
        answers={**base.answers, **derived.answers},
        steps={**base.steps, **derived.steps},
        mistakes=mistakes,
        definitions=base.definitions,
        carry_forward=base.carry_forward,
    )


def _parameter_values(spec: ProblemSpec, deriver: Deriver) -> None:
    """Numeric parameters (numbers, regular nested lists) become names a derivation uses."""
    for key, raw in spec.parameters.items():
        name = canonical_name(str(key))
        if not is_valid_name(name) or spec.context.is_declared(name):
            continue
        try:
            deriver.values[name] = deriver.evaluate(raw)
        except (DeriveError, ValueError, TypeError) as exc:  # a solver's own parameter
            deriver.unusable[name] = str(exc)


def _used(spec: ProblemSpec, text: Any) -> list[str]:
    """Definitions a derivation relies on, directly or through other definitions, in order."""
    words = set(canonical_name(w) for w in re.findall(r"[A-Za-z][A-Za-z0-9_]*", repr(text)))
    names = [name for name, _ in spec.definitions]
    for name, raw in reversed(spec.definitions):
        if name in words:
            words |= set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", repr(raw)))
    return [n for n in names if n in words]


def _deriver(spec: ProblemSpec) -> tuple[Deriver, Any]:
    """A deriver holding the spec's parameters, and a runner that names the failing field."""
    deriver = Deriver(spec.context)
    path = str(spec.path) if spec.path else None

    def run(raw: Any, fld: str) -> Any:
        try:
            return deriver.evaluate(raw)
        except DeriveError as exc:
            raise SpecError(exc.message, path, fld, line_of(spec.lines, fld)) from None
        except Exception as exc:  # SymPy on odd input: still say where
            msg = f"cannot derive this: {type(exc).__name__}: {exc}"
            raise SpecError(msg, path, fld, line_of(spec.lines, fld)) from None

    _parameter_values(spec, deriver)
    return deriver, run


def derive_value(spec: ProblemSpec, raw: Any, fld: str = "variants.nonzero") -> Any:
    """One derivation over the spec's parameters and definitions (``nonzero`` checks).

    Raises:
        SpecError: the derivation fails.
    """
    deriver, run = _deriver(spec)
    for name, item in spec.definitions:
        deriver.values[name] = run(item, f"definitions.{name}")
    return run(raw, fld)


def derive_solution(spec: ProblemSpec) -> Solution:
    """The answers, steps and mistakes stated as derivations in ``spec``.

    Raises:
        SpecError: a derivation fails, naming the file, the field and the line.
    """
    deriver, run = _deriver(spec)
    shown: dict[str, Step] = {}
    for name, raw in spec.definitions:
        value = deriver.values[name] = run(raw, f"definitions.{name}")
        how = f"{name} = {raw} = " if isinstance(raw, str) else f"{name} = "
        shown[name] = Step(how + to_plain(value), f"{name} = {to_latex(value)}")
    answers: dict[str, Any] = {}
    steps: dict[str, tuple[Step, ...]] = {}
    mistakes: dict[str, tuple[Mistake, ...]] = {}
    for i, part in enumerate(spec.parts):
        fld = f"parts[{i}]"
        if part.reference is not None:
            if part.kind == "choice":
                answers[part.id] = part.reference
            else:
                value = answers[part.id] = run(part.reference, fld + ".reference")
                final = Step(
                    f"{part.id} = {part.reference} = {to_plain(value)}",
                    to_latex(value),
                )
                steps[part.id] = (*(shown[n] for n in _used(spec, part.reference)), final)
        found: list[Mistake] = []
        for j, written in enumerate(part.derived_mistakes):
            sub = f"{written.origin or fld + '.mistakes'}.derive"
            value = run(written.derive, sub)
            found.append(Mistake(f"derived{j}", value, written.message, written.credit))
        if found:
            mistakes[part.id] = tuple(found)
    return Solution(answers, steps, mistakes)


def check_solution(spec: ProblemSpec, solution: Any) -> list[SpecError]:
    """Problems between a spec's parts and what its solver and derivations answered."""
    errors: list[SpecError] = []
    path = str(spec.path) if spec.path else None
    answers = solution.answers
    source = f"solver `{spec.solver}`" if spec.solver else "the spec"
    for i, part in enumerate(spec.parts):
        if part.kind == "manual":
            continue
        if part.id not in answers:
            msg = f"{source} gives no reference answer for part `{part.id}`"
            errors.append(SpecError(msg, path, f"parts[{i}].id", None))
        elif part.kind == "choice":
            labels = {label for label, _ in part.choices}
            ref = answers[part.id]
            bad = [x for x in (ref if isinstance(ref, tuple) else (ref,)) if x not in labels]
            if bad:
                msg = f"the reference option(s) {bad} of part `{part.id}` are not among its choices"
                errors.append(SpecError(msg, path, f"parts[{i}].choices", None))
    declared = {p.id for p in spec.parts}
    for part_id in answers:
        if part_id not in declared:
            msg = f"{source} answers part `{part_id}`, which no part declares"
            errors.append(SpecError(msg, path, "parts", None))
    return errors


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
    "check_solution",
    "derive_solution",
    "derive_value",
    "import_solver_modules",
    "load_problem_set",
    "remember_solution",
    "resolve_problem_dir",
    "solution_key",
    "solve",
    "solve_spec",
    "variant_settings",
]
