"""Reading one spec file into a :class:`ProblemSpec`: the format's fields and their checks.

Specs are instructor files, but they are still read with the safe loader only, and every
:class:`SpecError` names the file, the field (``parts[2].points``) and the line. The
generic machinery (composing YAML with line marks, typed field getters) lives in
:mod:`hwgrade.grader.specs.yamlfields`; this module holds what is particular to the spec
format: which fields exist (the tables ``docs/specs.md`` is tested against), how parts,
mistakes, definitions and the solver's name are read. Reading has no side effects: it
runs no solver and imports no course module (a course's solvers are imported by
:func:`~hwgrade.grader.specs.problemset.import_solver_modules`, one explicit step, before its
specs are read), and running the solver is :mod:`hwgrade.grader.specs.validation`'s job. It
is separate from the dataclasses (:mod:`hwgrade.grader.specs.model`) so that code which only
consumes a spec never depends on the file format.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from hwgrade.grader.context import Context
from hwgrade.grader.names import canonical_name, is_valid_name
from hwgrade.grader.specs.model import MistakeSpec, PartSpec, ProblemSpec
from hwgrade.grader.specs.variantrules import has_placeholders, read_variation, render_data
from hwgrade.grader.specs.yamlfields import SYMBOL_FIELDS, FieldReader, compose_file
from hwgrade.solver import get_solver, registered

#: Allowed answer kinds, in the order the docs list them.
KINDS: tuple[str, ...] = ("expression", "vector", "matrix", "tensor", "choice", "manual")

#: Top-level fields (docs/specs.md documents each; a test keeps the two in step).
TOP_REQUIRED = ("id", "title", "statement", "parts")
TOP_OPTIONAL = (
    "source", "symbols", "relations", "parameters", "definitions", "solver", "variants",
)  # fmt: skip
PART_FIELDS = (
    "id", "prompt", "points", "kind", "tolerance", "digits", "alternatives", "mistakes", "partial",
    "allowed_symbols", "form", "orientation", "choices", "multiple", "model_answer",
    "reference", "layout", "transposed_credit",
)  # fmt: skip
MISTAKE_FIELDS = ("answer", "derive", "message", "credit")
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
        if raw.get("multiple") is True:
            for mistake in mistakes:
                if mistake.credit:  # the select-all rule scores every pick (docs/specs.md)
                    self.error(
                        "a select-all part is scored by the select-all rule: a mistake there"
                        " gives feedback, not `credit`",
                        mistake.origin + ".credit",
                    )
        return PartSpec(
            id=part_id,
            prompt=self.text(raw, "prompt", f"{fld}.prompt", required=True),
            points=self.number(raw.get("points"), fld + ".points", 1.0, 0.0),
            kind=kind,
            tolerance=self.tolerance(raw, fld),
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
            layout=self.text(raw, "layout", fld + ".layout", required=False),
            transposed_credit=min(
                1.0, self.number(raw.get("transposed_credit"), fld + ".transposed_credit", 0, 0)
            ),
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
        if get_solver(solver) is None:
            close = difflib.get_close_matches(solver, registered(), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            self.error(f"no solver is registered as `{solver}`{hint}", "solver")
        return solver

    def tolerance(self, raw: dict[str, Any], fld: str) -> float:
        """``tolerance``, or ``digits: N`` (N significant digits, ``0``: exact only).

        Both say how close a decimal must be; ``digits`` is the one an instructor thinks
        in, and it is the tolerance 10^-N, so the two cannot be given together.
        """
        if raw.get("digits") is None:
            return self.number(raw.get("tolerance"), fld + ".tolerance", 1e-3, 0.0)
        if raw.get("tolerance") is not None:
            self.error("give `digits` or `tolerance`, not both", fld + ".digits")
        digits = raw["digits"]
        if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 15:
            self.error("`digits` is a whole number of significant digits, 0 to 15", fld + ".digits")
            return 1e-3
        return 0.0 if digits == 0 else float(f"1e-{digits}")

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


def read_spec(path: Path) -> tuple[ProblemSpec | None, _Reader]:
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
    spec, reader = read_spec(Path(path))
    if reader.errors or spec is None:
        raise reader.errors[0]
    return spec


__all__ = [
    "KINDS",
    "MISTAKE_FIELDS",
    "PART_FIELDS",
    "SYMBOL_FIELDS",
    "TOP_OPTIONAL",
    "TOP_REQUIRED",
    "load_spec",
    "read_spec",
    "spec_from_data",
]
