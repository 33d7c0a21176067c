"""Reductions over tensor axes: numpy agrees, and symbols take SymPy's path exactly."""

import numpy as np
import pytest
import sympy

from hwgrade.grader.context import Context
from hwgrade.grader.specs.derive import Deriver
from hwgrade.grader.specs.reductions import reduce_axes


@pytest.mark.parametrize("axes", [(0,), (1,), (2,), (0, 2), (1, 2), (0, 1, 2)])
@pytest.mark.parametrize("ddof", [0, 1])
def test_reduce_axes_matches_numpy(axes, ddof):
    rng = np.random.default_rng(len(axes) + ddof)
    data = rng.integers(-5, 6, size=(3, 2, 4))
    tensor = Deriver(Context()).evaluate(data.tolist())
    for op, ref in (("mean", data.mean(axis=axes)), ("var", data.var(axis=axes, ddof=ddof))):
        got = reduce_axes(op, tensor, axes, ddof)
        got = np.array(got.tolist() if hasattr(got, "tolist") else got, float)
        assert np.allclose(got.reshape(np.shape(ref)), ref)


@pytest.mark.parametrize("ddof", [0, 1])
def test_reduce_axes_with_symbols_agrees_with_numbers(ddof):
    """Entries with a symbol take SymPy's path; put a number in and they agree exactly."""
    a = sympy.Symbol("a")
    rows = [[a, 2, -3], [4, 0, 7]]
    symbolic = reduce_axes("var", sympy.ImmutableMatrix(rows), (1,), ddof)
    numeric = reduce_axes("var", sympy.ImmutableMatrix(rows).subs(a, 5), (1,), ddof)
    assert all(isinstance(x, sympy.Rational) for x in numeric)
    assert sympy.simplify(symbolic.subs(a, 5) - numeric) == sympy.zeros(2, 1)
    assert numeric[1] == sympy.Rational(
        sum((x - sympy.Rational(11, 3)) ** 2 for x in (4, 0, 7)), 3 - ddof
    )
