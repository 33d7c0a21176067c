"""hwgrade: grade written deep-learning homework the way a careful instructor would.

Use as a library::

    import hwgrade

    hwgrade.compare("2*x*(w*x - y)", "2x(wx - y)").verdict   # Verdict.CORRECT
    problems = hwgrade.load_problem_set()                    # the built-in set
    result = hwgrade.grade_submission("examples/perfect.yaml", problems)
    result.score, result.max_score

The functions and types below are the public API (:mod:`hwgrade.api`); everything under
``hwgrade.grader`` (the pipeline's stages: answer, values, verify, specs, grading,
batch, output, cli) may change between versions. The installed distribution maps three
folders of the repository into this package: ``hwgrade.grader``, ``hwgrade.solver``
(SymPy solvers that derive reference answers) and ``hwgrade.problems`` (the built-in
specs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hwgrade._version import __version__

if TYPE_CHECKING:
    from hwgrade.api import (
        TIMEOUT,
        AnswerResult,
        HwgradeError,
        ParsedAnswer,
        PartResult,
        ProblemSet,
        ProblemSpec,
        SubmissionResult,
        Verdict,
        compare,
        grade_files,
        grade_part,
        grade_submission,
        load_problem_set,
        read_answer,
        validate_spec,
    )


def __getattr__(name: str) -> Any:
    """The API on first use, so that ``import hwgrade`` (and the CLI) stays light."""
    if name in __all__ and name != "__version__":
        # lazy: the API pulls in SymPy and the grading stack
        from hwgrade import api

        return getattr(api, name)
    raise AttributeError(f"module 'hwgrade' has no attribute {name!r}")


__all__ = [
    "TIMEOUT",
    "AnswerResult",
    "HwgradeError",
    "ParsedAnswer",
    "PartResult",
    "ProblemSet",
    "ProblemSpec",
    "SubmissionResult",
    "Verdict",
    "__version__",
    "compare",
    "grade_files",
    "grade_part",
    "grade_submission",
    "load_problem_set",
    "read_answer",
    "validate_spec",
]
