"""The answer language's syntax tree: one frozen dataclass per construct.

The tree is the hand-off between the parser (:mod:`hwgrade.grader.answer.syntax`), which only
ever builds it from tokens, and the builder (:mod:`hwgrade.grader.answer.build`), which only
ever reads it. Keeping the node types apart lets the builder, the tests and any other
reader of a tree depend on its shape without depending on how text is parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Num:
    """A number literal, kept as the typed digit string (built exactly or as a Float)."""

    text: str
    pos: int

    @property
    def is_decimal(self) -> bool:
        """Whether the student typed a decimal (which the engine compares with tolerance)."""
        return "." in self.text or "e" in self.text.lower()


@dataclass(frozen=True)
class Name:
    """A canonical name: a declared symbol, a dimension, or a constant (pi, e, I)."""

    name: str
    pos: int


@dataclass(frozen=True)
class Call:
    """An allow-listed function (canonical name, e.g. ``sigmoid``) applied to arguments."""

    func: str
    args: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Neg:
    """Unary minus."""

    operand: Node
    pos: int


@dataclass(frozen=True)
class Sum:
    """Terms with their signs (``+`` or ``-``), flat so long sums stay shallow."""

    terms: tuple[tuple[str, Node], ...]
    pos: int


@dataclass(frozen=True)
class Product:
    """Factors with the operator before each (``""`` first, then ``* / @ odot circ implicit``).

    ``op_pos`` holds the column of each operator (of the factor, for juxtaposition), so
    that an operator refused once shapes are known is reported where it was typed.
    """

    factors: tuple[tuple[str, Node], ...]
    pos: int
    op_pos: tuple[int, ...] = ()


@dataclass(frozen=True)
class Power:
    """``base ^ exponent``; for a matrix base ``-1`` is the inverse."""

    base: Node
    exponent: Node
    pos: int


@dataclass(frozen=True)
class Transpose:
    r"""``A^T``, ``A.T``, ``Aᵀ``, ``A^\top``."""

    operand: Node
    pos: int


@dataclass(frozen=True)
class ListExpr:
    """``[a, b, ...]``: a vector, or rows of a matrix/tensor when nested."""

    items: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class TupleExpr:
    """``(a, b, ...)``: an ordered tuple of scalars, allowed only as a whole answer.

    A bare parenthesised comma list (no function name before it) is a tuple, a value of
    its own kind: never a vector (``[a, b]``), so that a tuple can only equal a tuple.
    """

    items: tuple[Node, ...]
    pos: int


Node = Union[Num, Name, Call, Neg, Sum, Product, Power, Transpose, ListExpr, TupleExpr]  # noqa: UP007


__all__ = [
    "Call",
    "ListExpr",
    "Name",
    "Neg",
    "Node",
    "Num",
    "Power",
    "Product",
    "Sum",
    "Transpose",
    "TupleExpr",
]
