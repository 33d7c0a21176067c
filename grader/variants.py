"""Randomized variants: every student their own numbers, graded against their own key.

A spec opts in with a ``variants:`` section that says which parameters vary and how
(``integers: [lo, hi]`` with an optional ``shape`` and ``exclude``, or ``choice: [...]``)
and which values must never be zero (``nonzero:``: a derivation, or a part id meaning
that part's reference). Variant ``0`` is always the spec as written; variant ``n > 0``
redraws the varying parameters from a stream seeded by ``(problem id, n)`` and re-reads
the spec with them, so that ``{{name}}`` placeholders in the statement, prompts, symbol
declarations and every other text follow the numbers.

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
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import sympy

from hwgrade.grader.errors import HwgradeError, SolverError, SpecError

if TYPE_CHECKING:
    from hwgrade.grader.specreader import FieldReader
    from hwgrade.grader.specs import ProblemSpec

#: Student variants are numbered 1..VARIANT_SPACE (0 is the spec as written).
VARIANT_SPACE = 999_999
#: Draws tried for one variant before the spec is declared unable to vary.
MAX_ATTEMPTS = 40
#: Largest number of entries a varying list parameter may have.
MAX_ENTRIES = 400

RULE_FIELDS = ("integers", "choice", "shape", "exclude")
VARIANT_FIELDS = ("parameters", "nonzero")
_PLACEHOLDER = re.compile(
    r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(?:([+-])\s*(\d{1,6})\s*)?\}\}"
)


@dataclass(frozen=True)
class VaryRule:
    """How one parameter varies.

    Attributes:
        path: Where the parameter sits in ``parameters`` (``("inputs", "x")``).
        low: Smallest integer drawn (integer rules).
        high: Largest integer drawn (integer rules).
        choices: The values to pick from (choice rules); empty for integer rules.
        shape: For integer rules: draw a nested list of this shape (``()`` a number).
        exclude: Integers never drawn (``0`` for an input that must not vanish).
    """

    path: tuple[str, ...]
    low: int = 0
    high: int = 0
    choices: tuple[Any, ...] = ()
    shape: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()

    def draw(self, below: Callable[[int], int]) -> Any:
        """One value, using ``below(n)`` (uniform in ``0..n-1``) as the source."""
        if self.choices:
            return copy.deepcopy(self.choices[below(len(self.choices))])
        allowed = [v for v in range(self.low, self.high + 1) if v not in self.exclude]

        def build(dims: tuple[int, ...]) -> Any:
            if not dims:
                return allowed[below(len(allowed))]
            return [build(dims[1:]) for _ in range(dims[0])]

        return build(self.shape)


@dataclass(frozen=True)
class Variation:
    """A spec's ``variants:`` section, with what is needed to re-read the spec.

    Attributes:
        rules: One rule per varying parameter.
        nonzero: Derivations or part ids whose values must have no zero entry.
        data: The spec as composed from YAML (placeholders unrendered), re-read per variant.
    """

    rules: tuple[VaryRule, ...]
    nonzero: tuple[str, ...] = ()
    data: Any = field(default=None, compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        """The varying parameters, as dotted paths."""
        return tuple(".".join(rule.path) for rule in self.rules)


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


# ---------------------------------------------------------------------------------------
# Reading the section and rendering placeholders
# ---------------------------------------------------------------------------------------


def _lookup(parameters: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    value: Any = parameters
    for key in path:
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]  # {{tensor.0}}: the first example of a tensor
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return False, None
    return True, value


def _shape_of(value: Any) -> tuple[int, ...] | None:
    """The shape of a regular nested list of integers (``()`` for one integer)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return ()
    if isinstance(value, list) and value:
        inner = {_shape_of(v) for v in value}
        if len(inner) == 1 and None not in inner:
            (sub,) = inner
            return (len(value), *sub)  # type: ignore[misc]
    return None


