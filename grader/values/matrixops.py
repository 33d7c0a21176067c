"""Shape-checked arithmetic on scalars, matrix expressions, explicit matrices and tensors.

The builder combines values through these functions so that every shape rule of the
answer language lives in one place: a mismatch is a :class:`ShapeError` naming both
shapes (a readable but wrong answer), a scalar meets a matrix elementwise through a
ones matrix, ``I`` takes the size of whatever it meets, and a 1x1 matrix acts as a
scalar where a scalar is needed.

The equivalence engine instantiates results by ``xreplace``-ing matrix symbols and
sizes and calling ``doit()``; SymPy leaves ``OneMatrix(2, 1)``, ``Identity(2)`` and
``DiagonalOf(M)`` unevaluated there, so small subclasses below make ``doit()`` return
explicit matrices once their sizes are integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.tensor.array import ImmutableDenseNDimArray, NDimArray

from hwgrade.grader.errors import AnswerLimitError, ShapeError
from hwgrade.grader.values.numbers import as_sympy

#: Largest |exponent| of a power whose exponent is a number.
MAX_EXPONENT = 10_000
#: Largest size (in bits) of an exact number produced by a power of numbers.
MAX_POWER_BITS = 100_000
#: Explicit matrix powers above this stay unevaluated (``MatPow``) to bound the work.
MAX_EXPLICIT_MATPOW = 16


class Ones(sympy.OneMatrix):  # type: ignore[misc]
    """A ones matrix that becomes explicit under ``doit()`` once its size is known."""

    def doit(self, **hints: Any) -> Any:
        """Evaluate to an explicit matrix once the size is an integer."""
        rows, cols = self.shape
        if rows.is_Integer and cols.is_Integer:
            return sympy.ImmutableMatrix.ones(int(rows), int(cols))
        return self


class Eye(sympy.Identity):  # type: ignore[misc]
    """An identity matrix that becomes explicit under ``doit()`` once its size is known."""

    def doit(self, **hints: Any) -> Any:
        """Evaluate to an explicit matrix once the size is an integer."""
        if self.rows.is_Integer:
            return sympy.ImmutableMatrix.eye(int(self.rows))
        return self


class Pinv(sympy.MatrixExpr):  # type: ignore[misc]
    """The Moore–Penrose pseudoinverse ``pinv(A)`` (NumPy's ``pinv``); ``cols x rows``.

    Symbolically it stays a function of ``A``: which closed form it has (``Aᵀ(AAᵀ)⁻¹`` at
    full row rank, ``(AᵀA)⁻¹Aᵀ`` at full column rank) depends on sizes the engine only
    fixes at each sampled point, where it is computed exactly (SymPy's ``pinv`` of a
    rational matrix).
    """

    def __new__(cls, arg: Any) -> Any:
        if not isinstance(arg, sympy.MatrixExpr):  # built values only, never text
            raise TypeError("pinv of a matrix expression")
        return super().__new__(cls, arg)

    @property
    def arg(self) -> Any:
        """The matrix whose pseudoinverse this is."""
        return self.args[0]

    @property
    def shape(self) -> tuple[Any, Any]:
        """The transpose's shape."""
        return (self.arg.shape[1], self.arg.shape[0])

    def doit(self, **hints: Any) -> Any:
        """Explicit once the argument is."""
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sympy.MatrixBase):
            return sympy.ImmutableMatrix(sympy.Matrix(arg).pinv())
        return self.func(arg)


def pinv(value: Any) -> Any:
    """``pinv(A)``: of a matrix (a scalar's is its reciprocal, 0's is 0)."""
    if isinstance(value, IdentityMarker):
        return IdentityMarker(1 / value.coeff if value.coeff != 0 else 0)
    if shape(value) is None:
        return 1 / value if value != 0 else sympy.Integer(0)
    if is_explicit(value):
        return sympy.ImmutableMatrix(sympy.Matrix(value).pinv())
    return Pinv(value)


class DiagOf(sympy.DiagonalOf):  # type: ignore[misc]
    """The diagonal of a square matrix as a column; explicit under ``doit()``."""

    @property
    def shape(self) -> tuple[Any, Any]:
        """Square argument: as many rows as it, one column."""
        return (as_sympy(self.arg.shape[0]), sympy.Integer(1))

    def doit(self, **hints: Any) -> Any:
        """Evaluate to an explicit matrix once the size is an integer."""
        arg = self.arg.doit(**hints) if hints.get("deep", True) else self.arg
        if isinstance(arg, sympy.MatrixBase):
            return sympy.ImmutableMatrix([arg[i, i] for i in range(min(arg.shape))])
        return self.func(arg)


