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

from rich import box
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from hwgrade.grader.answer.echo import to_pretty
from hwgrade.grader.output.exports import fmt_points
from hwgrade.grader.output.summary import ClassSummary, PartStats
from hwgrade.grader.results import AnswerResult, PartResult, SubmissionResult, Verdict
from hwgrade.grader.sanitize import terminal_safe

#: Symbol, ASCII fallback, style per verdict.
VERDICT_STYLE: dict[Verdict, tuple[str, str, str]] = {
    Verdict.CORRECT: ("✓", "+", "green"),
    Verdict.INCORRECT: ("✗", "x", "red"),
    Verdict.CARRIED_FORWARD: ("↪", "~", "blue"),
    Verdict.INVALID: ("!", "!", "yellow"),
    Verdict.UNDECIDED: ("?", "?", "magenta"),
    Verdict.TIMEOUT: ("⏱", "T", "yellow"),
    Verdict.MISSING: ("–", "-", "dim"),
}

#: The prompt is a reminder of the question, not the statement: one short line.
_PROMPT_LEN = 72
_ANSWER_LEN = 300
_LABEL_WIDTH = 9
_INDENT = 4
_COLUMN_RE = re.compile(r"\bcolumn (\d+)\b")
#: Detail keys never shown in the default student view: they would give the answer away.
_HIDDEN_DETAILS = frozenset({"reference", "expected", "answer", "solution", "hand_points"})


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


def short_prompt(prompt: str, limit: int = _PROMPT_LEN) -> str:
    """The first sentence of a prompt, cut at a word boundary to ``limit`` characters.

    The report repeats the prompt only so a student knows which question a row is
    about; a whole paragraph would push the answers apart.
    """
    text = " ".join(prompt.split())
    match = re.search(r"(?<=[.?!])\s", text)
    if match:
        text = text[: match.start()]
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return cut + "…"


def _error_column(result: AnswerResult) -> int:
    """The 1-based column of a parse error: ``details["column"]`` or "column N" in the message."""
    found = dict(result.details).get("column", "")
    if not found.isdigit():
        match = _COLUMN_RE.search(result.message)
        found = match.group(1) if match else "0"
    return int(found)


def _rows(part: PartResult, console: Console, width: int, verbose: bool) -> list[tuple[str, Text]]:
    """The labelled lines under a part's heading: what was read, and why.

    Args:
        part: The graded part.
        console: The console (the Unicode pretty echo only on UTF-8 consoles).
        width: The width of the value column: the caret under a parse error is drawn
            only when the raw answer surely fits on one line, since a wrapped line
            would put it under the wrong character.
        verbose: Also show the raw text, how equivalence was decided and the reference.
    """
    r = part.result
    rows: list[tuple[str, Text]] = []
    if r.verdict is Verdict.MISSING:
        pass  # the message says what to do; there is nothing to echo
    elif r.interpreted_as and r.verdict is not Verdict.INVALID:
        plain = terminal_safe(r.interpreted_as, _ANSWER_LEN)
        rows.append(("read as", _m(plain)))
        pretty = terminal_safe(to_pretty(r.interpreted_as), _ANSWER_LEN)
        if pretty != plain and _unicode(console):
            rows.append(("", _m(f"[cyan]{pretty}[/]")))
    elif part.answer:
        shown = terminal_safe(part.answer, _ANSWER_LEN)
        rows.append(("you wrote", _m(shown)))
        column = _error_column(r) if r.verdict is Verdict.INVALID else 0
        # Only when the text is shown unchanged (no escapes shift the characters).
        if _m(shown).plain == part.answer and 0 < column <= len(part.answer) + 1 <= width:
            rows.append(("", Text(" " * (column - 1) + "^", style="yellow")))
    if r.message:
        style = "" if r.verdict is Verdict.CORRECT else "bold "
        label = "why" if r.verdict is Verdict.INVALID else "feedback"
        rows.append((label, _m(f"[{style}default]{terminal_safe(r.message, 600)}[/]")))
    for key, value in r.details:
        if key in _HIDDEN_DETAILS or key == "column" or (key.startswith("_") and not verbose):
            continue
        rows.append((terminal_safe(key, _LABEL_WIDTH), _m(terminal_safe(value, 300))))
    if verbose:
        if part.answer and r.interpreted_as:
            rows.append(("you wrote", _m(terminal_safe(part.answer, _ANSWER_LEN))))
        if r.reference and not r.is_correct:
            rows.append(("expected", _m(terminal_safe(r.reference, _ANSWER_LEN))))
        if r.method:
            rows.append(("decided", _m(f"[dim]by {terminal_safe(r.method, 40)}[/]")))
    return rows


