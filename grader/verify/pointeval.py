"""Evaluating a value at a sampled point: matrices made explicit, shapes checked.

:mod:`hwgrade.grader.verify.sampling` chooses the points; this module puts a point's values
into a reference or an answer and computes what it becomes. The evaluator walks the
matrix-expression tree itself instead of relying on ``doit()``, which leaves
``HadamardProduct`` of explicit matrices unevaluated and reports errors through many
exception types; here a wrong shape is always :class:`ShapeMismatch` and a singular
inverse always :class:`SingularError`, which the equivalence engine turns into verdicts.
It is separate from the sampling because it changes for different reasons: a new
matrix operation in the answer language needs a case here, never a new way to draw
points.
"""

from __future__ import annotations

from typing import Any

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.matrices.expressions.matexpr import MatrixElement
from sympy.tensor.array import NDimArray

from hwgrade.grader.values.matrixops import Pinv
from hwgrade.grader.verify.sampling import (
    DIGITS,
    Point,
    UnassignedError,
    collect_names,
    concrete_size,
    draw_point,
)


class SingularError(Exception):
    """A matrix that is inverted is singular at this point."""


class ShapeMismatch(Exception):
    """Concrete operand shapes do not fit (a product or sum of the wrong sizes)."""


def _as_scalar(value: Any) -> Any:
    """A 1x1 matrix used where a scalar is expected is that scalar (``r^T r``)."""
    if isinstance(value, sympy.MatrixBase):
        if value.shape == (1, 1):
            return value[0, 0]
        raise ShapeMismatch(f"a {value.rows}x{value.cols} matrix is used as a number")
    return value


def _numeric_entry(value: sympy.Expr) -> sympy.Expr:
    """Entries of elementwise functions are evaluated at once to keep later products small."""
    return value if value.is_Rational else value.evalf(DIGITS)


def _inverse(matrix: sympy.ImmutableMatrix) -> sympy.ImmutableMatrix:
    if matrix.rows != matrix.cols:
        raise ShapeMismatch(f"a {matrix.rows}x{matrix.cols} matrix is inverted")
    try:
        return matrix.inv()
    except (ValueError, ZeroDivisionError) as exc:
        raise SingularError(str(exc)) from exc


def _product(factors: list[Any]) -> Any:
    scalar: Any = sympy.Integer(1)
    matrix: Any = None
    for factor in factors:
        if isinstance(factor, sympy.MatrixBase):
            if matrix is None:
                matrix = factor
            elif matrix.cols != factor.rows:
                raise ShapeMismatch(
                    f"a {matrix.rows}x{matrix.cols} matrix times a {factor.rows}x{factor.cols} one"
                )
            else:
                matrix = matrix * factor
        else:
            scalar = scalar * factor
    return scalar if matrix is None else matrix * scalar


def _sum(terms: list[Any]) -> Any:
    total = terms[0]
    for term in terms[1:]:
        if getattr(total, "shape", None) != getattr(term, "shape", None):
            raise ShapeMismatch("terms of different shapes are added")
        total = total + term
    return total


def evaluate(value: Any, point: Point) -> Any:
    """``value`` with every name replaced by its value at ``point``, matrices explicit.

    Returns:
        A SymPy scalar (exact when possible), an ``ImmutableMatrix`` or an
        ``ImmutableDenseNDimArray``.
    """
    if isinstance(value, NDimArray):
        return sympy.ImmutableDenseNDimArray(
            [evaluate(e, point) for e in sympy.flatten(value.tolist())], value.shape
        )
    if isinstance(value, sympy.Expr) and not value.has(sympy.MatrixSymbol, sympy.MatrixExpr):
        return value.xreplace(
            {s: point.scalars[s.name] for s in value.free_symbols if s.name in point.scalars}
        )
    return _ev(value, point)