class DiagVec(sympy.DiagMatrix):  # type: ignore[misc]
    """``diag(v)`` of a column (or row) vector; explicit under ``doit()`` once ``v`` is.

    SymPy's own ``DiagMatrix.doit`` first asks the assumptions system whether ``v`` is
    already diagonal, which costs milliseconds and runs on every product that contains
    it (a matrix product re-evaluates its factors). A vector is diagonal only when it is
    1x1, which its shape says for free.
    """

    def doit(self, **hints: Any) -> Any:
        """Explicit for an explicit vector, the entry for a 1x1, else itself.

        Like SymPy's, it leaves the vector as written (no ``doit`` inside), so that the
        answer is echoed back in the student's order.
        """
        vector = self._vector
        if vector.shape == (1, 1):
            return vector
        if isinstance(vector, sympy.MatrixBase):
            return sympy.ImmutableMatrix(sympy.diag(*list(vector)))
        if isinstance(vector, sympy.MatMul):
            scalars = [arg for arg in vector.args if not arg.is_Matrix]
            if scalars:
                matrices = [arg for arg in vector.args if arg.is_Matrix]
                inner = self.func(sympy.MatMul.fromiter(matrices).doit(deep=False)).doit()
                return sympy.Mul.fromiter(scalars) * inner
        if isinstance(vector, sympy.Transpose):
            vector = vector.arg
        return self.func(vector)


@dataclass(frozen=True)
class IdentityMarker:
    """``c*I`` before its size is known; it takes the size of the operand it meets."""

    coeff: Any


def shape(value: Any) -> tuple[Any, ...] | None:
    """The shape of a value: ``None`` for a scalar."""
    if isinstance(value, (sympy.MatrixBase, sympy.MatrixExpr, NDimArray)):
        return tuple(value.shape)
    return None


def show(shp: tuple[Any, ...] | None) -> str:
    """A shape as students write it (``3x5``, ``n x d``), or ``scalar``."""
    if shp is None:
        return "scalar"
    sep = "x" if all(as_sympy(s).is_Integer for s in shp) else " x "
    return sep.join(str(s) for s in shp)


def is_explicit(value: Any) -> bool:
    """Whether a value is an explicit matrix (entries known), not a matrix expression."""
    return isinstance(value, sympy.MatrixBase)


def _is_array(value: Any) -> bool:
    return isinstance(value, NDimArray)


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    return len(a) == len(b) and all(as_sympy(x) == as_sympy(y) for x, y in zip(a, b, strict=True))


def _square(value: Any, what: str) -> None:
    shp = shape(value)
    if shp is None or len(shp) != 2 or not _same(shp[:1], shp[1:]):
        raise ShapeError(f"{what} needs a square matrix, got {show(shp)}")


def _is_one_by_one(value: Any) -> bool:
    shp = shape(value)
    return shp is not None and len(shp) == 2 and _same(shp, (1, 1))


def to_scalar(value: Any) -> Any:
    """A 1x1 matrix as the scalar it stands for (``r^T r``); other values unchanged."""
    if not _is_one_by_one(value):
        return value
    return value[0, 0] if is_explicit(value) else sympy.Trace(value)


def _materialize(marker: IdentityMarker, size: Any) -> Any:
    return marker.coeff * Eye(size)


def _symbolic(*values: Any) -> bool:
    """Whether any value is a matrix expression (not an explicit matrix or a scalar)."""
    return any(
        isinstance(v, sympy.MatrixExpr) and not isinstance(v, sympy.MatrixBase) for v in values
    )


def _product(*factors: Any) -> Any:
    """``MatMul(*factors)`` in canonical form, without re-evaluating the factors.

    SymPy's ``A * B`` re-runs ``doit`` on every factor, all the way down, although
    each was built (and so made canonical) already: for an answer of a dozen factors
    that re-evaluation, not the product, is most of the cost of reading it.
    """
    product = sympy.MatMul(*factors)
    distributed = _distributed(product)
    return distributed if distributed is not None else product.doit(deep=False)


def _distributed(product: sympy.MatMul) -> Any:
    """``r (A + B)`` as ``r A + r B``, the way SymPy's canonical form has it, or ``None``.

    SymPy's first rule for a rational times a sum (``distribute_monom``) re-evaluates
    each term all the way down; the terms here are canonical already, so each product
    only needs the shallow step.
    """
    args = product.args
    if len(args) != 2:
        return None
    if args[0].is_MatAdd and args[1].is_Rational:
        return sympy.MatAdd(*[sympy.MatMul(m, args[1]).doit(deep=False) for m in args[0].args])
    if args[1].is_MatAdd and args[0].is_Rational:
        return sympy.MatAdd(*[sympy.MatMul(args[0], m).doit(deep=False) for m in args[1].args])
    return None


def neg(a: Any) -> Any:
    """``-a`` for any value."""
    if isinstance(a, IdentityMarker):
        return IdentityMarker(-a.coeff)
    if _symbolic(a):
        return _product(sympy.S.NegativeOne, a)
    return -a


