"""Reading a spec file: safe YAML composition, field-to-line tracking, typed field getters.

A spec error is only useful if it says where to look, so a spec file is *composed* first
(the node tree keeps line marks that plain ``safe_load`` throws away) and every field
path (``parts[2].points``) is mapped to its line. :class:`FieldReader` then reads typed
fields from the constructed data, collecting every problem instead of stopping at the
first, so that ``hwgrade validate`` can list all of a file's problems in one run. The
spec-specific sections (parts, mistakes) live in :mod:`hwgrade.grader.specs.specfile`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import sympy
import yaml

from hwgrade.grader.answer.language import read_answer
from hwgrade.grader.context import (
    MATRIX_PROPERTIES,
    SCALAR_PROPERTIES,
    Context,
    Relation,
    SymbolDecl,
    parse_relation,
    parse_shape,
)
from hwgrade.grader.errors import HwgradeError, SpecError, UsageError
from hwgrade.grader.names import canonical_name, expand_range, is_valid_name
from hwgrade.grader.values import matrixops as mo

#: Largest spec file read, in bytes: specs are small; anything bigger is a mistake.
MAX_SPEC_BYTES = 1_000_000


def line_of(lines: dict[str, int], fld: str) -> int | None:
    """The line of ``fld``, or of its nearest enclosing field (``parts[2]`` for ``.x``).

    Derivations are evaluated long after reading, so this works from a plain mapping
    that the loaded spec keeps, not from the reader.
    """
    probe = fld
    while True:
        if probe in lines:
            return lines[probe]
        parent = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
        if parent == probe:
            return lines.get("")
        probe = parent


#: Fields of a symbol given as a mapping (docs/specs.md, "Symbols").
SYMBOL_FIELDS = ("shape", "positive", "properties", "definition")


class FieldReader:
    """Typed access to one spec's fields, collecting :class:`SpecError` s with lines."""

    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines
        self.errors: list[SpecError] = []

    def line(self, fld: str) -> int | None:
        """The line of ``fld``, or of its nearest enclosing field."""
        return line_of(self.lines, fld)

    def error(self, message: str, fld: str | None) -> None:
        """Record one problem about ``fld`` (``None`` for the file as a whole)."""
        line = self.line(fld) if fld else self.lines.get("")
        self.errors.append(SpecError(message, path=str(self.path), field=fld, line=line))

    def text(self, data: dict[str, Any], key: str, fld: str, required: bool) -> str:
        """A string field (numbers are refused: ids like ``1`` are almost always typos)."""
        value = data.get(key)
        if value is None:
            if required:
                self.error(f"missing required field `{key}`", fld)
            return ""
        if not isinstance(value, str):
            self.error(f"`{key}` must be a string, not {type(value).__name__}", fld)
            return ""
        return value

    def number(self, value: Any, fld: str, default: float, minimum: float) -> float:
        """A number; YAML 1.1 reads ``1e-3`` as text, so numeric strings are accepted."""
        if value is None:
            return default
        if isinstance(value, bool):
            self.error("expected a number, not a boolean", fld)
            return default
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.error(f"expected a number, got `{value}`", fld)
            return default
        if not number >= minimum:
            self.error(f"must be at least {minimum:g}, got {number:g}", fld)
            return default
        return number

    def flag(self, value: Any, fld: str) -> bool:
        """A boolean field."""
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error("expected true or false", fld)
            return False
        return value

    def strings(self, value: Any, fld: str) -> tuple[str, ...]:
        """A list of strings."""
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error("expected a list of strings", fld)
            return ()
        return tuple(value)

    def names(self, value: Any, fld: str) -> tuple[str, ...]:
        """A list of symbol names, where ``u_1 .. u_3`` stands for ``u_1, u_2, u_3``."""
        out: list[str] = []
        for item in self.strings(value, fld):
            out += expand_range(item) or (canonical_name(item),)
        return tuple(out)

    def derivation(self, value: Any, fld: str) -> None:
        """A derivation is text, a number, or nested lists of them (checked when derived)."""
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, list) and item:
                stack.extend(item)
            elif isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.error("a derivation is text, a number, or a list of them", fld)
                return

    def context(self, symbols: Any, relations: Any) -> Context:
        """The declared names: ``name: scalar | "rows x cols" | {shape, properties, ...}``."""
        decls: list[SymbolDecl] = []
        if symbols is not None and not isinstance(symbols, dict):
            self.error("`symbols` must be a mapping of name to shape", "symbols")
            symbols = {}
        seen: set[str] = set()
        definitions: list[tuple[str, Any, str]] = []
        entries: list[tuple[str, str, Any]] = []
        for raw_name, raw in (symbols or {}).items():
            names = expand_range(str(raw_name)) or (str(raw_name),)  # u_1 .. u_3: three
            entries += [(f"symbols.{raw_name}", name, raw) for name in names]
        for fld, raw_name, raw in entries:
            name = canonical_name(str(raw_name))
            if not is_valid_name(name):
                self.error(f"`{raw_name}` is not a valid symbol name", fld)
                continue
            if name in seen:
                self.error(f"symbol `{raw_name}` is declared twice", fld)
                continue
            seen.add(name)
            positive = False
            properties: tuple[str, ...] = ()
            shape_text: Any = raw
            if isinstance(raw, dict):
                unknown = set(raw) - set(SYMBOL_FIELDS)
                if unknown:
                    self.error(f"unknown symbol field(s): {', '.join(map(str, unknown))}", fld)
                shape_text = raw.get("shape", "scalar")
                positive = self.flag(raw.get("positive"), fld + ".positive")
                properties = tuple(self.strings(raw.get("properties"), fld + ".properties"))
                if raw.get("definition") is not None:
                    definitions.append((name, raw["definition"], fld + ".definition"))
            if not isinstance(shape_text, str):
                self.error("a symbol is `scalar` or a shape such as `n x d`", fld)
                continue
            scalar = shape_text.strip() == "scalar"
            allowed = SCALAR_PROPERTIES if scalar else MATRIX_PROPERTIES
            for prop in properties:
                if prop not in allowed:
                    kind = "scalar" if scalar else "matrix"
                    self.error(
                        f"`{prop}` is not a property of a {kind} (use {', '.join(allowed)})",
                        fld + ".properties",
                    )
            properties = tuple(p for p in properties if p in allowed)
            if scalar:
                decls.append(SymbolDecl(name, None, positive, properties))
                continue
            try:
                shape = parse_shape(shape_text)
            except UsageError as exc:
                self.error(exc.message, fld)
                continue
            square = {"diagonal", "symmetric", "positive_definite"} & set(properties)
            if square and str(shape[0]) != str(shape[1]):
                self.error(f"`{sorted(square)[0]}` needs a square shape", fld + ".properties")
            decls.append(SymbolDecl(name, shape, positive, properties))
        rels: list[Relation] = []
        for i, text in enumerate(self.strings(relations, "relations")):
            try:
                rels.append(parse_relation(text))
            except UsageError as exc:
                self.error(exc.message, f"relations[{i}]")
        ctx = Context(tuple(decls), tuple(rels))
        for i, rel in enumerate(rels):
            for dim in (rel.left, rel.right):
                if isinstance(dim, str) and dim not in ctx.dimensions:
                    self.error(f"relation uses `{dim}`, which no shape mentions", f"relations[{i}]")
        if not definitions:
            return ctx
        values = {name: self.definition(ctx, name, raw, fld) for name, raw, fld in definitions}
        decls = [replace(d, definition=values.get(d.name)) for d in decls]
        return Context(tuple(decls), tuple(rels))

    def definition(self, ctx: Context, name: str, raw: Any, fld: str) -> Any:
        """A symbol's ``definition``: read in the answer language, of the symbol's shape.

        ``0`` defines a zero matrix of the declared shape (``h_0 = 0``).
        """
        decl = ctx.lookup(name)
        assert decl is not None
        if not isinstance(raw, str):
            self.error("a definition is text in the answer language", fld)
            return None
        try:
            value = read_answer(raw, ctx, "plain").value
        except HwgradeError as exc:
            self.error(f"cannot read the definition: {exc.message}", fld)
            return None
        if decl.shape is not None and value == 0:
            rows, cols = decl.shape
            return sympy.ZeroMatrix(ctx.dim(rows), ctx.dim(cols))
        if value.has(ctx.sym(name)):
            self.error("a definition cannot use the symbol it defines", fld)
            return None
        want = None if decl.shape is None else tuple(ctx.dim(x) for x in decl.shape)
        got = mo.shape(value)
        if (want is None) != (got is None) or (want and tuple(got or ()) != want):
            self.error(f"the definition is {mo.show(got)}, the symbol {mo.show(want)}", fld)
            return None
        return value


