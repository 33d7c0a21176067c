"""A spec's ``variants:`` section: which parameters vary, and the placeholders they fill.

A spec opts in with a ``variants:`` section that says which parameters vary and how
(``integers: [lo, hi]`` with an optional ``shape`` and ``exclude``, or ``choice: [...]``)
and which values must never be zero (``nonzero:``: a derivation, or a part id meaning
that part's reference). ``{{name}}`` placeholders in the statement, prompts, symbol
declarations and every other text are rendered from the parameters, so that the text
follows the numbers.

This module only *reads* the section and renders text; it is kept apart from handing
variants out (:mod:`hwgrade.grader.specs.variants`) because the spec loader needs it while a
spec is being read, long before any solver runs or any student is given numbers.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hwgrade.grader.specs.yamlfields import FieldReader

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


__all__ = [
    "Variation",
    "VaryRule",
    "has_placeholders",
    "read_variation",
    "render_data",
    "render_value",
]