def add(a: Any, b: Any) -> Any:
    """``a + b``: elementwise for a scalar and a matrix; shapes must otherwise agree."""
    if isinstance(a, IdentityMarker) or isinstance(b, IdentityMarker):
        if isinstance(a, IdentityMarker) and isinstance(b, IdentityMarker):
            return IdentityMarker(a.coeff + b.coeff)
        marker, other = (a, b) if isinstance(a, IdentityMarker) else (b, a)
        if shape(other) is None or _is_array(other):
            raise ShapeError(f"cannot add the identity `I` to a {show(shape(other))}")
        _square(other, "adding `I`")
        return add(_materialize(marker, other.shape[0]), other)
    sa, sb = shape(a), shape(b)
    if sa is None and sb is None:
        return a + b
    if sa is None or sb is None:
        scalar, array = (a, b) if sa is None else (b, a)
        if _is_array(array):
            return array.applyfunc(lambda x: x + scalar)
        if is_explicit(array):
            return array + scalar * sympy.ImmutableMatrix.ones(*array.shape)
        return scalar * Ones(*array.shape) + array
    if not _same(sa, sb):
        raise ShapeError(f"cannot add shapes {show(sa)} and {show(sb)}: they differ")
    if _symbolic(a, b):  # as in `_product`: the terms are canonical already
        return sympy.MatAdd(a, b).doit(deep=False)
    return a + b


def mul(a: Any, b: Any) -> Any:
    """The product ``a b`` (``*``, ``@``, juxtaposition): matrix product for matrices."""
    if isinstance(a, IdentityMarker) and isinstance(b, IdentityMarker):
        return IdentityMarker(a.coeff * b.coeff)
    if isinstance(a, IdentityMarker):
        return b * a.coeff if shape(b) is not None else IdentityMarker(a.coeff * b)
    if isinstance(b, IdentityMarker):
        return a * b.coeff if shape(a) is not None else IdentityMarker(a * b.coeff)
    sa, sb = shape(a), shape(b)
    if sa is None or sb is None:
        return _product(a, b) if _symbolic(a, b) else a * b
    if _is_array(a) or _is_array(b):
        raise ShapeError(f"cannot multiply a {show(sa)} tensor by a {show(sb)}")
    if as_sympy(sa[1]) == as_sympy(sb[0]):
        return _product(a, b) if _symbolic(a, b) else a * b
    if _is_one_by_one(a) or _is_one_by_one(b):
        return to_scalar(a) * to_scalar(b)
    raise ShapeError(
        f"cannot multiply shapes {show(sa)} and {show(sb)}: the inner sizes {sa[1]} and "
        f"{sb[0]} differ"
    )


def hadamard(a: Any, b: Any) -> Any:
    """The elementwise product ``a ⊙ b``; shapes must agree.

    ``A ⊙ I`` keeps the diagonal of a square ``A`` (``X^T X ⊙ I`` is
    ``diag(diag(X^T X))``): the identity takes ``A``'s size, as it does in a product,
    rather than acting as the number 1.
    """
    if isinstance(a, IdentityMarker) and shape(b) is not None:
        a, b = b, a
    if isinstance(b, IdentityMarker) and shape(a) is not None:
        _square(a, "an elementwise product with I")
        return hadamard(a, _materialize(b, shape(a)[0]))  # type: ignore[index]
    sa, sb = shape(a), shape(b)
    if sa is None or sb is None or isinstance(a, IdentityMarker):
        return mul(a, b)
    if isinstance(b, IdentityMarker):
        return mul(a, b)
    if not _same(sa, sb):
        raise ShapeError(f"elementwise product of shapes {show(sa)} and {show(sb)}: they differ")
    if _is_array(a) or _is_array(b):
        return ImmutableDenseNDimArray(
            [
                x * y
                for x, y in zip(sympy.flatten(a.tolist()), sympy.flatten(b.tolist()), strict=True)
            ],
            sa,
        )
    if is_explicit(a) and is_explicit(b):
        return a.multiply_elementwise(b)
    return sympy.HadamardProduct(a, b)


def div(a: Any, b: Any) -> Any:
    """``a / b``: only by a scalar (or a 1x1 matrix)."""
    b = to_scalar(b)
    if isinstance(b, IdentityMarker) or shape(b) is not None:
        raise ShapeError(f"cannot divide by a {show(shape(b))} matrix: write inv(...) instead")
    if b == 0:
        raise ShapeError("division by zero")
    if isinstance(a, IdentityMarker):
        return IdentityMarker(a.coeff / b)
    if shape(a) is None:
        return a * sympy.Pow(b, -1)
    if _symbolic(a):  # as in `_product`: ``a`` is canonical already
        return _product(sympy.Integer(1) / b, a)
    return a * (sympy.Integer(1) / b)


