"""Build SymPy objects from a checked syntax tree, by explicit constructor calls only.

By the time a tree gets here every name is known and every literal is within bounds,
so building is a plain walk: numbers from their digit strings (decimals as 30-digit
Floats, so the engine can apply the part's tolerance), names through ``ctx.sym`` (so a
student's ``X`` is the solver's ``X``), and operators through :mod:`matrixops`, which
owns the shape rules. Nothing here ever parses text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.tensor.array import ImmutableDenseNDimArray, NDimArray

from hwgrade.grader.answer.nodes import (
    Call,
    ListExpr,
    Name,
    Neg,
    Node,
    Num,
    Power,
    Product,
    Sum,
    Transpose,
    TupleExpr,
)
from hwgrade.grader.context import Context
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError, ShapeError
from hwgrade.grader.values import matrixops as mo
from hwgrade.grader.values.numbers import as_sympy

#: Decimal digits of precision for decimals a student types.
FLOAT_PRECISION = 30


def _sigmoid(z: Any) -> Any:
    return sympy.Integer(1) / (1 + sympy.exp(-z))


def _relu(z: Any) -> Any:
    return sympy.Max(0, z)


#: Largest integer whose factorial is computed exactly (``(10^20)!`` never finishes).
MAX_FACTORIAL = 1000


def _factorial(z: Any) -> Any:
    if getattr(z, "is_Integer", False) and abs(int(z)) > MAX_FACTORIAL:
        raise AnswerLimitError(f"a factorial of a number larger than {MAX_FACTORIAL}")
    return sympy.factorial(z)


def _exp(z: Any) -> Any:
    """``exp(z)``, bounded like ``e^z``: ``exp(exp(exp(3)))`` has half a billion digits."""
    try:
        mo.check_exponent(sympy.E, z)
    except AnswerLimitError:
        raise AnswerLimitError(f"exp of a number larger than {mo.MAX_EXPONENT}") from None
    return sympy.exp(z)


_SCALAR_FUNCS: dict[str, Callable[[Any], Any]] = {
    "exp": _exp, "log": sympy.log, "sqrt": sympy.sqrt, "abs": sympy.Abs,
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "tanh": sympy.tanh,
    "sigmoid": _sigmoid, "relu": _relu, "sec": sympy.sec, "csc": sympy.csc,
    "cot": sympy.cot, "sinh": sympy.sinh, "cosh": sympy.cosh, "asin": sympy.asin,
    "acos": sympy.acos, "atan": sympy.atan, "asinh": sympy.asinh, "acosh": sympy.acosh,
    "atanh": sympy.atanh, "sign": sympy.sign, "factorial": _factorial,
    "floor": sympy.floor, "ceiling": sympy.ceiling,
}  # fmt: skip


def _scalar_pair(func: str, args: list[Any]) -> tuple[Any, Any]:
    pair = [mo.to_scalar(a) for a in args]
    if any(mo.shape(a) is not None or isinstance(a, mo.IdentityMarker) for a in pair):
        raise ShapeError(f"{func} takes scalars")
    return pair[0], pair[1]


def _hadamard_operands(a: Any, b: Any, pos: int) -> tuple[Any, Any]:
    """The operands of ``a ∘ b``, refused when neither is a matrix or vector.

    Between matrices ``∘`` is the Hadamard product, as machine-learning papers write it;
    between two scalars it can only mean a composition of functions (``f ∘ g``), which
    the answer language does not have, so reading it as a product would be a misreading.
    """
    if all(mo.shape(v) is None and not isinstance(v, mo.IdentityMarker) for v in (a, b)):
        raise AnswerSyntaxError(
            "`∘` between two scalars reads as a composition of functions, which is not part"
            " of the answer language: write a product with `*` (or `\\cdot`)",
            position=pos,
            token="∘",
        )
    return a, b


def _binomial(n: Any, k: Any) -> Any:
    for value in (n, k):
        if getattr(value, "is_Integer", False) and abs(int(value)) > MAX_FACTORIAL:
            raise AnswerLimitError(f"a binomial of a number larger than {MAX_FACTORIAL}")
    return sympy.binomial(n, k)


def diag(a: Any) -> Any:
    """``diag(v)``: a vector gives a diagonal matrix, a square matrix its diagonal."""
    shp = mo.shape(a)
    if shp is None:
        return a
    if len(shp) != 2:
        raise ShapeError(f"diag needs a vector or a square matrix, got {mo.show(shp)}")
    rows, cols = (as_sympy(s) for s in shp)
    if cols == 1 or rows == 1:
        vec = a if cols == 1 else a.T
        if mo.is_explicit(vec):
            return sympy.ImmutableMatrix(sympy.diag(*list(vec)))
        return mo.DiagVec(vec)
    if rows != cols:
        raise ShapeError(f"diag needs a vector or a square matrix, got {mo.show(shp)}")
    if mo.is_explicit(a):
        return sympy.ImmutableMatrix([a[i, i] for i in range(a.shape[0])])
    return mo.DiagOf(a)


def _require_square(a: Any, what: str) -> bool:
    """True for a scalar (its own trace and determinant); raises unless ``a`` is square."""
    shp = mo.shape(a)
    if shp is None:
        return True
    if len(shp) != 2 or as_sympy(shp[0]) != as_sympy(shp[1]):
        raise ShapeError(f"{what} needs a square matrix, got {mo.show(shp)}")
    return False


def trace(a: Any) -> Any:
    """``trace(A)`` of a square matrix; a scalar is its own trace."""
    if _require_square(a, "trace"):
        return a
    return a.trace() if mo.is_explicit(a) else sympy.Trace(a)


def norm(a: Any) -> Any:
    """The 2-norm of a vector / Frobenius norm of a matrix; ``|x|`` of a scalar."""
    shp = mo.shape(a)
    if shp is None:
        return sympy.Abs(a)
    if isinstance(a, NDimArray):
        return sympy.sqrt(sum(x**2 for x in sympy.flatten(a.tolist())))
    if mo.is_explicit(a):
        return sympy.sqrt(sum(x**2 for x in a))
    return sympy.sqrt(sympy.Trace(a.T * a))


def det(a: Any) -> Any:
    """The determinant of a square matrix."""
    if _require_square(a, "det"):
        return a
    return a.det() if mo.is_explicit(a) else sympy.Determinant(a)


def _bars(a: Any, pos: int) -> Any:
    """``|a|``: the absolute value of a scalar, the determinant of a square matrix.

    That is what the bars mean in a linear-algebra text (``|A| = det A``). Around a
    vector or another non-square matrix they are refused, not guessed at: a student may
    mean the length (``norm(v)``) or the entries' absolute values (``abs(v)``).
    """
    shp = mo.shape(a)
    if shp is None or isinstance(a, mo.IdentityMarker):
        return mo.elementwise(sympy.Abs, a)
    if len(shp) == 2 and as_sympy(shp[0]) == as_sympy(shp[1]) != 1:
        return det(a)
    if len(shp) == 2 and as_sympy(shp[0]) == as_sympy(shp[1]) == 1:
        return sympy.Abs(mo.to_scalar(a))
    raise AnswerSyntaxError(
        f"`|...|` around a value that is not a square matrix ({mo.show(shp)}) is ambiguous:"
        " write `norm(...)` for its length or `abs(...)` for the absolute value of each entry",
        position=pos,
        token="|",
    )


def _minmax(func: Any, args: list[Any]) -> Any:
    args = [mo.to_scalar(x) for x in args]
    if any(mo.shape(x) is not None or isinstance(x, mo.IdentityMarker) for x in args):
        raise ShapeError("max and min take scalars")
    return func(*args)


def assemble(items: list[Any]) -> Any:
    """Turn list entries (scalars or explicit arrays) into a matrix or tensor.

    A list of scalars is a column; a list of rows a matrix; deeper lists a tensor.
    Entries must have one common shape.
    """
    nested: list[Any] = []
    for item in items:
        if isinstance(item, mo.IdentityMarker) or (
            mo.shape(item) is not None and not (mo.is_explicit(item) or isinstance(item, NDimArray))
        ):
            raise ShapeError("a list entry must be a number, an expression or a list")
        if mo.is_explicit(item) and item.shape[1] == 1:
            nested.append(list(item))
        elif mo.shape(item) is not None:
            nested.append(item.tolist())
        else:
            nested.append(item)
    shapes = {_nested_shape(x) for x in nested}
    if len(shapes) != 1:
        raise ShapeError("the rows of a list have different lengths or depths")
    inner = shapes.pop()
    if not inner:
        return sympy.ImmutableMatrix(len(nested), 1, nested)
    if len(inner) == 1:
        return sympy.ImmutableMatrix(nested)
    return ImmutableDenseNDimArray(nested)


def _nested_shape(value: Any) -> tuple[int, ...]:
    dims: list[int] = []
    while isinstance(value, list):
        dims.append(len(value))
        if any(isinstance(v, list) != isinstance(value[0], list) for v in value):
            raise ShapeError("a list mixes numbers and lists")
        if isinstance(value[0], list) and len({_nested_shape(v) for v in value}) != 1:
            raise ShapeError("the rows of a list have different lengths")
        value = value[0]
    return tuple(dims)


def _negated(value: Any) -> Any:
    return sympy.Mul(sympy.Integer(-1), value, evaluate=False)


#: What building a subtree gives: its value, the names it met, and the builder's flags
#: (decimals, a list, a nested list, an elementwise function with its own variable).
_Built = tuple[Any, frozenset[str], bool, bool, bool, bool]
#: Subtrees built in this process, by their shape without positions and the context.
_SUBTREES: dict[tuple[Any, Context], _Built] = {}
#: Entries kept at most (the table is emptied when full: a cache, never a record).
MAX_SUBTREES = 4096
#: Subtrees larger than this (in nodes) are built afresh: their key would cost more.
MAX_KEYED_NODES = 400
_LEAVES = (Num, Name)


def _subtree_key(node: Node, memo: dict[int, Any]) -> Any:
    """``node`` without its positions: equal keys are the same text up to spacing.

    Building depends on nothing else (a position only ever appears in an error, and a
    subtree that fails is never kept), so equal keys in one context build equal values.
    """
    found = memo.get(id(node))
    if found is not None:
        return found
    if isinstance(node, Num):
        key: Any = ("n", node.text)
    elif isinstance(node, Name):
        key = ("v", node.name)
    elif isinstance(node, Call):
        key = ("c", node.func, tuple(_subtree_key(a, memo) for a in node.args))
    elif isinstance(node, (Neg, Transpose)):
        key = (type(node).__name__, _subtree_key(node.operand, memo))
    elif isinstance(node, Sum):
        key = ("+", tuple((sign, _subtree_key(t, memo)) for sign, t in node.terms))
    elif isinstance(node, Product):
        key = ("*", tuple((op, _subtree_key(f, memo)) for op, f in node.factors))
    elif isinstance(node, Power):
        key = ("^", _subtree_key(node.base, memo), _subtree_key(node.exponent, memo))
    else:
        key = (type(node).__name__, tuple(_subtree_key(i, memo) for i in node.items))
    memo[id(node)] = key
    return key


def _size(node: Node) -> int:
    if isinstance(node, _LEAVES):
        return 1
    if isinstance(node, (Neg, Transpose)):
        return 1 + _size(node.operand)
    if isinstance(node, Power):
        return 1 + _size(node.base) + _size(node.exponent)
    if isinstance(node, Sum):
        return 1 + sum(_size(t) for _, t in node.terms)
    if isinstance(node, Product):
        return 1 + sum(_size(f) for _, f in node.factors)
    children = node.args if isinstance(node, Call) else node.items
    return 1 + sum(_size(c) for c in children)


class Builder:
    """Walks a tree into SymPy objects and records the names and decimals it met.

    A class's answers share whole subexpressions (the same ``Xᵀ(X w - y)`` inside a
    dozen different answers), and building a matrix expression is most of the cost of
    reading one, so each subtree's value is kept per process under its shape without
    positions (:func:`_subtree_key`), with the names and flags it sets. A subtree with
    an elementwise function over a matrix is never kept: its bound variable is created
    fresh by each build, and a shared one would make two answers' values equal that were
    not before.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.names: set[str] = set()
        self.has_decimals = False
        self.saw_list = False
        self.saw_nested_list = False
        self.fresh_variable = False
        self._keys: dict[int, Any] = {}
        self._keyed: bool | None = None  # decided at the root

    def build(self, node: Node) -> Any:
        """The SymPy value of ``node`` (may be an :class:`IdentityMarker` inside)."""
        if isinstance(node, _LEAVES):
            return self._build(node)
        if self._keyed is None:  # the root: a tree is keyed only when it is small enough
            self._keyed = _size(node) <= MAX_KEYED_NODES
        if not self._keyed:
            return self._build(node)
        key = (_subtree_key(node, self._keys), self.ctx)
        found = _SUBTREES.get(key)
        if found is None:
            found = self._build_apart(node)
            if not found[5]:
                if len(_SUBTREES) >= MAX_SUBTREES:
                    _SUBTREES.clear()
                _SUBTREES[key] = found
        value, names, decimals, saw_list, nested, fresh = found
        self.names |= names
        self.has_decimals |= decimals
        self.saw_list |= saw_list
        self.saw_nested_list |= nested
        self.fresh_variable |= fresh
        return value

    def _build_apart(self, node: Node) -> _Built:
        """Build ``node`` with the names and flags of this subtree alone."""
        outer = (self.names, self.has_decimals, self.saw_list, self.saw_nested_list)
        fresh = self.fresh_variable
        self.names, self.has_decimals, self.saw_list, self.saw_nested_list = (
            set(),
            False,
            False,
            False,
        )
        self.fresh_variable = False
        try:
            value = self._build(node)
            return (
                value,
                frozenset(self.names),
                self.has_decimals,
                self.saw_list,
                self.saw_nested_list,
                self.fresh_variable,
            )
        finally:
            self.names, self.has_decimals, self.saw_list, self.saw_nested_list = outer
            self.fresh_variable = fresh

    def _build(self, node: Node) -> Any:
        if isinstance(node, Num):
            if node.is_decimal:
                self.has_decimals = True
                return sympy.Float(node.text, FLOAT_PRECISION)
            return sympy.Integer(int(node.text))
        if isinstance(node, Name):
            return self.name(node.name)
        if isinstance(node, Neg):
            return mo.neg(self.build(node.operand))
        if isinstance(node, Sum):
            total = self.build(node.terms[0][1])
            if node.terms[0][0] == "-":
                total = mo.neg(total)
            for sign, term in node.terms[1:]:
                value = self.build(term)
                total = mo.add(total, value if sign == "+" else mo.neg(value))
            return total
        if isinstance(node, Product):
            acc = self.build(node.factors[0][1])
            for k, (op, factor) in enumerate(node.factors[1:], start=1):
                value = self.build(factor)
                if op == "/":
                    acc = mo.div(acc, value)
                elif op == "odot":
                    acc = mo.hadamard(acc, value)
                elif op == "circ":
                    at = node.op_pos[k] if k < len(node.op_pos) else factor.pos
                    acc = mo.hadamard(*_hadamard_operands(acc, value, at))
                elif op == "mod":
                    acc = sympy.Mod(*_scalar_pair("mod", [acc, value]))
                else:
                    acc = mo.mul(acc, value)
            return acc
        if isinstance(node, Power):
            base, exponent = self.build(node.base), self.build(node.exponent)
            try:
                return mo.power(base, exponent)
            except AnswerLimitError as exc:
                raise AnswerLimitError(exc.message, position=node.pos, token="^") from None
        if isinstance(node, Transpose):
            return mo.transpose(self.build(node.operand))
        if isinstance(node, ListExpr):
            self.saw_list = True
            self.saw_nested_list |= any(isinstance(i, ListExpr) for i in node.items)
            return assemble([self.build(item) for item in node.items])
        if isinstance(node, TupleExpr):
            return self.tuple_value(node, [self.build(item) for item in node.items])
        return self.call(node)

    def tuple_value(self, node: TupleExpr, entries: list[Any]) -> sympy.Tuple:
        """A tuple of scalars; a matrix entry is refused (a tuple is not a block vector)."""
        for k, entry in enumerate(entries, start=1):
            entry = mo.to_scalar(entry)
            if isinstance(entry, mo.IdentityMarker) or mo.shape(entry) is not None:
                what = (
                    "the identity `I`"
                    if isinstance(entry, mo.IdentityMarker)
                    else f"a {mo.show(mo.shape(entry))} matrix"
                )
                raise AnswerSyntaxError(
                    f"entry {k} of the tuple is {what}: a tuple's entries must be scalars",
                    position=node.pos,
                    token="(",
                )
            entries[k - 1] = entry
        return sympy.Tuple(*entries)

    def structure(self, node: Node) -> Any:
        """A scalar answer as typed: sums, products and powers left unevaluated.

        SymPy distributes a number over a sum (``2*(x - 1)`` becomes ``2*x - 2``), so the
        built value cannot tell whether a part asking for the factored or the expanded
        form got it. Call this only after :meth:`build` succeeded on the same tree: every
        bound has been checked then, and nothing here evaluates anything new.
        """
        if isinstance(node, Sum):
            terms = [
                self.structure(term) if sign == "+" else _negated(self.structure(term))
                for sign, term in node.terms
            ]
            return sympy.Add(*terms, evaluate=False)
        if isinstance(node, Product) and all(
            op in ("", "*", "/", "implicit") for op, _ in node.factors
        ):
            parts = [
                sympy.Pow(self.structure(f), -1, evaluate=False) if op == "/" else self.structure(f)
                for op, f in node.factors
            ]
            return sympy.Mul(*parts, evaluate=False)
        if isinstance(node, TupleExpr):
            return sympy.Tuple(*(self.structure(item) for item in node.items))
        if isinstance(node, Neg):
            return _negated(self.structure(node.operand))
        if isinstance(node, Power):
            base, exponent = self.structure(node.base), self.build(node.exponent)
            if mo.shape(base) is None and mo.shape(exponent) is None:
                return sympy.Pow(base, exponent, evaluate=False)
        return self.build(node)

    def name(self, name: str) -> Any:
        """The value of a name: declared symbol, dimension, constant or ``I``."""
        if self.ctx.is_declared(name):
            self.names.add(name)
            return self.ctx.sym(name)
        if name == "pi":
            return sympy.pi
        if name == "e":
            return sympy.E
        if name == "oo":
            return sympy.oo
        if name == "I" and not self.ctx.open:
            return mo.IdentityMarker(sympy.Integer(1))
        self.names.add(name)
        return self.ctx.sym(name)

    def _elementwise(self, func: Any, value: Any) -> Any:
        """:func:`mo.elementwise`, noting a bound variable made fresh (never cached)."""
        result = mo.elementwise(func, value)
        self.fresh_variable |= isinstance(result, ElementwiseApplyFunction)
        return result

    def call(self, node: Call) -> Any:
        """Apply an allow-listed function to built arguments."""
        args = [self.build(arg) for arg in node.args]
        func = node.func
        if func == "log" and len(args) == 2:
            value, base = _scalar_pair("log", args)
            if base == 0 or base == 1:
                raise ShapeError("the base of a logarithm must not be 0 or 1")
            return sympy.log(value, base)
        if func == "atan2":
            return sympy.atan2(*_scalar_pair("atan2", args))
        if func == "mod":
            return sympy.Mod(*_scalar_pair("mod", args))
        if func == "binomial":
            return _binomial(*_scalar_pair("binomial", args))
        if func == "bars":
            return _bars(args[0], node.pos)
        if func in _SCALAR_FUNCS:
            return self._elementwise(_SCALAR_FUNCS[func], args[0])
        if func in ("max", "min"):
            return _minmax(sympy.Max if func == "max" else sympy.Min, args)
        if func == "matrix":  # SymPy's printout Matrix([[1, 2], [3, 4]]): the list itself
            if mo.shape(args[0]) is None or not mo.is_explicit(args[0]):
                raise ShapeError("Matrix(...) takes a list of rows, e.g. Matrix([[1, 2], [3, 4]])")
            return args[0]
        if func == "transpose":
            return mo.transpose(args[0])
        if func == "inv":
            return mo.power(args[0], sympy.Integer(-1))
        if func == "pinv":
            return mo.pinv(args[0])
        if func == "hadamard":
            return mo.hadamard(args[0], args[1])
        if func == "root":
            index = mo.to_scalar(args[0])
            if mo.shape(index) is not None or index == 0:
                raise ShapeError("the index of a root must be a non-zero scalar")
            return self._elementwise(lambda z: mo.power(z, sympy.Integer(1) / index), args[1])
        table: dict[str, Callable[[Any], Any]] = {
            "diag": diag,
            "trace": trace,
            "norm": norm,
            "det": det,
        }
        if func not in table:  # pragma: no cover - the parser only emits known functions
            raise ShapeError(f"unknown function `{func}`")
        if isinstance(args[0], mo.IdentityMarker):
            raise ShapeError(f"cannot take {func} of `I` without knowing its size")
        return table[func](args[0])


__all__ = ["FLOAT_PRECISION", "Builder", "assemble", "det", "diag", "norm", "trace"]
