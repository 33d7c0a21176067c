"""Solvers: functions that derive every reference answer of a problem from its parameters.

A solver is registered under a name with :func:`register`; a spec names it in its
``solver:`` field. It receives the spec's parameters and its :class:`Context` and returns
a :class:`Solution`. Solvers derive; they never hold typed-in answers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hwgrade.grader.context import Context


@dataclass(frozen=True)
class Step:
    """One step of a worked solution, as the key shows it.

    Attributes:
        text: The step in words (plain text, may contain plain-syntax math).
        latex: The same step's mathematics in LaTeX ("" when the text says it all).
    """

    text: str
    latex: str = ""


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer a solver derives, with the feedback it deserves.

    Attributes:
        id: Short stable identifier (``bessel``, ``missing_path``, ``transposed``).
        value: The wrong value, as a SymPy object of the same kind as the reference.
        message: What the student most likely did, and what to do instead.
        credit: Fraction of the part's points this mistake still earns (0 to 1).
    """

    id: str
    value: Any
    message: str
    credit: float = 0.0


#: Given the student's own (parsed) answers by part id, the reference for a follow-on part.
FollowOn = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class CarryForward:
    """Error carried forward: grade a part against the student's own earlier answer.

    Attributes:
        sources: Part ids whose student values the derivation needs.
        derive: Builds the follow-on reference from those values.
        credit: Fraction of the points earned when the method is right on a wrong input.
        message: What the report says when credit is carried forward.
        same_as: Other parts whose reference is this part's quantity (``d.total`` and
            ``b`` are both dy/dw). A student who got one of them right knows the
            answer, so a different answer here contradicts their own correct work and
            earns nothing carried forward, whatever the sources say.
    """

    sources: tuple[str, ...]
    derive: FollowOn
    credit: float = 1.0
    message: str = "correct for your own earlier answer (error carried forward)"
    same_as: tuple[str, ...] = ()

    @property
    def needs(self) -> tuple[str, ...]:
        """Every part whose student answer the rule reads: its sources, then ``same_as``."""
        return self.sources + tuple(p for p in self.same_as if p not in self.sources)


@dataclass(frozen=True)
class Solution:
    """Everything a solver derives for one problem instance.

    Attributes:
        answers: Reference value of every auto-graded part, by part id: a SymPy ``Expr``
            (scalar), a matrix expression or ``ImmutableMatrix`` (vector, matrix), an
            ``ImmutableDenseNDimArray`` (tensor), or for choice parts a tuple of option
            labels; manual parts carry their model answer as a string.
        steps: The derivation, for the key, by part id ("" for problem-level steps).
        mistakes: Derived known mistakes by part id.
        definitions: Intermediate names and what they stand for (``q -> w*u_1``), so a
            part may be answered in terms of them; the grader substitutes them.
        carry_forward: Follow-on parts graded against the student's own earlier answer.
    """

    answers: Mapping[str, Any]
    steps: Mapping[str, tuple[Step, ...]] = field(default_factory=dict)
    mistakes: Mapping[str, tuple[Mistake, ...]] = field(default_factory=dict)
    definitions: Mapping[str, Any] = field(default_factory=dict)
    carry_forward: Mapping[str, CarryForward] = field(default_factory=dict)


#: A solver: (parameters, context) -> Solution.
SolverFn = Callable[[Mapping[str, Any], Context], Solution]

_REGISTRY: dict[str, SolverFn] = {}


def register(name: str) -> Callable[[SolverFn], SolverFn]:
    """Register a solver under ``name`` (the value of a spec's ``solver:`` field)."""

    def decorate(fn: SolverFn) -> SolverFn:
        _REGISTRY[name] = fn
        return fn

    return decorate


def get_solver(name: str) -> SolverFn | None:
    """The solver registered under ``name``, loading the built-in modules first."""
    _load_builtin()
    return _REGISTRY.get(name)


def registered() -> tuple[str, ...]:
    """Names of every registered solver."""
    _load_builtin()
    return tuple(sorted(_REGISTRY))


#: Whether solvers run their self-checks (see :func:`without_self_checks`).
_SELF_CHECKS = [True]


def self_checks() -> bool:
    """Whether a solver should run its self-check now (call it before a costly one).

    A self-check re-derives a solver's closed forms on a small random instance by brute
    force (every dropout mask, SymPy's own matrix derivative). It vouches for the
    solver's mathematics, which does not change from one run to the next, and costs
    seconds; so it runs where that is the point (``hwgrade key``, ``validate``, the
    tests) and is skipped while a class is graded (:func:`without_self_checks`).
    """
    return _SELF_CHECKS[-1]


@contextlib.contextmanager
def without_self_checks() -> Iterator[None]:
    """Solve without the solvers' self-checks inside the block (threads included).

    The references are the same either way: a self-check only raises or passes.
    """
    _SELF_CHECKS.append(False)
    try:
        yield
    finally:
        _SELF_CHECKS.pop()


def _load_builtin() -> None:
    """Import the built-in solver modules so that their ``@register`` lines run."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


__all__ = [
    "CarryForward",
    "Mistake",
    "Solution",
    "SolverFn",
    "Step",
    "get_solver",
    "register",
    "registered",
    "self_checks",
    "without_self_checks",
]
