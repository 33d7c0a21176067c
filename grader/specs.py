"""Problem specs: the frozen dataclasses a YAML file in ``problems/`` is read into.

Specs are instructor files, but they are still read with the safe loader only, and every
:class:`SpecError` names the file, the field (``parts[2].points``) and the line (see
:mod:`hwgrade.grader.specreader`). A spec states each reference answer either through a
registered ``solver`` or, for what a SymPy step can say, as a ``reference`` derivation
(:mod:`hwgrade.grader.derive`); :func:`validate_spec` runs both and checks that exactly
the declared parts are answered.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from hwgrade.grader.context import Context
from hwgrade.grader.errors import SolverError, SpecError
from hwgrade.grader.names import canonical_name, is_valid_name
from hwgrade.grader.specreader import FieldReader, compose_file
from hwgrade.grader.variants import Variation, has_placeholders, read_variation, render_data

PartKind = Literal["expression", "vector", "matrix", "tensor", "choice", "manual"]


@dataclass(frozen=True)
class MistakeSpec:
    """A known wrong answer written by the instructor in the spec.

    Attributes:
        answer: The wrong answer in the answer language (string, or nested lists).
        message: Feedback shown when a student's answer is equivalent to it.
        credit: Fraction of the part's points it still earns.
        derive: Instead of ``answer``: a derivation (:mod:`hwgrade.grader.derive`) that
            computes the wrong value, so it follows the parameters like the reference.
        origin: Its field path (``parts[1].mistakes[0]``), for errors found later.
    """

    answer: Any
    message: str
    credit: float = 0.0
    derive: Any = None
    origin: str = field(default="", compare=False)


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
        reference: A derivation of the reference answer (``diff(y, w)``), or for choice
            parts the correct label(s); ``None`` when the solver answers the part.
        derived_mistakes: Known mistakes given as derivations (``derive:``); the literal
            ones stay in ``mistakes`` so the grader reads them as before.
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
    reference: Any = None
    derived_mistakes: tuple[MistakeSpec, ...] = ()


@dataclass(frozen=True)
class ProblemSpec:
    """One problem, as read from its YAML file.

    Attributes:
        id: Problem id (the file's ``id:``; also the key in submission files).
        title: Short title.
        statement: The problem statement, in the author's own words.
        context: The declared symbols, shapes and dimension relations.
        parameters: The solver's inputs (numbers, tensors, step counts).
        solver: Name of the registered solver ("" when every part is derived).
        parts: The gradable parts, in order.
        source: Where the problem comes from (e.g. "seed 003 Q3.1").
        path: The file it was read from.
        definitions: Named derivations (name, value) evaluated in order before the parts.
        lines: Field path -> line, so errors found when deriving can point at the line.
        variation: How the spec's parameters vary between students (``None``: they don't).
        variant: Which variant this is (0: the spec as written; see :mod:`variants`).
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
    definitions: tuple[tuple[str, Any], ...] = ()
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    variation: Variation | None = field(default=None, compare=False, repr=False)
    variant: int = 0

    @property
    def derived(self) -> bool:
        """Whether any reference or mistake is a derivation (so :mod:`derive` must run)."""
        return bool(self.definitions) or any(
            p.reference is not None or p.derived_mistakes for p in self.parts
        )

    def part(self, part_id: str) -> PartSpec | None:
        """The part with id ``part_id``, or ``None``."""
        return next((p for p in self.parts if p.id == part_id), None)


# ---------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------

#: Allowed answer kinds, in the order the docs list them.
KINDS: tuple[str, ...] = ("expression", "vector", "matrix", "tensor", "choice", "manual")

