"""Backpropagation through the scalar linear RNN ``h_t = w (u_t + h_{t-1})``, ``h_0 = 0``.

The solver unrolls the recurrence into its computational graph for any number of steps
(at least 3), names the intermediate nodes the way the homework does, backwards from the
last sum ``t`` (``t = u_T + s``, ``s = w r``, ``r = u_{T-1} + q``, ... — for three steps
exactly the seed's ``p = u_1``, ``q = w p``), and differentiates the graph with SymPy:
forward values, ``dy/dw``, the backward partials of ``y`` with respect to the last five
nodes ``t .. p``, and the contributions of the shared weight's edges into ``q``, ``s``
and ``y``. The questions stay the same whatever the number of steps (so a variant with
more steps keeps the gradebook's columns); a longer unroll only adds earlier nodes,
which ``d.total`` sums over. Nothing is typed in: changing ``steps`` changes every answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import CarryForward, Mistake, Solution, Step, register

#: Letters of the intermediate nodes, from the last one (``t``) backwards.
NODE_LETTERS = "tsrqponmlkjihgfedcba"
#: The nodes whose backward partials are asked (``c.dy_d<node>``), last first.
ASKED_NODES = ("t", "s", "r", "q", "p")
#: The edges of ``w`` whose contributions are asked, by the node they enter (``d.edge<k>``).
ASKED_EDGES = ("q", "s", "y")


def node_names(steps: int) -> tuple[str, ...]:
    """Names of the ``2*steps - 1`` intermediate nodes before ``y``, in graph order."""
    count = 2 * steps - 1
    if count > len(NODE_LETTERS):
        raise SolverError(f"rnn_backprop supports at most {(len(NODE_LETTERS) + 1) // 2} steps")
    return tuple(reversed(NODE_LETTERS[:count]))


def _graph(
    steps: int, w: sympy.Symbol, inputs: list[sympy.Symbol]
) -> tuple[list[tuple[str, sympy.Expr]], list[tuple[str, sympy.Expr]]]:
    """The unrolled graph, twice: local form (node of its parents) and forward values.

    Forward values are the nodes fully expanded in ``w`` and the inputs.

    Odd nodes add an input (``r = u_2 + q``), even nodes multiply by ``w``; ``y`` is the
    final multiplication.
    """
    names = [*node_names(steps), "y"]
    local: list[tuple[str, sympy.Expr]] = []
    forward: list[tuple[str, sympy.Expr]] = []
    prev_name: str | None = None
    prev_value: sympy.Expr = sympy.Integer(0)
    for index, name in enumerate(names):
        if index % 2 == 0 and name != "y":  # adds the next input
            u = inputs[index // 2]
            parent = sympy.Symbol(prev_name) if prev_name else sympy.Integer(0)
            local_expr = u + parent
            value = sympy.expand(u + prev_value)
        else:  # multiplies by the shared weight
            local_expr = w * sympy.Symbol(prev_name or "")
            value = sympy.expand(w * prev_value)
        local.append((name, local_expr))
        forward.append((name, value))
        prev_name, prev_value = name, value
    return local, forward


@register("rnn_backprop")
def solve_rnn(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive every part of the RNN backpropagation problem.

    Parameters: ``steps`` (int, default 3). Parts: ``a.t`` (the last intermediate node)
    and ``a.y``; ``b`` (dy/dw); ``c.dy_d<node>`` for the nodes ``t, s, r, q, p``;
    ``d.edge1`` .. ``d.edge3`` (the edges of ``w`` into ``q``, ``s`` and ``y``) and
    ``d.total`` (the sum over every edge).
    """
    steps = int(parameters.get("steps", 3))
    if steps < 3:
        raise SolverError("rnn_backprop: `steps` must be at least 3 (the parts ask for p .. t)")
    w = ctx.sym("w")
    inputs = [ctx.sym(f"u_{i}") for i in range(1, steps + 1)]
    local, forward = _graph(steps, w, inputs)
    values = dict(forward)
    y = values["y"]
    names = [name for name, _ in local if name != "y"]

    answers: dict[str, Any] = {}
    steps_out: dict[str, tuple[Step, ...]] = {}
    mistakes: dict[str, tuple[Mistake, ...]] = {}
    carry: dict[str, CarryForward] = {}

    # (a) forward values of the last intermediate node and of the output.
    for name in (names[-1], "y"):
        local_expr = dict(local)[name]
        answers[f"a.{name}"] = values[name]
        steps_out[f"a.{name}"] = (
            Step(
                f"{name} = {local_expr}; substitute the earlier nodes",
                f"{name} = {sympy.latex(local_expr)} = {sympy.latex(values[name])}",
            ),
        )
    off_by_one = sympy.expand(values["y"] / w)
    mistakes["a.y"] = (
        Mistake("missing_last_w", off_by_one, "y multiplies the last sum by w once more.", 0.0),
    )

    # (b) total derivative from the expanded output.
    dy_dw = sympy.expand(sympy.diff(y, w))
    answers["b"] = dy_dw
    steps_out["b"] = (
        Step(
            "differentiate the expanded y term by term",
            rf"\frac{{dy}}{{dw}} = {sympy.latex(dy_dw)}",
        ),
    )
    direct_only = values[names[-1]]
    mistakes["b"] = (
        Mistake(
            "direct_edge_only",
            direct_only,
            "Only the last use of w was counted; w is shared, so every step's edge adds a term.",
            0.0,
        ),
    )
    carry["b"] = CarryForward(
        sources=("a.y",),
        derive=lambda v: sympy.diff(v["a.y"], w),
        credit=1.0,
        message="the derivative of your own y from (a) is right",
    )

    # (c) backward partials, from the output down, each through its single child.
    partial: dict[str, sympy.Expr] = {"y": sympy.Integer(1)}
    child_of = {parent: child for child, expr in local for parent in _parents(expr)}
    symbols_local = {name: sympy.Symbol(name) for name, _ in local}
    for name in reversed(names):
        child = child_of[name]
        local_grad = sympy.diff(dict(local)[child], symbols_local[name])
        partial[name] = sympy.expand(partial[child] * local_grad)
        if name not in ASKED_NODES:
            continue
        answers[f"c.dy_d{name}"] = partial[name]
        steps_out[f"c.dy_d{name}"] = (
            Step(
                f"dy/d{name} = dy/d{child} * d{child}/d{name}"
                f" = ({partial[child]}) * ({local_grad})",
                rf"\frac{{\partial y}}{{\partial {name}}} = {sympy.latex(partial[name])}",
            ),
        )
        power = sympy.degree(partial[name], w) if partial[name].has(w) else 0
        if power > 0:
            mistakes[f"c.dy_d{name}"] = (
                Mistake(
                    "power_off_by_one",
                    w ** (power - 1),
                    "One multiplication by w was skipped on the way back.",
                    0.0,
                ),
            )
        if child != "y":
            carry[f"c.dy_d{name}"] = CarryForward(
                sources=(f"c.dy_d{child}",), derive=_times(local_grad, f"c.dy_d{child}")
            )

    # (d) one term per outgoing edge of w, i.e. per multiplication node; the asked ones
    # are named by the node they enter (q, s, y: for three steps, leftmost first).
    edge_terms: list[sympy.Expr] = []
    mult_nodes = [name for name, expr in local if expr.has(w)]
    for node in mult_nodes:
        parent = _parents(dict(local)[node])[0]
        term = sympy.expand(partial[node] * values[parent])
        edge_terms.append(term)
        if node not in ASKED_EDGES:
            continue
        k = ASKED_EDGES.index(node) + 1
        answers[f"d.edge{k}"] = term
        steps_out[f"d.edge{k}"] = (
            Step(
                f"edge into {node} = {parent} * w: dy/d{node} * d{node}/dw = dy/d{node} * {parent}",
                rf"\frac{{\partial y}}{{\partial {node}}}\,{parent} = {sympy.latex(term)}",
            ),
        )
    total = sympy.expand(sum(edge_terms))
    if sympy.expand(total - dy_dw) != 0:
        raise SolverError("rnn_backprop: the edge terms do not add up to dy/dw")
    answers["d.total"] = total
    steps_out["d.total"] = (
        Step("add the edge terms; this equals (b)", rf"\frac{{dy}}{{dw}} = {sympy.latex(total)}"),
    )
    last_input = inputs[-1]
    mistakes["d.total"] = (
        Mistake(
            "last_edge_only",
            edge_terms[-1],
            "That is only the rightmost edge; sum the terms of all edges leaving w.",
            0.0,
        ),
        Mistake(
            "missing_last_input",
            sympy.expand(total - last_input),
            f"The rightmost edge contributes t, whose {last_input} term is missing.",
            0.5,
        ),
    )
    if steps == len(ASKED_EDGES):  # the asked edges are all of them: their sum is the total
        carry["d.total"] = CarryForward(
            sources=tuple(f"d.edge{k}" for k in range(1, len(edge_terms) + 1)),
            derive=lambda v: sympy.Add(*v.values()),
            credit=1.0,
            message="the sum of your own edge terms is right",
            same_as=("b",),  # both are dy/dw: a right (b) leaves no excuse here
        )

    definitions: dict[str, sympy.Expr] = {name: values[name] for name in names}
    definitions.update({f"dy_d{name}": partial[name] for name in names})
    return Solution(answers, steps_out, mistakes, definitions, carry)


def _parents(expr: sympy.Expr) -> list[str]:
    """Names of the intermediate nodes an expression uses (its parents in the graph)."""
    return sorted(s.name for s in expr.free_symbols if s.name in set(NODE_LETTERS))


def _times(factor: sympy.Expr, source: str) -> Any:
    """Carry-forward rule: the student's downstream partial times the local gradient."""
    return lambda v: v[source] * factor


__all__ = ["NODE_LETTERS", "node_names", "solve_rnn"]