def constant_size(value: Any) -> float | None:
    """``|value|`` to a few digits when it is a constant; ``None`` when it has unknowns.

    Used only on values already built under these bounds, so the estimate is cheap:
    every power inside has passed :func:`check_exponent`.
    """
    if getattr(value, "is_Number", False):
        try:
            return abs(float(value))
        except OverflowError:
            return math.inf
    if not isinstance(value, sympy.Expr) or value.free_symbols:
        return None
    try:
        number = complex(value.evalf(5))
    except OverflowError:
        return math.inf
    except (TypeError, ValueError, ArithmeticError):  # not a number (zoo, nan, ...)
        return None
    return abs(number)


def check_exponent(base: Any, exponent: Any) -> None:
    """Refuse exponents over :data:`MAX_EXPONENT` and huge exact powers.

    A constant exponent counts by its value, not its spelling: ``7^exp(exp(3))`` is a
    number with half a billion digits, and reducing it for ``sin`` would never finish.
    """
    if not getattr(exponent, "is_Number", False):
        size = constant_size(exponent)
        if size is not None and size > MAX_EXPONENT:
            raise AnswerLimitError(f"an exponent is larger than {MAX_EXPONENT} in absolute value")
        return
    if abs(exponent) > MAX_EXPONENT:
        raise AnswerLimitError(f"an exponent is larger than {MAX_EXPONENT} in absolute value")
    if (getattr(base, "is_Rational", False) and not base.is_Integer) or getattr(
        base, "is_Integer", False
    ):
        bits = int(abs(base.p)).bit_length() + int(abs(base.q)).bit_length()
        if bits * abs(float(exponent)) > MAX_POWER_BITS:
            raise AnswerLimitError(
                f"a power of a number would have more than {MAX_POWER_BITS} bits"
            )


def power(base: Any, exponent: Any) -> Any:
    """``base ^ exponent``; for a square matrix an integer power, ``-1`` the inverse."""
    exponent = to_scalar(exponent)
    if shape(exponent) is not None or isinstance(exponent, IdentityMarker):
        raise ShapeError(f"an exponent must be a scalar, got a {show(shape(exponent))}")
    check_exponent(base, exponent)
    if isinstance(base, IdentityMarker):
        return IdentityMarker(base.coeff**exponent)
    if shape(base) is None:
        if base == 0 and getattr(exponent, "is_negative", False):
            raise ShapeError("division by zero")
        result = sympy.Pow(base, exponent)
        if isinstance(result, sympy.Pow):  # (x^a)^b is combined into x^(a b): bound it too
            check_exponent(result.base, result.exp)
        return result
    if _is_array(base):
        raise ShapeError(f"cannot raise a {show(shape(base))} tensor to a power")
    if not getattr(exponent, "is_Integer", False):
        if _is_one_by_one(base):
            return sympy.Pow(to_scalar(base), exponent)
        raise ShapeError(f"a matrix power needs an integer exponent, got {exponent}")
    _square(base, "a matrix power or inverse")
    k = int(exponent)
    if k == 0:
        return Eye(base.shape[0])
    if is_explicit(base):
        if k < 0:
            if base.det() == 0:
                raise ShapeError("the matrix is singular: it has no inverse")
            base, k = base.inv(), -k
        return base**k if k <= MAX_EXPLICIT_MATPOW else sympy.MatPow(base, k)
    if k == -1:
        return sympy.Inverse(base)
    if k < 0:
        return sympy.MatPow(sympy.Inverse(base), -k)
    return base if k == 1 else sympy.MatPow(base, k)


def transpose(a: Any) -> Any:
    """``a^T``; a scalar is its own transpose."""
    if isinstance(a, IdentityMarker) or shape(a) is None:
        return a
    if _is_array(a):
        raise ShapeError(f"cannot transpose a {show(shape(a))} tensor")
    return a.T


def elementwise(func: Any, a: Any) -> Any:
    """Apply a scalar function to a scalar, or entry by entry to a matrix or tensor."""
    a = to_scalar(a)
    if isinstance(a, IdentityMarker):
        raise ShapeError("cannot apply a function to `I` without knowing its size")
    if shape(a) is None:
        return func(a)
    if is_explicit(a) or _is_array(a):
        return a.applyfunc(func)
    z = sympy.Dummy("z")
    return ElementwiseApplyFunction(sympy.Lambda(z, func(z)), a)


__all__ = [
    "MAX_EXPONENT",
    "DiagOf",
    "DiagVec",
    "Eye",
    "IdentityMarker",
    "Ones",
    "add",
    "constant_size",
    "div",
    "elementwise",
    "hadamard",
    "is_explicit",
    "mul",
    "neg",
    "power",
    "shape",
    "show",
    "to_scalar",
    "transpose",
]
