import pytest
import sympy

from hwgrade.grader.context import Context, SymbolDecl
from hwgrade.solver import get_solver

w, u1, u2, u3, u4 = sympy.symbols("w u_1 u_2 u_3 u_4")


def _ctx(steps: int = 4) -> Context:
    names = ("w", *(f"u_{i}" for i in range(1, max(steps, 4) + 1)))
    return Context(tuple(SymbolDecl(n) for n in names))


def _solve(steps: int):
    return get_solver("rnn_backprop")({"steps": steps}, _ctx())


# Hand derivation of the seed's three-step graph (000 Q2).
HAND = {
    "a.t": u3 + w * u2 + w**2 * u1,
    "a.y": w * u3 + w**2 * u2 + w**3 * u1,
    "b": u3 + 2 * w * u2 + 3 * w**2 * u1,
    "c.dy_dt": w,
    "c.dy_ds": w,
    "c.dy_dr": w**2,
    "c.dy_dq": w**2,
    "c.dy_dp": w**3,
    "d.edge1": w**2 * u1,  # dy/dq * p
    "d.edge2": w * (u2 + w * u1),  # dy/ds * r
    "d.edge3": u3 + w * u2 + w**2 * u1,  # t
    "d.total": u3 + 2 * w * u2 + 3 * w**2 * u1,
}


@pytest.mark.parametrize("part", sorted(HAND), ids=sorted(HAND))
def test_three_steps_match_hand_derivation(part):
    assert sympy.expand(_solve(3).answers[part] - HAND[part]) == 0


def test_exact_part_set():
    assert set(_solve(3).answers) == set(HAND)


def _hand_graph(steps: int):
    """The unrolled graph built by hand: node values, last node first (t, s, r, ...)."""
    inputs = sympy.symbols(f"u_1:{steps + 1}")
    values, h = [], sympy.Integer(0)
    for k, u in enumerate(inputs):
        total = u + h
        values.append(total)
        if k < steps - 1:
            h = w * total
            values.append(h)
    return list(reversed(values)), inputs


@pytest.mark.parametrize("steps", [3, 4, 5, 7], ids=lambda n: f"{n}-steps")
def test_longer_unrolls_keep_the_parts_and_change_the_answers(steps):
    sol = get_solver("rnn_backprop")({"steps": steps}, _ctx(steps))
    nodes, inputs = _hand_graph(steps)
    y = sympy.expand(w * nodes[0])
    t, _, r, _, p = nodes[:5]
    assert set(sol.answers) == set(HAND)  # the gradebook's columns do not move
    assert sympy.expand(sol.answers["a.t"] - t) == 0
    assert sympy.expand(sol.answers["a.y"] - y) == 0
    assert sympy.expand(sol.answers["b"] - sympy.diff(y, w)) == 0
    assert sympy.expand(sol.answers["d.total"] - sympy.diff(y, w)) == 0
    # y = w t, t = u + s, s = w r, r = u + q, q = w p: the partials by hand
    assert [sol.answers[f"c.dy_d{n}"] for n in "tsrqp"] == [w, w, w**2, w**2, w**3]
    # the edge into q is dy/dq * p, into s dy/ds * r, into y t
    assert sympy.expand(sol.answers["d.edge1"] - w**2 * p) == 0
    assert sympy.expand(sol.answers["d.edge2"] - w * r) == 0
    assert sympy.expand(sol.answers["d.edge3"] - t) == 0
    assert len(inputs) == steps


@pytest.mark.parametrize("steps", [1, 2], ids=lambda n: f"{n}-steps")
def test_fewer_than_three_steps_is_refused(steps):
    from hwgrade.grader.errors import SolverError

    with pytest.raises(SolverError, match="at least 3"):
        get_solver("rnn_backprop")({"steps": steps}, _ctx())


def test_missing_last_input_mistake_follows_the_step_count():
    for steps in (3, 5):
        sol = get_solver("rnn_backprop")({"steps": steps}, _ctx(steps))
        found = {m.id: m for m in sol.mistakes["d.total"]}["missing_last_input"]
        last = sympy.Symbol(f"u_{steps}")
        assert sympy.expand(sol.answers["d.total"] - found.value - last) == 0
        assert found.credit == 0.5 and f"u_{steps}" in found.message


def test_definitions_allow_answers_in_intermediates():
    sol = _solve(3)
    p, q, r, s, t = (sol.definitions[n] for n in "pqrst")
    assert (p, q) == (u1, w * u1)
    assert sympy.expand(t - HAND["a.t"]) == 0
    assert sympy.expand(sol.definitions["dy_ds"] * r - HAND["d.edge2"]) == 0
    del q, s


def test_carry_forward_uses_students_y():
    sol = _solve(3)
    wrong_y = w**2 * u1 + w * u2  # a student's wrong forward value
    cf = sol.carry_forward["b"]
    assert cf.sources == ("a.y",)
    assert sympy.expand(cf.derive({"a.y": wrong_y}) - (2 * w * u1 + u2)) == 0


def test_mistakes_are_wrong_and_present():
    sol = _solve(3)
    direct = sol.mistakes["b"][0].value
    assert sympy.expand(direct - HAND["b"]) != 0
    assert sol.mistakes["c.dy_dp"][0].value == w**2


def test_numeric_gradient_matches_dy_dw():
    sol = _solve(3)
    vals = {u1: sympy.Rational(3, 7), u2: -2, u3: sympy.Rational(5, 3)}
    y = sol.answers["a.y"].subs(vals)
    h = sympy.Rational(1, 10**8)
    fd = (y.subs(w, sympy.Rational(1, 2) + h) - y.subs(w, sympy.Rational(1, 2) - h)) / (2 * h)
    exact = sol.answers["b"].subs(vals).subs(w, sympy.Rational(1, 2))
    assert abs(float(fd - exact)) < 1e-9
