"""Handing out variants (``grader/specs/variants.py``): student ids, drawing, rejecting.

Every variant's references are compared with an independent computation on the drawn
numbers (numpy statistics, plain arithmetic, a hand-built unroll), never with the
solver's own output for another variant.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from toyspec import TOY_SPEC, write_spec

from hwgrade.grader.errors import SolverError
from hwgrade.grader.names import expand_range
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.specs.specfile import load_spec
from hwgrade.grader.specs.validation import validate_spec
from hwgrade.grader.specs.variantrules import render_value
from hwgrade.grader.specs.variants import (
    VARIANT_SPACE,
    VariantSettings,
    sample_variants,
    student_variant,
    variant_spec,
)

PROBLEMS = load_problem_set()
VARIANTS = [3, 17, 4242, 99_001, 777_777]


# ---------------------------------------------------------------------------------------
# Student ids
# ---------------------------------------------------------------------------------------


def test_student_variant_is_stable_and_in_range():
    assert student_variant("alice") == student_variant("alice")
    assert student_variant("  Alice ") == student_variant("alice")  # case and spaces
    numbers = {student_variant(f"s{i:04d}") for i in range(2000)}
    assert all(1 <= n <= VARIANT_SPACE for n in numbers)
    assert len(numbers) >= 1995  # collisions are rare in a 10^6 space


def test_salt_gives_a_course_its_own_numbers():
    assert student_variant("alice", "fall-2026") != student_variant("alice", "spring-2027")


def test_settings_off_gives_everyone_the_specs_numbers():
    assert VariantSettings().variant_of("alice") == 0
    assert VariantSettings(True, "x").variant_of("alice") == student_variant("alice", "x")


# ---------------------------------------------------------------------------------------
# Symbol ranges
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("u_1 .. u_3", ("u_1", "u_2", "u_3")),
        ("x_{2}..x_{4}", ("x_2", "x_3", "x_4")),
        ("u_1 .. v_3", None),  # not one stem
        ("u_3 .. u_1", None),  # backwards
        ("u_1 .. u_500", None),  # over MAX_RANGE
        ("u_1", None),
    ],
    ids=["plain", "braced", "two-stems", "backwards", "too-many", "single"],
)
def test_symbol_ranges(text, names):
    assert expand_range(text) == names


# ---------------------------------------------------------------------------------------
# Drawing and rejecting
# ---------------------------------------------------------------------------------------


def test_variant_zero_and_non_varying_specs_are_the_spec_itself():
    spec = PROBLEMS.get("staged_computation")
    assert variant_spec(spec, 0) is spec
    fixed = PROBLEMS.get("dropout_ridge")
    assert fixed.variation is None and variant_spec(fixed, 12345) is fixed


def test_draws_follow_the_rules(tmp_path):
    body = TOY_SPEC + (
        "variants:\n"
        "  parameters:\n"
        "    a: {integers: [-2, 2], exclude: [0]}\n"
        "    b: {integers: [5, 7]}\n"
    )
    spec = load_spec(write_spec(tmp_path, body))
    seen_a = set()
    for v in range(1, 60):
        got = variant_spec(spec, v)
        seen_a.add(got.parameters["a"])
        assert np.array(got.parameters["b"]).shape == (2, 2)  # the default's shape
        assert all(5 <= x <= 7 for row in got.parameters["b"] for x in row)
        assert (
            got.statement == f"a = {got.parameters['a']}, b = {render_value(got.parameters['b'])}"
        )
        b = got.parameters["b"]
        assert solve(got).answers["s"] == got.parameters["a"] * (sum(b[0]) + sum(b[1]))
    assert seen_a == {-2, -1, 1, 2}


def test_a_spec_that_can_only_degenerate_is_refused(tmp_path):
    body = TOY_SPEC + ("variants:\n  parameters:\n    a: {integers: [0, 0]}\n  nonzero: [s]\n")
    path = write_spec(tmp_path, body)
    with pytest.raises(SolverError, match=r"no usable variant .* zero entry"):
        variant_spec(load_spec(path), 5)
    errors = validate_spec(path)
    assert errors and "no usable variant" in errors[0].message


def test_a_nonzero_item_stating_a_parts_derivation_is_that_answer(tmp_path, monkeypatch):
    """``nonzero: ["a*sum(b)"]`` is part ``s``'s own derivation: not derived again, and a
    zero there still refuses the draw; any other derivation is derived."""
    from hwgrade.grader.specs import variants

    body = TOY_SPEC + (
        'variants:\n  parameters:\n    a: {integers: [-1, 1]}\n  nonzero: ["a*sum(b)"]\n'
    )
    spec = load_spec(write_spec(tmp_path, body))

    def never(*args, **kwargs):
        raise AssertionError("derived again")

    monkeypatch.setattr(variants, "derive_value", never)
    drawn = {variant_spec(spec, v).parameters["a"] for v in range(1, 30)}
    assert drawn == {-1, 1}  # a = 0 makes the answer 0: never handed out
    monkeypatch.undo()
    changed = body.replace('["a*sum(b)"]', '["a*sum(b) + 0"]')
    other = load_spec(write_spec(tmp_path, changed, "q.yaml"))
    assert {variant_spec(other, v).parameters["a"] for v in range(1, 30)} == {-1, 1}


def test_a_variation_that_never_varies_is_reported(tmp_path):
    body = TOY_SPEC + "variants:\n  parameters:\n    a: {choice: [2]}\n"
    errors = sample_variants(load_spec(write_spec(tmp_path, body)), 10)
    assert errors and "same numbers" in errors[0].message


def test_mistake_equal_to_reference_is_rejected(tmp_path):
    body = (
        TOY_SPEC.replace(
            'reference: "a*sum(b)"',
            'reference: "a*sum(b)"\n'
            "    mistakes:\n"
            '      - derive: "sum(b)"\n'
            "        message: forgot a",
        )
        + "variants:\n  parameters:\n    a: {integers: [1, 2]}\n"
    )
    spec = load_spec(write_spec(tmp_path, body))
    assert {variant_spec(spec, v).parameters["a"] for v in range(1, 40)} == {2}


# ---------------------------------------------------------------------------------------
# The built-in varying problems, checked independently on each variant's numbers
# ---------------------------------------------------------------------------------------


def _floats(value) -> np.ndarray:
    return np.array(sympy.Matrix(value).evalf(), dtype=float).ravel()


@pytest.mark.parametrize("variant", VARIANTS)
def test_normalization_variants_match_numpy(variant):
    spec = variant_spec(PROBLEMS.get("normalization_stats"), variant)
    tensor = np.array(spec.parameters["tensor"], dtype=float)
    assert tensor.shape == (4, 2, 3) and tensor.min() >= 0 and tensor.max() <= 5
    answers = solve(spec).answers
    expected = {
        "mu_batch": tensor.mean(axis=(0, 2)),
        "var_batch": tensor.var(axis=(0, 2)),
        "mu_layer": tensor.mean(axis=(1, 2)),
        "var_layer": tensor.var(axis=(1, 2)),
        "mu_instance": tensor.mean(axis=2),
        "var_instance": tensor.var(axis=2),
    }
    for part, want in expected.items():
        assert np.allclose(_floats(answers[part]), want.ravel()), part
    for axes in ((0, 2), (1, 2), (2,)):  # never degenerate: no zero variance anywhere
        assert (tensor.var(axis=axes) > 0).all()
    assert f"example 1: {render_value(spec.parameters['tensor'][0])}" in spec.statement


@pytest.mark.parametrize("variant", VARIANTS)
def test_gnn_variants_match_numpy_and_keep_max_and_c_meaningful(variant):
    spec = variant_spec(PROBLEMS.get("gnn_attention"), variant)
    h = {k: np.array(spec.parameters[k], dtype=float)[0] for k in ("h_1", "h_2", "h_3", "h_4")}
    c = spec.parameters["c"]
    agg = c * (0.6 * h["h_2"] + 0.2 * h["h_3"] + 0.2 * h["h_4"])
    want = h["h_1"].sum() + np.maximum(agg, 0)
    assert np.allclose(_floats(solve(spec).answers["h1_next"]), want)
    assert (agg < 0).any() and (agg > 0).any()  # both the max and the factor c matter
    assert f"h_1 = {render_value(spec.parameters['h_1'][0])}" in spec.statement


@pytest.mark.parametrize("variant", VARIANTS)
def test_staged_variants_match_arithmetic(variant):
    spec = variant_spec(PROBLEMS.get("staged_computation"), variant)
    x, y, z = (spec.parameters["inputs"][k] for k in "xyz")
    answers = solve(spec).answers
    assert 0 not in (x, y, z, x + y)
    assert answers["forward.q"] == x + y and answers["forward.f"] == (x + y) * z
    assert answers["backward.df_dx"] == z and answers["backward.df_dz"] == x + y
    assert f"x = {x}, y = {y} and z = {z}" in spec.statement


def test_rnn_variants_change_the_step_count_not_the_parts():
    base = PROBLEMS.get("rnn_backprop")
    w = sympy.Symbol("w")
    seen = set()
    for variant in range(1, 30):
        spec = variant_spec(base, variant)
        steps = spec.parameters["steps"]
        seen.add(steps)
        assert [p.id for p in spec.parts] == [p.id for p in base.parts]
        h = sympy.Integer(0)
        for k in range(1, steps + 1):  # h_k = w (u_k + h_{k-1}); y = h_T
            h = w * (sympy.Symbol(f"u_{k}") + h)
        assert sympy.expand(solve(spec).answers["a.y"] - h) == 0
        assert f"u_{steps}" in spec.part("a.t").allowed_symbols
        assert spec.context.is_declared(f"u_{steps}")
        assert f"over {steps} inputs" in spec.statement
    assert seen == {3, 4, 5}


def test_builtin_varying_specs_sample_cleanly():
    for spec in PROBLEMS.problems:
        if spec.variation is not None:
            assert sample_variants(spec, 12) == [], spec.id
