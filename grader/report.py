"""Rich terminal reports: the student's ``check`` view, the TA's class view, ``equiv``.

Student text (answers, ids, file names, messages that quote answers) always goes
through :func:`~hwgrade.grader.sanitize.terminal_safe`, whose output is escaped rich
markup; so every cell here is built with :meth:`rich.text.Text.from_markup` from our
own markup plus sanitised text, never from raw student text. Colour is decoration only:
every verdict also has a symbol and a word, so reports read the same under ``NO_COLOR``
and in a log file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from hwgrade.grader.exports import fmt_points
from hwgrade.grader.results import AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.sanitize import terminal_safe
from hwgrade.grader.summary import ClassSummary, PartStats
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

#: Symbol, ASCII fallback, style per verdict.
VERDICT_STYLE: dict[Verdict, tuple[str, str, str]] = {
    Verdict.CORRECT: ("✓", "+", "green"),
    Verdict.INCORRECT: ("✗", "x", "red"),
    Verdict.INVALID: ("!", "!", "yellow"),
    Verdict.UNDECIDED: ("?", "?", "magenta"),
    Verdict.TIMEOUT: ("⏱", "T", "yellow"),
    Verdict.MISSING: ("–", "-", "dim"),
}

_PROMPT_LEN = 48
_ANSWER_LEN = 200
#: Detail keys never shown to students: they would give the answer away.
_COLUMN_RE = re.compile(r"\bcolumn (\d+)\b")
_HIDDEN_DETAILS = frozenset({"reference", "expected", "answer", "solution"})


def _m(text: str) -> Text:
    """Markup (ours, with student text already through ``terminal_safe``) to Text."""
    return Text.from_markup(text)


def _unicode(console: Console) -> bool:
    return console.encoding.lower().startswith("utf")


def verdict_label(verdict: Verdict, console: Console, *, word: bool = True) -> Text:
    """``✓ correct`` in the verdict's colour (ASCII symbol on non-UTF-8 consoles)."""
    symbol, ascii_symbol, style = VERDICT_STYLE[verdict]
    mark = symbol if _unicode(console) else ascii_symbol
    return Text(f"{mark} {verdict.value}" if word else mark, style=style)


def _error_column(result: AnswerResult) -> int:
    """The 1-based column of a parse error: ``details["column"]`` or "column N" in the message."""
    found = dict(result.details).get("column", "")
    if not found.isdigit():
        match = _COLUMN_RE.search(result.message)
        found = match.group(1) if match else "0"
    return int(found)


def _answer_cell(part: PartResult, width: int) -> Text:
    """How the answer was read; for unreadable answers, the raw text (and a caret).

    Args:
        part: The graded part.
        width: A conservative guess of the cell's width: the caret is drawn only when
            the raw answer surely fits on one line, since a wrapped line would put it
            under the wrong character.
    """
    r = part.result
    if r.verdict is Verdict.MISSING:
        return _m("[dim](no answer)[/]")
    if r.interpreted_as and r.verdict is not Verdict.INVALID:
        return _m(terminal_safe(r.interpreted_as, _ANSWER_LEN))
    if not part.answer:
        return _m("[dim]–[/]")
    shown = terminal_safe(part.answer, _ANSWER_LEN)
    cell = _m(f"[dim]you wrote:[/]\n{shown}")
    column = _error_column(r) if r.verdict is Verdict.INVALID else 0
    # Only when the text is shown unchanged (no escapes shift the characters).
    exact = _m(shown).plain == part.answer
    if exact and 0 < column <= len(part.answer) + 1 <= width:
        cell.append("\n" + " " * (column - 1) + "^", style="yellow")
    return cell


def _feedback_cell(part: PartResult, verbose: bool) -> Text:
    """The message, then details (wrong entries...), then in verbose mode the method."""
    r = part.result
    lines = [terminal_safe(r.message, 400)] if r.message else []
    for key, value in r.details:
        if key in _HIDDEN_DETAILS or key == "column" or (key.startswith("_") and not verbose):
            continue
        lines.append(f"[dim]{terminal_safe(key, 40)}:[/] {terminal_safe(value, 200)}")
    if verbose:
        if r.method:
            lines.append(f"[dim]decided by: {terminal_safe(r.method, 40)}[/]")
        if part.answer and r.interpreted_as:
            lines.append(f"[dim]you wrote: {terminal_safe(part.answer, _ANSWER_LEN)}[/]")
    return _m("\n".join(lines))


