"""Class statistics over a hand-built batch (tests/test_summary.py)."""

from __future__ import annotations

import json

import pytest

# The hand-built batch shared with test_summary, test_report and test_exports.
from sample_batch import (
    ANSI,
    BROKEN,
    FEEDBACK_B,
    MU,
    WRONG_B,
    A,
    B,
    _p,
    batch,
)

from hwgrade.grader.output.summary import (
    HISTOGRAM_BINS,
    ClassSummary,
    PartStats,
    WrongAnswer,
    fold_space,
    histogram_bin,
    summarize,
)
from hwgrade.grader.results import GRADED, AnswerResult, PartResult, SubmissionResult, Verdict


@pytest.fixture(scope="module")
def summary() -> ClassSummary:
    return summarize(batch())


def _part(summary: ClassSummary, key: str) -> PartStats:
    return next(p for p in summary.parts if p.key == key)


def test_counts_and_ungraded(summary: ClassSummary) -> None:
    assert (summary.submissions, summary.graded) == (7, 6)
    assert summary.ungraded == (("subs/broken.yaml", BROKEN),)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("mean_percent", 37.5),
        ("median_percent", 25.0),
        ("min_percent", 0.0),
        ("max_percent", 100.0),
        ("stdev_percent", 31.46),  # sqrt((62.5² + 3·12.5² + 37.5² + 12.5²) / 6)
    ],
    ids=["mean", "median", "min", "max", "stdev"],
)
def test_percent_statistics(summary: ClassSummary, field: str, expected: float) -> None:
    assert getattr(summary, field) == pytest.approx(expected, abs=0.01)


def test_histogram_bins(summary: ClassSummary) -> None:
    hist = dict(summary.histogram)
    assert tuple(hist) == HISTOGRAM_BINS
    assert len(HISTOGRAM_BINS) == 10
    assert hist == {
        "0-10%": 1,
        "10-20%": 0,
        "20-30%": 3,
        "30-40%": 0,
        "40-50%": 0,
        "50-60%": 1,
        "60-70%": 0,
        "70-80%": 0,
        "80-90%": 0,
        "90-100%": 1,
    }


@pytest.mark.parametrize(
    ("percent", "index"),
    [(0.0, 0), (9.99, 0), (10.0, 1), (25.0, 2), (99.99, 9), (100.0, 9), (-5.0, 0), (150.0, 9)],
    ids=["zero", "below-10", "exactly-10", "quarter", "almost-full", "full", "negative", "over"],
)
def test_histogram_bin(percent: float, index: int) -> None:
    assert histogram_bin(percent) == index


@pytest.mark.parametrize(
    ("key", "attempted", "correct", "pass_rate", "mean_score", "max_score"),
    [
        (A, 6, 4, 0.6667, 0.6667, 1.0),
        (B, 6, 1, 0.1667, 0.5, 2.0),
        (MU, 5, 2, 0.3333, 0.3333, 1.0),
    ],
    ids=["all-attempted", "partial-credit", "one-missing"],
)
def test_part_numbers(
    summary: ClassSummary,
    key: str,
    attempted: int,
    correct: int,
    pass_rate: float,
    mean_score: float,
    max_score: float,
) -> None:
    stats = _part(summary, key)
    assert (stats.attempted, stats.correct, stats.max_score) == (attempted, correct, max_score)
    assert stats.pass_rate == pytest.approx(pass_rate, abs=1e-4)
    assert stats.mean_score == pytest.approx(mean_score, abs=1e-4)
    assert stats.total == 6


def test_verdict_counts_cover_every_verdict_in_contract_order(summary: ClassSummary) -> None:
    stats = _part(summary, MU)
    assert [v for v, _ in stats.verdicts] == [v.value for v in Verdict]
    assert dict(stats.verdicts) == {
        "correct": 2,
        "incorrect": 0,
        "carried_forward": 0,
        "invalid": 3,
        "undecided": 0,
        "timeout": 0,
        "missing": 1,
    }
    assert stats.count(Verdict.INVALID) == stats.count("invalid") == 3


def test_parts_in_first_seen_order(summary: ClassSummary) -> None:
    assert [p.key for p in summary.parts] == [A, B, MU]


def test_common_wrong_groups_spellings_that_read_alike(summary: ClassSummary) -> None:
    # Three raw spellings (and one extra space in the echo) read as the same expression.
    assert _part(summary, B).common_wrong == (
        WrongAnswer(WRONG_B, 3, FEEDBACK_B),
        WrongAnswer("u_3 + w*u_2", 1, "partly right"),
    )


