"""Echo printers: show a value in the answer language (plain) and in LaTeX.

The plain echo is how the tool tells a student what it read (``interpreted_as``) and
how keys and templates show reference answers, so it must be *readable back*: printing a
value and parsing the text again gives an equivalent value. That is why powers are
``^`` (never ``**`` followed by a unary minus the parser might bind differently),
exponents that are themselves powers are parenthesised, transposes and inverses of
anything but a name are parenthesised (``(X*X^T)^-1``), and decimals are printed with
the digits that were typed (``1.0833``), not SymPy's 15 significant digits.
"""

from __future__ import annotations

import re
from typing import Any

import sympy
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.hadamard import HadamardPower
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter
from sympy.tensor.array import NDimArray

from hwgrade.grader.values.numbers import as_value

#: The function the plain and LaTeX echoes print for ``1/(1 + exp(-z))``.
SIGMOID = sympy.Function("sigmoid")

_ATOMS = (sympy.Symbol, sympy.MatrixSymbol, sympy.Identity, sympy.Number)


def _sigmoid_arg(expr: sympy.Basic) -> sympy.Expr | None:
    """The ``z`` of ``1/(1 + exp(-z))``, or ``None`` if ``expr`` is not a sigmoid."""
    if not (isinstance(expr, sympy.Pow) and expr.exp == -1 and isinstance(expr.base, sympy.Add)):
        return None
    terms = expr.base.args
    if len(terms) != 2 or sympy.S.One not in terms:
        return None
    other = terms[0] if terms[1] == 1 else terms[1]
    if isinstance(other, sympy.exp):
        return -other.args[0]
    return None


def _with_sigmoids(expr: Any) -> Any:
    """Rewrite ``1/(1 + exp(-z))`` as ``sigmoid(z)`` so the echo shows what was typed."""
    if not isinstance(expr, sympy.Basic) or not expr.has(sympy.exp):
        return expr
    return expr.replace(
        lambda e: _sigmoid_arg(e) is not None,
        lambda e: SIGMOID(_sigmoid_arg(e)),
    )


def compact_float(value: sympy.Float) -> str:
    """A decimal with the digits that matter: ``1.0833``, ``0.001``, ``2.5e-12``."""
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        return str(value)
    text = repr(number)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text[:-2] if text.endswith(".0") and "e" not in text else text


def _elementwise_name(function: sympy.Lambda) -> tuple[str, str] | None:
    """The (plain, LaTeX) name of an elementwise function the language can write."""
    (var,) = function.variables
    body = function.expr
    if _sigmoid_arg(body) == var:
        return "sigmoid", r"\sigma"
    if body == sympy.Max(0, var):
        return "relu", r"\operatorname{relu}"
    if isinstance(body, sympy.Function) and body.args == (var,):
        name = type(body).__name__
        if name == "sigmoid":
            return "sigmoid", r"\sigma"
        return name, rf"\{name}" if name in ("exp", "log", "tanh", "sin", "cos") else name
    return None


