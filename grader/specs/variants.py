"""Handing out randomized variants: every student their own numbers and their own key.

Variant ``0`` is always the spec as written; variant ``n > 0`` redraws the varying
parameters (the rules of :mod:`hwgrade.grader.specs.variantrules`) from a stream seeded by
``(problem id, n)`` and re-reads the spec with them.

Degenerate draws are never handed out: a draw is rejected when the solver or a
derivation fails, a reference is not finite, a ``nonzero`` value has a zero entry, or a
known mistake coincides with the reference (the feedback would be unreachable); the
next draw of the same stream is tried instead. Everything is deterministic: the same
student always gets the same numbers, on any machine, in any Python version (the
stream is SHA-256, not :mod:`random`).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import sympy

from hwgrade.grader.errors import HwgradeError, SolverError, SpecError
from hwgrade.grader.specs.model import ProblemSpec
from hwgrade.grader.specs.solving import check_solution, derive_value, solve
from hwgrade.grader.specs.specfile import spec_from_data
from hwgrade.solver import Solution

#: Student variants are numbered 1..VARIANT_SPACE (0 is the spec as written).
VARIANT_SPACE = 999_999
#: Draws tried for one variant before the spec is declared unable to vary.
MAX_ATTEMPTS = 40


@dataclass(frozen=True)
class VariantSettings:
    """Whether a course hands out variants, and the salt that makes its numbers its own.

    Attributes:
        enabled: Off by default: every student gets the spec's own numbers.
        salt: Mixed into the student hash (``variant_salt`` in ``hwgrade.toml``), so that
            two courses, or two terms of one course, give a student different numbers.
    """

    enabled: bool = False
    salt: str = ""

    def variant_of(self, student: str) -> int:
        """The variant a student gets (0, the spec as written, when variants are off)."""
        return student_variant(student, self.salt) if self.enabled else 0


def student_variant(student: str, salt: str = "") -> int:
    """A stable variant number in ``1..VARIANT_SPACE`` for a student id.

    Ids are compared without surrounding spaces and case (``Alice`` is ``alice``), since
    students and gradebooks rarely agree on either.
    """
    text = f"{salt}\x00{student.strip().casefold()}".encode()
    digest = hashlib.sha256(text).digest()
    return 1 + int.from_bytes(digest[:8], "big") % VARIANT_SPACE


class _Stream:
    """Uniform integers from SHA-256 of ``(seed, counter)``: stable everywhere."""

    def __init__(self, *seed: object) -> None:
        self.seed = "\x00".join(str(s) for s in seed)
        self.count = 0

    def below(self, n: int) -> int:
        self.count += 1
        digest = hashlib.sha256(f"{self.seed}\x00{self.count}".encode()).digest()
        return int.from_bytes(digest[:16], "big") % n


def draw_parameters(spec: ProblemSpec, variant: int, attempt: int) -> dict[str, Any]:
    """The parameters of one draw: the spec's, with every varying one redrawn."""
    assert spec.variation is not None
    params = copy.deepcopy(spec.variation.data.get("parameters") or {})
    stream = _Stream(spec.id, variant, attempt)
    for rule in spec.variation.rules:
        target = params
        for key in rule.path[:-1]:
            target = target[key]
        target[rule.path[-1]] = rule.draw(stream.below)
    return dict(params)


# ---------------------------------------------------------------------------------------
# Degenerate draws
# ---------------------------------------------------------------------------------------


def _entries(value: Any) -> list[Any] | None:
    """The entries of an explicit value (``None`` for matrix expressions and labels)."""
    if isinstance(value, sympy.MatrixBase):
        return list(value)
    if isinstance(value, sympy.NDimArray):
        return list(sympy.flatten(value.tolist()))
    if isinstance(value, sympy.Expr) and not isinstance(value, sympy.MatrixExpr):
        return [value]
    return None


def _is_zero(x: Any) -> bool:
    if getattr(x, "is_Number", False):  # most entries of a numeric variant: no expand
        return bool(x == 0)
    return bool(sympy.expand(x) == 0)