def test_common_wrong_invalid_groups_by_raw_text(summary: ClassSummary) -> None:
    wrong = _part(summary, MU).common_wrong
    assert wrong[0].text == "[1, 2"
    assert wrong[0].count == 2
    # Tie between the two messages: the lexicographically smaller wins (deterministic).
    assert wrong[0].message == "unexpected end"
    assert wrong[1] == WrongAnswer(ANSI, 1, "unknown character")


def test_undecided_timeout_and_missing_are_not_wrong_answers(summary: ClassSummary) -> None:
    texts = {w.text for p in summary.parts for w in p.common_wrong}
    assert "exp(w)" not in texts and "w^99999" not in texts and "" not in texts


def test_top_limits_and_ties_sort_by_text() -> None:
    results = [
        SubmissionResult(s, f"{s}.yaml", GRADED, (_p(A, "incorrect", read=read, raw=read),))
        for s, read in [("a", "zeta"), ("b", "alpha"), ("c", "zeta"), ("d", "beta")]
    ]
    wrong = summarize(results, top=2).parts[0].common_wrong
    assert [(w.text, w.count) for w in wrong] == [("zeta", 2), ("alpha", 1)]
    assert summarize(results, top=0).parts[0].common_wrong == ()


def test_empty_batch() -> None:
    s = summarize([])
    assert (s.submissions, s.graded, s.mean_percent, s.stdev_percent, s.parts) == (
        0,
        0,
        0.0,
        0.0,
        (),
    )
    assert sum(n for _, n in s.histogram) == 0


def test_only_ungraded_files() -> None:
    s = summarize([batch()[-1]])
    assert (s.submissions, s.graded, len(s.ungraded), s.max_percent) == (1, 0, 1, 0.0)


@pytest.mark.parametrize(
    ("text", "folded"),
    [("2 *  w", "2 * w"), ("  a\tb\n", "a b"), ("", "")],
    ids=["inner", "edges-and-tabs", "empty"],
)
def test_fold_space(text: str, folded: str) -> None:
    assert fold_space(text) == folded


def test_to_dict_is_json_and_complete(summary: ClassSummary) -> None:
    d = json.loads(json.dumps(summary.to_dict()))
    assert d["submissions"] == 7 and d["graded"] == 6
    assert d["ungraded"] == [{"file": "subs/broken.yaml", "reason": BROKEN}]
    assert d["histogram"][2] == {"range": "20-30%", "count": 3}
    part = d["parts"][1]
    assert (part["key"], part["problem"], part["part"]) == (B, "rnn_backprop", "b")
    assert part["verdicts"]["incorrect"] == 4
    assert part["common_wrong"][0] == {"text": WRONG_B, "count": 3, "message": FEEDBACK_B}


def test_deterministic() -> None:
    assert summarize(batch()) == summarize(batch())


def _wrong(answer: str, read_as: str, method: str = "numeric", message: str = "") -> PartResult:
    result = AnswerResult(Verdict.INCORRECT, 0.0, 1.0, message, read_as, method=method)
    return PartResult("rnn_backprop", "b", result, answer)


@pytest.mark.parametrize(
    ("answers", "groups"),
    [
        ([("2w", "2*w"), ("w*2", "2*w"), ("w 2", "2*w")], [("2*w", 3)]),
        ([("2w", "2*w"), ("3w", "3*w")], [("2*w", 1), ("3*w", 1)]),
    ],
    ids=["same-reading", "different"],
)
def test_wrong_answers_group_by_reading(
    answers: list[tuple[str, str]], groups: list[tuple[str, int]]
) -> None:
    parts = tuple(_wrong(a, r) for a, r in answers)
    results = [SubmissionResult(f"s{i}", f"s{i}.yaml", GRADED, (p,)) for i, p in enumerate(parts)]
    [stats] = summarize(results).parts
    assert [(w.text, w.count) for w in stats.common_wrong] == groups


def test_same_known_mistake_is_one_group_whatever_the_form() -> None:
    hint = "the w in front of u_2 counts twice"
    parts = [
        _wrong("2(w+1)", "2*(w + 1)", "known-mistake", hint),
        _wrong("2w+2", "2*w + 2", "known-mistake", hint),
        _wrong("2w+2", "2*w + 2", "known-mistake", hint),
    ]
    results = [SubmissionResult(f"s{i}", f"s{i}.yaml", GRADED, (p,)) for i, p in enumerate(parts)]
    [stats] = summarize(results).parts
    assert [(w.text, w.count, w.message) for w in stats.common_wrong] == [("2*w + 2", 3, hint)]
