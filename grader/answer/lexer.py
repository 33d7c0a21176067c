"""Plain-syntax tokenizer of the answer language, plus the token type both syntaxes share.

Plain and LaTeX answers are two spellings of one language, so both tokenizers emit the
same :class:`Token` stream and a single parser (:mod:`hwgrade.grader.answer.syntax`) reads it.
Everything outside the language is refused here, character by character, with the
column where it was found: student text is never handed to Python or SymPy's parsers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError
from hwgrade.grader.names import GREEK_TO_NAME, canonical_name

#: Longest answer string accepted (characters).
MAX_LENGTH = 2_000
#: Most characters over all leaves of a list answer.
MAX_LIST_CHARS = 10_000
#: Most entries of a list answer.
MAX_LIST_ENTRIES = 10_000
#: Most tokens in one answer string.
MAX_TOKENS = 1_000
#: Most nested parentheses, brackets and operators.
MAX_DEPTH = 50
#: Most digits in one integer literal (also bounds a decimal's mantissa).
MAX_DIGITS = 30
#: Largest ``|e|`` in a decimal literal ``1e-3``.
MAX_DECIMAL_EXPONENT = 300

# Token kinds.
NUM, NAME, FUNC, OP = "NUM", "NAME", "FUNC", "OP"
LPAREN, RPAREN, LBRACK, RBRACK, COMMA = "LPAREN", "RPAREN", "LBRACK", "RBRACK", "COMMA"
TRANSPOSE, SUP, NORM, END = "TRANSPOSE", "SUP", "NORM", "END"

#: Functions of the language by every accepted spelling -> canonical function name.
FUNCTIONS: dict[str, str] = {
    "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "abs": "abs", "sin": "sin",
    "cos": "cos", "tan": "tan", "tanh": "tanh", "sigmoid": "sigmoid", "sigma": "sigmoid",
    "relu": "relu", "ReLU": "relu", "max": "max", "min": "min", "transpose": "transpose",
    "inv": "inv", "inverse": "inv", "pinv": "pinv", "diag": "diag", "trace": "trace", "tr": "trace",
    "Tr": "trace", "norm": "norm", "hadamard": "hadamard", "det": "det",
    "sec": "sec", "csc": "csc", "cot": "cot", "sinh": "sinh", "cosh": "cosh",
    "asin": "asin", "acos": "acos", "atan": "atan", "arcsin": "asin", "arccos": "acos",
    "arctan": "atan", "atan2": "atan2", "arctan2": "atan2", "asinh": "asinh",
    "acosh": "acosh", "atanh": "atanh", "arcsinh": "asinh", "arccosh": "acosh",
    "arctanh": "atanh", "arsinh": "asinh", "arcosh": "acosh", "artanh": "atanh",
    "sign": "sign", "sgn": "sign", "factorial": "factorial", "binomial": "binomial", "mod": "mod",
    "floor": "floor", "ceil": "ceiling", "ceiling": "ceiling",
    "Matrix": "matrix", "ImmutableMatrix": "matrix", "array": "matrix",
}  # fmt: skip

_DERIVE = "write the derivative itself"
_SOLVE = "write the result itself"
#: What to write instead of a library call pasted from NumPy / SymPy / PyTorch.
_LIBRARY_PREFIXES = ("np", "numpy", "sp", "sympy", "torch", "scipy", "math", "jnp")
_INSTEAD = {
    "inv": "inv(A) or A^-1",
    "pinv": "pinv(A)",
    "dot": "the product A B (or A @ B)",
    "matmul": "the product A B (or A @ B)",
    "transpose": "A^T",
    "outer": "a b^T",
    "eye": "I",
    "identity": "I",
}


def _attribute_message(tokens: list[Token], text: str, i: int) -> str:
    """Why ``.name`` is refused: and, for a pasted library call, what to write instead."""
    chain = re.match(r"(?:\.[A-Za-z_]\w*)+", text[i:])
    prefix = tokens[-1].text if tokens and tokens[-1].kind == NAME else ""
    if chain is None or prefix not in _LIBRARY_PREFIXES:
        return "attribute access is not allowed (only `.T` for a transpose)"
    attr = chain.group(0).rsplit(".", 1)[-1]
    call = f"`{prefix}{chain.group(0)}`"
    if attr in _INSTEAD:
        return f"{call} is library code, not part of the answer language: write {_INSTEAD[attr]}"
    if attr in FUNCTIONS:
        return f"{call} is library code: write {attr}(...) without the `{prefix}.` prefix"
    return f"{call} is library code, not part of the answer language: write the formula itself"


#: Names refused on sight, with the reason shown to the student.
FORBIDDEN: dict[str, str] = {
    **dict.fromkeys(["diff", "Derivative", "derivative", "grad", "gradient", "jacobian"], _DERIVE),
    **dict.fromkeys(["integrate", "Integral", "integral"], "write the integral's value"),
    **dict.fromkeys(["solve", "dsolve", "nsolve", "linsolve", "solveset", "roots"], _SOLVE),
    **dict.fromkeys(["limit", "Limit", "lim", "series"], _SOLVE),
    **dict.fromkeys(["sum", "Sum", "summation", "product", "Product"], "write the sum out"),
    **dict.fromkeys(
        ["simplify", "expand", "factor", "subs", "evalf", "doit", "Subs"],
        "write the result itself",
    ),
    **dict.fromkeys(
        [
            "eval",
            "exec",
            "import",
            "compile",
            "getattr",
            "setattr",
            "globals",
            "locals",
            "sympify",
            "parse_expr",
            "lambdify",
            "builtins",
        ],
        "it is not part of the answer language",
    ),
    **dict.fromkeys(
        [
            "for",
            "in",
            "if",
            "else",
            "elif",
            "import",
            "def",
            "class",
            "return",
            "not",
            "and",
            "or",
            "is",
            "while",
            "with",
            "yield",
            "from",
            "as",
            "None",
            "True",
            "False",
            "del",
            "global",
            "nonlocal",
            "async",
            "await",
            "pass",
            "raise",
            "try",
            "except",
            "finally",
            "assert",
            "break",
            "continue",
        ],
        "Python keywords are not part of the answer language",
    ),
}

#: Characters that are never part of the language, with the reason.
_BAD_CHARS: dict[str, str] = {
    "=": "`=` is not allowed: write only the expression, not an equation or assignment",
    ":": "`:` is not allowed in an answer",
    ";": "`;` is not allowed: write one expression",
    "'": "quotes and strings are not allowed",
    '"': "quotes and strings are not allowed",
    "`": "quotes and strings are not allowed",
    "<": "comparisons are not allowed: write only the expression",
    ">": "comparisons are not allowed: write only the expression",
    "|": "`|` is not plain syntax: write abs(x) or norm(v)",
    "%": "`%` is not part of the answer language",
    "#": "`#` is not part of the answer language",
    "&": "`&` is only allowed inside a LaTeX matrix",
    "\\": "backslash commands are LaTeX: choose the LaTeX syntax",
    "{": "braces are only allowed around a subscript (`u_{1}`)",
    "}": "braces are only allowed around a subscript (`u_{1}`)",
    "$": "`$` is LaTeX: choose the LaTeX syntax",
    "?": "`?` is not part of the answer language",
    "~": "`~` is not part of the answer language",
}

_OPS: dict[str, str] = {
    "+": "+", "-": "-", "−": "-", "–": "-", "*": "*", "×": "*", "·": "*", "⋅": "*",
    "∗": "*", "/": "/", "÷": "/", "^": "^", "@": "@", "⊙": "odot", "∘": "circ",
}  # fmt: skip
_PUNCT: dict[str, str] = {"(": LPAREN, ")": RPAREN, "[": LBRACK, "]": RBRACK, ",": COMMA}
_SUPERSCRIPTS: dict[str, str] = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+", strict=True))

NUMBER_RE = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
#: ``7,425,000`` / ``1,000.5``: digit groups of three, only outside brackets and calls
#: (where a comma would separate entries); LaTeX also writes ``14{,}916`` and ``32,\!349``.
GROUPED_RE = re.compile(r"[1-9]\d{0,2}(?:(?:,|\s*\{\s*,\s*\}|,\\!)\s*\d{3})+(?![\d,])(?:\.\d+)?")
_GROUP_SEP_RE = re.compile(r"\{\s*,\s*\}|,\\!|,|\s")
_LETTER = r"A-Za-z\u0370-\u03ff\u00b5\u03d1\u03d5\u03f5"
_NAME_RE = re.compile(rf"[{_LETTER}][{_LETTER}0-9]*(?:_(?:\{{[^{{}}]*\}}|[{_LETTER}0-9]+))*")
_SUBSCRIPT_BODY_RE = re.compile(rf"^\s*[{_LETTER}0-9]+(?:\s*[+-]\s*[{_LETTER}0-9]+)*\s*$")


@dataclass(frozen=True)
class Token:
    """One token of the answer language.

    Attributes:
        kind: One of the kind constants of this module (``NUM``, ``NAME``, ...).
        text: The token's value: a number's digits, a canonical name, an operator
            (``+ - * / ^ @ odot``), a superscript exponent (``-1``), a norm kind.
        pos: 0-based column in the original answer text, for error messages.
    """

    kind: str
    text: str
    pos: int


def check_length(text: str) -> None:
    """Refuse over-long answers before any work is done on them."""
    if len(text) > MAX_LENGTH:
        raise AnswerLimitError(
            f"the answer is too long ({len(text)} characters; the limit is {MAX_LENGTH})",
            position=MAX_LENGTH,
        )


def number_token(match: re.Match[str], pos: int) -> Token:
    """Check a number literal against the digit and exponent bounds and make its token.

    Bounds are enforced on the digit string, so SymPy never sees a huge literal.
    """
    mantissa, exponent = match.group(1), match.group(2) or ""
    digits = mantissa.replace(".", "").lstrip("0")
    if len(digits) > MAX_DIGITS:
        raise AnswerLimitError(
            f"the number `{match.group(0)[:40]}` has more than {MAX_DIGITS} digits",
            position=pos,
            token=match.group(0),
        )
    if exponent and abs(int(exponent[1:])) > MAX_DECIMAL_EXPONENT:
        raise AnswerLimitError(
            f"the exponent of `{match.group(0)[:40]}` is larger than {MAX_DECIMAL_EXPONENT}",
            position=pos,
            token=match.group(0),
        )
    return Token(NUM, match.group(0), pos)


def grouped_number(text: str, pos: int, end: int, depth: int) -> tuple[Token, int] | None:
    """A thousands-grouped number at ``pos`` (top level only), as a NUM token and its end."""
    match = GROUPED_RE.match(text, pos, end)
    if match is None:
        return None
    raw = match.group(0)
    plain_commas = "{" not in raw and "\\" not in raw
    if depth and plain_commas:
        return None
    if plain_commas and re.search(r",\s", raw):
        return None  # `32, 349` is two entries, not a grouped number
    digits = _GROUP_SEP_RE.sub("", raw)
    number = NUMBER_RE.fullmatch(digits)
    if number is None:  # pragma: no cover - GROUPED_RE only admits digits and one point
        return None
    return Token(NUM, number_token(number, pos).text, pos), match.end()


def name_token(raw: str, pos: int) -> Token:
    """Make a NAME token from a typed name, refusing forbidden and malformed names."""
    if "__" in raw:
        raise AnswerSyntaxError("`__` is not allowed in a name", position=pos, token=raw)
    if raw.endswith("_"):
        raise AnswerSyntaxError(f"the name `{raw}` ends with `_`", position=pos, token=raw)
    for body in re.findall(r"_\{([^{}]*)\}", raw):
        if not _SUBSCRIPT_BODY_RE.match(body):
            raise AnswerSyntaxError(
                f"the subscript `{{{body}}}` must be a name, a number or an index such as `t-1`",
                position=pos,
                token=raw,
            )
    canon = canonical_name(raw)
    if canon in FORBIDDEN:
        raise AnswerSyntaxError(
            f"`{canon}` is not allowed: {FORBIDDEN[canon]}", position=pos, token=raw
        )
    return Token(NAME, canon, pos)


def tokenize_plain(text: str) -> list[Token]:
    """Split a plain-syntax answer into tokens.

    Args:
        text: The answer as typed.

    Returns:
        The tokens, ending with an ``END`` token.

    Raises:
        AnswerSyntaxError: For a character or construct outside the language.
        AnswerLimitError: For an answer, number or token count over a bound.
    """
    check_length(text)
    tokens: list[Token] = []
    i, n = 0, len(text)
    depth = 0
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if len(tokens) >= MAX_TOKENS:
            raise AnswerLimitError(f"the answer has more than {MAX_TOKENS} tokens", position=i)
        depth += 1 if ch in "([" else -1 if ch in ")]" else 0
        grouped = grouped_number(text, i, n, depth) if ch.isdigit() else None
        if grouped:
            tokens.append(grouped[0])
            i = grouped[1]
            continue
        num = NUMBER_RE.match(text, i)
        if num and (ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit())):
            tokens.append(number_token(num, i))
            i = num.end()
            continue
        name = _NAME_RE.match(text, i)
        if name:
            tokens.append(name_token(name.group(0), i))
            i = name.end()
            continue
        if ch == "." and text.startswith(".T", i):
            after = text[i + 2 : i + 3]
            if not (after.isalnum() or after == "_"):
                tokens.append(Token(TRANSPOSE, "T", i))
                i += 2
                continue
        if ch == ".":
            raise AnswerSyntaxError(
                _attribute_message(tokens, text, i), position=i, token=text[i : i + 10]
            )
        if ch == "*" and text.startswith("**", i):
            tokens.append(Token(OP, "^", i))
            i += 2
            continue
        if ch == "!":
            tokens.append(factorial_token(text, i))
        elif ch in _OPS:
            tokens.append(Token(OP, _OPS[ch], i))
        elif ch in _PUNCT:
            tokens.append(Token(_PUNCT[ch], ch, i))
        elif ch == "ᵀ":
            tokens.append(Token(TRANSPOSE, "T", i))
        elif ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            tokens.append(superscript_token(text[i:j], i))
            i = j
            continue
        elif ch == "_":
            if text.startswith("__", i):
                raise AnswerSyntaxError("`__` is not allowed", position=i, token="__")
            raise AnswerSyntaxError("a name cannot start with `_`", position=i, token=ch)
        elif ch in _BAD_CHARS:
            raise AnswerSyntaxError(_BAD_CHARS[ch], position=i, token=ch)
        else:
            raise AnswerSyntaxError(f"unexpected character `{ch}`", position=i, token=ch)
        i += 1
    tokens.append(Token(END, "", n))
    return tokens


def factorial_token(text: str, pos: int) -> Token:
    """A postfix factorial ``!``; ``!=`` is a comparison and refused."""
    if text.startswith("!=", pos):
        raise AnswerSyntaxError(
            "comparisons are not allowed: write only the expression", position=pos, token="!="
        )
    return Token(OP, "!", pos)


def superscript_token(raw: str, pos: int) -> Token:
    """Turn a run of superscript glyphs (``⁻¹``, ``²``) into one exponent token."""
    value = "".join(_SUPERSCRIPTS[c] for c in raw)
    if not re.fullmatch(r"[-+]?\d{1,4}", value):
        raise AnswerSyntaxError(f"cannot read the superscript `{raw}`", position=pos, token=raw)
    return Token(SUP, value, pos)


def is_greek_letter(name: str) -> bool:
    """Whether a canonical name is a spelled Greek letter (``eta``), a one-letter name."""
    return name in GREEK_TO_NAME.values()


__all__ = [
    "COMMA",
    "END",
    "FORBIDDEN",
    "FUNC",
    "FUNCTIONS",
    "LBRACK",
    "LPAREN",
    "MAX_DECIMAL_EXPONENT",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_LENGTH",
    "MAX_LIST_CHARS",
    "MAX_LIST_ENTRIES",
    "MAX_TOKENS",
    "NAME",
    "NORM",
    "NUM",
    "OP",
    "RBRACK",
    "RPAREN",
    "SUP",
    "TRANSPOSE",
    "Token",
    "check_length",
    "factorial_token",
    "grouped_number",
    "is_greek_letter",
    "name_token",
    "number_token",
    "tokenize_plain",
]
