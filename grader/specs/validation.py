"""``hwgrade validate``: a spec file checked in full, its solver and derivations run.

Reading a spec (:mod:`hwgrade.grader.specs.specfile`) only checks its fields; whether its
solver runs, answers exactly the declared parts, and gives usable instances for every
variant is a question for the instructor's ``validate`` (and for CI), never for a
grading run, which trusts a validated set. Importing the course's solver modules next to
the spec is the explicit first step here.
"""

from __future__ import annotations

from pathlib import Path

from hwgrade.grader.errors import SolverError, SpecError
from hwgrade.grader.specs.problemset import import_solver_modules
from hwgrade.grader.specs.solving import check_solution, solve_spec
from hwgrade.grader.specs.specfile import read_spec
from hwgrade.grader.specs.variants import sample_variants
from hwgrade.grader.verify.pointeval import definition_violations

#: Variants ``validate`` hands out per varying spec (each must solve, none degenerate).
VALIDATE_SAMPLES = 30


def validate_spec(path: Path) -> list[SpecError]:
    """Every problem of one spec file, including running its solver and derivations.

    A spec with ``variants`` is also sampled: :data:`VALIDATE_SAMPLES` variants, spread
    over the whole range students get, must each give a usable instance.

    Returns:
        The problems found (empty when the spec is fine).
    """
    import_solver_modules(Path(path).parent)
    spec, reader = read_spec(Path(path))
    if spec is None or reader.errors:
        return reader.errors
    try:
        solution = solve_spec(spec)
    except SpecError as exc:
        return [exc]
    except SolverError as exc:  # the solver is instructor code; report any failure
        line = reader.lines.get("parameters", reader.lines.get("solver"))
        return [SpecError(exc.message, str(path), "parameters", line)]
    errors = check_solution(spec, solution)
    for name, prop in definition_violations(spec.context):
        fld = f"symbols.{name}.definition"
        errors.append(SpecError(f"the definition of `{name}` is not {prop}", str(path), fld))
    if not errors:
        errors = sample_variants(spec, VALIDATE_SAMPLES)
    return [
        SpecError(e.message.split(" (field")[0], e.path, e.field, reader.line(e.field or ""))
        if e.line is None
        else e
        for e in errors
    ]


__all__ = ["VALIDATE_SAMPLES", "validate_spec"]
