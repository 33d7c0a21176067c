"""Solver-free reference answers: small derivations written in the answer language.

Many reference answers are one SymPy step away from the spec ("the derivative of this
expression", "the mean over these axes"), and asking an instructor to write Python for
each would keep most instructors out. A spec may therefore state a part's ``reference``
(and a mistake's ``derive``) as answer-language text plus a few named operations::

    definitions:
      y: "w*(u_3 + w*(u_2 + w*u_1))"
    parts:
      - {id: b, prompt: "dy/dw", reference: "diff(y, w)"}

Spec text is trusted, but it is still never evaluated as Python: this module splits the
operation calls off itself (a small recursive descent over ``name(args)`` with balanced
brackets), evaluates their arguments recursively, and hands everything else to
:func:`read_answer`, with earlier definitions and call results declared as symbols and
substituted afterwards. Decimals in a spec are exact (``0.6`` is ``3/5``) so keys show
fractions. Every part's derivation also becomes a step of the key. The reductions
``mean``, ``var`` and ``sum`` over axes are :mod:`hwgrade.grader.specs.reductions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy
from sympy.tensor.array import NDimArray

from hwgrade.grader.answer.build import assemble
from hwgrade.grader.answer.echo import to_plain
from hwgrade.grader.answer.language import ParsedAnswer, read_answer
from hwgrade.grader.context import Context, SymbolDecl
from hwgrade.grader.errors import AnswerSyntaxError, DeriveError, HwgradeError
from hwgrade.grader.memo import remembered
from hwgrade.grader.names import canonical_name
from hwgrade.grader.specs.reductions import parse_axes, reduce_axes
from hwgrade.grader.values import matrixops as mo

#: The named operations a derivation may call (the answer language forbids them).
OPERATIONS: dict[str, str] = {
    "diff": "diff(expr, x[, n]): n-th derivative with respect to a declared symbol",
    "subs": "subs(expr, x, value, ...): put values in for symbols",
    "expand": "expand(expr): multiply out",
    "factor": "factor(expr): factor a polynomial",
    "simplify": "simplify(expr): SymPy's simplify (may be slow on big expressions)",
    "mean": "mean(T, axes=[...]): mean over the listed axes (default: all)",
    "var": "var(T, axes=[...], ddof=0): variance over the axes; ddof=1 divides by n-1",
    "sum": "sum(T, axes=[...]): sum over the axes (default: all)",
    "transpose": "transpose(A): the transpose",
    "matmul": "matmul(A, B, ...): matrix product; a 1 x 1 result is a scalar",
    "max": "max(a, b): entrywise maximum (a scalar is broadcast)",
    "min": "min(a, b): entrywise minimum (a scalar is broadcast)",
}
_CALL_RE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(OPERATIONS) + r")\s*\(")
_KEYWORD_RE = re.compile(r"^\s*(axes|ddof)\s*=\s*(.+?)\s*$", re.S)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: Bounds: spec text is trusted, but a typo must not turn into a hang.
MAX_TEXT = 4000
MAX_DEPTH = 30


#: A decimal literal in spec text (not the digits of a name such as ``h_2``).
_DECIMAL_RE = re.compile(r"(?<![\w.])(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][+-]?\d+)?(?![\w.])")


def _as_fraction(match: re.Match[str]) -> str:
    """``0.6`` -> ``(3/5)`` before reading, so that arithmetic on it stays exact.

    Converting afterwards is too late: ``0.6*2*(-1) + 0.2*2*3 + ...`` has already been
    summed in binary floating point, and ``-2.9999999999999998`` is not ``-3``.
    """
    exact = Fraction(match.group(0))
    return f"({exact.numerator}/{exact.denominator})" if exact.denominator != 1 else str(exact)


def _exact(value: Any) -> Any:
    """Decimals typed in a spec as exact rationals (``0.6`` -> ``3/5``).

    A matrix is rebuilt only when an entry holds a decimal: rebuilding one (SymPy's
    ``applyfunc``) cost a fifth of drawing a student's variant, and derived entries are
    almost always exact already (decimals are made fractions before reading).
    """
    if isinstance(value, (sympy.MatrixBase, NDimArray)):
        if not any(_has_float(entry) for entry in value):
            return value
        return value.applyfunc(_exact)
    if isinstance(value, sympy.Basic) and value.has(sympy.Float):
        return value.xreplace({f: sympy.Rational(str(f)) for f in value.atoms(sympy.Float)})
    return value


def _has_float(entry: Any) -> bool:
    if isinstance(entry, sympy.Rational):  # most entries: no tree to search
        return False
    return isinstance(entry, sympy.Basic) and entry.has(sympy.Float)


def _entrywise(fn: Callable[[Any], Any], value: Any) -> Any:
    """``fn`` on a scalar, or on every entry of an explicit matrix or tensor."""
    if isinstance(value, (sympy.MatrixBase, NDimArray)):
        return value.applyfunc(fn)
    return fn(value)


def _scalar_if_1x1(value: Any) -> Any:
    """A 1 x 1 explicit matrix is a scalar (``W h^T`` added to a vector)."""
    if isinstance(value, sympy.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


def _explicit(expr: Any) -> Any:
    """A sum, product or transpose of explicit matrices and numbers, worked out; else ``None``.

    What substituting a variant's numbers leaves is almost always such an expression
    (``(3/5) c h_2 + (1/5) c h_3`` with the ``h_i`` now explicit rows), and working it
    out directly costs a fraction of SymPy's ``doit``, which canonicalises the
    expression before doing the arithmetic. Anything else is left to ``doit``.
    """
    if isinstance(expr, sympy.MatrixBase):
        return expr
    if isinstance(expr, (sympy.MatAdd, sympy.MatMul)):
        parts = []
        for arg in expr.args:
            if isinstance(arg, sympy.MatrixExpr):
                arg = _explicit(arg)
                if arg is None:
                    return None
            elif not (isinstance(arg, sympy.Expr) and arg.is_number):
                return None
            parts.append(arg)
        result = parts[0]
        for part in parts[1:]:
            result = result + part if isinstance(expr, sympy.MatAdd) else result * part
        return result
    if isinstance(expr, sympy.Transpose):
        inner = _explicit(expr.arg)
        return None if inner is None else inner.T
    return None


def _substitute(value: Any, table: dict[Any, Any]) -> Any:
    """Put values in for symbols and evaluate what became explicit."""
    if not table:
        return value
    result = value.xreplace(table)
    if isinstance(result, (sympy.MatrixExpr, sympy.MatrixBase)):
        explicit = _explicit(result)
        result = explicit if explicit is not None else result.doit()
        if not isinstance(result, sympy.MatrixBase) and all(
            isinstance(n, (int, sympy.Integer)) for n in result.shape
        ):
            result = result.as_explicit()
        return sympy.ImmutableMatrix(result) if isinstance(result, sympy.MatrixBase) else result
    return result


@remembered(2048)
def _read_derivation(text: str, ctx: Context) -> ParsedAnswer:
    """A derivation's text read once per (text, declared names and shapes).

    The text of a spec is the same for every variant; only the values put in after
    reading differ, so a class with variants reads each derivation once per process.
    """
    return read_answer(_DECIMAL_RE.sub(_as_fraction, text), ctx, syntax="plain")


class Deriver:
    """Evaluates derivations against one spec's symbols and its named values.

    Attributes:
        ctx: The spec's declared symbols.
        values: Named values: parameters, definitions and intermediate call results.
        unusable: Parameters that are not values (a ragged list...), with the reason,
            so that a derivation using one says why instead of "unknown name".
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.values: dict[str, Any] = {}
        self.unusable: dict[str, str] = {}
        self._fresh = 0
        self._calls: dict[tuple[str, tuple[str, ...]], Any] = {}

    def define(self, name: str, value: Any) -> None:
        """Name a value (a parameter or a definition) that later derivations may use.

        Remembered operation results are dropped: ``mean(T, axes=[0])`` means something
        else once ``T`` names another value.
        """
        self.values[name] = value
        self._calls.clear()

    # -- the mini-language -------------------------------------------------------------
    def evaluate(self, item: Any, depth: int = 0) -> Any:
        """The value of a derivation: text, a number, or nested lists of them."""
        if isinstance(item, bool):
            raise DeriveError("expected a derivation, not true/false")
        if isinstance(item, int):
            return sympy.Integer(item)
        if isinstance(item, float):
            return sympy.Rational(str(item))
        if isinstance(item, list):
            if not item:
                raise DeriveError("an empty list")
            entries = [self.evaluate(x, depth + 1) for x in item]
            try:
                return assemble(entries)
            except HwgradeError as exc:
                raise DeriveError(f"cannot make a matrix of this list: {exc.message}") from None
        if not isinstance(item, str):
            raise DeriveError(f"expected text, got {type(item).__name__}")
        return _exact(self.text(item, depth))

    def text(self, text: str, depth: int) -> Any:
        """Split off the operation calls, evaluate them, read the rest as an answer."""
        if len(text) > MAX_TEXT or depth > MAX_DEPTH:
            raise DeriveError("the derivation is too long or nested too deeply")
        pieces: list[str] = []
        pos = 0
        while (match := _CALL_RE.search(text, pos)) is not None:
            close = _matching(text, match.end() - 1)
            args = _split_args(text[match.end() : close])
            value = self.call(match.group(1), args, depth + 1)
            self._fresh += 1
            name = f"zzderived{self._fresh}"
            self.values[name] = value
            pieces += [text[pos : match.start()], f"({name})"]
            pos = close + 1
        rest = "".join([*pieces, text[pos:]]).strip()
        bare = re.fullmatch(r"\(*\s*([^\W\d]\w*)\s*\)*", rest)
        if bare and canonical_name(bare.group(1)) in self.values:
            return self.values[canonical_name(bare.group(1))]
        return self.read(rest)

    def read(self, text: str) -> Any:
        """Read answer-language text with the named values declared, then substitute."""
        if not text:
            raise DeriveError("an empty derivation")
        decls: list[SymbolDecl] = []
        used: dict[str, Any] = {}
        for word in {canonical_name(w) for w in _WORD_RE.findall(text)}:
            if word in self.unusable and word not in self.values:
                raise DeriveError(f"parameter `{word}` cannot be used: {self.unusable[word]}")
            if word not in self.values or self.ctx.is_declared(word):
                continue
            value = self.values[word]
            if isinstance(value, NDimArray):
                msg = f"`{word}` is a tensor: pass it to mean, var or sum, not to arithmetic"
                raise DeriveError(msg)
            shape = mo.shape(value)
            dims = None if shape is None else tuple(_dim(n) for n in shape)
            decls.append(SymbolDecl(word, dims))  # type: ignore[arg-type]
            used[word] = value
        ctx = Context(self.ctx.symbols + tuple(decls), self.ctx.relations)
        try:
            parsed = _read_derivation(text, ctx)
        except AnswerSyntaxError as exc:
            where = f" at column {exc.position + 1}" if exc.position is not None else ""
            raise DeriveError(f"cannot read `{text}`{where}: {exc.message}") from None
        except HwgradeError as exc:
            raise DeriveError(f"`{text}`: {exc.message}") from None
        return _substitute(parsed.value, {ctx.sym(n): v for n, v in used.items()})

    # -- operations --------------------------------------------------------------------
    def call(self, op: str, raw_args: list[str], depth: int) -> Any:
        """Apply one named operation to its (recursively evaluated) arguments."""
        keywords: dict[str, str] = {}
        positional: list[str] = []
        for raw in raw_args:
            kw = _KEYWORD_RE.match(raw)
            if kw:
                keywords[kw.group(1)] = kw.group(2)
            else:
                positional.append(raw)
        allowed = {"mean": {"axes"}, "sum": {"axes"}, "var": {"axes", "ddof"}}.get(op, set())
        for key in keywords:
            if key not in allowed:
                raise DeriveError(f"{op}() takes no `{key}=`; usage: {OPERATIONS[op]}")
        # A spec states one operation several times (a part's reference is another
        # part's known mistake); each is worked out once per set of named values.
        seen = (op, tuple(raw_args))
        if seen in self._calls:
            return self._calls[seen]
        args = [self.text(a, depth) for a in positional]
        try:
            found = self._calls[seen] = self._apply(op, args, keywords)
            return found
        except (TypeError, ValueError, IndexError, sympy.ShapeError, HwgradeError) as exc:
            if isinstance(exc, DeriveError):
                raise
            detail = exc.message if isinstance(exc, HwgradeError) else str(exc)
            raise DeriveError(f"{op}(): {detail}; usage: {OPERATIONS[op]}") from None

    def _apply(self, op: str, args: list[Any], keywords: dict[str, str]) -> Any:
        def need(low: int, high: int | None = None) -> None:
            if len(args) < low or (high is not None and len(args) > high):
                raise DeriveError(f"{op}() got {len(args)} arguments; usage: {OPERATIONS[op]}")

        if op == "diff":
            need(2, 3)
            order = _small_int(args[2], "the derivative order") if len(args) == 3 else 1
            var = _symbol(args[1], op)
            return _entrywise(lambda e: sympy.diff(e, var, order), args[0])
        if op == "subs":
            need(3)
            if len(args) % 2 == 0:
                raise DeriveError(f"subs() takes symbol, value pairs; usage: {OPERATIONS[op]}")
            table = {_symbol(s, op): v for s, v in zip(args[1::2], args[2::2], strict=True)}
            return _substitute(args[0], table)
        if op in ("expand", "factor", "simplify"):
            need(1, 1)
            fn = {"expand": sympy.expand, "factor": sympy.factor, "simplify": sympy.simplify}[op]
            return _entrywise(fn, args[0])
        if op == "transpose":
            need(1, 1)
            return mo.transpose(args[0])
        if op == "matmul":
            need(2)
            result = args[0]
            for factor in args[1:]:
                result = mo.mul(result, factor)
            return _scalar_if_1x1(result)
        if op in ("max", "min"):
            need(2, 2)
            return _pairwise(sympy.Max if op == "max" else sympy.Min, args[0], args[1])
        need(1, 1)
        axes = parse_axes(keywords.get("axes"))
        ddof = _small_int(keywords.get("ddof", "0"), "ddof")
        return reduce_axes(op, args[0], axes, ddof)


