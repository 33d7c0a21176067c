import pytest
import sympy
from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import get_solver

PARAMS = dict(
    states={1: [1, -1], 2: [-1, 1], 3: [0, -1], 4: [1, 0]},
    target=1,
    neighbours=[2, 3, 4],
    weights=[0.6, 0.2, 0.2],
    f_scale=2,
    W=[1, 1],
    tokens=4,
    self_loops=False,
    aggregation="sum",
    rule_options={"A": "sum_in", "B": "sum_out", "C": "mean_all"},
)


def _solve(**over):
    return get_solver("gnn_attention")({**PARAMS, **over}, Context())


def test_seed_update_by_hand():
    # Agg = 0.6*2*[-1,1] + 0.2*2*[0,-1] + 0.2*2*[1,0] = [-0.8, 0.8]; W h1^T = 1 - 1 = 0.
    h = _solve().answers["h1_next"]
    assert list(h) == [0, sympy.Rational(4, 5)] and h.shape == (1, 2)


@pytest.mark.parametrize("tokens,loops", [(4, False), (4, True), (5, False), (2, False)])
def test_edges_by_enumeration(tokens, loops):
    expected = len([(i, j) for i in range(tokens) for j in range(tokens) if loops or i != j])
    assert _solve(tokens=tokens, self_loops=loops).answers["edges"] == expected


def test_rule_and_mistakes():
    sol = _solve()
    assert sol.answers["update_rule"] == ("A",)
    assert {m.value for m in sol.mistakes["edges"]} == {6, 16}
    with pytest.raises(SolverError):
        _solve(rule_options={"A": "sum_out"})
