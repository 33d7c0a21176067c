import pytest
import sympy

from hwgrade.grader.context import Context, SymbolDecl
from hwgrade.solver import get_solver

w, u1, u2, u3, u4 = sympy.symbols("w u_1 u_2 u_3 u_4")


def _ctx() -> Context:
    return Context(tuple(SymbolDecl(n) for n in ("w", "u_1", "u_2", "u_3", "u_4")))


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


def test_four_steps_change_the_key():
    sol = _solve(4)
    y = w * (u4 + w * (u3 + w * (u2 + w * u1)))
    assert sympy.expand(sol.answers["a.y"] - y) == 0
    assert sympy.expand(sol.answers["b"] - sympy.diff(y, w)) == 0
    assert "d.edge4" in sol.answers and "a.t" not in sol.answers
    assert sol.answers["c.dy_dp"] == w**4


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