def _nonzero_value(spec: ProblemSpec, solution: Solution, item: str) -> Any:
    """A ``nonzero`` item's value, derived again only when no part's answer is it.

    An item naming a part, or stating that part's very derivation
    (``var(tensor, axes=[2])``), is the answer just solved: deriving it afresh would
    evaluate the spec's parameters and definitions once more, for every draw.
    """
    if item in solution.answers:
        return solution.answers[item]
    for part in spec.parts:
        derived = isinstance(part.reference, str) and part.kind != "choice"
        if derived and part.reference.strip() == item.strip() and part.id in solution.answers:
            return solution.answers[part.id]
    return derive_value(spec, item)


def degeneracy(spec: ProblemSpec) -> str | None:
    """Why this instance must not be handed out, or ``None`` when it is fine."""
    try:
        solution = solve(spec)
    except HwgradeError as exc:
        return exc.message
    errors = check_solution(spec, solution)
    if errors:
        return errors[0].message
    bad = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
    for part_id, ref in solution.answers.items():
        entries = _entries(ref)
        if entries is None:
            continue
        if any(getattr(e, "has", lambda *_: False)(*bad) for e in entries):
            return f"the reference of `{part_id}` is not finite"
        for mistake in solution.mistakes.get(part_id, ()):
            other = _entries(mistake.value)
            same = other is not None and len(other) == len(entries)
            if same and all(_is_zero(a - b) for a, b in zip(entries, other or [], strict=True)):
                return f"the known mistake `{mistake.id}` of `{part_id}` equals the reference"
    assert spec.variation is not None
    for item in spec.variation.nonzero:
        try:
            value = _nonzero_value(spec, solution, item)
        except HwgradeError as exc:
            return f"nonzero `{item}`: {exc.message}"
        entries = _entries(value)
        if entries is None:
            return f"nonzero `{item}` is not a number, vector, matrix or tensor"
        if any(_is_zero(e) for e in entries):
            return f"`{item}` has a zero entry"
    return None


_VARIANTS: dict[tuple[str, str, int], ProblemSpec] = {}


def variant_spec(spec: ProblemSpec, variant: int) -> ProblemSpec:
    """The spec of one variant (the spec itself for variant 0 or a spec that never varies).

    Raises:
        SolverError: no draw of this variant gives a usable instance.
    """
    if variant == 0 or spec.variation is None:
        return spec
    key = (spec.id, str(spec.path), variant)
    found = _VARIANTS.get(key)
    if found is not None:
        return found
    reason = ""
    for attempt in range(MAX_ATTEMPTS):
        params = draw_parameters(spec, variant, attempt)
        try:
            candidate = spec_from_data(spec, params)
        except SpecError as exc:
            reason = exc.message
            continue
        candidate = replace(candidate, variant=variant)
        why = degeneracy(candidate)
        if why is None:
            _VARIANTS[key] = candidate
            return candidate
        reason = why
    raise SolverError(
        f"problem `{spec.id}`: no usable variant {variant} in {MAX_ATTEMPTS} draws ({reason})"
    )


def sample_variants(spec: ProblemSpec, count: int) -> list[SpecError]:
    """What ``validate`` finds when it hands out ``count`` variants of a spec.

    Besides draws that never solve, a variation that almost never changes anything
    (fewer than two distinct parameter sets among the samples) is reported: it would
    give every student the same numbers while claiming not to.
    """
    if spec.variation is None:
        return []
    path = str(spec.path) if spec.path else None
    errors: list[SpecError] = []
    seen: set[str] = set()
    for variant in _spread(count):
        try:
            got = variant_spec(spec, variant)
        except SolverError as exc:
            errors.append(SpecError(exc.message, path, "variants"))
            break
        seen.add(repr(sorted(got.parameters.items(), key=str)))
    if not errors and count > 1 and len(seen) < 2:
        errors.append(SpecError("every sampled variant has the same numbers", path, "variants"))
    return errors


def _spread(count: int) -> Iterable[int]:
    """Variant numbers spread over the whole space (students do not get 1, 2, 3...)."""
    return (1 + (k * 7919 * 104729) % VARIANT_SPACE for k in range(1, count + 1))


__all__ = [
    "MAX_ATTEMPTS",
    "VARIANT_SPACE",
    "VariantSettings",
    "degeneracy",
    "draw_parameters",
    "sample_variants",
    "student_variant",
    "variant_spec",
]
