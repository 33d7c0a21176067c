import numpy as np
import pytest
from hwgrade.grader.context import Context
from hwgrade.solver import get_solver

SEED = [
    [[4, 3, 2], [1, 4, 3]],
    [[3, 4, 1], [4, 2, 2]],
    [[3, 2, 3], [4, 1, 2]],
    [[1, 1, 3], [4, 1, 2]],
]
AXES = {"batch": (0, 2), "layer": (1, 2), "instance": (2,)}


def _arr(m):
    return np.array(m.tolist(), dtype=float)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("technique", sorted(AXES))
def test_matches_numpy(technique, seed):
    rng = np.random.default_rng(seed)
    data = SEED if seed == 0 else rng.integers(-5, 6, size=(3, 2, 4)).tolist()
    sol = get_solver("normalization_stats")({"tensor": data}, Context())
    a = np.array(data, dtype=float)
    mu, var = a.mean(axis=AXES[technique]), a.var(axis=AXES[technique])
    assert np.allclose(_arr(sol.answers[f"mu_{technique}"]).reshape(mu.shape), mu)
    assert np.allclose(_arr(sol.answers[f"var_{technique}"]).reshape(var.shape), var)


def test_shapes_and_exact_values():
    sol = get_solver("normalization_stats")({"tensor": SEED}, Context())
    assert sol.answers["mu_batch"].shape == (2, 1)
    assert sol.answers["mu_layer"].shape == (4, 1)
    assert sol.answers["var_instance"].shape == (4, 2)
    assert str(sol.answers["mu_layer"][0]) == "17/6"


def test_mistakes():
    sol = get_solver("normalization_stats")({"tensor": SEED}, Context())
    a = np.array(SEED, dtype=float)
    ids = {m.id: m for m in sol.mistakes["var_batch"]}
    assert np.allclose(_arr(ids["bessel"].value).ravel(), a.var(axis=(0, 2), ddof=1))
    assert np.allclose(_arr(ids["per_feature"].value), a.var(axis=0))
    assert ids["swapped"].value == sol.answers["mu_batch"]


def test_bad_tensor():
    from hwgrade.grader.errors import SolverError

    with pytest.raises(SolverError):
        get_solver("normalization_stats")({"tensor": [[[1, 2], [3]]]}, Context())