def _ev(expr: Any, point: Point) -> Any:
    if isinstance(expr, sympy.MatrixSymbol):
        if expr.name not in point.matrices:
            raise UnassignedError(f"`{expr.name}` has no value")
        return point.matrices[expr.name]
    if isinstance(expr, sympy.Symbol):
        if expr.name not in point.scalars:
            raise UnassignedError(f"`{expr.name}` has no value")
        return point.scalars[expr.name]
    if isinstance(expr, sympy.MatrixBase):
        return sympy.ImmutableMatrix(expr.rows, expr.cols, [evaluate(e, point) for e in expr])
    if not expr.args or isinstance(expr, sympy.Lambda):
        return expr
    if isinstance(expr, (sympy.Identity, sympy.ZeroMatrix, sympy.OneMatrix)):
        rows, cols = (concrete_size(s, point.scalars) for s in expr.shape)
        if isinstance(expr, sympy.Identity):
            return sympy.ImmutableMatrix(sympy.eye(rows))
        fill = 0 if isinstance(expr, sympy.ZeroMatrix) else 1
        return sympy.ImmutableMatrix(rows, cols, [fill] * (rows * cols))
    if isinstance(expr, ElementwiseApplyFunction):
        inner = _ev(expr.expr, point)
        return inner.applyfunc(lambda e: _numeric_entry(expr.function(e)))
    args = [_ev(a, point) for a in expr.args]
    if isinstance(expr, sympy.MatMul):
        return _product(args)
    if isinstance(expr, sympy.MatAdd):
        return _sum(args)
    if isinstance(expr, sympy.Transpose):
        return args[0].T
    if isinstance(expr, sympy.Inverse):
        return _inverse(args[0])
    if isinstance(expr, sympy.MatPow):
        base, exp = args
        result = base**exp if exp >= 0 else _inverse(base) ** (-exp)
        return sympy.ImmutableMatrix(result)
    if isinstance(expr, sympy.HadamardProduct):
        total = args[0]
        for other in args[1:]:
            if total.shape != other.shape:
                raise ShapeMismatch("hadamard product of different shapes")
            total = total.multiply_elementwise(other)
        return sympy.ImmutableMatrix(total)
    if isinstance(expr, HadamardPower):
        return args[0].applyfunc(lambda e: e ** args[1])
    if isinstance(expr, sympy.Trace):
        return args[0].trace()
    if isinstance(expr, sympy.Determinant):
        return args[0].det()
    if isinstance(expr, Pinv):
        return sympy.ImmutableMatrix(sympy.Matrix(args[0]).pinv())
    if isinstance(expr, sympy.DiagMatrix):
        return sympy.ImmutableMatrix(sympy.diag(*list(args[0])))
    if isinstance(expr, sympy.DiagonalOf):
        m = args[0]
        return sympy.ImmutableMatrix([m[i, i] for i in range(min(m.shape))])
    if isinstance(expr, sympy.DiagonalMatrix):
        m = args[0]
        return sympy.ImmutableMatrix(m.rows, m.cols, lambda i, j: m[i, j] if i == j else 0)
    if isinstance(expr, MatrixElement):
        return args[0][int(args[1]), int(args[2])]
    if isinstance(expr, sympy.MatrixExpr):
        raise UnassignedError(f"cannot evaluate `{type(expr).__name__}`")
    return expr.func(*[_as_scalar(a) for a in args])


def property_holds(value: Any, prop: str) -> bool:
    """Whether a concrete value (a point's number or matrix) has a declared property."""
    if not isinstance(value, sympy.MatrixBase):
        number = sympy.N(value, 30)
        return {
            "positive": bool(number > 0),
            "nonnegative": bool(number >= 0),
            "unit_interval": bool(0 < number < 1),
        }.get(prop, True)
    m = sympy.Matrix(value).evalf(30)
    small = sympy.Float("1e-20")
    if prop == "diagonal":
        return all(abs(m[i, j]) < small for i in range(m.rows) for j in range(m.cols) if i != j)
    if prop in ("symmetric", "positive_definite"):
        if m.rows != m.cols or any(abs(x) >= small for x in m - m.T):
            return False
        return prop == "symmetric" or all(ev > 0 for ev in m.eigenvals(multiple=True))
    if prop == "orthonormal_columns":
        return all(abs(x) < small for x in m.T * m - sympy.eye(m.cols))
    return True


def definition_violations(ctx: Any, points: int = 3) -> list[tuple[str, str]]:
    """``(symbol, property)`` for every declared property a symbol's definition breaks.

    ``hwgrade validate`` runs it: a definition that contradicts the declared properties
    (a ``diagonal`` Γ defined as ``X^T X``) would make the grader sample one thing and
    compare another.
    """
    found: list[tuple[str, str]] = []
    for decl in ctx.symbols:
        if decl.definition is None or not decl.properties:
            continue
        names = collect_names([decl.definition], ctx)
        for index in range(points):
            value = evaluate(decl.definition, draw_point(names, ctx, 0, index))
            broken = [p for p in decl.properties if not property_holds(value, p)]
            if broken:
                found.append((decl.name, broken[0]))
                break
    return found


__all__ = [
    "ShapeMismatch",
    "SingularError",
    "definition_violations",
    "evaluate",
    "property_holds",
]
