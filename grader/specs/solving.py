"""Solving a problem: its solver's answers, then its derivations, once per process.

A spec's references come from two places: a registered solver (Python, for what a
derivation cannot say) and the spec's own ``reference:`` / ``derive:`` derivations, read
by :mod:`hwgrade.grader.specs.derive`. Both are symbolic work of seconds, so :func:`solve`
keeps each solution for the life of the process (worker processes forked later inherit
it, and :func:`remember_solution` takes one solved elsewhere). Finding the specs is
:mod:`hwgrade.grader.specs.problemset`'s job; this module only turns a spec into a solution.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from hwgrade.grader.answer.echo import to_latex, to_plain
from hwgrade.grader.errors import DeriveError, SolverError, SpecError
from hwgrade.grader.names import canonical_name, is_valid_name
from hwgrade.grader.specs.derive import Deriver
from hwgrade.grader.specs.keycache import KeyCache, entry_key
from hwgrade.grader.specs.model import ProblemSpec
from hwgrade.grader.specs.yamlfields import line_of
from hwgrade.solver import Mistake, Solution, Step, get_solver, self_checks

_SOLVED: dict[tuple[str, ...], Solution] = {}
#: Solutions kept on disk between runs (``None``: off; :func:`use_key_cache` sets it).
_ON_DISK: list[KeyCache | None] = [None]


def use_key_cache(cache: KeyCache | None) -> None:
    """Keep and find solutions in ``cache`` from now on (``None``: in this process only).

    The command line turns it on for ``check`` and ``grade`` (``--cache DIR``,
    ``--no-cache``); worker processes forked later inherit it.
    """
    _ON_DISK[0] = cache


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


def is_solved(spec: ProblemSpec) -> bool:
    """Whether :func:`solve` already holds this spec's solution in this process."""
    return solution_key(spec) in _SOLVED


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
        cached = _SOLVED[key] = _solve_or_load(spec, key)
    return cached


def _solve_or_load(spec: ProblemSpec, key: tuple[str, ...]) -> Solution:
    """Solve, or read the solution a previous run kept on disk (and keep a new one).

    While self-checks run (``hwgrade key``, ``validate``, the tests) the solver always
    runs, since vouching for it is the point; a solution it gives is still kept.
    """
    disk = _ON_DISK[0]
    name = entry_key(spec.path, key) if disk is not None else ""
    if disk is not None and not self_checks():
        found = disk.get(name)
        if found is not None:
            return found
    try:
        solution = solve_spec(spec)
    except SolverError as exc:
        raise SolverError(f"problem `{spec.id}`: {exc.message}") from exc
    if disk is not None:
        disk.put(name, solution)
    return solution


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
    derived = derive_solution(spec, base.steps)
    mistakes = {k: tuple(base.mistakes.get(k, ())) for k in base.mistakes}
    for part_id, found in derived.mistakes.items():
        mistakes[part_id] = mistakes.get(part_id, ()) + tuple(found)
    return Solution(
        answers={**base.answers, **derived.answers},
        steps=derived.steps,
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
            deriver.define(name, deriver.evaluate(raw))
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
        deriver.define(name, run(item, f"definitions.{name}"))
    return run(raw, fld)


#: How a derived step is printed: (text before the value, the value, LaTeX before it).
Recipe = tuple[str, Any, str]


class PrintedSteps(Mapping[str, tuple[Step, ...]]):
    """A derivation's worked steps, each printed the first time a key reads it.

    Only keys show steps, yet a derivation is solved for every student's variant, and
    printing every definition and answer in plain syntax and in LaTeX was a sixth of
    drawing a variant (and all of it wasted on a draw that is then refused). A step
    shared by several parts (a definition) is printed once. The solver's own steps
    (``base``) are kept as given, a part's derivation replacing them.
    """

    def __init__(
        self,
        recipes: Mapping[str, tuple[Recipe, ...]],
        base: Mapping[str, tuple[Step, ...]] | None = None,
    ) -> None:
        self._recipes = dict(recipes)
        self._base = dict(base or {})
        self._printed: dict[int, Step] = {}

    def _print(self, recipe: Recipe) -> Step:
        found = self._printed.get(id(recipe))
        if found is None:
            text, value, latex = recipe
            found = self._printed[id(recipe)] = Step(
                text + to_plain(value), latex + to_latex(value)
            )
        return found

    def __getitem__(self, part_id: str) -> tuple[Step, ...]:
        if part_id in self._recipes:
            return tuple(self._print(r) for r in self._recipes[part_id])
        return self._base[part_id]

    def __iter__(self) -> Iterator[str]:
        return iter({**self._base, **self._recipes})

    def __len__(self) -> int:
        return len(self._base.keys() | self._recipes.keys())

    def __getstate__(self) -> dict[str, Any]:  # ``id``s do not survive a pickle
        return {"_recipes": self._recipes, "_base": self._base, "_printed": {}}


def derive_solution(
    spec: ProblemSpec, base_steps: Mapping[str, tuple[Step, ...]] | None = None
) -> Solution:
    """The answers, steps and mistakes stated as derivations in ``spec``.

    ``base_steps`` are the solver's own steps, which a part's derivation replaces.

    Raises:
        SpecError: a derivation fails, naming the file, the field and the line.
    """
    deriver, run = _deriver(spec)
    shown: dict[str, Recipe] = {}
    for name, raw in spec.definitions:
        value = run(raw, f"definitions.{name}")
        deriver.define(name, value)
        how = f"{name} = {raw} = " if isinstance(raw, str) else f"{name} = "
        shown[name] = (how, value, f"{name} = ")
    answers: dict[str, Any] = {}
    steps: dict[str, tuple[Recipe, ...]] = {}
    mistakes: dict[str, tuple[Mistake, ...]] = {}
    for i, part in enumerate(spec.parts):
        fld = f"parts[{i}]"
        if part.reference is not None:
            if part.kind == "choice":
                answers[part.id] = part.reference
            else:
                value = answers[part.id] = run(part.reference, fld + ".reference")
                final = (f"{part.id} = {part.reference} = ", value, "")
                steps[part.id] = (*(shown[n] for n in _used(spec, part.reference)), final)
        found: list[Mistake] = []
        for j, written in enumerate(part.derived_mistakes):
            sub = f"{written.origin or fld + '.mistakes'}.derive"
            value = run(written.derive, sub)
            found.append(Mistake(f"derived{j}", value, written.message, written.credit))
        if found:
            mistakes[part.id] = tuple(found)
    return Solution(answers, PrintedSteps(steps, base_steps), mistakes)


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


__all__ = [
    "PrintedSteps",
    "check_solution",
    "derive_solution",
    "derive_value",
    "is_solved",
    "remember_solution",
    "solution_key",
    "solve",
    "solve_spec",
    "use_key_cache",
]