def read_variation(reader: FieldReader, value: Any, parameters: dict[str, Any]) -> Variation | None:
    """The ``variants:`` section, checked against the spec's parameters."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("parameters"), dict):
        reader.error("`variants` needs `parameters`: which parameters vary, and how", "variants")
        return None
    for key in value:
        if key not in VARIANT_FIELDS:
            reader.error(f"unknown field `{key}` (one of {', '.join(VARIANT_FIELDS)})", "variants")
    rules = [
        r
        for name, raw in value["parameters"].items()
        if (r := _rule(reader, str(name), raw, parameters))
    ]
    nonzero = reader.strings(value.get("nonzero"), "variants.nonzero")
    return Variation(tuple(rules), nonzero) if rules else None


def _rule(reader: FieldReader, name: str, raw: Any, parameters: dict[str, Any]) -> VaryRule | None:
    fld = f"variants.parameters.{name}"
    path = tuple(name.split("."))
    found, default = _lookup(parameters, path)
    if not found:
        reader.error(f"`{name}` is not among the spec's parameters (variant 0 needs it)", fld)
        return None
    if not isinstance(raw, dict) or ("integers" in raw) == ("choice" in raw):
        reader.error("give exactly one of `integers: [low, high]` and `choice: [...]`", fld)
        return None
    for key in raw:
        if key not in RULE_FIELDS:
            reader.error(f"unknown field `{key}` (one of {', '.join(RULE_FIELDS)})", f"{fld}.{key}")
    if "choice" in raw:
        choices = raw["choice"]
        if not isinstance(choices, list) or not choices:
            reader.error("`choice` must be a non-empty list of values", f"{fld}.choice")
            return None
        return VaryRule(path, choices=tuple(choices))
    bounds = raw["integers"]
    if (
        not isinstance(bounds, list)
        or len(bounds) != 2
        or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
        or bounds[0] > bounds[1]
    ):
        reader.error(
            "`integers` is `[low, high]`, two integers with low <= high", f"{fld}.integers"
        )
        return None
    exclude = raw.get("exclude") or []
    if not isinstance(exclude, list) or not all(isinstance(v, int) for v in exclude):
        reader.error("`exclude` is a list of integers", f"{fld}.exclude")
        exclude = []
    if not [v for v in range(bounds[0], bounds[1] + 1) if v not in exclude]:
        reader.error("every integer of the range is excluded", f"{fld}.exclude")
        return None
    shape = raw.get("shape", _shape_of(default))
    if (
        shape is None
        or not isinstance(shape, (list, tuple))
        or not all(isinstance(n, int) and n > 0 for n in shape)
    ):
        reader.error("give `shape: [n, ...]` (the default value is not a regular list)", fld)
        return None
    if _count(tuple(shape)) > MAX_ENTRIES:
        reader.error(f"at most {MAX_ENTRIES} varying entries", f"{fld}.shape")
        return None
    return VaryRule(path, bounds[0], bounds[1], shape=tuple(shape), exclude=tuple(exclude))


def _count(shape: tuple[int, ...]) -> int:
    total = 1
    for n in shape:
        total *= n
    return total


def render_value(value: Any) -> str:
    """A parameter as a statement shows it: plain syntax, lists in brackets."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {render_value(v)}" for k, v in value.items())
    return str(value)


def render_data(data: Any, parameters: dict[str, Any], missing: list[str]) -> Any:
    """A copy of the composed spec with every ``{{name}}`` replaced by its value.

    The ``parameters`` and ``variants`` sections are left alone (they *are* the values
    and how they vary), and unknown
    names are collected in ``missing`` instead of raising, so that the reader can report
    them all with their fields.
    """

    def text(s: str) -> str:
        def one(match: re.Match[str]) -> str:
            found, value = _lookup(parameters, tuple(match.group(1).split(".")))
            if not found:
                missing.append(match.group(1))
                return match.group(0)
            if match.group(2):  # {{steps - 1}}: an integer offset, nothing more
                if not isinstance(value, int) or isinstance(value, bool):
                    missing.append(f"{match.group(1)} (an offset needs an integer)")
                    return match.group(0)
                offset = int(match.group(3))
                return str(value + offset if match.group(2) == "+" else value - offset)
            return render_value(value)

        return _PLACEHOLDER.sub(one, s) if "{{" in s else s

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return text(item)
        if isinstance(item, list):
            return [walk(v) for v in item]
        if isinstance(item, dict):
            return {text(k) if isinstance(k, str) else k: walk(v) for k, v in item.items()}
        return item

    if not isinstance(data, dict):
        return data
    return {k: (v if k in ("parameters", "variants") else walk(v)) for k, v in data.items()}


def has_placeholders(data: Any) -> bool:
    """Whether any text of the composed spec holds a ``{{name}}``."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "{{" in item:
            return True
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


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
    return bool(sympy.expand(x) == 0)


def degeneracy(spec: ProblemSpec) -> str | None:
    """Why this instance must not be handed out, or ``None`` when it is fine."""
    from hwgrade.grader.problemset import check_solution, derive_value, solve

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
            value = solution.answers[item] if item in solution.answers else derive_value(spec, item)
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
    from hwgrade.grader.specs import spec_from_data

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
    "Variation",
    "VaryRule",
    "degeneracy",
    "draw_parameters",
    "has_placeholders",
    "read_variation",
    "render_data",
    "render_value",
    "sample_variants",
    "student_variant",
    "variant_spec",
]
