r"""LaTeX tokenizer: turns a LaTeX answer into the same tokens as plain syntax.

SymPy's LaTeX parsers reject much of what students write (``\sigma(z)``, ``X^\top``,
``\|v\|``), so LaTeX is only a second spelling of our own language: ``\frac{a}{b}``
becomes ``((a)/(b))``, a ``bmatrix`` becomes nested ``[...]`` lists, and the one parser
reads both. As in TeX, adjacent letters are separate symbols (``pXw`` = p X w).

The reader is one pass over the text with a stack for braces, fractions and matrices
(:class:`_LatexReader`). What each command means is data, in the tables below: a command
is skipped (spacing), refused with what to write instead (``_REFUSED``: calculus,
relations, ``\text``), a fixed run of tokens (``_TOKENS``: ``\cdot``, ``\top``), or a
reader method (``_HANDLERS``: ``\frac``, ``\begin``, fonts, Greek letters). A new command
is one row in one table, and a test keeps the tables disjoint, so a name has one
meaning. Bare ``|`` bars that the left-to-right rule cannot pair are paired by
:func:`_resolve_bars` when exactly one pairing exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hwgrade.grader.answer.lexer import (
    _BAD_CHARS,
    _OPS,
    COMMA,
    END,
    FORBIDDEN,
    FUNC,
    FUNCTIONS,
    LBRACK,
    LPAREN,
    MAX_TOKENS,
    NAME,
    NORM,
    NUM,
    NUMBER_RE,
    OP,
    RBRACK,
    RPAREN,
    TRANSPOSE,
    Token,
    check_length,
    factorial_token,
    grouped_number,
    name_token,
    number_token,
)
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError
from hwgrade.grader.names import GREEK

#: Greek letter commands (and their ``\var`` spellings) -> the plain name they stand for.
GREEK_CMDS: dict[str, str] = {name: name for name in GREEK}
GREEK_CMDS.update(
    {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varsigma": "sigma",
     "varrho": "rho", "varpi": "pi", "varkappa": "kappa"}
)  # fmt: skip
#: A LaTeX command: a backslash and a word, or a backslash and one character.
CMD_RE = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
#: A character that is a one-letter symbol on its own (as in TeX, ``pXw`` is p X w).
LETTER_RE = re.compile(r"[A-Za-z\u0370-\u03ff\u00b5]")
#: Text of the parentheses the reader inserts for groups (``{...}``, ``\frac``, ``\sqrt``):
#: only a typed ``(`` or ``\left(`` has the text ``(``, and only that one opens a tuple.
GROUP = "{"
#: A subscript that names an entry by an index expression (``h_{t-1}``, ``a_{n+k}``).
_INDEX_RE = re.compile(r"[A-Za-z0-9\u0370-\u03ff]+(?:[+-][A-Za-z0-9\u0370-\u03ff]+)+")


_SKIP = {",", ";", "!", ":", " ", ">", "quad", "qquad", "displaystyle", "limits", "textstyle",
         "thinspace", "medspace", "thickspace", "negthinspace", "negmedspace",
         "negthickspace", "enspace", "nobreakspace"}  # fmt: skip
#: Relations: an answer is an expression, never an equation or a comparison.
_RELATIONS = {"neq", "ne", "leq", "le", "geq", "ge", "lt", "gt", "leqslant", "geqslant",
              "approx", "equiv", "sim", "simeq", "cong", "propto", "ll", "gg", "to",
              "rightarrow", "Rightarrow", "implies", "iff", "mapsto", "in"}  # fmt: skip
_SIZES = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg",
          "biggl", "biggr", "Biggl", "Biggr", "middle"}  # fmt: skip
_FONTS = {"mathbf", "boldsymbol", "bm", "mathrm", "mathit", "mathsf", "vec", "mathbb", "mathcal"}
_FUNC_CMDS = {"exp", "log", "ln", "sin", "cos", "tan", "tanh", "max", "min", "det", "tr", "trace",
              "sec", "csc", "cot", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh",
              "arccosh", "arctanh", "arsinh", "arcosh", "artanh", "floor", "ceil"}  # fmt: skip
#: ``\sin^{-1}`` is the inverse function, not a reciprocal.
_INVERSE = {"sin": "asin", "cos": "acos", "tan": "atan", "sinh": "asinh", "cosh": "acosh",
            "tanh": "atanh"}  # fmt: skip
_INVERSE_RE = re.compile(r"\s*\^\s*(?:\{\s*-\s*1\s*\}|-1)")
_LOG_BASE_RE = re.compile(r"\s*_\s*(\{|[A-Za-z0-9])")
#: The differential of Leibniz notation: ``d``, ``\mathrm{d}``, ``\mathrm d``, ``\partial``.
_D = r"(?:d|\\mathrm\s*\{\s*d\s*\}|\\mathrm\s+d|\\operatorname\s*\{\s*d\s*\}|\\partial)"
#: ``\frac{d}{dx}``, ``\frac{d f}{dx}``, ``\frac{\partial}{\partial x}``: a numerator that
#: starts with a differential over a denominator that is one (followed by a variable).
_LEIBNIZ_RE = re.compile(
    rf"\s*\{{\s*{_D}\s*(?:(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{{?[\w\\]+\}}?)?\s*)?\}}"
    rf"\s*\{{\s*{_D}\s*(?:[A-Za-z]|\\[A-Za-z])"
)
#: The content of a font command that is a number (``\mathrm{2}``, ``\mathbf{1}``).
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_MIXED_RE = re.compile(r"\\[dt]?frac\s*(?:\{\s*(\d+)\s*\}|(\d))\s*(?:\{\s*(\d+)\s*\}|(\d))")
_POWER_RE = re.compile(r"\s*\^\s*(?:\{\s*(\d+)\s*\}|(\d))")
_OP_CMDS = {"cdot": "*", "times": "*", "ast": "*", "cdotp": "*", "odot": "odot", "circ": "circ",
            "div": "/"}  # fmt: skip
#: Commands whose braced arguments make one whole function argument (``\sin^2 \frac{x}{2}``).
_WHOLE_ARGS = {"frac", "dfrac", "tfrac", "sqrt", "binom", "tbinom", "dbinom"}
_ENVS = {"bmatrix", "pmatrix", "matrix", "Bmatrix", "smallmatrix", "array", "vmatrix"}
_CALCULUS = {"sum": "write the sum out", "prod": "write the product out",
             "int": "write the integral's value", "iint": "write the integral's value",
             "oint": "write the integral's value", "partial": "write the derivative itself",
             "nabla": "write the gradient itself", "lim": "write the limit's value"}  # fmt: skip


_TOP_RE = re.compile(r"\s*(?:\\top|\\intercal|\{\s*(?:\\top|\\intercal)\s*\})(?![A-Za-z])")
_DEGREE_RE = re.compile(r"\s*(?:\\circ|\{\s*\\circ\s*\})(?![A-Za-z])")
_GROUPS = {"group", "frac1", "frac2", "rootarg", "binom1", "binom2"}


#: Bar commands: (``norm`` or ``abs``, opens / closes / ``None`` = by context).
_BARS: dict[str, tuple[str, bool | None]] = {
    "|": ("norm", None), "Vert": ("norm", None), "lVert": ("norm", True),
    "rVert": ("norm", False), "vert": ("abs", None), "lvert": ("abs", True),
    "rvert": ("abs", False),
}  # fmt: skip
#: Commands refused, with what to write instead (``{name}`` is the command's name).
_REFUSED: dict[str, str] = {
    **{name: f"`\\{{name}}` is not allowed: {why}" for name, why in _CALCULUS.items()},
    **dict.fromkeys(
        _RELATIONS,
        "`\\{name}` is a relation: write only the expression, not an equation or a comparison",
    ),
    "text": "`\\text{{}}` is not allowed in an answer",
    "lg": "`\\lg` is log base 2 in computer science and base 10 elsewhere: write `\\log_2` or"
    " `\\log_{{10}}`",
}
#: Commands that stand for a fixed run of tokens.
_TOKENS: dict[str, tuple[tuple[str, str], ...]] = {
    **{name: ((OP, op),) for name, op in _OP_CMDS.items()},
    "mod": ((OP, "mod"),), "bmod": ((OP, "mod"),), "exponentialE": ((NAME, "e"),),
    "infty": ((NAME, "oo"),), "top": ((TRANSPOSE, "T"),), "intercal": ((TRANSPOSE, "T"),),
    "{": ((LPAREN, GROUP),), "}": ((RPAREN, "}"),),
}  # fmt: skip


def strip_wrappers(text: str) -> tuple[int, int]:
    r"""The span of ``text`` inside ``$...$``, ``\(...\)`` and trailing punctuation.

    Returned as indices into the original text so that error columns stay true.
    """
    a, b = 0, len(text)
    changed = True
    while changed:
        changed = False
        while a < b and text[a].isspace():
            a += 1
        while b > a and (text[b - 1].isspace() or text[b - 1] in ".,"):
            b -= 1
        while b - a >= 2 and text[b - 2] == "\\" and text[b - 1] in ",;!":
            b, changed = b - 2, True
        for left, right in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
            fits = b - a >= len(left) + len(right) and text.startswith(left, a)
            if fits and text[b - len(right) : b] == right:
                a, b, changed = a + len(left), b - len(right), True
                break
    return a, b


class _LatexReader:
    """One pass over a LaTeX answer with a stack for braces, fractions and matrices."""

    def __init__(
        self, text: str, start: int, end: int, bars: dict[int, bool] | None = None
    ) -> None:
        self.text, self.i, self.end = text, start, end
        self.bars = bars  # bare `|` position -> opening, when resolved by _resolve_bars
        self.tokens: list[Token] = []
        self.stack: list[tuple[str, int]] = []
        self.envs: list[str] = []  # the environments open, innermost last
        self.open_norms = {"norm": 0, "abs": 0}
        #: The stack depth at which each typed `(` still open was typed: a `(` must close
        #: in the brace group it opened in (``\frac{(2 + x}{1 - x)}`` is an error).
        self.paren_depths: list[tuple[int, int]] = []

    # -- reading steps every construct is built from --------------------------------

    def emit(self, kind: str, value: str, pos: int) -> None:
        """Append one token, refusing to grow past MAX_TOKENS (bounds come before SymPy)."""
        if len(self.tokens) >= MAX_TOKENS:
            raise AnswerLimitError(f"the answer has more than {MAX_TOKENS} tokens", position=pos)
        self.tokens.append(Token(kind, value, pos))

    def fail(self, message: str, pos: int, token: str | None = None) -> AnswerSyntaxError:
        """An error at ``pos`` for the caller to raise, so every exit stays visible there."""
        return AnswerSyntaxError(message, position=pos, token=token)

    def skip_space(self) -> None:
        """Skip spaces and ``~`` (a TeX tie): neither ever separates two tokens here."""
        while self.i < self.end and (self.text[self.i].isspace() or self.text[self.i] == "~"):
            self.i += 1

    def braced(self, what: str) -> str:
        """Read ``{...}`` (no nesting) or a single character and return its content."""
        self.skip_space()
        pos = self.i
        if self.i < self.end and self.text[self.i] == "{":
            close = self.text.find("}", self.i, self.end)
            if close < 0:
                raise self.fail(f"missing `}}` after {what}", pos)
            self.i = close + 1
            return self.text[pos + 1 : close].strip()
        if self.i < self.end and self.text[self.i].isalnum():
            self.i += 1
            return self.text[pos]
        raise self.fail(f"expected `{{...}}` after {what}", pos)

    def plain_name(self, content: str, pos: int, index: bool = False) -> str:
        r"""Turn font/subscript content (``W``, ``\beta``, ``out``) into a plain name.

        With ``index``, the content of a subscript may also be an index expression
        (``t-1``, ``n+k``): it comes back braced (``{t-1}``), as part of the name.
        """

        def greek(m: re.Match[str]) -> str:
            if m.group(1) not in GREEK_CMDS:
                raise self.fail(f"`\\{m.group(1)}` cannot be part of a name", pos)
            return GREEK_CMDS[m.group(1)]

        name = re.sub(r"\\([A-Za-z]+)\s*", greek, content).replace(" ", "")
        if index and _INDEX_RE.fullmatch(name):
            return "{" + name + "}"
        if not re.fullmatch(r"[A-Za-z0-9\u0370-\u03ff_]+", name):
            what = "a name, a number or an index such as `t-1`" if index else "a name or a number"
            raise self.fail(f"`{content}` must be {what}", pos, content)
        return name

    def subscript(self, base: str, pos: int) -> str:
        """Append a ``_1`` / ``_{t}`` subscript to a name, if one follows."""
        self.skip_space()
        if self.i < self.end and self.text[self.i] == "_":
            self.i += 1
            sub_pos = self.i
            self.skip_space()
            if self.text.startswith("\\", self.i):
                cmd = CMD_RE.match(self.text, self.i)
                content = cmd.group(0) if cmd else "\\"
                self.i = cmd.end() if cmd else self.i + 1
            else:
                content = self.braced("`_`")
            return f"{base}_{self.plain_name(content, sub_pos, index=True)}"
        return base

    def emit_name(self, base: str, pos: int) -> None:
        """Emit a name with its subscript, checked like a plain-syntax name."""
        token = name_token(self.subscript(base, pos), pos)
        self.emit(NAME, token.text, pos)

    # -- the main loop ---------------------------------------------------------------

    def step(self) -> None:
        """Tokenize what starts at the current position (one token or command)."""
        text = self.text
        pos, ch = self.i, text[self.i]
        if ch.isspace() or ch == "~":
            self.i += 1
            return
        if ch.isdigit():
            opened = sum(t.kind in (LPAREN, LBRACK) for t in self.tokens)
            closed = sum(t.kind in (RPAREN, RBRACK) for t in self.tokens)
            grouped = grouped_number(text, pos, self.end, opened - closed)
            if grouped:
                self.emit(NUM, grouped[0].text, pos)
                self.i = grouped[1]
                return
        num = NUMBER_RE.match(text, pos, self.end)
        if num and (ch.isdigit() or (ch == "." and text[pos + 1 : pos + 2].isdigit())):
            tok = number_token(num, pos)
            self.emit(NUM, tok.text, pos)
            self.i = num.end()
        elif LETTER_RE.match(ch):
            self.i += 1
            self.emit_name(ch, pos)
        elif ch == "\\":
            self.command(pos)
        elif ch == "^":
            self.i += 1
            if _DEGREE_RE.match(text, self.i, self.end):
                raise self.fail(
                    "degrees (`^\\circ`) are not part of the answer language: write the angle"
                    " in radians (x^\\circ is x pi/180)",
                    pos,
                    "^",
                )
            top = _TOP_RE.match(text, self.i, self.end)
            if top:
                self.emit(TRANSPOSE, "T", pos)
                self.i = top.end()
                return
            self.emit(OP, "^", pos)
            self.skip_space()
            if self.i < self.end and text[self.i].isdigit():
                self.emit(NUM, text[self.i], self.i)
                self.i += 1
        else:
            self.i += 1
            self.punct(ch, pos)

    def run(self) -> list[Token]:
        while self.i < self.end:
            self.step()
        if self.stack:
            kind, where = self.stack[-1]
            closer = {"env": "`\\end`", "brack": "`]`", "rootidx": "`]`"}.get(kind, "`}`")
            raise self.fail(f"missing {closer} for the group opened here", where)
        self.emit(END, "", self.end)
        return self.tokens

    def run_one(self) -> None:
        r"""Tokenize exactly one character or command (a one-token ``\log_2`` base)."""
        end, self.end = self.end, self.i + 1
        try:
            self.step()
        finally:
            self.end = end

    def punct(self, ch: str, pos: int) -> None:
        r"""Tokenize one character that is not a command (``\left{`` hands its brace here)."""
        if ch == "{":
            self.emit(LPAREN, GROUP, pos)
            self.stack.append(("group", pos))
        elif ch == "}" and self.stack and self.stack[-1][0] == "logbase":
            self.stack.pop()
            self.close_log_base(pos)
        elif self.closes_power(ch):
            self.close_power(self.stack.pop()[0], pos)
        elif ch == "}":
            if not self.stack or self.stack[-1][0] not in _GROUPS:
                raise self.fail("unbalanced `}`", pos, ch)
            if self.paren_depths and self.paren_depths[-1][0] == len(self.stack):
                where = self.paren_depths[-1][1]
                raise self.fail("this `(` is not closed before the `}` of its group", where, "(")
            self.close(self.stack.pop()[0], pos)
        elif ch == "[":
            self.emit(LBRACK, "[", pos)
            self.stack.append(("brack", pos))
        elif ch == "]":
            if not self.stack or self.stack[-1][0] not in ("brack", "rootidx"):
                raise self.fail("unbalanced `]`", pos, ch)
            if self.stack.pop()[0] == "rootidx":
                self.emit(COMMA, ",", pos)
                self.open_arg("rootarg")
            else:
                self.emit(RBRACK, "]", pos)
        elif ch in "(),":
            if ch == "(":
                self.paren_depths.append((len(self.stack), pos))
            elif ch == ")" and self.paren_depths:
                if self.paren_depths[-1][0] != len(self.stack):
                    raise self.fail(
                        "this `)` closes a `(` opened outside its `{...}` group", pos, ch
                    )
                self.paren_depths.pop()
            self.emit({"(": LPAREN, ")": RPAREN, ",": COMMA}[ch], ch, pos)
        elif ch in _OPS:
            self.emit(OP, _OPS[ch], pos)
        elif ch == "|" and self.bars is not None:
            self.emit(NORM, "abs<" if self.bars[pos] else "abs", pos)
        elif ch == "|" and self.text.startswith("|", self.i) and self.double_bar_norm():
            self.i += 1
            self.norm("norm", pos, None)
        elif ch == "|":
            after_op = bool(self.tokens) and self.tokens[-1].kind in (OP, LPAREN, COMMA)
            self.norm("abs", pos, True if after_op else None)  # `|a - |b||`
        elif ch == "!":
            self.tokens.append(factorial_token(self.text, pos))
        elif ch == "&" and self.in_env():
            self.emit(COMMA, ",", pos)
        elif ch == "ᵀ":
            self.emit(TRANSPOSE, "T", pos)
        elif ch == "_":
            raise self.fail("a subscript `_` must follow a name", pos, ch)
        elif ch == "'":
            raise self.fail("primes are not allowed: write the derivative itself", pos, ch)
        elif ch in _BAD_CHARS and ch not in "\\{}":
            raise self.fail(_BAD_CHARS[ch], pos, ch)
        else:
            raise self.fail(f"unexpected character `{ch}`", pos, ch)

    # -- commands ----------------------------------------------------------------------

    def command(self, pos: int) -> None:
        """Tokenize the backslash command at ``pos``: look its name up in the tables."""
        found = CMD_RE.match(self.text, self.i)
        if found is None or found.end() > self.end:
            raise self.fail("a lone backslash", pos, "\\")
        self.i = found.end()
        name = found.group(1)
        if name in _SKIP:
            return
        if name in _REFUSED:
            raise self.fail(_REFUSED[name].format(name=name), pos, f"\\{name}")
        if name in _TOKENS:
            for kind, value in _TOKENS[name]:
                self.emit(kind, value, pos)
            return
        handler = _HANDLERS.get(name)
        if handler is None:
            raise self.fail(f"unknown LaTeX command `\\{name}`", pos, f"\\{name}")
        handler(self, name, pos)

    # -- the commands with a handler (see _HANDLERS) ---------------------------------
    def sized(self, name: str, pos: int) -> None:
        r"""``\left``, ``\bigl``, ``\right``, ...: the delimiter after it, opening or closing."""
        opens = name == "left" or (name != "middle" and name.endswith("l"))
        closes = name == "right" or name.endswith("r")
        self.delimiter(pos, True if opens else False if closes else None)

    def frac(self, name: str, pos: int) -> None:
        r"""``\frac{a}{b}`` is ``((a)/(b))``; after an integer, a mixed number; never d/dx."""
        if name != "cfrac" and self.mixed_number(pos):
            return
        if _LEIBNIZ_RE.match(self.text, self.i):
            raise self.fail(
                "a derivative written as d/dx is not allowed: write the derivative itself", pos
            )
        self.emit(LPAREN, GROUP, pos)
        self.open_arg("frac1")

    def sqrt(self, name: str, pos: int) -> None:
        r"""``\sqrt{x}``, or ``\sqrt[n]{x}`` the n-th root."""
        self.skip_space()
        if self.text.startswith("[", self.i):
            self.emit(FUNC, "root", pos)
            self.emit(LPAREN, GROUP, pos)
            self.stack.append(("rootidx", self.i))
            self.i += 1
        else:
            self.emit(FUNC, "sqrt", pos)
            self.open_arg("group")

    def decorated(self, name: str, pos: int) -> None:
        r"""A decorated name is its own symbol: ``\bar{x}`` is ``x_bar``, never ``x``."""
        self.emit_name(self.plain_name(self.braced(f"`\\{name}`"), pos) + "_bar", pos)

    def font(self, name: str, pos: int) -> None:
        r"""``\mathbf{W}`` is the name ``W``; ``\mathrm{2}`` is the number 2."""
        content = self.braced(f"`\\{name}`")
        if _NUMBER_RE.fullmatch(content.strip()):
            self.emit(NUM, content.strip(), pos)
        else:
            self.emit_name(self.plain_name(content, pos), pos)

    def operatorname(self, name: str, pos: int) -> None:
        r"""``\operatorname{diag}``: a function of the language, by its plain name."""
        fname = self.plain_name(self.braced("`\\operatorname`"), pos)
        if fname in FORBIDDEN:
            raise self.fail(f"`{fname}` is not allowed: {FORBIDDEN[fname]}", pos, fname)
        if fname not in FUNCTIONS:
            raise self.fail(f"unknown function `{fname}`", pos, fname)
        self.emit(FUNC, FUNCTIONS[fname], pos)

    def function_command(self, name: str, pos: int) -> None:
        r"""``\sin``, ``\log``, ``\det``, ...: see :meth:`function`."""
        self.function(FUNCTIONS[name], pos)

    def boxed(self, name: str, pos: int) -> None:
        r"""``\boxed{...}`` is the group it frames."""
        self.skip_space()
        if not self.text.startswith("{", self.i):
            raise self.fail("expected `{...}` after `\\boxed`", pos)
        self.emit(LPAREN, GROUP, pos)
        self.stack.append(("group", self.i))
        self.i += 1

    def greek(self, name: str, pos: int) -> None:
        r"""``\alpha``, ``\varepsilon``: the plain name, with its subscript."""
        self.emit_name(GREEK_CMDS[name], pos)

    def bar(self, name: str, pos: int) -> None:
        r"""``\|``, ``\lVert``, ``\vert``, ...: a norm or absolute-value bar (see _BARS)."""
        kind, opening = _BARS[name]
        self.norm(kind, pos, opening)

    def begin(self, name: str, pos: int) -> None:
        r"""``\begin{bmatrix}``: a matrix as nested lists (``vmatrix``: its determinant)."""
        env = self.braced("`\\begin`")
        if env not in _ENVS:
            raise self.fail(f"the environment `{env}` is not supported", pos, env)
        if env == "array":
            self.braced("the column spec of `array`")
        if self.tokens and self.tokens[-1].kind in (NAME, NUM, RPAREN, RBRACK):
            self.emit(OP, "*", pos)  # \theta\begin{matrix}...: a product, not indexing
        if env == "vmatrix":  # the determinant, as typeset: det([[...]])
            self.emit(FUNC, "det", pos)
            self.emit(LPAREN, GROUP, pos)
        self.stack.append(("env", pos))
        self.envs.append(env)
        self.emit(LBRACK, "[", pos)
        self.emit(LBRACK, "[", pos)

    def end_env(self, name: str, pos: int) -> None:
        r"""``\end{bmatrix}``, which must close the environment its ``\begin`` opened."""
        env = self.braced("`\\end`")
        if not self.in_env():
            raise self.fail("`\\end` without a matching `\\begin`", pos)
        if env != self.envs[-1]:
            raise self.fail(f"`\\end{{{env}}}` closes `\\begin{{{self.envs[-1]}}}`", pos, env)
        self.stack.pop()
        self.envs.pop()
        kinds = [t.kind for t in self.tokens[-3:]]
        if kinds == [RBRACK, COMMA, LBRACK]:
            del self.tokens[-2:]
        else:
            self.emit(RBRACK, "]", pos)
        self.emit(RBRACK, "]", pos)
        if env == "vmatrix":
            self.emit(RPAREN, ")", pos)

    def row_break(self, name: str, pos: int) -> None:
        r"""``\\`` ends a matrix row; outside a matrix it means nothing here."""
        if not self.in_env():
            raise self.fail(f"unknown LaTeX command `\\{name}`", pos, f"\\{name}")
        self.emit(RBRACK, "]", pos)
        self.emit(COMMA, ",", pos)
        self.emit(LBRACK, "[", pos)

    def binom(self, name: str, pos: int) -> None:
        r"""``\binom{n}{k}`` is ``binomial((n), (k))``."""
        self.emit(FUNC, "binomial", pos)
        self.emit(LPAREN, "(", pos)
        self.open_arg("binom1")

    def in_env(self) -> bool:
        """Whether the innermost open group is a matrix environment."""
        return bool(self.stack) and self.stack[-1][0] == "env"

    # -- what several commands share --------------------------------------------------

    def function(self, func: str, pos: int) -> None:
        r"""A function command, with ``\sin^{-1}`` (inverse) and ``\cos^2(x)`` (power)."""
        base = _LOG_BASE_RE.match(self.text, self.i, self.end) if func == "log" else None
        if base:  # \log_{b} x = (1/log(b)) log x
            self.emit(LPAREN, GROUP, pos)
            self.emit(NUM, "1", pos)
            self.emit(OP, "/", pos)
            self.emit(FUNC, "log", pos)
            self.emit(LPAREN, GROUP, pos)
            if base.group(1) == "{":
                self.stack.append(("logbase", pos))
                self.i = base.end()
                return
            self.i = base.end() - 1
            self.run_one()
            self.close_log_base(pos)
            return
        inverse = _INVERSE_RE.match(self.text, self.i, self.end)
        if inverse and func in _INVERSE:
            self.i = inverse.end()
            self.emit(FUNC, _INVERSE[func], pos)
            return
        power = _POWER_RE.match(self.text, self.i, self.end)
        if power is None:
            self.emit(FUNC, func, pos)
            return
        # f^n(x): read the argument as f's, then raise the call to n (a group is closed
        # by the "fpow" entry on the stack, or right after a one-token argument).
        self.i = power.end()
        exponent = power.group(1) or power.group(2)
        self.emit(LPAREN, GROUP, pos)
        self.emit(FUNC, func, pos)
        self.skip_space()
        if self.i < self.end and self.text[self.i] in "({":
            opener = self.text[self.i]
            self.emit(LPAREN, GROUP, self.i)
            self.stack.append(("fpow:" + exponent + (":paren" if opener == "(" else ""), self.i))
            self.i += 1
            return
        # \sin^2 x, \cos^2\theta: a one-name argument, as typeset (sin(x)^2)
        cmd = CMD_RE.match(self.text, self.i, self.end)
        at = self.i
        if cmd is not None and cmd.group(1) in _WHOLE_ARGS:
            # \sin^2 \frac{x}{2}: the fraction is the argument; closing it ends the call
            self.emit(LPAREN, GROUP, at)
            self.stack.append(("fpow:" + exponent + ":after", at))
            return
        if self.i < self.end and LETTER_RE.match(self.text[self.i]):
            self.i += 1
            self.emit(LPAREN, GROUP, at)
            self.emit_name(self.text[at], at)
        elif cmd is not None and cmd.group(1) in GREEK_CMDS:
            self.i = cmd.end()
            self.emit(LPAREN, GROUP, at)
            self.emit_name(GREEK_CMDS[cmd.group(1)], at)
        else:
            raise self.fail(
                f"write `\\{func}^{exponent}(...)` with its argument in parentheses", pos
            )
        self.close_power("fpow:" + exponent, pos)

    def bracket_function(self, name: str, pos: int) -> None:
        r"""``\lfloor x \rfloor`` and ``\lceil x \rceil``."""
        func = "floor" if "floor" in name else "ceiling"
        if name.startswith("l"):
            self.emit(FUNC, func, pos)
            self.emit(LPAREN, GROUP, pos)
            self.stack.append(("bracket:" + func, pos))
            return
        if not self.stack or self.stack[-1][0] != "bracket:" + func:
            raise self.fail(f"`\\{name}` without its opening bracket", pos)
        self.stack.pop()
        self.emit(RPAREN, ")", pos)

    def norm(self, kind: str, pos: int, opening: bool | None) -> None:
        """A norm or absolute-value bar; ``opening=None``: it opens only if none is open."""
        if opening is None:
            opening = self.open_norms[kind] == 0
        nested = opening and self.open_norms[kind] > 0  # `abs<`: the parser must open here
        self.open_norms[kind] += 1 if opening else -1
        self.emit(NORM, kind + "<" if nested else kind, pos)
        if not opening and kind == "norm":
            self.skip_space()
            if self.text.startswith("_", self.i):
                self.i += 1
                sub = self.braced("`_` after a norm")
                if sub not in ("2", "F"):
                    raise self.fail("only the 2-norm `\\|v\\|_2` is supported", pos, sub)

    def delimiter(self, pos: int, side: bool | None = None) -> None:
        r"""The delimiter after ``\left``/``\right``/``\big`` (``side``: opens/closes)."""
        self.skip_space()
        if self.i >= self.end:
            raise self.fail("missing delimiter after `\\left` or `\\right`", pos)
        ch = self.text[self.i]
        if ch == "\\":
            cmd = CMD_RE.match(self.text, self.i)
            assert cmd is not None
            self.i = cmd.end()
            name = cmd.group(1)
            if name in ("{", "}"):
                self.emit(*_TOKENS[name][0], pos)
            elif name in _BARS:
                kind, opening = _BARS[name]
                self.norm(kind, pos, side if opening is None else opening)
            else:
                raise self.fail(f"`\\{name}` is not a delimiter", pos)
            return
        self.i += 1
        if ch in "{}":
            self.punct(ch, pos)  # `\left{ ... \right}`: read as the group it encloses
        elif ch in "([":
            self.emit(LPAREN, ch, pos)  # `\left(` may open a tuple, `\left[` may not
        elif ch in ")]":
            self.emit(RPAREN, ch, pos)
        elif ch == "|":
            self.norm("abs", pos, side)
        elif ch != ".":
            raise self.fail(f"`{ch}` is not a delimiter", pos, ch)

    def close_log_base(self, pos: int) -> None:
        r"""End the base of ``\log_b x``: close ``(1/log(b))`` and start ``log`` of ``x``."""
        self.emit(RPAREN, ")", pos)
        self.emit(RPAREN, ")", pos)
        self.emit(FUNC, "log", pos)

    def mixed_number(self, pos: int) -> bool:
        r"""``1\frac{1}{2}`` right after an integer is the mixed number 1½ (as typeset)."""
        last = self.tokens[-1] if self.tokens else None
        if last is None or last.kind != NUM or not last.text.isdigit():
            return False
        before = self.tokens[-2] if len(self.tokens) > 1 else None
        if before is not None and before.kind == OP and before.text in ("^", "/"):
            return False  # x^2\frac{1}{2} is x^2 times a half
        gap = self.text[last.pos + len(last.text) : pos]
        match = _MIXED_RE.match(self.text, pos, self.end)
        if gap.strip() or match is None:
            return False
        top = int(match.group(1) or match.group(2))
        bottom = int(match.group(3) or match.group(4))
        if bottom == 0 or top >= bottom:
            raise self.fail(
                "a whole number followed by an improper fraction is not a mixed number: "
                "write `+` or `\\cdot` between them",
                pos,
            )
        self.tokens.pop()
        for kind, value in ((LPAREN, GROUP), (NUM, last.text), (OP, "+"), (NUM, str(top)),
                            (OP, "/"), (NUM, str(bottom)), (RPAREN, ")")):  # fmt: skip
            self.emit(kind, value, last.pos)
        self.i = match.end()
        return True

    def closes_power(self, ch: str) -> bool:
        """Whether ``ch`` ends the argument of an open ``f^n(...)`` / ``f^n{...}``."""
        kind = self.stack[-1][0] if self.stack else ""
        if not kind.startswith("fpow:") or kind.endswith(":after"):
            return False
        return ch == (")" if kind.endswith(":paren") else "}")

    def double_bar_norm(self) -> bool:
        r"""Whether a bare ``||`` is a norm delimiter (``||v||`` typed for ``\|v\|``).

        Only where a single bar could not close an absolute value (nothing open, or right
        after an operator or an opening bracket) or where it closes a ``||`` norm: so
        ``|a||b|`` stays ``|a|·|b|``.
        """
        if self.open_norms["norm"] > 0:
            return bool(self.tokens) and self.tokens[-1].kind in (NAME, NUM, RPAREN, RBRACK)
        prev = self.tokens[-1] if self.tokens else None
        return self.open_norms["abs"] == 0 or prev is None or prev.kind in (OP, LPAREN, COMMA)

    # -- arguments of \frac, \binom and \sqrt --------------------------------------

    def open_arg(self, kind: str) -> None:
        """Start a macro argument: a ``{...}`` group or a single character."""
        self.skip_space()
        pos = self.i
        if kind != "rootarg":
            self.emit(LPAREN, GROUP, pos)
        if self.i < self.end and self.text[self.i] == "{":
            self.stack.append((kind, pos))
            self.i += 1
            return
        if self.i < self.end and self.text[self.i].isdigit():
            self.emit(NUM, self.text[self.i], pos)
            self.i += 1
        elif self.i < self.end and LETTER_RE.match(self.text[self.i]):
            self.emit(NAME, self.text[self.i], pos)
            self.i += 1
        else:
            raise self.fail("expected `{...}` after `\\frac`, `\\binom` or `\\sqrt`", pos)
        self.close(kind, pos)

    def close(self, kind: str, pos: int) -> None:
        r"""Close a macro argument; a first argument opens the second.

        ``\frac{a}{b}`` is ``((a)/(b))`` and ``\binom{n}{k}`` is ``binomial((n), (k))``.
        """
        if kind in ("frac1", "binom1"):
            self.emit(RPAREN, ")", pos)
            self.emit(*((OP, "/") if kind == "frac1" else (COMMA, ",")), pos)
            self.open_arg("frac2" if kind == "frac1" else "binom2")
        else:
            if kind in ("frac2", "binom2"):
                self.emit(RPAREN, ")", pos)
            self.emit(RPAREN, ")", pos)
            if self.stack and self.stack[-1][0].endswith(":after"):
                self.close_power(self.stack.pop()[0], pos)  # \sin^2 \frac{x}{2} ends here

    def close_power(self, kind: str, pos: int) -> None:
        """End ``f^n(...)``: close the argument and the call, then raise it to ``n``."""
        self.emit(RPAREN, ")", pos)
        self.emit(RPAREN, ")", pos)
        self.emit(OP, "^", pos)
        self.emit(NUM, kind.split(":")[1], pos)


#: Commands read by a method of the reader (each takes the command's name and column).
_HANDLERS: dict[str, Callable[[_LatexReader, str, int], None]] = {
    **dict.fromkeys(_SIZES, _LatexReader.sized),
    **dict.fromkeys(("frac", "dfrac", "tfrac", "cfrac"), _LatexReader.frac),
    "sqrt": _LatexReader.sqrt,
    **dict.fromkeys(("bar", "overline"), _LatexReader.decorated),
    **dict.fromkeys(_FONTS, _LatexReader.font),
    "operatorname": _LatexReader.operatorname,
    **dict.fromkeys(_FUNC_CMDS, _LatexReader.function_command),
    "boxed": _LatexReader.boxed,
    **dict.fromkeys(("lfloor", "rfloor", "lceil", "rceil"), _LatexReader.bracket_function),
    **dict.fromkeys(GREEK_CMDS, _LatexReader.greek),
    **dict.fromkeys(_BARS, _LatexReader.bar),
    "begin": _LatexReader.begin,
    "end": _LatexReader.end_env,
    "\\": _LatexReader.row_break,
    **dict.fromkeys(("binom", "tbinom", "dbinom"), _LatexReader.binom),
}
#: Every table a command name is looked up in, for the test that keeps them disjoint.
TABLES: dict[str, frozenset[str]] = {
    "skip": frozenset(_SKIP),
    "refused": frozenset(_REFUSED),
    "tokens": frozenset(_TOKENS),
    "handlers": frozenset(_HANDLERS),
}


def tokenize_latex(text: str) -> list[Token]:
    r"""Split a LaTeX answer into the tokens of the answer language.

    Args:
        text: The answer as typed, optionally wrapped in ``$...$`` or ``\(...\)``.

    Returns:
        The tokens, ending with an ``END`` token; positions are columns of ``text``.

    Raises:
        AnswerSyntaxError: For an unknown command, an unbalanced group, a forbidden
            construct.
        AnswerLimitError: For an answer, number or token count over a bound.
    """
    check_length(text)
    start, end = strip_wrappers(text)
    lexer = _LatexReader(text, start, end)
    tokens = lexer.run()
    if any(lexer.open_norms.values()):
        bars = _resolve_bars(text, start, end)
        if bars is not None:
            return _LatexReader(text, start, end, bars).run()
    return tokens


_SIZED_BAR_RE = re.compile(r"\\(?:\||[lr]?[vV]ert\b)|\\(?:left|right|middle|[bB]igg?[lr]?)\s*\|")
_ENDS_WITH_OP_RE = re.compile(r"(?:[-+*/^_(\[{,=&]|\\(?:cdot|times|div|left|right))\s*$")
MAX_BARS = 12


def _resolve_bars(text: str, start: int, end: int) -> dict[int, bool] | None:
    """The one way to pair bare ``|`` bars as absolute values, if exactly one exists.

    The reader's left-to-right rule (a bar opens when nothing is open or right after an
    operator, a bare ``||`` is a norm) leaves some nested bars unbalanced: ``||x||y||``.
    Then every pairing is tried (a bar closes only after an operand or another closing
    bar, never empty); the answer is read only when exactly one pairing is valid
    (``|(|x|·|y|)|``), so an ambiguous ``|a|b|c|`` is never guessed at.
    """
    if _SIZED_BAR_RE.search(text, start, end):
        return None
    bars = [i for i in range(start, end) if text[i] == "|"]
    if not bars or len(bars) > MAX_BARS:
        return None
    found: list[dict[int, bool]] = []

    def walk(k: int, depth: int, chosen: list[bool]) -> None:
        if len(found) > 1:
            return
        if k == len(bars):
            if depth == 0:
                found.append(dict(zip(bars, chosen, strict=True)))
            return
        before = text[bars[k - 1] + 1 : bars[k]] if k else text[start : bars[0]]
        after_closer = k > 0 and not chosen[-1]
        operand = bool(before.strip()) and not _ENDS_WITH_OP_RE.search(before)
        walk(k + 1, depth + 1, [*chosen, True])
        if depth > 0 and (operand or (after_closer and not before.strip())):
            walk(k + 1, depth - 1, [*chosen, False])

    walk(0, 0, [])
    return found[0] if len(found) == 1 else None


#: An index subscript (``h_{t+1}``) is not a hint: it is spelled the same in plain syntax.
_LATEX_HINT_RE = re.compile(
    r"\\[A-Za-z|{}(\[,;!]|\^\{|_\{(?!\s*[A-Za-z0-9]+(?:\s*[+-]\s*[A-Za-z0-9]+)+\s*\})[^}]{2,}\}|\$|&"
)


def detect_syntax(text: str) -> str:
    """Guess whether an answer is LaTeX (backslash commands, ``^{...}``, ``$``) or plain."""
    return "latex" if _LATEX_HINT_RE.search(text) else "plain"


__all__ = [
    "CMD_RE",
    "GREEK_CMDS",
    "GROUP",
    "LETTER_RE",
    "TABLES",
    "detect_syntax",
    "strip_wrappers",
    "tokenize_latex",
]