def _part_block(
    part: PartResult, console: Console, prompt: str, verbose: bool
) -> list[RenderableType]:
    """One part: ``✓ a.t  correct ... 1/1``, the short prompt, then the labelled rows."""
    r = part.result
    head = Table.grid(expand=True)
    head.add_column(ratio=1, overflow="fold")
    head.add_column(justify="right", no_wrap=True)
    symbol, ascii_symbol, style = VERDICT_STYLE[r.verdict]
    mark = symbol if _unicode(console) else ascii_symbol
    title = _m(f"[{style}]{mark}[/] [bold]{terminal_safe(part.part, 40)}[/]  ")
    hand = dict(r.details).get("hand_points") if r.pending else None
    if hand is not None and r.verdict is Verdict.UNDECIDED:  # a TA's score is to come
        title.append("graded by hand", style=style)
        head.add_row(title, f"– / {hand}")
    else:
        title.append(r.verdict.value, style=style)
        head.add_row(title, f"{fmt_points(r.score)} / {fmt_points(r.max_score)}")
    out: list[RenderableType] = [head]
    if prompt:
        line = _m(f"[dim]{terminal_safe(short_prompt(prompt), 0)}[/]")
        line.no_wrap, line.overflow = True, "ellipsis"
        out.append(Padding(line, (0, 0, 0, _INDENT)))
    value_width = max(10, console.width - _INDENT - _LABEL_WIDTH - 1)
    rows = _rows(part, console, value_width, verbose)
    if rows:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=_LABEL_WIDTH, style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        for label, value in rows:
            grid.add_row(label, value)
        out.append(Padding(grid, (0, 0, 0, _INDENT)))
    return out


def reflow(text: str) -> list[str]:
    """A statement's lines joined into paragraphs, for the terminal to wrap.

    Specs wrap their statements for the editor; a terminal of another width would break
    each line again. Indented lines (formulas, lists) and blank lines are kept as written.
    """
    out: list[str] = []
    paragraph: list[str] = []
    for line in text.strip().splitlines():
        if line.strip() and not line[0].isspace():
            paragraph.append(line.strip())
            continue
        if paragraph:
            out.append(" ".join(paragraph))
            paragraph = []
        out.append(line.rstrip())
    if paragraph:
        out.append(" ".join(paragraph))
    return out