class PlainPrinter(StrPrinter):  # type: ignore[misc]
    """SymPy's string printer, speaking the answer language instead of Python."""

    def _print_Float(self, expr: sympy.Float) -> str:
        return compact_float(expr)

    def _print_Exp1(self, expr: Any) -> str:
        return "e"

    def _print_ImaginaryUnit(self, expr: Any) -> str:
        return "sqrt(-1)"

    def _print_Abs(self, expr: Any) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: Any) -> str:
        return "max(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Min(self, expr: Any) -> str:
        return "min(" + ", ".join(self._print(a) for a in expr.args) + ")"

    def _print_Pow(self, expr: Any, rational: bool = False) -> str:
        prec = precedence(expr)
        if expr.exp is sympy.S.Half:
            return f"sqrt({self._print(expr.base)})"
        if expr.is_commutative and -expr.exp is sympy.S.Half:
            return f"1/sqrt({self._print(expr.base)})"
        if expr.is_commutative and expr.exp is sympy.S.NegativeOne:
            return str("1/" + self.parenthesize(expr.base, prec, strict=False))
        base = self.parenthesize(expr.base, prec, strict=False)
        return f"{base}^{self.parenthesize(expr.exp, prec, strict=False)}"

    def _postfix(self, arg: Any, suffix: str) -> str:
        text = self._print(arg)
        return f"{text}{suffix}" if isinstance(arg, _ATOMS) else f"({text}){suffix}"

    def _print_Transpose(self, expr: Any) -> str:
        return self._postfix(expr.arg, "^T")

    def _print_Inverse(self, expr: Any) -> str:
        return self._postfix(expr.arg, "^-1")

    def _print_MatPow(self, expr: Any) -> str:
        return self._postfix(expr.base, "^" + self.parenthesize(expr.exp, PRECEDENCE["Pow"]))

    def _print_Identity(self, expr: Any) -> str:
        return "I"

    def _print_ZeroMatrix(self, expr: Any) -> str:
        return "0"

    def _print_OneMatrix(self, expr: Any) -> str:
        return "1"

    def _print_MatMul(self, expr: Any) -> str:
        # ``c*Ones`` is how a scalar added to a matrix is stored; the language writes ``c``.
        if any(isinstance(a, sympy.OneMatrix) for a in expr.args) and all(
            isinstance(a, sympy.OneMatrix) or not isinstance(a, sympy.MatrixExpr) for a in expr.args
        ):
            scalars = [a for a in expr.args if not isinstance(a, sympy.OneMatrix)]
            return str(self._print(sympy.Mul(*scalars)))
        if expr.shape == (1, 1) and (squared := self._squared_norm(expr)) is not None:
            return squared
        # The scalar factors print as one ordinary product in front (``-2*eta*X``,
        # ``p*(1 - p)*w^T*w``, ``-2/n*W``), not SymPy's ``(-2*eta)*X``: every operator
        # in a scalar product binds at least as tightly as ``*`` and associates to the
        # left in our grammar, so ``-2/n*W`` reads back as ``(-2/n)*W``.
        scalars = [a for a in expr.args if not isinstance(a, sympy.MatrixExpr)]
        matrices = [a for a in expr.args if isinstance(a, sympy.MatrixExpr)]
        # Joined here rather than by SymPy's printer, which asks the product for its
        # precedence, and a matrix product answers by negating itself (a deep ``doit``).
        factors = "*".join(self.parenthesize(m, PRECEDENCE["Mul"], strict=False) for m in matrices)
        if not scalars:
            return factors
        coeff = sympy.Mul(*scalars)
        if coeff == 1:
            return factors
        if coeff == -1:
            return f"-{factors}"
        text = str(self._print(coeff))
        if (precedence(coeff) < PRECEDENCE["Mul"] and not text.startswith("-")) or isinstance(
            coeff, sympy.Add
        ):
            text = f"({text})"
        return f"{text}*{factors}"

    def _print_MatAdd(self, expr: Any) -> str:
        # Positive terms first (``y - p*X*w``, not ``-p*X*w + y``): how people write it.
        texts = [str(self._print(t)) for t in expr.args]
        texts.sort(key=lambda t: t.startswith("-"))
        out = texts[0]
        for text in texts[1:]:
            out += f" - {text[1:]}" if text.startswith("-") else f" + {text}"
        return out

    def _print_HadamardProduct(self, expr: Any) -> str:
        text = str(self._print(expr.args[0]))
        for arg in expr.args[1:]:
            text = f"hadamard({text}, {self._print(arg)})"
        return text

    def _print_HadamardPower(self, expr: HadamardPower) -> str:
        if expr.exp.is_Integer and 1 <= int(expr.exp) <= 6:
            return str(
                self._print(sympy.HadamardProduct(*[expr.base] * int(expr.exp), evaluate=False))
            )
        return f"hadamard_power({self._print(expr.base)}, {self._print(expr.exp)})"

    def _squared_norm(self, expr: Any) -> str | None:
        """``norm(v)^2`` for ``v^T*v`` (how ``norm(v)^2`` is stored), else ``None``."""
        if not isinstance(expr, sympy.MatMul) or len(expr.args) != 2:
            return None
        first, second = expr.args
        if not isinstance(first, sympy.MatrixExpr) or not isinstance(second, sympy.MatrixExpr):
            return None
        if second.shape[1] != 1 or sympy.Transpose(first).doit() != second:
            return None
        return f"norm({self._print(second)})^2"

    def _print_Trace(self, expr: Any) -> str:
        squared = self._squared_norm(expr.arg)
        return squared or f"trace({self._print(expr.arg)})"

    def _print_DiagMatrix(self, expr: Any) -> str:
        return f"diag({self._print(expr.args[0])})"

    def _print_DiagonalOf(self, expr: Any) -> str:
        return f"diag({self._print(expr.arg)})"

    def _print_Determinant(self, expr: Any) -> str:
        return f"det({self._print(expr.arg)})"

    def _print_Pinv(self, expr: Any) -> str:
        return f"pinv({self._print(expr.arg)})"

    def _print_ElementwiseApplyFunction(self, expr: ElementwiseApplyFunction) -> str:
        names = _elementwise_name(expr.function)
        if names is not None:
            return f"{names[0]}({self._print(expr.expr)})"
        return f"({self._print(expr.function)})({self._print(expr.expr)})"

    def _print_MatrixBase(self, expr: Any) -> str:
        if expr.shape == (1, 1):
            return str(self._print(expr[0, 0]))
        if expr.cols == 1:
            return "[" + ", ".join(self._print(e) for e in expr) + "]"
        rows = (
            "[" + ", ".join(self._print(e) for e in expr.row(i)) + "]" for i in range(expr.rows)
        )
        return "[" + ", ".join(rows) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_NDimArray(self, expr: Any) -> str:
        def nested(item: Any) -> str:
            if isinstance(item, list):
                return "[" + ", ".join(nested(i) for i in item) + "]"
            return str(self._print(item))

        return nested(expr.tolist())

    _print_ImmutableDenseNDimArray = _print_NDimArray
    _print_MutableDenseNDimArray = _print_NDimArray

    def _print_Tuple(self, expr: sympy.Tuple) -> str:
        # ``(a, b)`` reads back as a tuple (never ``[a, b]``, which is a vector).
        return "(" + ", ".join(self._print(e) for e in expr) + ")"


