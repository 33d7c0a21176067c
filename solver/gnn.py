"""Message passing on a small graph: the sum-aggregation rule, one update, edge counting.

Node i's new state combines its own state with the aggregate of the messages
``f_ji(h_j)`` from its in-neighbours. The solver computes the homework's numeric update
exactly (decimal weights become rationals), counts the directed edges of a fully
connected token graph by enumerating ordered pairs (so a change of token count or of the
self-loop convention changes the key), and picks the update-rule option whose declared
meaning matches the spec's aggregation.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product
from typing import Any

import sympy
from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import Mistake, Solution, Step, register


def _row(raw: Any) -> list[sympy.Rational]:
    """A row vector parameter as exact rationals (``0.6`` -> ``3/5``)."""
    return [sympy.Rational(str(v)) for v in raw]


def count_edges(tokens: int, self_loops: bool) -> int:
    """Directed edges of the complete graph on ``tokens`` nodes, by enumeration."""
    return sum(1 for i, j in product(range(tokens), repeat=2) if self_loops or i != j)


def update(
    h: Mapping[Any, list[sympy.Rational]],
    target: Any,
    neighbours: list[Any],
    weights: list[sympy.Rational],
    scale: sympy.Rational,
    W: list[sympy.Rational],
    clip: bool = True,
) -> sympy.ImmutableMatrix:
    """``W h_targetᵀ + max(Σ_j a_j f(h_j), 0)`` with ``f(x) = scale·x``, as a row vector."""
    dim = len(h[target])
    agg = [
        sum(a * scale * h[j][c] for a, j in zip(weights, neighbours, strict=True))
        for c in range(dim)
    ]
    own = sum(wc * hc for wc, hc in zip(W, h[target], strict=True))
    clipped = [sympy.Max(v, 0) if clip else v for v in agg]
    return sympy.ImmutableMatrix(1, dim, [own + v for v in clipped])


@register("gnn_attention")
def solve_gnn(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive the update-rule option, ``h1_next`` and the edge count.

    Parameters: ``states`` (node -> row vector), ``target``, ``neighbours`` (in-neighbours
    of the target, in the order of ``weights``), ``weights``, ``f_scale``, ``W``,
    ``tokens``, ``self_loops``, ``aggregation`` and ``rule_options`` (label -> meaning,
    e.g. ``sum_in``: sum over the in-neighbours).
    """
    del ctx
    try:
        states = {k: _row(v) for k, v in parameters["states"].items()}
        target = parameters["target"]
        neighbours = list(parameters["neighbours"])
        weights = _row(parameters["weights"])
        scale = sympy.Rational(str(parameters.get("f_scale", 1)))
        W = _row(parameters["W"])
        tokens = int(parameters["tokens"])
    except (KeyError, TypeError, ValueError) as exc:
        raise SolverError(f"gnn_attention: missing or malformed parameter: {exc}") from exc
    if len(weights) != len(neighbours) or any(j not in states for j in [target, *neighbours]):
        raise SolverError("gnn_attention: neighbours, weights and states do not match")
    self_loops = bool(parameters.get("self_loops", False))
    wanted = f"{parameters.get('aggregation', 'sum')}_in"
    rule = tuple(str(k) for k, v in parameters.get("rule_options", {}).items() if v == wanted)
    if len(rule) != 1:
        raise SolverError(f"gnn_attention: exactly one rule option must mean `{wanted}`")

    h_next = update(states, target, neighbours, weights, scale, W)
    edges = count_edges(tokens, self_loops)
    answers: dict[str, Any] = {
        "update_rule": rule,
        "h1_next": h_next,
        "edges": sympy.Integer(edges),
    }
    agg = update(states, target, neighbours, weights, scale, [0] * len(W), clip=False)
    own = sum(wc * hc for wc, hc in zip(W, states[target], strict=True))
    steps = {
        "update_rule": (
            Step(
                "replace Agg by the sum of the transformed in-neighbour states",
                r"h_i^{t+1} = q\big(h_i^t, \textstyle\sum_{j\in\mathcal N(i)} f_{ji}(h_j^t)\big)",
            ),
        ),
        "h1_next": (
            Step(f"Agg = Σ_j a_j f(h_j) = {list(agg)}"),
            Step(f"W h_{target}ᵀ = {own}, a scalar added to every entry"),
            Step(f"h_{target} next = {own} + max(Agg, 0) = {list(h_next)}", sympy.latex(h_next)),
        ),
        "edges": (
            Step(
                f"ordered pairs (i, j) of {tokens} tokens"
                + (" including i = j" if self_loops else " with i ≠ j (no self-loops)")
                + f": {edges}",
            ),
        ),
    }
    mistakes = {
        "h1_next": (
            Mistake(
                "no_max",
                sympy.ImmutableMatrix(1, len(W), [own + v for v in agg]),
                "The max{·, 0} clips the negative entries of Agg to 0.",
            ),
            Mistake(
                "no_f",
                update(states, target, neighbours, weights, sympy.Integer(1), W),
                f"Each neighbour's state passes through f(x) = {scale}x before aggregation.",
            ),
        ),
        "edges": (
            Mistake(
                "undirected",
                sympy.Integer(edges // 2),
                "Edges are directed here: a bi-directional link counts twice.",
            ),
            Mistake(
                "self_loops" if not self_loops else "no_self_loops",
                sympy.Integer(count_edges(tokens, not self_loops)),
                "Check the self-loop convention: "
                + ("no token links to itself." if not self_loops else "self-loops count."),
            ),
        ),
    }
    return Solution(answers, steps, mistakes)


__all__ = ["count_edges", "solve_gnn", "update"]
