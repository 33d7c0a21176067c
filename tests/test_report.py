"""Rich terminal reports rendered to a fixed-width console (tests/test_report.py)."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

# The hand-built batch shared with test_summary, test_report and test_exports.
from sample_batch import (
    MU,
    PROMPTS,
    WRONG_B,
    B,
    _p,
    _sub,
    batch,
)

from hwgrade.grader.output.report import (
    closing_line,
    render_class,
    render_equiv,
    render_submission,
    short_prompt,
    verdict_label,
)
from hwgrade.grader.output.summary import summarize
from hwgrade.grader.results import AnswerResult, Verdict


def _console(width: int = 100) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None)


def _text(console: Console) -> str:
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def _submission(index: int, *, width: int = 100, verbose: bool = False) -> str:
    console = _console(width)
    render_submission(batch()[index], console, prompts=PROMPTS, verbose=verbose)
    return _text(console)


# ---------------------------------------------------------------- student view


def test_all_correct_submission() -> None:
    out = _submission(0)
    assert "alice" in out and "subs/alice.yaml" in out
    assert "Score: 4 / 4 (100%)" in out
    assert out.count(" correct ") + out.count(" correct\n") >= 3
    assert "Total: 4 / 4 (100%). 3 of 3 parts correct." in out


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (
            1,
            [
                "Score: 1 / 4 (25%)",
                "✗ b  incorrect",
                "! mu  invalid",
                f"read as   {WRONG_B}",
                "feedback  Known mistake",
                "you wrote [1, 2",
                "1 of 3 parts correct; 1 invalid: fix the syntax and re-run.",
            ],
        ),
        (2, ["– mu  missing", "1 missing: add the answers"]),
        (3, ["⏱ a  timeout", "took longer than 5 s", "1 timed out: simplify"]),
        (4, ["? b  undecided", "could not decide", "0 of 3 parts correct", "1 undecided"]),
        (5, ["Score: 2 / 4 (50%)", "1 / 2", "partly right"]),
    ],
    ids=["incorrect-and-invalid", "missing", "timeout", "undecided", "partial-credit"],
)
def test_submission_lines(index: int, expected: list[str]) -> None:
    out = _submission(index)
    for fragment in expected:
        assert fragment in out, fragment


def test_part_heading_has_id_verdict_and_points_on_one_line() -> None:
    for width in (80, 100):
        lines = _submission(1, width=width).splitlines()
        heading = next(line for line in lines if "b  incorrect" in line)
        assert heading.startswith("✗ b  incorrect") and heading.rstrip().endswith("0 / 2")
        assert len(heading.rstrip()) == width


def test_pretty_echo_under_the_plain_one() -> None:
    lines = _submission(1).splitlines()
    row = next(i for i, line in enumerate(lines) if f"read as   {WRONG_B}" in line)
    assert lines[row + 1].strip() == "u₃ + 2·w·u₂"


@pytest.mark.parametrize(
    ("prompt", "shown"),
    [
        ("dy/dw", "dy/dw"),
        ("Forward pass. Then more words here.", "Forward pass."),
        (
            "Forward pass — write t using only w and the inputs u_1, u_2, u_3, and more and "
            "more words.",
            "Forward pass — write t using only w and the inputs u_1, u_2, u_3, and…",
        ),
        ("  spaced\n  out  ", "spaced out"),
    ],
    ids=["short", "first-sentence", "long", "whitespace"],
)
def test_short_prompt(prompt: str, shown: str) -> None:
    assert short_prompt(prompt) == shown
    assert len(short_prompt(prompt)) <= 72


@pytest.mark.parametrize("width", [80, 100])
def test_prompt_is_not_cut_to_a_column(width: int) -> None:
    out = _submission(1, width=width)
    assert "    Unroll the RNN three steps and write t in terms of u and w" in out
    assert "    dy/dw" in out


def test_prompts_and_problem_headings() -> None:
    out = _submission(1)
    assert "rnn_backprop  1 / 3" in out
    assert "normalization_stats  0 / 1" in out


def test_notes_above_the_parts() -> None:
    out = _submission(1)
    assert "note: unknown part id 'rnn_backprop.bb' (did you mean 'b'?)" in out
    assert out.index("did you mean") < out.index("rnn_backprop  1 / 3")


@pytest.mark.parametrize(
    ("message", "details", "raw", "width", "caret"),
    [
        ("unexpected end", (("column", "6"),), "[1, 2", 100, 5),
        ("at column 3: unexpected `)`", (), "w*)", 100, 2),
        ("at column 3: unexpected `)`", (), "w*)" + " " * 90 + "u", 100, None),  # too long
        ("unexpected end", (), "[1, 2", 100, None),  # no column known
        ("at column 2: bad", (), "\x1bx", 100, None),  # escapes would shift the caret
        ("at column 3: unexpected `)`", (), "w*)", 80, 2),
    ],
    ids=["details-column", "message-column", "too-long", "no-column", "escaped", "width-80"],
)
def test_caret_under_parse_error_column(
    message: str, details: tuple[tuple[str, str], ...], raw: str, width: int, caret: int | None
) -> None:
    part = _p(MU, "invalid", msg=message, raw=raw, details=details)
    console = _console(width)
    render_submission(_sub("zoe", part), console)
    lines = _text(console).splitlines()
    row = next(i for i, line in enumerate(lines) if "you wrote" in line)
    start = lines[row].index("you wrote") + len("you wrote ")
    below = lines[row + 1][start:] if len(lines) > row + 1 else ""
    if caret is None:
        assert not below.lstrip().startswith("^")
    else:
        assert below.index("^") == caret


def test_reference_not_shown_by_default() -> None:
    for index in range(7):
        assert "REF-SECRET" not in _submission(index)


def test_verbose_shows_reference_for_wrong_parts_only() -> None:
    out = _submission(1, verbose=True)
    assert "expected  REF-SECRET" in out
    assert out.count("REF-SECRET") == 2  # b (incorrect) and mu (invalid), not a (correct)
    assert "REF-SECRET" not in _submission(0, verbose=True)


def test_verbose_shows_method_and_raw_text() -> None:
    out = _submission(1, verbose=True)
    assert "decided   by exact" in out and "you wrote u_3 + 2w u_2" in out
    assert "decided" not in _submission(1)


def test_ansi_and_markup_in_student_text_are_not_raw() -> None:
    out = _submission(5)
    assert "\x1b" not in out
    assert "gotcha" in out
    assert "[red]pwn[/red]" in out  # rich markup in the id printed literally, not applied


def test_ungraded_submission() -> None:
    out = _submission(6)
    assert "Score: 0 / 4" in out
    assert "Could not grade this file: not YAML: bad indentation (line 2)" in out


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("index", range(7), ids=[f"sub{i}" for i in range(7)])
def test_fits_width(index: int, width: int) -> None:
    out = _submission(index, width=width)
    assert max(len(line) for line in out.splitlines()) <= width


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    def render() -> str:
        console = Console(file=io.StringIO(), width=100, force_terminal=True)
        render_submission(batch()[1], console)
        return _text(console)

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert "\x1b[31m" in render()  # red ✗ with colour on
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[31m" not in render() and "\x1b[32m" not in render()


@pytest.mark.parametrize(
    ("verdict", "unicode", "ascii_"),
    [
        (Verdict.CORRECT, "✓ correct", "+ correct"),
        (Verdict.INCORRECT, "✗ incorrect", "x incorrect"),
        (Verdict.CARRIED_FORWARD, "↪ carried_forward", "~ carried_forward"),
        (Verdict.INVALID, "! invalid", "! invalid"),
        (Verdict.UNDECIDED, "? undecided", "? undecided"),
        (Verdict.TIMEOUT, "⏱ timeout", "T timeout"),
        (Verdict.MISSING, "– missing", "- missing"),
    ],
    ids=[v.value for v in Verdict],
)
def test_verdict_labels(verdict: Verdict, unicode: str, ascii_: str) -> None:
    assert verdict_label(verdict, _console()).plain == unicode
    ascii_console = Console(file=io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert verdict_label(verdict, ascii_console).plain == ascii_


def test_closing_line_all_kinds() -> None:
    assert closing_line(batch()[0]) == "3 of 3 parts correct."


# ---------------------------------------------------------------- TA view


@pytest.fixture(scope="module")
def class_report() -> str:
    console = _console()
    render_class(summarize(batch()), console)
    return _text(console)


@pytest.mark.parametrize(
    "fragment",
    [
        "7 submissions, 6 graded, 1 could not be graded",
        "Mean 37.5%  median 25.0%  stdev 31.5  min 0.0%  max 100.0%",
        "Score distribution",
        "Per part",
        "Common wrong answers: rnn_backprop.b",
        "Known mistake: the w in front of u_2",
        "Could not be graded",
        "subs/broken.yaml",
        "bad indentation",
    ],
)
def test_class_report_fragments(class_report: str, fragment: str) -> None:
    assert fragment in class_report


def test_class_histogram_bars(class_report: str) -> None:
    line = next(x for x in class_report.splitlines() if x.strip().startswith("20-30%"))
    assert line.rstrip().endswith("3") and "█" * 40 in line
    line = next(x for x in class_report.splitlines() if x.strip().startswith("90-100%"))
    assert line.rstrip().endswith("1") and "█" in line


def test_class_part_rows(class_report: str) -> None:
    row = next(x for x in class_report.splitlines() if x.strip().startswith(B))
    assert row.split() == [B, "17%", "0.5/2", "1", "4", "0", "0", "1", "0", "0"]


def test_class_wrong_answer_counts(class_report: str) -> None:
    row = next(x for x in class_report.splitlines() if WRONG_B in x)
    assert row.split()[0] == "3"


def test_class_report_escapes_student_text(class_report: str) -> None:
    assert "\x1b" not in class_report and "gotcha" in class_report


def test_class_report_fits_width_80() -> None:
    console = _console(80)
    render_class(summarize(batch()), console)
    assert max(len(line) for line in _text(console).splitlines()) <= 80


def test_class_report_empty_batch() -> None:
    console = _console()
    render_class(summarize([]), console)
    assert "0 submissions, 0 graded, 0 could not be graded" in _text(console)


# ---------------------------------------------------------------- equiv


@pytest.mark.parametrize(
    ("verdict", "headline"),
    [
        (Verdict.CORRECT, "✓ equivalent"),
        (Verdict.INCORRECT, "✗ not equivalent"),
        (Verdict.INVALID, "! invalid input"),
        (Verdict.UNDECIDED, "? undecided"),
    ],
    ids=["equal", "not-equal", "invalid", "undecided"],
)
def test_render_equiv(verdict: Verdict, headline: str) -> None:
    console = _console()
    result = AnswerResult(
        verdict,
        message="differ at w=2",
        interpreted_as="2*w",
        reference="w*2",
        method="numeric",
        details=(("points", "5"),),
    )
    render_equiv(result, console)
    out = _text(console)
    assert out.splitlines()[0] == headline
    for fragment in ("reference  w*2", "answer     2*w", "method     numeric", "differ at w=2"):
        assert fragment in out
