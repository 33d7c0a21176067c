"""Problem specs: the frozen dataclasses a YAML file in ``problems/`` is read into.

Specs are instructor files, but they are still read with the safe loader only; they are
composed first (:func:`yaml.compose`-style) so that every :class:`SpecError` can name the
file, the field (``parts[2].points``) and the line. :func:`validate_spec` also runs the
solver and checks that it answers exactly the declared parts.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from hwgrade.grader.context import Context, Relation, SymbolDecl, parse_relation, parse_shape
from hwgrade.grader.errors import SpecError, UsageError
from hwgrade.grader.names import canonical_name, is_valid_name

PartKind = Literal["expression", "vector", "matrix", "tensor", "choice", "manual"]


@dataclass(frozen=True)
class MistakeSpec:
    """A known wrong answer written by the instructor in the spec.

    Attributes:
        answer: The wrong answer in the answer language (string, or nested lists).
        message: Feedback shown when a student's answer is equivalent to it.
        credit: Fraction of the part's points it still earns.
    """

    answer: Any
    message: str
    credit: float = 0.0


@dataclass(frozen=True)
class PartSpec:
    """One gradable part of a problem.

    Attributes:
        id: Part id, unique in the problem (``a.t``, ``mu_layer``).
        prompt: The question, in the spec author's words.
        points: Points available.
        kind: What kind of answer is expected.
        tolerance: Relative tolerance for decimals the student types.
        alternatives: Other accepted reference answers (answer language).
        mistakes: Instructor-written known mistakes.
        partial: Per-entry credit for vectors, matrices and tensors.
        allowed_symbols: If set, the answer may only use these names (form rule).
        form: ``expanded`` or ``factored`` when the form itself is asked for.
        orientation: ``row`` or ``column`` when a vector's orientation matters.
        choices: Option labels -> text, for choice parts.
        multiple: For choice parts: select-all (the answer is a set of labels).
        model_answer: For manual parts: the model answer shown in the key.
    """

    id: str
    prompt: str
    points: float = 1.0
    kind: PartKind = "expression"
    tolerance: float = 1e-3
    alternatives: tuple[Any, ...] = ()
    mistakes: tuple[MistakeSpec, ...] = ()
    partial: bool = False
    allowed_symbols: tuple[str, ...] | None = None
    form: Literal["expanded", "factored"] | None = None
    orientation: Literal["row", "column"] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    multiple: bool = False
    model_answer: str = ""


@dataclass(frozen=True)
class ProblemSpec:
    """One problem, as read from its YAML file.

    Attributes:
        id: Problem id (the file's ``id:``; also the key in submission files).
        title: Short title.
        statement: The problem statement, in the author's own words.
        context: The declared symbols, shapes and dimension relations.
        parameters: The solver's inputs (numbers, tensors, step counts).
        solver: Name of the registered solver.
        parts: The gradable parts, in order.
        source: Where the problem comes from (e.g. "seed 003 Q3.1").
        path: The file it was read from.
    """

    id: str
    title: str
    statement: str
    context: Context
    parameters: dict[str, Any]
    solver: str
    parts: tuple[PartSpec, ...]
    source: str = ""
    path: Path | None = field(default=None, compare=False)

    def part(self, part_id: str) -> PartSpec | None:
        """The part with id ``part_id``, or ``None``."""
        return next((p for p in self.parts if p.id == part_id), None)


# ---------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------

#: Allowed answer kinds, in the order the docs list them.
KINDS: tuple[str, ...] = ("expression", "vector", "matrix", "tensor", "choice", "manual")

_TOP_REQUIRED = ("id", "title", "statement", "solver", "parts")
_TOP_OPTIONAL = ("source", "symbols", "relations", "parameters")
_PART_FIELDS = (
    "id", "prompt", "points", "kind", "tolerance", "alternatives", "mistakes", "partial",
    "allowed_symbols", "form", "orientation", "choices", "multiple", "model_answer",
)  # fmt: skip
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class _Reader:
    """Turns one composed YAML document into a :class:`ProblemSpec`, collecting errors.

    Errors are collected rather than raised so that ``hwgrade validate`` can list every
    problem of a file in one run; each carries the line of the field it is about, found
    from the node tree that :func:`yaml.compose` keeps (plain ``safe_load`` loses it).
    """

    def __init__(self, path: Path, lines: dict[str, int]) -> None:
        self.path = path
        self.lines = lines
        self.errors: list[SpecError] = []

    def line(self, fld: str) -> int | None:
        """The line of ``fld``, or of its nearest enclosing field."""
        probe = fld
        while True:
            if probe in self.lines:
                return self.lines[probe]
            parent = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
            if parent == probe:
                return self.lines.get("")
            probe = parent

    def error(self, message: str, fld: str | None) -> None:
        """Record one problem about ``fld`` (``None`` for the file as a whole)."""
        line = self.line(fld) if fld else self.lines.get("")
        self.errors.append(SpecError(message, path=str(self.path), field=fld, line=line))

    # -- typed getters -----------------------------------------------------------------
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

    # -- sections ------------------------------------------------------------------------
    def context(self, symbols: Any, relations: Any) -> Context:
        """The declared names: ``name: scalar | "rows x cols" | {shape, positive}``."""
        decls: list[SymbolDecl] = []
        if symbols is not None and not isinstance(symbols, dict):
            self.error("`symbols` must be a mapping of name to shape", "symbols")
            symbols = {}
        seen: set[str] = set()
        for raw_name, raw in (symbols or {}).items():
            fld = f"symbols.{raw_name}"
            name = canonical_name(str(raw_name))
            if not is_valid_name(name):
                self.error(f"`{raw_name}` is not a valid symbol name", fld)
                continue
            if name in seen:
                self.error(f"symbol `{raw_name}` is declared twice", fld)
                continue
            seen.add(name)
            positive = False
            shape_text: Any = raw
            if isinstance(raw, dict):
                unknown = set(raw) - {"shape", "positive"}
                if unknown:
                    self.error(f"unknown symbol field(s): {', '.join(map(str, unknown))}", fld)
                shape_text = raw.get("shape", "scalar")
                positive = self.flag(raw.get("positive"), fld + ".positive")
            if not isinstance(shape_text, str):
                self.error("a symbol is `scalar` or a shape such as `n x d`", fld)
                continue
            if shape_text.strip() == "scalar":
                decls.append(SymbolDecl(name, None, positive))
                continue
            try:
                decls.append(SymbolDecl(name, parse_shape(shape_text), positive))
            except UsageError as exc:
                self.error(exc.message, fld)
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
        return ctx

    def mistakes(self, value: Any, fld: str) -> tuple[MistakeSpec, ...]:
        """Instructor-written known mistakes: ``{answer, message, credit}``."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error("`mistakes` must be a list", fld)
            return ()
        out: list[MistakeSpec] = []
        for i, item in enumerate(value):
            sub = f"{fld}[{i}]"
            if not isinstance(item, dict) or "answer" not in item or "message" not in item:
                self.error("a mistake needs `answer` and `message`", sub)
                continue
            credit = self.number(item.get("credit"), sub + ".credit", 0.0, 0.0)
            if credit > 1:
                self.error("credit is a fraction between 0 and 1", sub + ".credit")
            out.append(MistakeSpec(item["answer"], str(item["message"]), min(credit, 1.0)))
        return tuple(out)

    def part(self, raw: Any, index: int) -> PartSpec | None:
        """One entry of ``parts``."""
        fld = f"parts[{index}]"
        if not isinstance(raw, dict):
            self.error("a part must be a mapping with `id` and `prompt`", fld)
            return None
        for key in raw:
            if key not in _PART_FIELDS:
                self.error(f"unknown part field `{key}`", f"{fld}.{key}")
        part_id = self.text(raw, "id", f"{fld}.id", required=True)
        if part_id and not _ID_RE.match(part_id):
            msg = f"part id `{part_id}` may only use letters, digits, `_`, `.`, `-`"
            self.error(msg, fld + ".id")
        kind = raw.get("kind", "expression")
        if kind not in KINDS:
            self.error(f"unknown kind `{kind}` (one of {', '.join(KINDS)})", fld + ".kind")
            kind = "expression"
        choices: list[tuple[str, str]] = []
        raw_choices = raw.get("choices")
        if raw_choices is not None and not isinstance(raw_choices, dict):
            self.error("`choices` must map option labels to their text", fld + ".choices")
        elif isinstance(raw_choices, dict):
            choices = [(str(k), str(v)) for k, v in raw_choices.items()]
        if kind == "choice" and not choices:
            self.error("a choice part needs `choices`", fld + ".kind")
        if kind != "choice" and choices:
            self.error("only choice parts take `choices`", fld + ".choices")
        form, orientation = raw.get("form"), raw.get("orientation")
        if form not in (None, "expanded", "factored"):
            self.error("`form` is `expanded` or `factored`", fld + ".form")
            form = None
        if orientation not in (None, "row", "column"):
            self.error("`orientation` is `row` or `column`", fld + ".orientation")
            orientation = None
        alternatives = raw.get("alternatives") or []
        if not isinstance(alternatives, list):
            self.error("`alternatives` must be a list", fld + ".alternatives")
            alternatives = []
        allowed = raw.get("allowed_symbols")
        return PartSpec(
            id=part_id,
            prompt=self.text(raw, "prompt", f"{fld}.prompt", required=True),
            points=self.number(raw.get("points"), fld + ".points", 1.0, 0.0),
            kind=kind,
            tolerance=self.number(raw.get("tolerance"), fld + ".tolerance", 1e-3, 0.0),
            alternatives=tuple(alternatives),
            mistakes=self.mistakes(raw.get("mistakes"), fld + ".mistakes"),
            partial=self.flag(raw.get("partial"), fld + ".partial"),
            allowed_symbols=None
            if allowed is None
            else tuple(canonical_name(s) for s in self.strings(allowed, fld + ".allowed_symbols")),
            form=form,
            orientation=orientation,
            choices=tuple(choices),
            multiple=self.flag(raw.get("multiple"), fld + ".multiple"),
            model_answer=self.text(raw, "model_answer", fld + ".model_answer", required=False),
        )

    def spec(self, data: Any) -> ProblemSpec | None:
        """The whole document."""
        if not isinstance(data, dict):
            self.error("a spec must be a YAML mapping with id, title, statement, ...", None)
            return None
        for key in data:
            if key not in _TOP_REQUIRED + _TOP_OPTIONAL:
                self.error(f"unknown field `{key}`", str(key))
        problem_id = self.text(data, "id", "id", required=True)
        if problem_id and not _ID_RE.match(problem_id):
            self.error(f"problem id `{problem_id}` may only use letters, digits, `_.-`", "id")
        parameters = data.get("parameters") or {}
        if not isinstance(parameters, dict):
            self.error("`parameters` must be a mapping", "parameters")
            parameters = {}
        raw_parts = data.get("parts")
        parts: list[PartSpec] = []
        if raw_parts is None:
            self.error("missing required field `parts`", "parts")
        elif not isinstance(raw_parts, list) or not raw_parts:
            self.error("`parts` must be a non-empty list", "parts")
        else:
            seen: set[str] = set()
            for i, raw in enumerate(raw_parts):
                part = self.part(raw, i)
                if part is None:
                    continue
                if part.id and part.id in seen:
                    self.error(f"duplicate part id `{part.id}`", f"parts[{i}].id")
                seen.add(part.id)
                parts.append(part)
        solver = self.text(data, "solver", "solver", required=True)
        if solver:
            from hwgrade.solver import get_solver, registered

            import_solver_modules(self.path.parent)
            if get_solver(solver) is None:
                close = difflib.get_close_matches(solver, registered(), n=1)
                hint = f"; did you mean `{close[0]}`?" if close else ""
                self.error(f"no solver is registered as `{solver}`{hint}", "solver")
        return ProblemSpec(
            id=problem_id,
            title=self.text(data, "title", "title", required=True),
            statement=self.text(data, "statement", "statement", required=True),
            context=self.context(data.get("symbols"), data.get("relations")),
            parameters=dict(parameters),
            solver=solver,
            parts=tuple(parts),
            source=self.text(data, "source", "source", required=False),
            path=self.path,
        )


def _record_lines(node: yaml.Node, prefix: str, lines: dict[str, int], reader: _Reader) -> None:
    """Map every field path (``parts[2].points``) to its 1-based line; flag duplicate keys."""
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            sub = f"{prefix}.{key}" if prefix else key
            if key in seen:
                lines[sub] = key_node.start_mark.line + 1
                reader.error(f"duplicate key `{key}`", sub)
                continue
            seen.add(key)
            lines[sub] = key_node.start_mark.line + 1
            _record_lines(value_node, sub, lines, reader)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _record_lines(item, f"{prefix}[{i}]", lines, reader)


def _read(path: Path) -> tuple[ProblemSpec | None, _Reader]:
    """Parse and check one file without running its solver."""
    lines: dict[str, int] = {"": 1}
    reader = _Reader(path, lines)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reader.error(f"cannot read the file: {exc}", None)
        return None, reader
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            reader.error("the file is empty", None)
            return None, reader
        _record_lines(node, "", lines, reader)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reader.errors.append(SpecError(f"not valid YAML: {exc.problem}", str(path), None, line))
        return None, reader
    except yaml.YAMLError as exc:
        reader.error(f"not valid YAML: {exc}", None)
        return None, reader
    finally:
        loader.dispose()
    return reader.spec(data), reader


def load_spec(path: Path) -> ProblemSpec:
    """Load one spec, raising the first problem found (without running the solver).

    Raises:
        SpecError: naming the file, the field and the line.
    """
    spec, reader = _read(Path(path))
    if reader.errors or spec is None:
        raise reader.errors[0]
    return spec


def check_solution(spec: ProblemSpec, solution: Any) -> list[SpecError]:
    """Problems between a spec's parts and what its solver answered."""
    errors: list[SpecError] = []
    path = str(spec.path) if spec.path else None
    answers = solution.answers
    for i, part in enumerate(spec.parts):
        if part.kind == "manual":
            continue
        if part.id not in answers:
            msg = f"solver `{spec.solver}` gives no reference answer for part `{part.id}`"
            errors.append(SpecError(msg, path, f"parts[{i}].id", None))
        elif part.kind == "choice":
            labels = {label for label, _ in part.choices}
            ref = answers[part.id]
            bad = [x for x in (ref if isinstance(ref, tuple) else (ref,)) if x not in labels]
            if bad:
                msg = f"the reference option(s) {bad} of part `{part.id}` are not among its choices"
                errors.append(SpecError(msg, path, f"parts[{i}].choices", None))
    declared = {p.id for p in spec.parts}
    for part_id in answers:
        if part_id not in declared:
            msg = f"solver `{spec.solver}` answers part `{part_id}`, which no part declares"
            errors.append(SpecError(msg, path, "parts", None))
    return errors


def validate_spec(path: Path) -> list[SpecError]:
    """Every problem of one spec file, including running its solver.

    Returns:
        The problems found (empty when the spec is fine).
    """
    spec, reader = _read(Path(path))
    if spec is None or reader.errors:
        return reader.errors
    from hwgrade.solver import get_solver

    solver = get_solver(spec.solver)
    assert solver is not None  # checked by _read
    try:
        solution = solver(spec.parameters, spec.context)
    except Exception as exc:  # the solver is instructor code; report any failure
        line = reader.lines.get("parameters", reader.lines.get("solver"))
        msg = f"solver `{spec.solver}` failed: {type(exc).__name__}: {exc}"
        return [SpecError(msg, str(path), "parameters", line)]
    errors = check_solution(spec, solution)
    return [
        SpecError(e.message.split(" (field")[0], e.path, e.field, reader.line(e.field or ""))
        if e.line is None
        else e
        for e in errors
    ]


_IMPORTED: dict[Path, str] = {}


def import_solver_modules(folder: Path) -> None:
    """Import the instructor's own solver modules (``*.py`` next to the specs).

    These are trusted course files; importing them runs their ``@register`` lines. The
    built-in folder is skipped (its solvers live in :mod:`hwgrade.solver`).
    """
    from hwgrade.problems import BUILTIN_DIR

    folder = Path(folder).resolve()
    if folder == BUILTIN_DIR:
        return
    for file in sorted(folder.glob("*.py")):
        if file.name.startswith("_") or file in _IMPORTED:
            continue
        digest = hashlib.sha1(str(file).encode()).hexdigest()[:10]
        name = f"hwgrade_course_{digest}_{file.stem}"
        module_spec = importlib.util.spec_from_file_location(name, file)
        if module_spec is None or module_spec.loader is None:
            continue
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise SpecError(f"cannot import solver module: {exc}", str(file)) from exc
        _IMPORTED[file] = name
