"""The answer language's front door: student text (or YAML lists) to a checked value.

Everything that reads a student's answer goes through :func:`read_answer`: tokenize
(plain or LaTeX), parse into a tree checked against the allow-list, then build SymPy
objects. It raises only :class:`AnswerSyntaxError` / :class:`AnswerLimitError` (cannot
be read) and :class:`ShapeError` (readable, but shapes do not fit); anything unexpected
from SymPy is wrapped, because one odd answer must never take a grading run down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sympy
from sympy.matrices.exceptions import NonSquareMatrixError
from sympy.matrices.exceptions import ShapeError as SympyShapeError

from hwgrade.grader.answer.build import Builder, assemble
from hwgrade.grader.answer.latex import detect_syntax as _detect
from hwgrade.grader.answer.latex import tokenize_latex
from hwgrade.grader.answer.lexer import (
    MAX_DEPTH,
    MAX_LIST_CHARS,
    MAX_LIST_ENTRIES,
    tokenize_plain,
)
from hwgrade.grader.answer.syntax import parse_tokens
from hwgrade.grader.context import Context
from hwgrade.grader.errors import AnswerLimitError, AnswerSyntaxError, ShapeError
from hwgrade.grader.values import matrixops as mo

Syntax = Literal["plain", "latex", "auto"]


@dataclass(frozen=True)
class ParsedAnswer:
    """An answer as it was read.

    Attributes:
        value: A SymPy scalar, matrix expression, explicit matrix or tensor, or a
            ``sympy.Tuple`` of scalars for a whole answer written ``(a, b)``.
        source: The raw text (for lists: a compact rendering).
        syntax: ``plain`` or ``latex`` (what ``auto`` detected).
        names: Canonical names the answer uses.
        notes: How ambiguous input was read (``read `pXw` as p*X*w``).
        flat_list: The answer was a flat list ``[a, b, ...]`` (orientation-free vector).
        has_decimals: The student typed at least one decimal number.
        structure: For a scalar answer, the value as typed with sums, products and
            powers unevaluated (``2*(x - 1)`` stays a product); for parts that ask for
            the factored or expanded form. Otherwise the value itself.
    """

    value: Any
    source: str
    syntax: str
    names: frozenset[str]
    notes: tuple[str, ...]
    flat_list: bool
    has_decimals: bool
    structure: Any = None


def detect_syntax(text: str) -> Literal["plain", "latex"]:
    """``latex`` when the text has backslash commands, ``^{...}``, ``$`` or ``&``."""
    return "latex" if _detect(text) == "latex" else "plain"


#: Fullwidth ASCII forms (``ｘ``) map one-to-one onto ASCII, so columns stay true.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _read_text(raw: str, ctx: Context, syntax: Syntax) -> ParsedAnswer:
    text = raw.translate(_FULLWIDTH).replace("\u3000", " ")
    chosen: Literal["plain", "latex"] = detect_syntax(text) if syntax == "auto" else syntax
    tokens = tokenize_latex(text) if chosen == "latex" else tokenize_plain(text)
    tree, notes = parse_tokens(tokens, ctx, text)
    builder = Builder(ctx)
    value = builder.build(tree)
    if isinstance(value, mo.IdentityMarker):
        raise ShapeError("cannot tell the size of the identity `I` here")
    flat = (
        builder.saw_list
        and not builder.saw_nested_list
        and mo.is_explicit(value)
        and value.shape[1] == 1
        and not any(mo.shape(ctx.sym(n)) is not None for n in builder.names)
    )
    structure = value
    if mo.shape(value) is None:
        try:
            structure = builder.structure(tree)
        except Exception:
            structure = value
    return ParsedAnswer(
        value=value,
        source=raw,
        syntax=chosen,
        names=frozenset(builder.names),
        notes=tuple(notes),
        flat_list=flat,
        has_decimals=builder.has_decimals,
        structure=structure,
    )


def _leaf_text(leaf: Any) -> str:
    if isinstance(leaf, bool) or not isinstance(leaf, (str, int, float)):
        raise AnswerSyntaxError(f"a list entry must be text or a number, got {leaf!r:.40}")
    return leaf if isinstance(leaf, str) else repr(leaf)


def _check_list(data: list[Any]) -> None:
    """Bound entries, characters and depth of a YAML list with an explicit stack."""
    entries = chars = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise AnswerLimitError(f"the list is nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, list):
            if not item:
                raise AnswerSyntaxError("an empty list")
            stack.extend((x, depth + 1) for x in item)
            continue
        entries += 1
        chars += len(_leaf_text(item))
        if entries > MAX_LIST_ENTRIES:
            raise AnswerLimitError(f"the list has more than {MAX_LIST_ENTRIES} entries")
        if chars > MAX_LIST_CHARS:
            raise AnswerLimitError(f"the list has more than {MAX_LIST_CHARS} characters")


def _read_list(data: list[Any], ctx: Context, syntax: Syntax) -> ParsedAnswer:
    _check_list(data)
    leaves: list[ParsedAnswer] = []

    def walk(item: Any) -> Any:
        if isinstance(item, list):
            return assemble([walk(x) for x in item])
        parsed = _read_text(_leaf_text(item), ctx, syntax)
        if isinstance(parsed.value, sympy.Tuple):
            raise AnswerSyntaxError(
                f"the list entry `{parsed.source}` is a tuple: a list holds scalars or lists"
            )
        if mo.shape(parsed.value) is not None:
            raise ShapeError(f"the list entry `{parsed.source}` must be a scalar")
        leaves.append(parsed)
        return parsed.value

    value = walk(data)
    return ParsedAnswer(
        value=value,
        source=_render(data),
        syntax="latex" if any(p.syntax == "latex" for p in leaves) else "plain",
        names=frozenset().union(*(p.names for p in leaves)),
        notes=tuple(n for p in leaves for n in p.notes),
        flat_list=not any(isinstance(x, list) for x in data),
        has_decimals=any(p.has_decimals for p in leaves),
        structure=value,
    )


def _render(data: Any) -> str:
    if isinstance(data, list):
        return "[" + ", ".join(_render(x) for x in data) + "]"
    return _leaf_text(data).strip()


def read_answer(text: str | list[Any], ctx: Context, syntax: Syntax = "auto") -> ParsedAnswer:
    """Read one answer: a string, or nested lists of strings/numbers from YAML.

    Args:
        text: The answer as submitted.
        ctx: The declared names of the problem.
        syntax: ``plain``, ``latex`` or ``auto`` (detect from the text).

    Returns:
        The parsed answer with its SymPy value.

    Raises:
        AnswerSyntaxError: The answer cannot be read (with ``position`` and ``token``).
        AnswerLimitError: The answer exceeds a bound of the language.
        ShapeError: The answer is readable but combines incompatible shapes.
    """
    try:
        if isinstance(text, list):
            return _read_list(text, ctx, syntax)
        if not isinstance(text, str):
            raise AnswerSyntaxError(f"an answer must be text, got {type(text).__name__}")
        if not text.strip():
            raise AnswerSyntaxError("the answer is empty", position=0)
        return _read_text(text, ctx, syntax)
    except (AnswerSyntaxError, ShapeError):
        raise
    except (SympyShapeError, NonSquareMatrixError) as exc:
        raise ShapeError(f"the shapes do not fit: {exc}") from None
    except RecursionError:
        raise AnswerLimitError("the answer is nested too deeply") from None
    except Exception as exc:
        raise AnswerSyntaxError(f"could not read the answer ({type(exc).__name__})") from None


def instantiate(value: Any, replacements: dict[Any, Any]) -> Any:
    """Substitute explicit matrices and sizes into a value and evaluate it.

    The equivalence engine does the same with ``xreplace`` and ``doit``; this helper
    adds ``as_explicit`` so that any matrix expression left over comes out explicit.
    """
    result = value.xreplace(replacements).doit()
    if isinstance(result, sympy.MatrixExpr) and not isinstance(result, sympy.MatrixBase):
        result = result.as_explicit()
    return result


__all__ = ["ParsedAnswer", "Syntax", "detect_syntax", "instantiate", "read_answer"]
