"""Problem specs: the frozen dataclasses a YAML file in ``problems/`` is read into.

A spec states each reference answer either through a registered ``solver`` or, for what
a SymPy step can say, as a ``reference`` derivation (:mod:`hwgrade.grader.specs.derive`). These
classes are what the rest of the grader (grading, keys, submissions, variants) works
with; reading and checking a file into them lives in :mod:`hwgrade.grader.specs.specfile`, so
that code which only consumes a spec does not depend on the YAML format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hwgrade.grader.context import Context
from hwgrade.grader.specs.variantrules import Variation

PartKind = Literal["expression", "vector", "matrix", "tensor", "choice", "manual"]


@dataclass(frozen=True)
class MistakeSpec:
    """A known wrong answer written by the instructor in the spec.

    Attributes:
        answer: The wrong answer in the answer language (string, or nested lists).
        message: Feedback shown when a student's answer is equivalent to it.
        credit: Fraction of the part's points it still earns.
        derive: Instead of ``answer``: a derivation (:mod:`hwgrade.grader.specs.derive`) that
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
        layout: The convention a matrix or vector answer follows (``J is asked in
            numerator layout: entry (i, j) = dh_{t+1,i}/dh_{t,j}``), named in the
            feedback of an answer that is the transpose of the reference.
        transposed_credit: Fraction of the points for that transpose (the other
            convention, right in itself); 0 by default.
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
    layout: str = ""
    transposed_credit: float = 0.0


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


__all__ = [
    "MistakeSpec",
    "PartKind",
    "PartSpec",
    "ProblemSpec",
]
