"""Backprop on a small staged computation graph, node by node (seed 001 Q1).

The spec describes the graph as an ordered mapping ``node -> formula`` (formulas in the
answer language, over the inputs and earlier nodes; the last node is the output) plus
numeric input values. The formulas are instructor text, read with the grader's own
parser, never ``sympify``. From them the solver derives:

* ``decompose``: the output written through the intermediate nodes (its own formula);
* ``forward.<node>``: every node's value at the inputs;
* ``local.d<child>_d<parent>``: each edge's local gradient, symbolic;
* ``backward.d<out>_d<name>``: the output's partial at the inputs with respect to every
  node and input, by the chain rule from the output backwards (accumulating over
  children, so a value used twice gets the sum of its paths).

Changing the formulas or the inputs changes every answer: nothing is typed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy

from hwgrade.grader.answer.language import read_answer
from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError
from hwgrade.solver import CarryForward, Mistake, Solution, Step, register


def read_graph(
    parameters: Mapping[str, Any], ctx: Context
) -> tuple[list[tuple[str, sympy.Expr]], dict[sympy.Symbol, sympy.Expr]]:
    """The graph's nodes (name, local formula) in order, and the inputs' values.

    Formulas go through :func:`hwgrade.grader.answer.language.read_answer` so that a spec is
    read exactly like a student answer would be.
    """
    graph, inputs = parameters.get("graph"), parameters.get("inputs")
    if not isinstance(graph, dict) or not graph or not isinstance(inputs, dict):
        raise SolverError("staged_computation: needs a `graph` mapping and an `inputs` mapping")
    nodes: list[tuple[str, sympy.Expr]] = []
    for name, formula in graph.items():
        try:
            nodes.append((str(name), read_answer(str(formula), ctx, "plain").value))
        except Exception as exc:  # instructor text: report any failure as a spec problem
            raise SolverError(f"staged_computation: cannot read node `{name}`: {exc}") from exc
    values = {ctx.sym(str(k)): sympy.Rational(str(v)) for k, v in inputs.items()}
    return nodes, values


def _forward(
    nodes: list[tuple[str, sympy.Expr]], values: dict[sympy.Symbol, sympy.Expr], ctx: Context
) -> dict[sympy.Symbol, sympy.Expr]:
    """Every input's and node's numeric value, in evaluation order."""
    out = dict(values)
    for name, formula in nodes:
        missing = formula.free_symbols - set(out)
        if missing:
            raise SolverError(f"staged_computation: node `{name}` uses unknown {missing}")
        out[ctx.sym(name)] = sympy.nsimplify(formula.xreplace(out))
    return out


def _uses(formula: sympy.Expr, order: list[sympy.Symbol]) -> list[sympy.Symbol]:
    """The parents of a node, in the order the graph lists names."""
    return [s for s in order if s in formula.free_symbols]


@register("staged_computation")
def solve_staged(parameters: Mapping[str, Any], ctx: Context) -> Solution:
    """Derive the decomposition, forward values, local gradients and backward values.

    Parameters: ``graph`` (ordered node -> formula; the last node is the output) and
    ``inputs`` (input name -> number).
    """
    nodes, inputs = read_graph(parameters, ctx)
    value = _forward(nodes, inputs, ctx)
    order = [*inputs, *(ctx.sym(name) for name, _ in nodes)]
    out_name, out_formula = nodes[-1]
    out = ctx.sym(out_name)
    # References stay in the gates' own inputs (q, z), as a gate's local view is; the
    # same value written out in the graph inputs is a known mistake with partial credit.
    expand = {ctx.sym(n): f for n, f in nodes[:-1]}
    answers: dict[str, Any] = {"decompose": out_formula}
    steps: dict[str, tuple[Step, ...]] = {
        "decompose": tuple(Step(f"{n} = {f}", f"{n} = {sympy.latex(f)}") for n, f in nodes),
    }
    mistakes: dict[str, tuple[Mistake, ...]] = {}
    carry: dict[str, CarryForward] = {}
    shown = ", ".join(f"{s} = {v}" for s, v in inputs.items())

    for name, formula in nodes:
        node = ctx.sym(name)
        answers[f"forward.{name}"] = value[node]
        steps[f"forward.{name}"] = (
            Step(f"{name} = {formula} at {shown}", rf"{name} = {sympy.latex(value[node])}"),
        )
    # The classic slip: reading a mixed formula left to right without precedence.
    flat = _left_to_right(out_formula.xreplace({ctx.sym(n): f for n, f in nodes[:-1]}), value)
    if flat is not None and flat != value[out]:
        mistakes[f"forward.{out_name}"] = (
            Mistake("precedence", flat, "Add first: the sum is one node, then it is multiplied."),
        )

    # Local gradients: d child / d parent for every edge, symbolic (in the inputs).
    local: dict[tuple[sympy.Symbol, sympy.Symbol], sympy.Expr] = {}
    for name, formula in nodes:
        child, parents = ctx.sym(name), _uses(formula, order)
        for parent in parents:
            grad = local[(child, parent)] = sympy.diff(formula, parent)
            pid = f"local.d{name}_d{parent}"
            answers[pid] = grad
            steps[pid] = (
                Step(
                    f"differentiate {name} = {formula} in {parent}",
                    rf"\frac{{\partial {name}}}{{\partial {parent}}} = {sympy.latex(grad)}",
                ),
            )
            found: list[Mistake] = []
            if isinstance(formula, sympy.Mul) and len(parents) == 2:
                found.append(
                    Mistake(
                        "swapped",
                        parent,
                        f"A product's derivative in one factor is the other factor, not {parent}.",
                    )
                )
            if _full(grad, expand) != grad:
                found.append(_written_out(_full(grad, expand), name))
            if found:
                mistakes[pid] = tuple(found)

    # Backward pass: from the output down, summing over every child of a name.
    upstream: dict[sympy.Symbol, sympy.Expr] = {out: sympy.Integer(1)}
    for name in reversed(order[:-1]):
        children = [c for (c, p) in local if p == name]
        upstream[name] = sympy.Add(*(upstream[c] * local[(c, name)] for c in children))
        how = " + ".join(f"d{out_name}/d{c} * d{c}/d{name}" for c in children)
        pid = f"backward.d{out_name}_d{name}"
        at = answers[pid] = sympy.nsimplify(upstream[name].xreplace(value))
        steps[pid] = (
            Step(f"d{out_name}/d{name} = {how}", sympy.latex(upstream[name])),
            Step(f"at {shown}", rf"\frac{{\partial {out_name}}}{{\partial {name}}} = {at}"),
        )
        wrong: list[Mistake] = []
        if children == [out] and isinstance(out_formula, sympy.Mul):
            wrong.append(
                Mistake(
                    "own_value",
                    value[name],
                    f"A multiply gate sends each input the value of the *other* input, "
                    f"not {name}'s own value.",
                )
            )
        for child in (c for c in children if c != out):
            wrong.append(
                Mistake(
                    "no_upstream",
                    sympy.nsimplify(local[(child, name)].xreplace(value)),
                    f"That is only the local gradient d{child}/d{name}; multiply it by the "
                    f"upstream gradient d{out_name}/d{child}.",
                )
            )
            if len(children) == 1:
                carry[pid] = CarryForward(
                    sources=(f"backward.d{out_name}_d{child}",),
                    derive=_times(local[(child, name)].xreplace(value), child, out_name),
                )
        kept = tuple(m for m in wrong if m.value != at)
        if kept:
            mistakes[pid] = kept
    if _full(out_formula, expand) != out_formula:
        mistakes["decompose"] = (_written_out(_full(out_formula, expand), out_name),)
    return Solution(answers, steps, mistakes, carry_forward=carry)


def _written_out(value: sympy.Expr, gate: str) -> Mistake:
    """The right value written in the graph's inputs instead of the gate's own inputs."""
    return Mistake(
        "written_out",
        value,
        f"Same value, but the question is about the gate {gate}: write it in that gate's own "
        "inputs (the intermediate node), which is what makes backprop local.",
        0.5,
    )


def _full(expr: sympy.Expr, expand: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """An expression in the inputs only: intermediate nodes replaced, to a fixed point."""
    for _ in range(len(expand) + 1):
        expr = expr.xreplace(dict(expand))
    return expr


def _left_to_right(expr: sympy.Expr, value: Mapping[sympy.Symbol, sympy.Expr]) -> Any:
    """For ``(a + b) c``: the value of ``a + b c`` (the precedence slip), else ``None``."""
    if isinstance(expr, sympy.Mul) and len(expr.args) == 2:
        first, second = expr.args
        for total, factor in ((first, second), (second, first)):
            if isinstance(total, sympy.Add) and len(total.args) == 2:
                a, b = total.args
                return sympy.nsimplify((a + b * factor).xreplace(dict(value)))
    return None


def _times(factor: sympy.Expr, child: sympy.Symbol, out_name: str) -> Any:
    """Carry-forward rule: the student's upstream value times the local gradient."""
    source = f"backward.d{out_name}_d{child}"
    return lambda v: v[source] * factor


__all__ = ["read_graph", "solve_staged"]