def _dim(n: Any) -> int | str:
    """A SymPy size as a declaration dimension (``3`` or a dimension's name)."""
    return int(n) if isinstance(n, (int, sympy.Integer)) else str(n)


def _symbol(value: Any, op: str) -> Any:
    if not isinstance(value, (sympy.Symbol, sympy.MatrixSymbol)):
        raise DeriveError(f"{op}() needs a declared symbol, got `{to_plain(value)}`")
    return value


def _small_int(value: Any, what: str) -> int:
    if isinstance(value, str):
        value = sympy.Integer(value) if value.strip().isdigit() else None
    if not isinstance(value, sympy.Integer) or not 0 <= int(value) <= 20:
        raise DeriveError(f"{what} must be a whole number from 0 to 20")
    return int(value)


def _pairwise(fn: Callable[..., Any], a: Any, b: Any) -> Any:
    """``fn`` entry by entry; a scalar operand is broadcast."""
    sa, sb = mo.shape(a), mo.shape(b)
    if sa is None and sb is None:
        return fn(a, b)
    if sa is None:
        return b.applyfunc(lambda x: fn(a, x))
    if sb is None:
        return a.applyfunc(lambda x: fn(x, b))
    if tuple(sa) != tuple(sb):
        raise DeriveError(f"shapes {sa} and {sb} differ")
    return sympy.ImmutableMatrix(*a.shape, [fn(x, y) for x, y in zip(a, b, strict=True)])


def _matching(text: str, open_at: int) -> int:
    """Index of the bracket closing the one at ``open_at``."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] in "([":
            depth += 1
        elif text[i] in ")]":
            depth -= 1
            if depth == 0:
                return i
    raise DeriveError(f"unbalanced brackets after `{text[:open_at]}`")


def _split_args(text: str) -> list[str]:
    """Split call arguments at the commas outside any bracket."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch in "([" and 1) or (-1 if ch in ")]" else 0)
        if ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
    args.append(text[start:])
    if any(not a.strip() for a in args):
        raise DeriveError(f"an empty argument in `({text})`")
    return args


__all__ = ["OPERATIONS", "Deriver"]
