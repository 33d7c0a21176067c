"""Problem specs: the frozen dataclasses a YAML file in ``problems/`` is read into.

(Loading and validation of the YAML files is implemented below the dataclasses.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hwgrade.grader.context import Context

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
