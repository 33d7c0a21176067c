"""normalization_stats is derived by its spec (no Python solver): checked against numpy."""

import dataclasses

import numpy as np
import pytest

from hwgrade.grader.errors import SpecError
from hwgrade.grader.specs.solving import solve_spec
from hwgrade.grader.specs.specfile import load_spec
from hwgrade.problems import BUILTIN_DIR

SPEC = load_spec(BUILTIN_DIR / "02_normalization_stats.yaml")
SEED = [
    [[4, 3, 2], [1, 4, 3]],
    [[3, 4, 1], [4, 2, 2]],
    [[3, 2, 3], [4, 1, 2]],
    [[1, 1, 3], [4, 1, 2]],
]
AXES = {"batch": (0, 2), "layer": (1, 2), "instance": (2,)}


def _solve(data):
    return solve_spec(dataclasses.replace(SPEC, parameters={"tensor": data}))


def _arr(m):
    return np.array(m.tolist(), dtype=float)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("technique", sorted(AXES))
def test_matches_numpy(technique, seed):
    rng = np.random.default_rng(seed)
    data = SEED if seed == 0 else rng.integers(-5, 6, size=(3, 2, 4)).tolist()
    sol = _solve(data)
    a = np.array(data, dtype=float)
    mu, var = a.mean(axis=AXES[technique]), a.var(axis=AXES[technique])
    assert np.allclose(_arr(sol.answers[f"mu_{technique}"]).reshape(mu.shape), mu)
    assert np.allclose(_arr(sol.answers[f"var_{technique}"]).reshape(var.shape), var)


def test_shapes_and_exact_values():
    sol = _solve(SEED)
    assert sol.answers["mu_batch"].shape == (2, 1)
    assert sol.answers["mu_layer"].shape == (4, 1)
    assert sol.answers["var_instance"].shape == (4, 2)
    assert str(sol.answers["mu_layer"][0]) == "17/6"


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("technique", sorted(AXES))
def test_mistakes_match_numpy(technique, seed):
    rng = np.random.default_rng(seed)
    data = SEED if seed == 0 else rng.integers(-5, 6, size=(3, 2, 4)).tolist()
    a, axes = np.array(data, dtype=float), AXES[technique]
    sol = _solve(data)
    var_m = sol.mistakes[f"var_{technique}"]
    mu_m = sol.mistakes[f"mu_{technique}"]
    bessel, swapped = var_m[0], var_m[1]
    assert np.allclose(_arr(bessel.value).ravel(), a.var(axis=axes, ddof=1).ravel())
    assert bessel.credit == 0.5 and "instead of" in bessel.message
    assert np.allclose(_arr(swapped.value).ravel(), a.mean(axis=axes).ravel())
    assert np.allclose(_arr(mu_m[0].value).ravel(), a.var(axis=axes).ravel())
    if technique == "batch":  # per-(channel, feature) statistics over the batch only
        assert np.allclose(_arr(mu_m[1].value), a.mean(axis=0))
        assert np.allclose(_arr(var_m[2].value), a.var(axis=0))
        assert mu_m[1].credit == var_m[2].credit == 0.5


def test_bad_tensor_names_the_parameter():
    with pytest.raises(SpecError) as info:
        _solve([[[1, 2], [3]]])
    assert "tensor" in str(info.value) and info.value.field == "parts[0].reference"
