r"""LaTeX tokenizer: turns a LaTeX answer into the same tokens as plain syntax.

SymPy's LaTeX parsers reject much of what students write (``\sigma(z)``, ``X^\top``,
``\|v\|``), so LaTeX is only a second spelling of our own language: ``\frac{a}{b}``
becomes ``((a)/(b))``, a ``bmatrix`` becomes nested ``[...]`` lists, and the one parser
reads both. As in TeX, adjacent letters are separate symbols (``pXw`` = p X w).

This module is the main loop: where the answer sits in its ``$...$``, one step per
character, the brackets and bars that are not commands, and the pairing of bare ``|``
bars. The reader's state is in :mod:`hwgrade.grader.answer.latexcursor`, the meaning of each
command in :mod:`hwgrade.grader.answer.latexcommands`.
"""

from __future__ import annotations

import re

from hwgrade.grader.answer.latexcommands import LatexCommands
from hwgrade.grader.answer.latexcursor import GROUP, LETTER_RE
from hwgrade.grader.answer.lexer import (
    _BAD_CHARS,
    _OPS,
    COMMA,
    END,
    LBRACK,
    LPAREN,
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
    number_token,
)

_TOP_RE = re.compile(r"\s*(?:\\top|\\intercal|\{\s*(?:\\top|\\intercal)\s*\})(?![A-Za-z])")
_DEGREE_RE = re.compile(r"\s*(?:\\circ|\{\s*\\circ\s*\})(?![A-Za-z])")
_GROUPS = {"group", "frac1", "frac2", "rootarg", "binom1", "binom2"}


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


class _LatexLexer(LatexCommands):
    """One pass over a LaTeX answer: the main loop over the layers it inherits."""

    # -- main loop -------------------------------------------------------------------
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

    def punct(self, ch: str, pos: int) -> None:
        in_env = bool(self.stack) and self.stack[-1][0] == "env"
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
        elif ch == "&" and in_env:
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
    lexer = _LatexLexer(text, start, end)
    tokens = lexer.run()
    if any(lexer.open_norms.values()):
        bars = _resolve_bars(text, start, end)
        if bars is not None:
            return _LatexLexer(text, start, end, bars).run()
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


__all__ = ["detect_syntax", "strip_wrappers", "tokenize_latex"]