def closing_line(result: SubmissionResult) -> str:
    """One plain sentence: how many parts are right and what to do next."""
    counts = {v: 0 for v in Verdict}
    for p in result.parts:
        counts[p.result.verdict] += 1
    total = len(result.parts)
    text = f"{counts[Verdict.CORRECT]} of {total} parts correct"
    advice = {
        Verdict.CARRIED_FORWARD: "right for your own wrong earlier answer",
        Verdict.INVALID: "fix the syntax and re-run",
        Verdict.MISSING: "add the answers (`hwgrade template` lists the part ids)",
        Verdict.TIMEOUT: "simplify the expression and re-run",
        Verdict.UNDECIDED: "the tool could not decide; a TA will check by hand",
    }
    words = {Verdict.TIMEOUT: "timed out", Verdict.CARRIED_FORWARD: "carried forward"}
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
    assignment: Sequence[str] = (),
    statements: Mapping[str, str] | None = None,
) -> None:
    """Print the student's view of one graded submission (``hwgrade check``).

    The student must see, per part, how the tool *read* their answer (the most common
    surprise is precedence: ``1/2x``), the verdict, the points and why. A table with
    five columns leaves about ten characters per column at 80 columns, so each part is
    a small block instead: a heading line (verdict, id, points), the short prompt, then
    labelled lines (``read as``, ``feedback``) that use the full width. Problems in the
    file itself (unknown ids) come first, since they explain missing parts below; the
    total and the next step come last.

    The reference answer is not shown by default, so that checking does not spoil the
    exercise; ``verbose`` shows it for parts that are not correct (the same answer
    ``hwgrade key`` prints), with the raw text and how equivalence was decided.

    Args:
        result: The graded (or ungradable) submission.
        console: Where to print; colour follows the console (``NO_COLOR`` honoured).
        prompts: Prompt per ``problem.part``; its first sentence is shown.
        verbose: Also show the reference for wrong parts, the method and the raw text.
        assignment: The assignment's problems when they are fewer than the whole set,
            named under the header so the student knows what the score is out of.
        statements: Statement per problem id (``check --statement``), shown under each
            problem's heading: the data, names and conventions the answers depend on.
    """
    prompts = prompts or {}
    variant = f"  [dim]variant {result.variant}[/]" if result.variant else ""  # own numbers
    header = _m(
        f"[bold]{terminal_safe(result.student, 60)}[/]  [dim]{terminal_safe(result.file, 80)}[/]"
        + variant
    )
    console.rule(header, align="left")
    if assignment:
        named = ", ".join(terminal_safe(pid, 60) for pid in assignment)
        console.print(_m(f"[dim]Assignment:[/] {named}"))
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
        score = sum(p.result.score for p in parts)
        max_score = sum(p.result.max_score for p in parts)
        console.print()
        console.print(
            _m(
                f"[bold underline]{terminal_safe(problem, 60)}[/]  "
                f"[dim]{fmt_points(score)} / {fmt_points(max_score)}[/]"
            )
        )
        text = (statements or {}).get(problem, "").strip()
        for line in reflow(text):
            console.print(Padding(_m(f"[dim]{terminal_safe(line, 0)}[/]"), (0, 0, 0, 2)))
        if len(parts) > 1 and all(
            not p.answer and p.result.verdict is Verdict.MISSING for p in parts
        ):
            # Nothing answered (often left out altogether): one line, not a block per
            # part that says the same.
            mark = verdict_label(Verdict.MISSING, console, word=False)
            console.print(Text.assemble(mark, f" nothing answered ({len(parts)} parts missing)"))
            continue
        for p in parts:
            for renderable in _part_block(p, console, prompts.get(p.key, ""), verbose):
                console.print(renderable)
    console.print()
    style = "green" if result.all_correct else "bold"
    total = (
        f"Total: {fmt_points(result.score)} / {fmt_points(result.max_score)}"
        f" ({fmt_points(result.percent)}%). "
    )
    console.print(Text(total + closing_line(result), style=style))


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
            f"{ps.pending} by hand" if ps.pending else f"{100 * ps.pass_rate:.0f}%",
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
        summary: The batch's statistics (see :func:`~hwgrade.grader.output.summary.summarize`).
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
    titled = (
        ("Check the student of these files (a duplicate is never merged)", summary.flagged),
        ("Could not be graded", summary.ungraded),
    )
    for title, rows in titled:
        if rows:
            console.print()
            console.print(_files_table(title, rows))


def _files_table(title: str, rows: Sequence[tuple[str, str]]) -> Table:
    """Files a TA must look at, each with why (flagged, or not graded)."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("File", overflow="fold")
    table.add_column("Why", overflow="fold")
    for file, why in rows:
        table.add_row(_m(terminal_safe(file)), _m(terminal_safe(why, 300)))
    return table


def render_equiv(result: AnswerResult, console: Console) -> None:
    """Print the outcome of ``hwgrade equiv``: the verdict, both sides as read, and why.

    Args:
        result: The comparison's result (``reference`` holds the reference as read).
        console: Where to print.
    """
    words = {
        Verdict.CORRECT: "equivalent",
        Verdict.INCORRECT: "not equivalent",
        Verdict.CARRIED_FORWARD: "carried forward",
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
    "reflow",
    "render_class",
    "render_equiv",
    "render_submission",
    "short_prompt",
    "verdict_label",
]