def _problem_table(
    problem: str,
    parts: Sequence[PartResult],
    console: Console,
    prompts: Mapping[str, str],
    verbose: bool,
) -> Table:
    score = sum(p.result.score for p in parts)
    max_score = sum(p.result.max_score for p in parts)
    table = Table(
        title=_m(
            f"[bold]{terminal_safe(problem, 60)}[/]  "
            f"[dim]{fmt_points(score)} / {fmt_points(max_score)}[/]"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=True,
        show_edge=False,
    )
    table.add_column("Part", ratio=2, overflow="fold")
    table.add_column("Result", no_wrap=True)
    table.add_column("Read as", ratio=3, overflow="fold")
    table.add_column("Pts", justify="right", no_wrap=True)
    table.add_column("Feedback", ratio=4, overflow="fold")
    for p in parts:
        # One line for the id and one for the prompt, each cut to the column's width:
        # the prompt is a reminder, not the statement, and must not push rows apart.
        label = _m(f"[bold]{terminal_safe(p.part, 30)}[/]")
        label.no_wrap, label.overflow = True, "ellipsis"
        prompt = prompts.get(p.key, "")
        if prompt:
            label.append("\n")
            label.append_text(_m(f"[dim]{terminal_safe(' '.join(prompt.split()), _PROMPT_LEN)}[/]"))
        table.add_row(
            label,
            verdict_label(p.result.verdict, console),
            _answer_cell(p, max(12, (console.width - 44) // 3)),
            f"{fmt_points(p.result.score)}/{fmt_points(p.result.max_score)}",
            _feedback_cell(p, verbose),
        )
    return table


def closing_line(result: SubmissionResult) -> str:
    """One plain sentence: how many parts are right and what to do next."""
    counts = {v: 0 for v in Verdict}
    for p in result.parts:
        counts[p.result.verdict] += 1
    total = len(result.parts)
    text = f"{counts[Verdict.CORRECT]} of {total} parts correct"
    advice = {
        Verdict.INVALID: "fix the syntax and re-run",
        Verdict.MISSING: "add the answers (`hwgrade template` lists the part ids)",
        Verdict.TIMEOUT: "simplify the expression and re-run",
        Verdict.UNDECIDED: "the tool could not decide; a TA will check by hand",
    }
    words = {Verdict.TIMEOUT: "timed out"}
    for verdict, todo in advice.items():
        if counts[verdict]:
            text += f"; {counts[verdict]} {words.get(verdict, verdict.value)}: {todo}"
    return text + "."


def render_submission(
    result: SubmissionResult,
    console: Console,
    *,
    prompts: Mapping[str, str] | None = None,
    verbose: bool = False,
) -> None:
    """Print the student's view of one graded submission (``hwgrade check``).

    The student must see, per part, how the tool *read* their answer (the most common
    surprise is precedence: ``1/2x``), the verdict, the points and why; so a table per
    problem, with file-level notes above it and one next-step line at the end.

    Args:
        result: The graded (or ungradable) submission.
        console: Where to print; colour follows the console (``NO_COLOR`` honoured).
        prompts: Short prompt per ``problem.part``, shown under the part id.
        verbose: Also show how equivalence was decided and the raw text typed.
    """
    prompts = prompts or {}
    header = _m(
        f"[bold]{terminal_safe(result.student, 60)}[/]  [dim]{terminal_safe(result.file, 80)}[/]"
    )
    console.rule(header, align="left")
    if not result.graded:
        console.print(f"Score: 0 / {fmt_points(result.max_score)}", markup=False)
        console.print(_m(f"[bold red]Could not grade this file:[/] {terminal_safe(result.status)}"))
        for note in result.notes:
            console.print(_m(f"[yellow]note:[/] {terminal_safe(note, 400)}"))
        return
    console.print(
        _m(
            f"Score: [bold]{fmt_points(result.score)} / {fmt_points(result.max_score)}[/]"
            f" ({fmt_points(result.percent)}%)"
        )
    )
    for note in result.notes:
        console.print(_m(f"[yellow]note:[/] {terminal_safe(note, 400)}"))
    by_problem: dict[str, list[PartResult]] = {}
    for p in result.parts:
        by_problem.setdefault(p.problem, []).append(p)
    for problem, parts in by_problem.items():
        console.print()
        console.print(_problem_table(problem, parts, console, prompts, verbose))
    console.print()
    style = "green" if result.all_correct else "bold"
    console.print(Text(closing_line(result), style=style))


def _histogram(summary: ClassSummary, console: Console) -> Table:
    table = Table(title="Score distribution", title_justify="left", box=None, show_header=False)
    table.add_column("Range", justify="right", no_wrap=True)
    table.add_column("Bar", no_wrap=True)
    table.add_column("Count", justify="right", no_wrap=True)
    peak = max((n for _, n in summary.histogram), default=0)
    bar = "█" if _unicode(console) else "#"
    for label, n in summary.histogram:
        width = round(40 * n / peak) if peak else 0
        table.add_row(label, Text(bar * width or ("" if not n else bar), style="cyan"), str(n))
    return table


def _parts_table(summary: ClassSummary, console: Console) -> Table:
    table = Table(title="Per part", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("Part", overflow="fold")
    table.add_column("Pass", justify="right")
    table.add_column("Mean pts", justify="right")
    for verdict in Verdict:
        table.add_column(verdict_label(verdict, console, word=False), justify="right")
    for ps in summary.parts:
        table.add_row(
            _m(terminal_safe(ps.key, 60)),
            f"{100 * ps.pass_rate:.0f}%",
            f"{fmt_points(round(ps.mean_score, 2))}/{fmt_points(ps.max_score)}",
            *(str(ps.count(v)) for v in Verdict),
        )
    return table


def _wrong_table(ps: PartStats) -> Table:
    table = Table(
        title=_m(f"Common wrong answers: [bold]{terminal_safe(ps.key, 60)}[/]"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        expand=True,
        show_edge=False,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Answer (as read)", ratio=1, overflow="fold")
    table.add_column("Feedback", ratio=1, overflow="fold")
    for w in ps.common_wrong:
        table.add_row(str(w.count), _m(terminal_safe(w.text)), _m(terminal_safe(w.message, 300)))
    return table


def render_class(summary: ClassSummary, console: Console) -> None:
    """Print the TA's view of a batch (``hwgrade grade``).

    Ordered by what a TA acts on: the distribution and spread, which parts the class
    got wrong and *how* (the top wrong answers are usually one misconception each),
    and last the files that need a human because they could not be graded.

    Args:
        summary: The batch's statistics (see :func:`~hwgrade.grader.summary.summarize`).
        console: Where to print.
    """
    console.rule(Text("Class report", style="bold"), align="left")
    console.print(
        f"{summary.submissions} submissions, {summary.graded} graded, "
        f"{len(summary.ungraded)} could not be graded"
    )
    if summary.graded:
        console.print(
            f"Mean {summary.mean_percent:.1f}%  median {summary.median_percent:.1f}%  "
            f"stdev {summary.stdev_percent:.1f}  "
            f"min {summary.min_percent:.1f}%  max {summary.max_percent:.1f}%",
            markup=False,
        )
        console.print()
        console.print(_histogram(summary, console))
    if summary.parts:
        console.print()
        console.print(_parts_table(summary, console))
    for ps in summary.parts:
        if ps.common_wrong:
            console.print()
            console.print(_wrong_table(ps))
    if summary.ungraded:
        table = Table(
            title="Could not be graded", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False
        )
        table.add_column("File", overflow="fold")
        table.add_column("Why", overflow="fold")
        for file, reason in summary.ungraded:
            table.add_row(_m(terminal_safe(file)), _m(terminal_safe(reason, 300)))
        console.print()
        console.print(table)


def render_equiv(result: AnswerResult, console: Console) -> None:
    """Print the outcome of ``hwgrade equiv``: the verdict, both sides as read, and why.

    Args:
        result: The comparison's result (``reference`` holds the reference as read).
        console: Where to print.
    """
    words = {
        Verdict.CORRECT: "equivalent",
        Verdict.INCORRECT: "not equivalent",
        Verdict.INVALID: "invalid input",
        Verdict.UNDECIDED: "undecided",
        Verdict.TIMEOUT: "timed out",
        Verdict.MISSING: "missing",
    }
    symbol, ascii_symbol, style = VERDICT_STYLE[result.verdict]
    mark = symbol if _unicode(console) else ascii_symbol
    console.print(Text(f"{mark} {words[result.verdict]}", style=f"bold {style}"))
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    if result.reference:
        table.add_row("reference", _m(terminal_safe(result.reference, 400)))
    if result.interpreted_as:
        table.add_row("answer", _m(terminal_safe(result.interpreted_as, 400)))
    if result.method:
        table.add_row("method", _m(terminal_safe(result.method, 60)))
    if result.message:
        table.add_row("why", _m(terminal_safe(result.message, 400)))
    for key, value in result.details:
        table.add_row(_m(terminal_safe(key, 40)), _m(terminal_safe(value, 200)))
    console.print(table)


__all__ = [
    "VERDICT_STYLE",
    "closing_line",
    "render_class",
    "render_equiv",
    "render_submission",
    "verdict_label",
]
