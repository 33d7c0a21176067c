"""The symbols an answer may use: scalars, matrices with declared shapes, dimensions.

A :class:`Context` is what the parser, the SymPy builder, the equivalence engine and the
solvers share, so that a name means the same SymPy object everywhere: a solver derives
its reference with ``ctx.sym("X")`` and a student's ``X`` is built into that very object.

Shapes are declared as ``X: n x d`` (symbolic sizes; the engine picks distinct concrete
sizes when it instantiates random matrices, respecting relations such as ``d > n``) or
``X: 3 x 5`` (fixed sizes). A dimension name used in an expression (``1/n``) is that
dimension's size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sympy

from hwgrade.grader.errors import UsageError
from hwgrade.grader.memo import remembered
from hwgrade.grader.names import canonical_name, is_valid_name

#: A dimension is either a fixed size or the name of a symbolic size.
Dim = int | str

_RELATION_RE = re.compile(r"^\s*([A-Za-z_]\w*)\s*(>=|<=|>|<)\s*([A-Za-z_]\w*|\d+)\s*$")


#: What a spec may declare of a scalar symbol (``p`` is a probability: ``unit_interval``).
SCALAR_PROPERTIES = ("positive", "nonnegative", "unit_interval")
#: What a spec may declare of a matrix symbol (dropout's Γ is ``diagonal``).
MATRIX_PROPERTIES = ("diagonal", "symmetric", "positive_definite", "orthonormal_columns")


@dataclass(frozen=True)
class SymbolDecl:
    """One declared name.

    A symbol is what the homework says it is: the random values it gets when answers
    are compared honour its properties (a diagonal Γ is sampled diagonal, a probability
    lies in (0, 1)), and a symbol the homework defines (``Γ² = diag(diag(XᵀX))``,
    ``h_0 = 0``) is replaced by its definition before answers are compared. Otherwise
    an answer that is right under the homework's conventions (``Γ Γᵀ`` for ``Γ²``)
    would score 0 because a general matrix was sampled for it.

    Attributes:
        name: Canonical name (see :func:`canonical_name`).
        shape: ``None`` for a scalar, else ``(rows, cols)`` with each an int or a
            dimension name. A column vector is ``(n, 1)``.
        positive: Sample only positive values for this scalar (e.g. a step size).
        properties: Declared properties (:data:`SCALAR_PROPERTIES`,
            :data:`MATRIX_PROPERTIES`).
        definition: What the symbol stands for, as a value in the other symbols
            (``None``: it is free).
    """

    name: str
    shape: tuple[Dim, Dim] | None = None
    positive: bool = False
    properties: tuple[str, ...] = ()
    definition: Any = None

    @property
    def is_matrix(self) -> bool:
        """Whether the name stands for a matrix or vector rather than a scalar."""
        return self.shape is not None

    def has(self, prop: str) -> bool:
        """Whether the symbol was declared with property ``prop``."""
        return prop in self.properties or (prop == "positive" and self.positive)


@dataclass(frozen=True)
class Relation:
    """An ordering between two dimensions (``d > n``) the instantiation must respect."""

    left: Dim
    op: str
    right: Dim


@dataclass(frozen=True)
class Context:
    """The declared names of one problem (or of one ``hwgrade equiv`` call).

    Attributes:
        symbols: The declared names.
        relations: Orderings between dimensions.
        open: When true, any undeclared name is a new scalar symbol (``hwgrade equiv``
            without ``--vars``); when false, an undeclared name is an error.
    """

    symbols: tuple[SymbolDecl, ...] = ()
    relations: tuple[Relation, ...] = ()
    open: bool = False
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    # -- lookups -----------------------------------------------------------------------
    @cached_property
    def by_name(self) -> dict[str, SymbolDecl]:
        """Declared symbols by canonical name."""
        return {s.name: s for s in self.symbols}

    @cached_property
    def dimensions(self) -> tuple[str, ...]:
        """Names of the symbolic dimensions used by any declared shape, in order."""
        seen: dict[str, None] = {}
        for decl in self.symbols:
            for dim in decl.shape or ():
                if isinstance(dim, str):
                    seen.setdefault(dim, None)
        return tuple(seen)

    def lookup(self, name: str) -> SymbolDecl | None:
        """The declaration of ``name`` (any spelling), or ``None``."""
        return self.by_name.get(canonical_name(name))

    def is_declared(self, name: str) -> bool:
        """Whether ``name`` is a declared symbol or dimension."""
        canon = canonical_name(name)
        return canon in self.by_name or canon in self.dimensions

    # -- SymPy objects ---------------------------------------------------------------
    def dim(self, dim: Dim) -> sympy.Expr:
        """The SymPy size of a dimension: an Integer, or a positive integer Symbol."""
        if isinstance(dim, int):
            return sympy.Integer(dim)
        key = "dim:" + dim
        if key not in self._cache:
            self._cache[key] = sympy.Symbol(dim, integer=True, positive=True)
        return self._cache[key]

    def sym(self, name: str) -> Any:
        """The SymPy object for a name: Symbol, MatrixSymbol, or a dimension's size.

        For an open context an undeclared name is a new scalar Symbol; for a closed one
        it is a :class:`KeyError` (the parser reports unknown names before this).
        """
        canon = canonical_name(name)
        if canon in self._cache:
            return self._cache[canon]
        decl = self.by_name.get(canon)
        obj: Any
        if decl is None:
            if canon in self.dimensions:
                obj = self.dim(canon)
            elif self.open:
                obj = sympy.Symbol(canon)
            else:
                raise KeyError(canon)
        elif decl.shape is None:
            if decl.has("positive") or decl.has("unit_interval"):
                obj = sympy.Symbol(canon, positive=True)
            elif decl.has("nonnegative"):
                obj = sympy.Symbol(canon, nonnegative=True)
            else:
                obj = sympy.Symbol(canon)
        else:
            rows, cols = decl.shape
            obj = sympy.MatrixSymbol(canon, self.dim(rows), self.dim(cols))
        self._cache[canon] = obj
        return obj

    @cached_property
    def definitions(self) -> dict[Any, Any]:
        """The defined symbols' SymPy objects and what they stand for."""
        return {self.sym(d.name): d.definition for d in self.symbols if d.definition is not None}

    def expand_definitions(self, value: Any) -> Any:
        """``value`` with every defined symbol replaced by its definition (to a fixed point).

        Reference and answer both go through this before they are compared, so an answer
        in the homework's own terms (``Γ Γᵀ``) meets a reference written with another
        (``Γ²``) on the same values.
        """
        table = self.definitions
        if not table or not isinstance(value, sympy.Basic):
            return value
        return _expanded(self, value)

    def with_names(self, names: set[str] | frozenset[str]) -> Context:
        """This context plus scalar declarations for ``names`` (used by open contexts)."""
        extra = tuple(SymbolDecl(n) for n in sorted(names) if n not in self.by_name)
        return Context(self.symbols + extra, self.relations, self.open)


