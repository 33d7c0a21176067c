"""Class statistics: what a TA needs to see after grading a whole batch.

The summary is pure data (frozen dataclasses with one :meth:`ClassSummary.to_dict`), so
the terminal report, the JSON report and any future writer agree on the numbers. It
holds student text (the most common wrong answers, file names) *unsanitised*: each
writer applies the sanitiser that fits its medium (terminal, CSV, JSON).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hwgrade.grader.grading.submission import NAMELESS
from hwgrade.grader.results import PartResult, SubmissionResult, Verdict

#: Labels of the ten score bins; 100% falls in the last one.
HISTOGRAM_BINS: tuple[str, ...] = tuple(f"{10 * i}-{10 * (i + 1)}%" for i in range(10))

#: Verdicts whose answers are listed among the "most common wrong answers".
_WRONG = (Verdict.INCORRECT, Verdict.INVALID)


@dataclass(frozen=True)
class WrongAnswer:
    """One group of equivalent wrong answers to a part.

    Attributes:
        text: The answer as the tool read it (``interpreted_as``), or the raw text
            when it could not be read, with whitespace folded.
        count: How many submissions gave an answer in this group.
        message: The feedback most of them got (a known mistake's hint, a parse error).
    """

    text: str
    count: int
    message: str


@dataclass(frozen=True)
class PartStats:
    """How the class did on one part.

    Attributes:
        key: ``problem.part``.
        attempted: Graded submissions that gave an answer (verdict not ``missing``).
        correct: Submissions whose answer is ``correct``.
        pass_rate: ``correct`` over every graded submission that has this part
            (missing answers count as not passing, so the rate is the class's).
        mean_score: Mean points over the same submissions.
        max_score: Points available.
        verdicts: ``(verdict, count)`` for every verdict, in the contract's order.
        common_wrong: The most common wrong answers, count descending then text.
        pending: Hand-graded answers without a score yet (not passes, not failures).
    """

    key: str
    attempted: int
    correct: int
    pass_rate: float
    mean_score: float
    max_score: float
    verdicts: tuple[tuple[str, int], ...]
    common_wrong: tuple[WrongAnswer, ...]
    pending: int = 0

    @property
    def total(self) -> int:
        """Graded submissions that contain this part (the pass rate's denominator)."""
        return sum(n for _, n in self.verdicts)

    def count(self, verdict: Verdict | str) -> int:
        """How many answers got ``verdict``."""
        name = verdict.value if isinstance(verdict, Verdict) else verdict
        return dict(self.verdicts).get(name, 0)

    def to_dict(self) -> dict[str, Any]:
        """JSON object for the report's ``summary.parts``."""
        problem, _, part = self.key.partition(".")
        return {
            "key": self.key,
            "problem": problem,
            "part": part,
            "attempted": self.attempted,
            "correct": self.correct,
            "pass_rate": self.pass_rate,
            "mean_score": self.mean_score,
            "max_score": self.max_score,
            "verdicts": dict(self.verdicts),
            "common_wrong": [
                {"text": w.text, "count": w.count, "message": w.message} for w in self.common_wrong
            ],
            "pending": self.pending,
        }


@dataclass(frozen=True)
class ClassSummary:
    """Statistics over one batch of submissions.

    Percent statistics are over the *graded* submissions only: a file that could not
    be read says nothing about how the class understood the material, and it is listed
    in ``ungraded`` with its reason instead.

    Attributes:
        submissions: Files in the batch.
        graded: Files that could be graded.
        ungraded: ``(file, reason)`` for every file that could not be graded.
        mean_percent: Mean score in percent.
        median_percent: Median score in percent.
        min_percent: Lowest score in percent.
        max_percent: Highest score in percent.
        stdev_percent: Population standard deviation (the class is the population).
        histogram: ``(bin label, count)`` for ten bins of 10 points each.
        parts: Per-part statistics, in the order parts first appear.
        flagged: ``(file, note)`` for files a TA must look at before the grades go out:
            two files of one student (never merged silently) and files without a name.
    """

    submissions: int
    graded: int
    ungraded: tuple[tuple[str, str], ...]
    mean_percent: float
    median_percent: float
    min_percent: float
    max_percent: float
    stdev_percent: float
    histogram: tuple[tuple[str, int], ...]
    parts: tuple[PartStats, ...]
    flagged: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON object for the report's ``summary`` (DESIGN.md, "Batch outputs")."""
        return {
            "submissions": self.submissions,
            "graded": self.graded,
            "ungraded": [{"file": f, "reason": r} for f, r in self.ungraded],
            "mean_percent": self.mean_percent,
            "median_percent": self.median_percent,
            "min_percent": self.min_percent,
            "max_percent": self.max_percent,
            "stdev_percent": self.stdev_percent,
            "histogram": [{"range": label, "count": n} for label, n in self.histogram],
            "parts": [p.to_dict() for p in self.parts],
            "flagged": [{"file": f, "note": n} for f, n in self.flagged],
        }


def fold_space(text: str) -> str:
    """Collapse runs of whitespace so ``2 *  w`` and ``2 * w`` group together."""
    return " ".join(text.split())


def wrong_answer_key(part: PartResult) -> str:
    """The text under which a wrong answer is shown.

    Readable answers group by ``interpreted_as``, which the parser has already put in
    canonical form (``2*w`` and ``w 2`` read alike); unreadable ones only have their
    raw text.
    """
    if part.result.verdict is Verdict.INVALID or not part.result.interpreted_as:
        return fold_space(part.answer)
    return fold_space(part.result.interpreted_as)


def equivalence_class(part: PartResult) -> str:
    """Which group a wrong answer falls in: equivalent answers share one.

    Answers that matched the same known mistake are equivalent to that mistake's value,
    hence to each other, whatever their form (``2(w+1)`` and ``2w + 2``); the grader
    says which mistake by its feedback. Other answers group by their canonical reading.
    """
    if part.result.method == "known-mistake" and part.result.message:
        return "mistake\0" + part.result.message
    return "answer\0" + wrong_answer_key(part)


def histogram_bin(percent: float) -> int:
    """Index of the 10-point bin for ``percent`` (clamped to 0..9; 100% is bin 9)."""
    return min(max(int(percent // 10), 0), 9)


def _part_stats(key: str, parts: Sequence[PartResult], top: int) -> PartStats:
    counts = Counter(p.result.verdict for p in parts)
    total = len(parts)
    correct = counts[Verdict.CORRECT]
    groups: dict[tuple[Verdict, str], list[PartResult]] = {}
    for p in parts:
        if p.result.verdict in _WRONG:
            groups.setdefault((p.result.verdict, equivalence_class(p)), []).append(p)

    def most_common(values: list[str]) -> str:
        # The most frequent value; ties broken by text so the report is stable.
        return min(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))[0]

    wrong = [
        WrongAnswer(
            text=most_common([wrong_answer_key(p) for p in members]),
            count=len(members),
            message=most_common([p.result.message for p in members]),
        )
        for members in groups.values()
    ]
    wrong.sort(key=lambda w: (-w.count, w.text, w.message))
    return PartStats(
        key=key,
        attempted=total - counts[Verdict.MISSING],
        correct=correct,
        pass_rate=round(correct / total, 4) if total else 0.0,
        mean_score=round(statistics.fmean(p.result.score for p in parts), 4) if total else 0.0,
        max_score=max((p.result.max_score for p in parts), default=0.0),
        verdicts=tuple((v.value, counts[v]) for v in Verdict),
        common_wrong=tuple(wrong[: max(top, 0)]),
        pending=sum(p.result.pending and p.result.verdict is Verdict.UNDECIDED for p in parts),
    )


def summarize(results: Sequence[SubmissionResult], top: int = 5) -> ClassSummary:
    """Compute class statistics over a batch.

    Args:
        results: Every submission of the batch, graded or not.
        top: How many of the most common wrong answers to keep per part.

    Returns:
        The summary; every ordering in it is deterministic, so two runs over the same
        files give byte-identical reports.
    """
    graded = [r for r in results if r.graded]
    percents = [r.percent for r in graded]
    by_part: dict[str, list[PartResult]] = {}
    for r in graded:
        for p in r.parts:
            by_part.setdefault(p.key, []).append(p)
    bins = [0] * len(HISTOGRAM_BINS)
    for pct in percents:
        bins[histogram_bin(pct)] += 1

    def stat(value: float) -> float:
        return round(value, 2) if percents else 0.0

    return ClassSummary(
        submissions=len(results),
        graded=len(graded),
        ungraded=tuple((r.file, r.status) for r in results if not r.graded),
        mean_percent=stat(statistics.fmean(percents)) if percents else 0.0,
        median_percent=stat(statistics.median(percents)) if percents else 0.0,
        min_percent=stat(min(percents, default=0.0)),
        max_percent=stat(max(percents, default=0.0)),
        stdev_percent=stat(statistics.pstdev(percents)) if percents else 0.0,
        histogram=tuple(zip(HISTOGRAM_BINS, bins, strict=True)),
        parts=tuple(_part_stats(k, ps, top) for k, ps in by_part.items()),
        flagged=tuple(identity_flags(results).items()),
    )


def identity_flags(results: Sequence[SubmissionResult]) -> dict[str, str]:
    """Files whose student is in doubt, with why: a duplicate, or no ``student:``.

    Two files of one student are both graded and both kept, each flagged with the
    other: which one counts is the TA's decision, never a silent merge.
    """
    files: dict[str, list[str]] = {}
    for r in results:
        files.setdefault(r.student, []).append(r.file)
    flags: dict[str, str] = {}
    for r in results:
        others = [f for f in files[r.student] if f != r.file]
        notes = []
        if others:
            notes.append(f"duplicate: student `{r.student}` also in {', '.join(others)}")
        if NAMELESS in r.notes:
            notes.append("no student name: the file name is used")
        if notes:
            flags[r.file] = "; ".join(notes)
    return flags


__all__ = [
    "HISTOGRAM_BINS",
    "ClassSummary",
    "PartStats",
    "WrongAnswer",
    "equivalence_class",
    "fold_space",
    "histogram_bin",
    "identity_flags",
    "summarize",
    "wrong_answer_key",
]