#: Top-level fields (docs/specs.md documents each; a test keeps the two in step).
TOP_REQUIRED = ("id", "title", "statement", "parts")
TOP_OPTIONAL = (
    "source", "symbols", "relations", "parameters", "definitions", "solver", "variants",
)  # fmt: skip
PART_FIELDS = (
    "id", "prompt", "points", "kind", "tolerance", "alternatives", "mistakes", "partial",
    "allowed_symbols", "form", "orientation", "choices", "multiple", "model_answer",
    "reference",
)  # fmt: skip
MISTAKE_FIELDS = ("answer", "derive", "message", "credit")
SYMBOL_FIELDS = ("shape", "positive")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class _Reader(FieldReader):
    """Turns one composed YAML document into a :class:`ProblemSpec`, collecting errors."""

    def mistakes(self, value: Any, fld: str) -> tuple[MistakeSpec, ...]:
        """Known mistakes: ``{answer | derive, message, credit}``, in the spec's order."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error("`mistakes` must be a list", fld)
            return ()
        out: list[MistakeSpec] = []
        for i, item in enumerate(value):
            sub = f"{fld}[{i}]"
            if not isinstance(item, dict) or "message" not in item:
                self.error("a mistake needs `answer` (or `derive`) and `message`", sub)
                continue
            for key in item:
                if key not in MISTAKE_FIELDS:
                    self.error(f"unknown mistake field `{key}`", f"{sub}.{key}")
            if ("answer" in item) == ("derive" in item):
                self.error("a mistake needs exactly one of `answer` and `derive`", sub)
                continue
            if "derive" in item:
                self.derivation(item["derive"], sub + ".derive")
            credit = self.number(item.get("credit"), sub + ".credit", 0.0, 0.0)
            if credit > 1:
                self.error("credit is a fraction between 0 and 1", sub + ".credit")
            message = str(item["message"])
            derive, credit = item.get("derive"), min(credit, 1.0)
            out.append(MistakeSpec(item.get("answer"), message, credit, derive, sub))
        return tuple(out)

    def reference(self, raw: dict[str, Any], kind: str, choices: list[Any], fld: str) -> Any:
        """A part's ``reference``: a derivation, or the correct label(s) of a choice part."""
        value = raw.get("reference")
        if value is None:
            return None
        if kind == "manual":
            self.error("manual parts give `model_answer`, not `reference`", fld)
            return None
        if kind != "choice":
            self.derivation(value, fld)
            return value
        labels = value if isinstance(value, list) else [value]
        known = {label for label, _ in choices}
        bad = [str(x) for x in labels if str(x) not in known]
        if bad:
            self.error(f"reference option(s) {', '.join(bad)} are not among the choices", fld)
        return tuple(str(x) for x in labels)

    def part(self, raw: Any, index: int) -> PartSpec | None:
        """One entry of ``parts``."""
        fld = f"parts[{index}]"
        if not isinstance(raw, dict):
            self.error("a part must be a mapping with `id` and `prompt`", fld)
            return None
        for key in raw:
            if key not in PART_FIELDS:
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
        mistakes = self.mistakes(raw.get("mistakes"), fld + ".mistakes")
        return PartSpec(
            id=part_id,
            prompt=self.text(raw, "prompt", f"{fld}.prompt", required=True),
            points=self.number(raw.get("points"), fld + ".points", 1.0, 0.0),
            kind=kind,
            tolerance=self.number(raw.get("tolerance"), fld + ".tolerance", 1e-3, 0.0),
            alternatives=tuple(alternatives),
            mistakes=tuple(m for m in mistakes if m.derive is None),
            partial=self.flag(raw.get("partial"), fld + ".partial"),
            allowed_symbols=None
            if allowed is None
            else self.names(allowed, fld + ".allowed_symbols"),
            form=form,
            orientation=orientation,
            choices=tuple(choices),
            multiple=self.flag(raw.get("multiple"), fld + ".multiple"),
            model_answer=self.text(raw, "model_answer", fld + ".model_answer", required=False),
            reference=self.reference(raw, kind, choices, fld + ".reference"),
            derived_mistakes=tuple(m for m in mistakes if m.derive is not None),
        )

    def spec(self, data: Any) -> ProblemSpec | None:
        """The whole document."""
        if not isinstance(data, dict):
            self.error("a spec must be a YAML mapping with id, title, statement, ...", None)
            return None
        if "answers" in data and "parts" not in data:
            msg = "this is a submission (it has `answers:`), not a spec: keep it elsewhere"
            self.error(msg, "answers")
            return None
        for key in data:
            if key not in TOP_REQUIRED + TOP_OPTIONAL:
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
        solver = self.solver(data, parts)
        context = self.context(data.get("symbols"), data.get("relations"))
        return ProblemSpec(
            id=problem_id,
            title=self.text(data, "title", "title", required=True),
            statement=self.text(data, "statement", "statement", required=True),
            context=context,
            parameters=dict(parameters),
            solver=solver,
            parts=tuple(parts),
            source=self.text(data, "source", "source", required=False),
            path=self.path,
            definitions=self.definitions(data.get("definitions"), context),
            lines=dict(self.lines),
            variation=read_variation(self, data.get("variants"), dict(parameters)),
        )

    def solver(self, data: dict[str, Any], parts: list[PartSpec]) -> str:
        """The ``solver`` name; optional when every auto-graded part has a ``reference``."""
        solver = self.text(data, "solver", "solver", required=False)
        if not solver:
            for i, part in enumerate(parts):
                if part.kind != "manual" and part.reference is None:
                    msg = f"part `{part.id}` needs a `reference` (the spec names no `solver`)"
                    self.error(msg, f"parts[{i}]")
            return ""
        from hwgrade.grader.problemset import import_solver_modules
        from hwgrade.solver import get_solver, registered

        import_solver_modules(self.path.parent)
        if get_solver(solver) is None:
            close = difflib.get_close_matches(solver, registered(), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            self.error(f"no solver is registered as `{solver}`{hint}", "solver")
        return solver

    def definitions(self, value: Any, ctx: Context) -> tuple[tuple[str, Any], ...]:
        """``definitions``: names for derived values, each usable by the ones after it."""
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.error("`definitions` must map names to derivations", "definitions")
            return ()
        out: list[tuple[str, Any]] = []
        for raw_name, item in value.items():
            fld = f"definitions.{raw_name}"
            name = canonical_name(str(raw_name))
            if not is_valid_name(name):
                self.error(f"`{raw_name}` is not a valid name", fld)
            elif ctx.is_declared(name):
                self.error(
                    f"`{raw_name}` is a declared symbol; give the definition its own name", fld
                )
            else:
                self.derivation(item, fld)
                out.append((name, item))
        return tuple(out)


def _read(path: Path) -> tuple[ProblemSpec | None, _Reader]:
    """Parse and check one file without running its solver or derivations.

    ``{{name}}`` placeholders are filled with the spec's own parameters (variant 0); a
    spec that varies keeps the composed data, so that each variant re-reads it.
    """
    reader = _Reader(path, {"": 1})
    ok, data = compose_file(path, reader)
    if not ok:
        return None, reader
    spec = _from_data(reader, data, _parameters_of(data))
    if spec is not None and spec.variation is not None:
        spec = replace(spec, variation=replace(spec.variation, data=data))
    return spec, reader


def _parameters_of(data: Any) -> dict[str, Any]:
    params = data.get("parameters") if isinstance(data, dict) else None
    return params if isinstance(params, dict) else {}


def _from_data(reader: _Reader, data: Any, parameters: dict[str, Any]) -> ProblemSpec | None:
    """Fill the placeholders with ``parameters``, then read the spec."""
    if has_placeholders(data):
        missing: list[str] = []
        data = render_data({**data, "parameters": parameters}, parameters, missing)
        for name in dict.fromkeys(missing):
            reader.error(f"`{{{{{name}}}}}` names no parameter of this spec", None)
    return reader.spec(data)


def spec_from_data(spec: ProblemSpec, parameters: dict[str, Any]) -> ProblemSpec:
    """The spec re-read with other parameter values (one variant's instance).

    Raises:
        SpecError: the spec does not read with these values.
    """
    assert spec.variation is not None and spec.path is not None
    reader = _Reader(spec.path, dict(spec.lines))
    got = _from_data(reader, {**spec.variation.data, "parameters": parameters}, parameters)
    if reader.errors or got is None:
        raise reader.errors[0]
    return replace(got, variation=spec.variation)


def load_spec(path: Path) -> ProblemSpec:
    """Load one spec, raising the first problem found (without running the solver).

    Raises:
        SpecError: naming the file, the field and the line.
    """
    spec, reader = _read(Path(path))
    if reader.errors or spec is None:
        raise reader.errors[0]
    return spec


#: Variants ``validate`` hands out per varying spec (each must solve, none degenerate).
VALIDATE_SAMPLES = 30


def validate_spec(path: Path) -> list[SpecError]:
    """Every problem of one spec file, including running its solver and derivations.

    A spec with ``variants`` is also sampled: :data:`VALIDATE_SAMPLES` variants, spread
    over the whole range students get, must each give a usable instance.

    Returns:
        The problems found (empty when the spec is fine).
    """
    spec, reader = _read(Path(path))
    if spec is None or reader.errors:
        return reader.errors
    from hwgrade.grader.problemset import check_solution, solve_spec

    try:
        solution = solve_spec(spec)
    except SpecError as exc:
        return [exc]
    except SolverError as exc:  # the solver is instructor code; report any failure
        line = reader.lines.get("parameters", reader.lines.get("solver"))
        return [SpecError(exc.message, str(path), "parameters", line)]
    errors = check_solution(spec, solution)
    if not errors:
        from hwgrade.grader.variants import sample_variants

        errors = sample_variants(spec, VALIDATE_SAMPLES)
    return [
        SpecError(e.message.split(" (field")[0], e.path, e.field, reader.line(e.field or ""))
        if e.line is None
        else e
        for e in errors
    ]


__all__ = [
    "KINDS",
    "MISTAKE_FIELDS",
    "PART_FIELDS",
    "SYMBOL_FIELDS",
    "TOP_OPTIONAL",
    "TOP_REQUIRED",
    "MistakeSpec",
    "PartKind",
    "PartSpec",
    "ProblemSpec",
    "load_spec",
    "spec_from_data",
    "validate_spec",
]