@remembered(4096)
def _expanded(ctx: Context, value: Any) -> Any:
    """:meth:`Context.expand_definitions`, remembered per (context, value).

    A reference and an answer meet the screen, the engine and every known mistake,
    each of which would expand them again.
    """
    table = ctx.definitions
    for _ in range(8):
        new = value.xreplace(table)
        if new == value:
            break
        value = new
    return value


def parse_shape(text: str) -> tuple[Dim, Dim]:
    """Read ``n x d``, ``3 x 5``, ``n x 1`` or a single ``n`` (a column vector)."""
    parts = [p.strip() for p in re.split(r"[x×*]", text.strip())]
    if len(parts) == 1:
        parts.append("1")
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"cannot read the shape `{text}`: write it as `rows x cols`, e.g. `n x d`")
    dims: list[Dim] = []
    for part in parts:
        if part.isdigit():
            if int(part) < 1:
                raise UsageError(f"shape `{text}`: sizes must be at least 1")
            dims.append(int(part))
        elif is_valid_name(canonical_name(part)):
            dims.append(canonical_name(part))
        else:
            raise UsageError(f"shape `{text}`: `{part}` is neither a size nor a dimension name")
    return dims[0], dims[1]


def parse_relation(text: str) -> Relation:
    """Read a dimension relation such as ``d > n``."""
    match = _RELATION_RE.match(text)
    if not match:
        raise UsageError(f"cannot read the relation `{text}`: write it as `d > n`")
    left, op, right = match.groups()
    return Relation(
        int(left) if left.isdigit() else left, op, int(right) if right.isdigit() else right
    )


def parse_vars(text: str) -> Context:
    """Read the ``--vars`` option: ``"X: n x d, y: n x 1, w, d > n"``.

    A bare name is a scalar, ``name: shape`` a matrix or vector, and ``a > b`` a
    relation between dimensions. The result is a closed context.
    """
    symbols: list[SymbolDecl] = []
    relations: list[Relation] = []
    for raw in (item.strip() for item in text.split(",")):
        if not raw:
            continue
        if _RELATION_RE.match(raw):
            relations.append(parse_relation(raw))
            continue
        name, _, shape = raw.partition(":")
        canon = canonical_name(name.strip())
        if not is_valid_name(canon):
            raise UsageError(f"--vars: `{name.strip()}` is not a valid symbol name")
        symbols.append(SymbolDecl(canon, parse_shape(shape) if shape.strip() else None))
    return Context(tuple(symbols), tuple(relations), open=False)


__all__ = [
    "MATRIX_PROPERTIES",
    "SCALAR_PROPERTIES",
    "Context",
    "Dim",
    "Relation",
    "SymbolDecl",
    "parse_relation",
    "parse_shape",
    "parse_vars",
]