def _record_lines(node: yaml.Node, prefix: str, reader: FieldReader) -> None:
    """Map every field path (``parts[2].points``) to its 1-based line; flag duplicate keys."""
    lines = reader.lines
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{prefix}.{key}" if prefix else key
            lines[sub] = key_node.start_mark.line + 1
            if key in seen:
                reader.error(f"duplicate key `{key}`", sub)
                continue
            seen.add(key)
            _record_lines(value_node, sub, reader)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, f"{prefix}[{i}]", reader)


def compose_file(path: Path, reader: FieldReader) -> tuple[bool, Any]:
    """Read ``path`` with the safe loader, recording lines and errors in ``reader``.

    Returns:
        ``(ok, data)``: ``ok`` is false when the file could not be read as YAML at all.
    """
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            reader.error(f"the file is larger than {MAX_SPEC_BYTES} bytes", None)
            return False, None
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reader.error(f"cannot read the file: {exc}", None)
        return False, None
    fast = _fast_compose(text)
    loader = fast[0] if fast is not None else yaml.SafeLoader(text)
    try:
        node = fast[1] if fast is not None else loader.get_single_node()
        if node is None:
            reader.error("the file is empty", None)
            return False, None
        _record_lines(node, "", reader)
        return True, loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reader.errors.append(SpecError(f"not valid YAML: {exc.problem}", str(path), None, line))
        return False, None
    except yaml.YAMLError as exc:
        reader.error(f"not valid YAML: {exc}", None)
        return False, None
    finally:
        loader.dispose()


#: libyaml's loader when PyYAML has it: it composes a spec 7× faster than the pure-Python
#: one (40 → 6 ms for the 12 built-in specs), a fifth of ``check``'s spec reading.
_C_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def _fast_compose(text: str) -> tuple[Any, Any] | None:
    """``(loader, node)`` composed by libyaml, or ``None`` to use the pure-Python loader.

    Specs are instructor files of bounded size, so libyaml's recursive composer is safe
    for them (student files never come here: :mod:`hwgrade.grader.yamlsafe`). Its nodes
    carry the same marks; whenever it fails, the pure-Python loader reads the file again,
    so every message is worded the same whichever parser is installed, and an empty file
    is left to it too.
    """
    if _C_LOADER is None:
        return None
    loader = _C_LOADER(text)
    try:
        node = loader.get_single_node()
    except Exception:
        loader.dispose()
        return None
    if node is None:
        loader.dispose()
        return None
    return loader, node


__all__ = ["MAX_SPEC_BYTES", "SYMBOL_FIELDS", "FieldReader", "compose_file", "line_of"]
