r"""The LaTeX reader's cursor: its output, its group stack, names and macro arguments.

The LaTeX reader (:mod:`hwgrade.grader.answer.latex`) is one pass over the text with a stack
for braces, fractions and matrices. This module holds the state of that pass and the
small reading steps every construct is built from: emitting a token (under the token
bound), reading a ``{...}`` argument, turning ``\mathbf{W}`` or ``h_{t}`` into a plain
name, and opening and closing the arguments of ``\frac`` and ``\sqrt``. It is kept apart
from the command table (:mod:`hwgrade.grader.answer.latexcommands`) and the main loop so that
each layer reads on its own: nothing here decides what a command means.
"""

from __future__ import annotations

import re

from hwgrade.grader.answer.lexer import (
    COMMA,
    LPAREN,
    MAX_TOKENS,
    NAME,
    NUM,
    OP,
    RPAREN,
    Token,
    name_token,
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


class LatexCursor:
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

    # -- helpers ---------------------------------------------------------------------
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

    # -- arguments of \frac and \sqrt -----------------------------------------------
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


__all__ = ["CMD_RE", "GREEK_CMDS", "GROUP", "LETTER_RE", "LatexCursor"]
