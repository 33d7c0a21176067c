"""The ``variants:`` section (``grader/specs/variantrules.py``): read, placeholders rendered.

Spec errors must name the ``variants`` field and its line; placeholders must render
values, indices and integer offsets the way a statement shows them.
"""

from __future__ import annotations

import pytest
from toyspec import TOY_SPEC, write_spec

from hwgrade.grader.errors import SpecError
from hwgrade.grader.specs.specfile import load_spec
from hwgrade.grader.specs.variantrules import render_value

BAD_SECTIONS = [
    ("variants: {parameters: {c: {integers: [0, 3]}}}", "not among the spec's parameters"),
    ("variants: {parameters: {a: {integers: [0, 3], choice: [1]}}}", "exactly one of"),
    ("variants: {parameters: {a: {integers: [3, 0]}}}", "two integers with low <= high"),
    ("variants: {parameters: {a: {integers: [0, 0], exclude: [0]}}}", "every integer"),
    ("variants: {parameters: {a: {integers: [0, 3], step: 2}}}", "unknown field `step`"),
    ("variants: {parameters: {a: {choice: []}}}", "non-empty list"),
    ("variants: {parameters: {b: {integers: [0, 3], shape: [0]}}}", "shape"),
    ("variants: {parameters: {b: {integers: [0, 3], shape: [30, 30]}}}", "at most 400"),
    ("variants: {vary: {}}", "needs `parameters`"),
    ("variants: {parameters: {a: {integers: [1, 3]}}, seed: 3}", "unknown field `seed`"),
]


@pytest.mark.parametrize(
    ("section", "message"),
    BAD_SECTIONS,
    ids=[m.split()[0] + str(i) for i, (_, m) in enumerate(BAD_SECTIONS)],
)
def test_bad_variant_sections_name_the_field(tmp_path, section, message):
    path = write_spec(tmp_path, TOY_SPEC + section + "\n")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert message in info.value.message
    assert info.value.line is not None and info.value.field.startswith("variants")


def test_unknown_placeholder_is_a_spec_error(tmp_path):
    path = write_spec(tmp_path, TOY_SPEC.replace("b = {{b}}", "b = {{c}}"))
    with pytest.raises(SpecError, match=r"`\{\{c\}\}` names no parameter"):
        load_spec(path)


def test_placeholders_render_values_indices_and_offsets(tmp_path):
    body = TOY_SPEC.replace('"a = {{a}}, b = {{b}}"', '"{{a}} {{a+1}} {{a - 2}} {{b}} {{b.1}}"')
    spec = load_spec(write_spec(tmp_path, body))
    assert spec.statement == "2 3 0 [[1, 2], [3, 4]] [3, 4]"
    assert spec.parts[0].prompt.endswith("(a = 2)")


def test_render_value():
    assert render_value([[1, -2]]) == "[[1, -2]]"
    assert render_value({"x": 1, "y": -3}) == "x = 1, y = -3"
    assert render_value(True) == "true"
