"""Declared names: a defined symbol stands for its definition, in every context alike."""

from __future__ import annotations

import sympy

from hwgrade.grader.context import Context, SymbolDecl


def test_definitions_expand_to_a_fixed_point_per_context() -> None:
    """``h_2 = 2 h_1``, ``h_1 = 3 x``: ``h_2`` is ``6 x``; another context, another table."""
    x = sympy.Symbol("x")
    chained = Context(
        (
            SymbolDecl("x"),
            SymbolDecl("h_1", definition=3 * x),
            SymbolDecl("h_2", definition=2 * sympy.Symbol("h_1")),
        )
    )
    h_1, h_2 = chained.sym("h_1"), chained.sym("h_2")
    assert chained.expand_definitions(h_2 + 1) == 6 * x + 1
    assert chained.expand_definitions(h_2 + 1) == 6 * x + 1  # remembered: the same value
    other = Context((SymbolDecl("x"), SymbolDecl("h_1", definition=x**2), SymbolDecl("h_2")))
    assert other.expand_definitions(h_2 + h_1) == h_2 + x**2  # not the first context's
    assert Context((SymbolDecl("x"),)).expand_definitions(h_2) == h_2  # nothing defined
    assert chained.expand_definitions([h_1]) == [h_1]  # not a SymPy value: unchanged
