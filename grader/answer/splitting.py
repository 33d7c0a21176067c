"""Name resolution before parsing: splitting undeclared letter runs into declared names.

In plain syntax a run of letters is one name, but students write ``pXw`` for p·X·w and
``X^TX`` for XᵀX. When a run is not declared and splits into declared names, it is read
as their product (and a note says so, so the echo can show the split). Splitting works
on the token list, so a postfix operator after the run binds to its last piece only
(``XX^T`` = X·Xᵀ), exactly as if the student had typed spaces.
"""

from __future__ import annotations

from hwgrade.grader.answer.lexer import FUNCTIONS, NAME, OP, Token
from hwgrade.grader.context import Context

#: Names that mean a constant unless declared: pi, Euler's e.
CONSTANTS = frozenset({"pi", "e"})
#: Spellings of (positive) infinity, unless declared; ``nan`` and ``zoo`` stay refused.
INFINITY = frozenset({"oo", "inf", "infty", "infinity", "Infinity"})


def has_matrices(ctx: Context) -> bool:
    """Whether any declared name is a matrix or vector (then ``I`` is the identity)."""
    return any(decl.is_matrix for decl in ctx.symbols)


def is_reserved(name: str, ctx: Context) -> bool:
    """Whether an undeclared name already means something (constant, function, ``I``)."""
    return (
        name in CONSTANTS
        or name in INFINITY
        or name in FUNCTIONS
        or (name == "I" and has_matrices(ctx))
    )


def split_name(name: str, known: set[str]) -> tuple[list[str], bool]:
    """Split ``name`` into a sequence of known names.

    Returns:
        The pieces (empty if there is no split) and whether the split was ambiguous;
        an ambiguous run takes the longest piece first at each step.
    """
    size = len(name)
    ways = [0] * (size + 1)
    ways[size] = 1
    longest = max((len(k) for k in known), default=0)
    for i in range(size - 1, -1, -1):
        total = 0
        for j in range(i + 1, min(size, i + longest) + 1):
            if ways[j] and name[i:j] in known:
                total += ways[j]
        ways[i] = min(total, 2)
    if not ways[0]:
        return [], False
    pieces: list[str] = []
    i = 0
    while i < size:
        j = next(j for j in range(min(size, i + longest), i, -1) if ways[j] and name[i:j] in known)
        pieces.append(name[i:j])
        i = j
    return pieces, ways[0] > 1


def resolve_names(tokens: list[Token], ctx: Context, notes: list[str]) -> list[Token]:
    """Replace undeclared NAME tokens that split into declared names by their pieces.

    Args:
        tokens: The token list from either tokenizer.
        ctx: The declared names; open contexts never split (every name is a symbol).
        notes: Receives one "read `pXw` as p*X*w" note per split.

    Returns:
        A new token list.
    """
    known = set(ctx.by_name) | set(ctx.dimensions)
    t_free = not ctx.is_declared("T")
    out: list[Token] = []
    for tok in tokens:
        if tok.kind != NAME:
            out.append(tok)
            continue
        name, pos = tok.text, tok.pos
        after_caret = bool(out) and out[-1].kind == OP and out[-1].text == "^"
        if (
            after_caret
            and t_free
            and name.startswith("T")
            and len(name) > 1
            and name[1] != "_"
            and not ctx.is_declared(name)
        ):
            out.append(Token(NAME, "T", pos))
            name, pos = name[1:], pos + 1
        if ctx.open or ctx.is_declared(name) or is_reserved(name, ctx) or name == "T":
            out.append(Token(NAME, name, pos))
            continue
        pieces, ambiguous = split_name(name, known)
        if len(pieces) < 2:
            out.append(Token(NAME, name, pos))
            continue
        note = f"read `{name}` as {'*'.join(pieces)}"
        notes.append(note + (" (the split was ambiguous)" if ambiguous else ""))
        offset = 0
        for piece in pieces:
            out.append(Token(NAME, piece, pos + offset))
            offset += len(piece)
    return out


__all__ = ["CONSTANTS", "INFINITY", "has_matrices", "is_reserved", "resolve_names", "split_name"]
