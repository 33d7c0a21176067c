"""``hwgrade equiv``: equivalence of one pair, or of a file of pairs, under the sandbox.

Each pair is checked in a worker process with the time and memory limits of the
sandbox, so a hostile pair in a file of thousands costs at most its time limit and
never the run.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwgrade.grader.answer.language import Syntax
from hwgrade.grader.batch.sandbox import Limits, TaskOutcome, WorkerPool, run_bounded
from hwgrade.grader.context import Context, parse_vars
from hwgrade.grader.errors import HwgradeError, SubmissionError, UsageError
from hwgrade.grader.results import AnswerResult, Verdict
from hwgrade.grader.verify.check import check_pair
from hwgrade.grader.yamlsafe import load_untrusted_file

SYNTAXES = ("plain", "latex", "auto")


@dataclass(frozen=True)
class Pair:
    """One equivalence question.

    Attributes:
        reference: The reference expression (syntax auto-detected).
        answer: The answer to judge.
        syntax: The answer's syntax.
        vars: The ``--vars`` declaration ("" = every name is a scalar).
        tolerance: Relative tolerance for decimals in the answer.
    """

    reference: str
    answer: str
    syntax: Syntax = "auto"
    vars: str = ""
    tolerance: float = 1e-3

    def context(self) -> Context:
        """The declared symbols (an open context when ``vars`` is empty)."""
        return parse_vars(self.vars) if self.vars.strip() else Context(open=True)


def run_pair(pair: Pair) -> AnswerResult:
    """Worker entry point: judge one pair (never raises for a bad expression)."""
    try:
        ctx = pair.context()
    except HwgradeError as exc:
        return AnswerResult(
            Verdict.INVALID, 0.0, 1.0, f"--vars: {exc.message}", reference=pair.reference
        )
    return check_pair(
        pair.reference, pair.answer, ctx, syntax=pair.syntax, tolerance=pair.tolerance
    )


def _stopped(outcome: TaskOutcome, pair: Pair, limits: Limits) -> AnswerResult:
    """The verdict for a pair whose check the sandbox stopped."""
    if outcome.timed_out:
        message = f"the check took longer than {limits.seconds:g} s"
        return AnswerResult(Verdict.TIMEOUT, 0.0, 1.0, message, reference=pair.reference)
    return AnswerResult(
        Verdict.INVALID, 0.0, 1.0, outcome.error or "the checker stopped", reference=pair.reference
    )


def judge(pair: Pair, limits: Limits | None = None) -> AnswerResult:
    """Judge one pair in a bounded child process."""
    limits = limits or Limits()
    outcome = run_bounded(run_pair, pair, limits)
    if outcome.ok and isinstance(outcome.value, AnswerResult):
        return outcome.value
    return _stopped(outcome, pair, limits)


def read_pairs(path: Path) -> list[Pair]:
    """Read a YAML/JSON list of ``{reference, answer, syntax?, vars?, tolerance?}``.

    Raises:
        UsageError: The file is unreadable or an item is malformed (the message names it).
    """
    try:
        data: Any = load_untrusted_file(path, require_mapping=False)
    except SubmissionError as exc:
        raise UsageError(exc.message) from None  # the message names the file
    if isinstance(data, dict) and "pairs" in data:
        data = data["pairs"]
    if not isinstance(data, list):
        raise UsageError(f"{path}: expected a list of {{reference, answer}} items")
    pairs: list[Pair] = []
    for i, item in enumerate(data):
        where = f"{path}: item {i + 1}"
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("reference"), str)
            or not isinstance(item.get("answer"), str)
        ):
            raise UsageError(f"{where}: needs text fields `reference` and `answer`")
        syntax = item.get("syntax", "auto")
        if syntax not in SYNTAXES:
            raise UsageError(f"{where}: `syntax` must be one of {', '.join(SYNTAXES)}")
        try:
            tolerance = float(item.get("tolerance", "1e-3"))
        except ValueError:
            raise UsageError(f"{where}: `tolerance` must be a number") from None
        if not (math.isfinite(tolerance) and tolerance > 0):
            raise UsageError(f"{where}: `tolerance` must be a number above 0")
        pairs.append(
            Pair(item["reference"], item["answer"], syntax, str(item.get("vars") or ""), tolerance)
        )
    return pairs


def judge_all(pairs: list[Pair], workers: int, limits: Limits | None = None) -> list[AnswerResult]:
    """Judge many pairs in a worker pool, results in input order."""
    limits = limits or Limits()
    with WorkerPool(workers, limits) as pool:
        outcomes = pool.map(run_pair, pairs)
    return [
        o.value if o.ok and isinstance(o.value, AnswerResult) else _stopped(o, p, limits)
        for p, o in zip(pairs, outcomes, strict=True)
    ]


def json_line(result: AnswerResult) -> str:
    """One JSON object on one line (the ``--pairs`` output format)."""
    return json.dumps(result.to_dict(), ensure_ascii=False)


__all__ = ["Pair", "json_line", "judge", "judge_all", "read_pairs", "run_pair"]
