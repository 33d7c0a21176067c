"""The parser's position in the token list, its depth bound and how it names a token.

The grammar (:mod:`hwgrade.grader.answer.syntax`) is recursive descent; everything it needs
that is not a grammar rule lives here: reading ahead and consuming tokens, failing with
the column and the token that was found, and the nesting counter. Every parenthesis,
bracket, unary sign, exponent and postfix operator enters one level, and the count is
capped at :data:`MAX_DEPTH` long before Python's recursion limit, so that no input can
crash or hang the parser. Keeping this state apart keeps the grammar module to the
rules themselves, and keeps the wording of "expected X but found Y" in one place.
"""

from __future__ import annotations

import difflib

from hwgrade.grader.answer.lexer import END, MAX_DEPTH, NORM, Token
from hwgrade.grader.answer.nodes import TupleExpr
from hwgrade.grader.answer.splitting import resolve_names
from hwgrade.grader.context import Context
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError


def describe(tok: Token) -> str:
    """What is wrong with ``tok`` where it stands, in the words an error message uses."""
    if tok.kind == END:
        return "the answer ends too early"
    if tok.kind == NORM:
        return "unexpected `\\|`" if tok.text == "norm" else "unexpected `|`"
    return f"unexpected `{tok.text}`"


class TokenCursor:
    """A token list with a read position, a depth counter and the notes of one parse."""

    def __init__(self, tokens: list[Token], ctx: Context, text: str = "") -> None:
        self.ctx, self.text = ctx, text
        self.notes: list[str] = []
        self.toks = resolve_names(tokens, ctx, self.notes)
        self.k = 0
        self.depth = 0
        self.norms: list[str] = []
        self.tuples: list[TupleExpr] = []

    # -- token helpers ---------------------------------------------------------------
    def peek(self, offset: int = 0) -> Token:
        """The token ``offset`` ahead, without consuming it (END repeats at the end)."""
        return self.toks[min(self.k + offset, len(self.toks) - 1)]

    def advance(self) -> Token:
        """Consume and return the current token."""
        tok = self.toks[self.k]
        self.k = min(self.k + 1, len(self.toks) - 1)
        return tok

    def expect(self, kind: str, what: str) -> Token:
        """Consume a token of ``kind`` or fail, naming what was expected and found."""
        tok = self.peek()
        if tok.kind != kind:
            raise AnswerSyntaxError(
                f"expected {what} but {describe(tok).replace('unexpected ', 'found ')}",
                position=tok.pos,
                token=tok.text,
            )
        return self.advance()

    def enter(self, pos: int) -> None:
        """Count one nesting level; over the bound is an error, never a deep recursion."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise AnswerLimitError(
                f"the answer is nested more than {MAX_DEPTH} levels deep", position=pos
            )

    def declared(self, name: str) -> bool:
        """Whether ``name`` is a declared symbol or dimension."""
        return self.ctx.is_declared(name)

    def span(self, start: int) -> str:
        """The answer text from column ``start`` up to the current token (for notes)."""
        return self.text[start : self.peek().pos].strip() if self.text else ""

    def suggest(self, name: str) -> str:
        """A 'did you mean' hint for an unknown name, or an empty string.

        An entry named by an index (``h_{t-1}``) gets none: the nearest name (``h_t``)
        is another entry, and suggesting it would invite a wrong answer.
        """
        if "{" in name:
            return ""
        known = list(self.ctx.by_name) + list(self.ctx.dimensions)
        squashed = [k for k in known if k.replace("_", "") == name.replace("_", "")]
        close = squashed or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        return f" (did you mean `{close[0]}`?)" if close else ""


__all__ = ["TokenCursor", "describe"]