class TexPrinter(LatexPrinter):  # type: ignore[misc]
    r"""SymPy's LaTeX printer with the notation of the course (``X^\\top``, ``\\odot``)."""

    def __init__(self) -> None:
        super().__init__({"mat_str": "bmatrix", "mat_delim": "", "mul_symbol": None})

    def _print_Float(self, expr: sympy.Float) -> str:
        text = compact_float(expr)
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \cdot 10^{{{exponent}}}"
        return text

    def _latex_postfix(self, arg: Any, suffix: str) -> str:
        text = self._print(arg)
        return f"{text}{suffix}" if isinstance(arg, _ATOMS) else rf"\left({text}\right){suffix}"

    def _print_Transpose(self, expr: Any) -> str:
        return self._latex_postfix(expr.arg, r"^{\top}")

    def _print_Inverse(self, expr: Any) -> str:
        return self._latex_postfix(expr.arg, "^{-1}")

    def _print_Identity(self, expr: Any) -> str:
        return "I"

    def _print_HadamardProduct(self, expr: Any) -> str:
        return r" \odot ".join(self.parenthesize(a, PRECEDENCE["Mul"]) for a in expr.args)

    def _print_Trace(self, expr: Any) -> str:
        return rf"\operatorname{{tr}}\left({self._print(expr.arg)}\right)"

    def _print_DiagMatrix(self, expr: Any) -> str:
        return rf"\operatorname{{diag}}\left({self._print(expr.args[0])}\right)"

    def _print_DiagonalOf(self, expr: Any) -> str:
        return rf"\operatorname{{diag}}\left({self._print(expr.arg)}\right)"

    def _print_Pinv(self, expr: Any) -> str:
        return rf"{self._print(expr.arg)}^{{+}}"

    def _print_Function(self, expr: Any, exp: str | None = None) -> str:
        if type(expr).__name__ != "sigmoid":
            return super()._print_Function(expr, exp)  # type: ignore[no-any-return]
        text = rf"\sigma\left({self._print(expr.args[0])}\right)"
        return f"{text}^{{{exp}}}" if exp else text

    def _print_ElementwiseApplyFunction(self, expr: ElementwiseApplyFunction) -> str:
        names = _elementwise_name(expr.function)
        inner = self._print(expr.expr)
        if names is not None:
            return rf"{names[1]}\left({inner}\right)"
        return rf"\left({self._print(expr.function)}\right)\left({inner}\right)"

    def _print_MatrixBase(self, expr: Any) -> str:
        if expr.shape == (1, 1):
            return str(self._print(expr[0, 0]))
        return super()._print_MatrixBase(expr)  # type: ignore[no-any-return]

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase

    def _print_Tuple(self, expr: sympy.Tuple) -> str:
        return r"\left(" + ", ".join(self._print(e) for e in expr) + r"\right)"


