"""The answer language's parser (shared by plain and LaTeX input).

The parser is recursive descent over the token list with an explicit depth counter:
every parenthesis, bracket, unary sign, exponent and postfix operator counts, and the
count is capped at :data:`MAX_DEPTH` long before Python's recursion limit, so that no
input can crash or hang it. Sums and products are n-ary nodes, so long flat answers
(``a+a+...+a``) give shallow trees and the builder never recurses deeply either. The
tree's node types are in :mod:`hwgrade.grader.answer.nodes`, the token position and depth
counter in :mod:`hwgrade.grader.answer.tokencursor`.

Names are resolved against the :class:`Context` here, before any SymPy object exists:
unknown names, unknown functions and forbidden ones are refused with their column.
"""

from __future__ import annotations

from hwgrade.grader.answer.lexer import (
    COMMA,
    END,
    FUNC,
    FUNCTIONS,
    LBRACK,
    LPAREN,
    MAX_LIST_ENTRIES,
    NAME,
    NORM,
    NUM,
    OP,
    RBRACK,
    RPAREN,
    SUP,
    TRANSPOSE,
    Token,
    is_greek_letter,
)
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
from hwgrade.grader.answer.splitting import CONSTANTS, INFINITY, has_matrices
from hwgrade.grader.answer.tokencursor import TokenCursor, describe
from hwgrade.grader.context import Context
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError

_ARITY: dict[str, tuple[int, int]] = {"max": (1, 100), "min": (1, 100), "hadamard": (2, 2)}
_ARITY["root"] = (2, 2)
_ARITY.update({"log": (1, 2), "atan2": (2, 2), "binomial": (2, 2), "mod": (2, 2)})


#: A comma inside brackets that cannot hold a tuple (``{a, b}``, ``\left[a, b\right]``).
_NOT_A_TUPLE = "a comma inside brackets: write a vector as `[a, b]` or a tuple as `(a, b)`"
#: A tuple that is not the whole answer (``2(a, b)``, ``(a, b) + 1``, ``[(a, b)]``).
_TUPLE_INSIDE = (
    "`(a, b)` is a tuple, which can only be a whole answer, not part of an expression, "
    "a list or another tuple; write a vector as `[a, b]`"
)


