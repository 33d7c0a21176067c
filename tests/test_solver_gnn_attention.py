"""gnn_attention is derived by its spec (no Python solver): checked against numpy."""

import dataclasses

import numpy as np
import pytest
import sympy

from hwgrade.grader.specs.solving import solve_spec
from hwgrade.grader.specs.specfile import load_spec
from hwgrade.problems import BUILTIN_DIR

SPEC = load_spec(BUILTIN_DIR / "06_gnn_attention.yaml")
WEIGHTS = {2: 0.6, 3: 0.2, 4: 0.2}  # as in the spec's Agg definition


def _solve(states=None, W=None, **params):
    defs = dict(SPEC.definitions)
    for node, state in (states or {}).items():
        params[f"h_{node}"] = [list(state)]  # node states are parameters (they vary)
    if W is not None:
        defs["W"] = [list(W)]
    spec = dataclasses.replace(
        SPEC, parameters={**SPEC.parameters, **params}, definitions=tuple(defs.items())
    )
    return solve_spec(spec)


def _numpy_update(h, W, scale=2.0, clip=True):
    agg = sum(WEIGHTS[j] * scale * np.array(h[j], float) for j in (2, 3, 4))
    own = float(np.dot(W, h[1]))
    return own + (np.maximum(agg, 0) if clip else agg)


def test_seed_update_by_hand():
    # Agg = 0.6*2*[-1,1] + 0.2*2*[0,-1] + 0.2*2*[1,0] = [-0.8, 0.8]; W h1^T = 1 - 1 = 0.
    h = _solve().answers["h1_next"]
    assert list(h) == [0, sympy.Rational(4, 5)] and h.shape == (1, 2)


@pytest.mark.parametrize("seed", range(4))
def test_update_and_mistakes_match_numpy(seed):
    rng = np.random.default_rng(seed)
    h = {j: rng.integers(-4, 5, size=2).tolist() for j in (1, 2, 3, 4)}
    W = rng.integers(-3, 4, size=2).tolist()
    sol = _solve(states=h, W=W)
    got = np.array(sol.answers["h1_next"].tolist(), float).ravel()
    assert np.allclose(got, _numpy_update(h, W))
    no_max, no_f = (np.array(m.value.tolist(), float).ravel() for m in sol.mistakes["h1_next"])
    assert np.allclose(no_max, _numpy_update(h, W, clip=False))
    assert np.allclose(no_f, _numpy_update(h, W, scale=1.0))


@pytest.mark.parametrize("tokens,loops", [(4, False), (4, True), (5, False), (2, False)])
def test_edges_by_enumeration(tokens, loops):
    expected = len([(i, j) for i in range(tokens) for j in range(tokens) if loops or i != j])
    sol = _solve(tokens=tokens, loops=int(loops))
    assert sol.answers["edges"] == expected
    flipped = len([(i, j) for i in range(tokens) for j in range(tokens) if (not loops) or i != j])
    assert [m.value for m in sol.mistakes["edges"]] == [sympy.Rational(expected, 2), flipped]


def test_rule_and_seed_mistakes():
    sol = _solve()
    assert sol.answers["update_rule"] == ("A",)
    assert {m.value for m in sol.mistakes["edges"]} == {6, 16}
    assert all("directed" in m.message or "self-loop" in m.message for m in sol.mistakes["edges"])