def _prepare(value: Any) -> Any:
    value = as_value(value)
    if isinstance(value, NDimArray):
        return value.applyfunc(_with_sigmoids)
    if isinstance(value, sympy.MatrixBase):
        return value.applyfunc(_with_sigmoids)
    return _with_sigmoids(value)


def to_plain(value: Any) -> str:
    """The value in plain answer-language syntax, readable back by the parser."""
    return str(PlainPrinter({"order": None}).doprint(_prepare(value)))


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
#: Greek names the language accepts, shown as letters in the pretty echo.
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "tau": "τ", "phi": "φ",
    "Gamma": "Γ", "Lambda": "Λ", "Sigma": "Σ", "pi": "π",
}  # fmt: skip
_NOT_WORD = r"(?![A-Za-z0-9_])"
_PRETTY_RULES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (
        re.compile(r"(?<![A-Za-z0-9])(" + "|".join(_GREEK) + r")(?![A-Za-z0-9])"),
        lambda m: _GREEK[m.group(1)],
    ),
    (
        re.compile(r"(?<=[^\W\d_])_(\d{1,2})" + _NOT_WORD),
        lambda m: m.group(1).translate(_SUBSCRIPT),
    ),
    (re.compile(r"\^T" + _NOT_WORD), lambda m: "ᵀ"),
    (re.compile(r"\^(-?\d{1,3})(?![A-Za-z0-9_.])"), lambda m: m.group(1).translate(_SUPERSCRIPT)),
    (re.compile(r"\*"), lambda m: "·"),
)


def to_pretty(plain: str) -> str:
    """A one-line Unicode rendering of a plain echo: ``3·u₁·w² + Xᵀ·(X·Xᵀ)⁻¹·y``.

    Terminals cannot show LaTeX, and a two-dimensional pretty-print of a long sum wraps
    into noise at 80 columns; superscripts, subscripts, Greek letters and ``·`` are what
    make math readable on one line. It works on the plain *text* (not the value) so that
    reports, which only hold strings, can show it. It is for reading: the plain echo
    beside it is the form to copy back.
    """
    text = plain
    for pattern, replace in _PRETTY_RULES:
        text = pattern.sub(replace, text)
    return text


def to_latex(value: Any) -> str:
    """The value in LaTeX, for keys and for showing a student what was read."""
    return str(TexPrinter().doprint(_prepare(value)))


__all__ = [
    "SIGMOID",
    "PlainPrinter",
    "TexPrinter",
    "compact_float",
    "to_latex",
    "to_plain",
    "to_pretty",
]