class Parser(TokenCursor):
    """Recursive-descent parser with a hard depth bound; see the module docstring."""

    # -- grammar ---------------------------------------------------------------------
    def parse(self) -> Node:
        """Parse the whole token list into one tree."""
        node = self.expr()
        tok = self.peek()
        if tok.kind != END:
            raise AnswerSyntaxError(describe(tok), position=tok.pos, token=tok.text)
        inside = [t for t in self.tuples if t is not node]
        if inside:
            raise AnswerSyntaxError(_TUPLE_INSIDE, position=inside[0].pos, token="(")
        return node

    def expr(self) -> Node:
        """``term (('+'|'-') term)*``, one depth level."""
        pos = self.peek().pos
        self.enter(pos)
        terms: list[tuple[str, Node]] = [("+", self.term())]
        while self.peek().kind == OP and self.peek().text in "+-":
            op = self.advance().text
            terms.append((op, self.term()))
        self.depth -= 1
        return terms[0][1] if len(terms) == 1 else Sum(tuple(terms), pos)

    def starts_factor(self, tok: Token) -> bool:
        """Whether ``tok`` can start an implicitly multiplied factor."""
        if tok.kind == NORM:  # ``abs<``: a bar the LaTeX reader resolved as opening
            return tok.text.endswith("<") or not (self.norms and self.norms[-1] == tok.text)
        return tok.kind in (NUM, NAME, FUNC, LPAREN, LBRACK)

    def term(self) -> Node:
        """Factors joined by ``* / @ ⊙`` or juxtaposition, left to right."""
        start = self.peek().pos
        factors: list[tuple[str, Node]] = [("", self.unary())]
        spans: list[str] = [self.span(start)]
        op_pos = [start]
        while True:
            tok = self.peek()
            fpos = tok.pos
            op_pos.append(tok.pos)
            if tok.kind == OP and tok.text in ("*", "/", "@", "odot", "circ", "mod"):
                self.advance()
                fpos = self.peek().pos
                factors.append((tok.text, self.unary()))
            elif self.starts_factor(tok):
                prev = self.toks[self.k - 1]
                if tok.kind == NUM and prev.kind == NUM:
                    raise AnswerSyntaxError(
                        f"two numbers side by side (`{prev.text} {tok.text}`): write an "
                        "operator between them",
                        position=tok.pos,
                        token=tok.text,
                    )
                if tok.kind == LBRACK and prev.kind in (NAME, RBRACK, RPAREN):
                    self.bracket_factor(prev)
                factors.append(("implicit", self.power()))
                if factors[-2][0] == "/":
                    self.notes.append(
                        f"read `{self.span(start)}` as ({spans[-2]}/{spans[-1]})*{self.span(fpos)}"
                    )
            else:
                break
            spans.append(self.span(fpos))
        if len(factors) == 1:
            return factors[0][1]
        return Product(tuple(factors), start, tuple(op_pos[: len(factors)]))

    def bracket_factor(self, prev: Token) -> None:
        """Refuse a ``[`` that reads like indexing; otherwise it starts a factor.

        ``[x + 1][x - 1]`` and ``(a + b)[a - b]`` are products of bracketed factors, as
        typeset. What looks like code is refused, never guessed at: a name before the
        bracket (``x[1]``, ``v[i]``) or a whole-number index (``(A B)[0]``).
        """
        tok = self.peek()
        if prev.kind == NAME:
            raise AnswerSyntaxError(
                f"`{prev.text}[...]` reads like indexing, which is not allowed: write an entry"
                f" as `{prev.text}_1` and a product with `*`",
                position=tok.pos,
                token="[",
            )
        inside = self.toks[self.k + 1 : self.k + 4]
        if inside and inside[0].kind == OP and inside[0].text == "-":
            inside = inside[1:]
        if [t.kind for t in inside[:2]] == [NUM, RBRACK] and inside[0].text.isdigit():
            raise AnswerSyntaxError(
                "`[...]` with a whole number right after a bracket reads like indexing,"
                " which is not allowed: write a product with `*`",
                position=tok.pos,
                token="[",
            )

    def unary(self) -> Node:
        """Leading signs, each a depth level."""
        tok = self.peek()
        if tok.kind == OP and tok.text in "+-":
            self.advance()
            self.enter(tok.pos)
            operand = self.unary()
            self.depth -= 1
            return Neg(operand, tok.pos) if tok.text == "-" else operand
        return self.power()

    def transpose_exponent(self) -> int:
        """How many tokens after ``^`` spell a transpose (``T``, ``(T)``), or 0."""
        t_free = not self.declared("T")
        one, two, three = self.peek(1), self.peek(2), self.peek(3)
        if one.kind == TRANSPOSE:
            return 1
        if t_free and one.kind == NAME and one.text == "T":
            return 1
        if t_free and one.kind == LPAREN and two.kind == NAME and two.text == "T":
            return 3 if three.kind == RPAREN else 0
        return 0

    def power(self) -> Node:
        """A primary with postfix transposes, superscripts and ``^`` exponents."""
        base = self.primary()
        entered = 0
        while True:
            tok = self.peek()
            if tok.kind == TRANSPOSE:
                self.advance()
                base = Transpose(base, tok.pos)
            elif tok.kind == SUP:
                self.advance()
                value = tok.text.lstrip("+")
                exponent: Node = Num(value.lstrip("-"), tok.pos)
                base = Power(base, Neg(exponent, tok.pos) if value[0] == "-" else exponent, tok.pos)
            elif tok.kind == OP and tok.text == "!":
                self.advance()
                base = Call("factorial", (base,), tok.pos)
            elif tok.kind == OP and tok.text == "^":
                skip = self.transpose_exponent()
                if skip:
                    self.k += 1 + skip
                    base = Transpose(base, tok.pos)
                else:
                    self.advance()
                    self.enter(tok.pos)
                    exponent = self.unary()
                    self.depth -= 1
                    base = Power(base, exponent, tok.pos)
            else:
                break
            entered += 1
            self.enter(tok.pos)
        self.depth -= entered
        return base

    def primary(self) -> Node:
        """A number, name, call, parenthesized group, list or norm."""
        tok = self.peek()
        if tok.kind == NUM:
            self.advance()
            return Num(tok.text, tok.pos)
        if tok.kind == NAME:
            return self.name()
        if tok.kind == FUNC:
            self.advance()
            if self.peek().kind == LPAREN:
                return self.call(tok.text, tok.pos)
            self.enter(tok.pos)
            arg = self.power()
            self.depth -= 1
            return Call(tok.text, (arg,), tok.pos)
        if tok.kind == LPAREN:
            self.advance()
            if self.peek().kind == RPAREN:
                raise AnswerSyntaxError("empty parentheses `()`", position=tok.pos, token="()")
            inner = self.expr()
            if self.peek().kind == COMMA:
                return self.tuple_expr(tok, inner)
            self.expect(RPAREN, "`)`")
            return inner
        if tok.kind == LBRACK:
            return self.list_expr()
        if tok.kind == NORM and self.starts_factor(tok):
            self.advance()
            kind = tok.text.rstrip("<")
            self.norms.append(kind)
            inner = self.expr()
            self.expect(NORM, "a closing `\\|`" if kind == "norm" else "a closing `|`")
            self.norms.pop()
            return Call("bars" if kind == "abs" else kind, (inner,), tok.pos)
        raise AnswerSyntaxError(describe(tok), position=tok.pos, token=tok.text)

    def call(self, func: str, pos: int) -> Call:
        """The argument list of an allow-listed function, with its arity checked."""
        open_tok = self.expect(LPAREN, f"`(` after `{func}`")
        if self.peek().kind == RPAREN:
            raise AnswerSyntaxError(f"`{func}()` needs an argument", position=open_tok.pos)
        args = [self.expr()]
        while self.peek().kind == COMMA:
            self.advance()
            args.append(self.expr())
        self.expect(RPAREN, "`)`")
        low, high = _ARITY.get(func, (1, 1))
        if not low <= len(args) <= high:
            count = f"{low}" if low == high else f"{low} to {high}"
            raise AnswerSyntaxError(
                f"`{func}` takes {count} argument{'s' if high > 1 else ''}, got {len(args)}",
                position=pos,
                token=func,
            )
        return Call(func, tuple(args), pos)

    def tuple_expr(self, open_tok: Token, first: Node) -> TupleExpr:
        r"""The rest of ``(a, b, ...)`` after its first entry, up to the closing ``)``.

        Only a real ``(`` (typed, or LaTeX's ``\left(``) opens a tuple; LaTeX groups and
        braces also arrive as parentheses but a comma in them is an error, and a closing
        ``]`` would make an interval, which the language does not have. Whether the tuple
        is the whole answer is checked once the parse is complete (:meth:`parse`).
        """
        if open_tok.text != "(":
            comma = self.peek()
            raise AnswerSyntaxError(_NOT_A_TUPLE, position=comma.pos, token=",")
        self.enter(open_tok.pos)
        items = [first]
        while self.peek().kind == COMMA:
            self.advance()
            items.append(self.expr())
            if len(items) > MAX_LIST_ENTRIES:
                raise AnswerLimitError(
                    f"a tuple has more than {MAX_LIST_ENTRIES} entries", position=open_tok.pos
                )
        close = self.peek()
        if close.kind == RBRACK or (close.kind == RPAREN and close.text != ")"):
            raise AnswerSyntaxError(
                "intervals such as `(a, b]` are not part of the answer language",
                position=close.pos,
                token=close.text,
            )
        self.expect(RPAREN, "`,` or `)`")
        self.depth -= 1
        for item in items:
            if isinstance(item, Num) and item.text[0] == "0" and item.text[1:].isdigit():
                raise AnswerSyntaxError(
                    f"`{item.text}` in a tuple: write a number without leading zeros (a comma "
                    "inside `( )` separates entries, it does not group thousands)",
                    position=item.pos,
                    token=item.text,
                )
        node = TupleExpr(tuple(items), open_tok.pos)
        self.tuples.append(node)
        return node

    def list_expr(self) -> ListExpr:
        """``[a, b, ...]`` with at most MAX_LIST_ENTRIES entries."""
        open_tok = self.advance()
        self.enter(open_tok.pos)
        if self.peek().kind == RBRACK:
            raise AnswerSyntaxError("an empty list `[]`", position=open_tok.pos, token="[]")
        items = [self.expr()]
        while self.peek().kind == COMMA:
            self.advance()
            items.append(self.expr())
            if len(items) > MAX_LIST_ENTRIES:
                raise AnswerLimitError(
                    f"a list has more than {MAX_LIST_ENTRIES} entries", position=open_tok.pos
                )
        self.expect(RBRACK, "`,` or `]`")
        self.depth -= 1
        return ListExpr(tuple(items), open_tok.pos)

    def name(self) -> Node:
        """Resolve a name: function call, symbol, constant, or an error with a hint."""
        tok = self.advance()
        name, nxt = tok.text, self.peek()
        declared = self.declared(name)
        if not declared and name in FUNCTIONS:
            if nxt.kind == LPAREN:
                return self.call(FUNCTIONS[name], tok.pos)
            if not self.ctx.open or name != "sigma":
                raise AnswerSyntaxError(
                    f"`{name}` is a function: write `{name}(...)`", position=tok.pos, token=name
                )
        if declared or name in CONSTANTS or (name == "I" and has_matrices(self.ctx)):
            return Name(name, tok.pos)
        if name in INFINITY:
            return Name("oo", tok.pos)
        if name in ("nan", "NaN", "zoo"):
            raise AnswerSyntaxError(f"`{name}` is not a value", position=tok.pos, token=name)
        function_like = len(name) > 1 and name.isalpha() and not is_greek_letter(name)
        if nxt.kind == LPAREN and function_like:
            raise AnswerSyntaxError(f"unknown function `{name}`", position=tok.pos, token=name)
        if self.ctx.open:
            return Name(name, tok.pos)
        raise AnswerSyntaxError(
            f"unknown symbol `{name}`{self.suggest(name)}", position=tok.pos, token=name
        )


def parse_tokens(tokens: list[Token], ctx: Context, text: str = "") -> tuple[Node, list[str]]:
    """Parse tokens into a tree; returns the tree and notes on how ambiguities were read.

    Args:
        tokens: Output of :func:`tokenize_plain` or :func:`tokenize_latex`.
        ctx: The declared names (decides symbol vs. function, splitting, transposes).
        text: The original answer, used only to quote it in notes.

    Raises:
        AnswerSyntaxError: For anything outside the grammar or an unknown name.
        AnswerLimitError: For nesting deeper than :data:`MAX_DEPTH`.
    """
    parser = Parser(tokens, ctx, text)
    return parser.parse(), parser.notes


__all__ = ["Parser", "parse_tokens"]
