"""The manual score sheet: a TA's scores for free-text parts, one row per distinct answer.

Free-text (``manual``) parts are read by a person. ``hwgrade grade --manual SHEET.csv``
writes every distinct answer of every manual part once — answers that differ only in
whitespace, case or trailing punctuation are one row, largest group first — with empty
``score`` and ``comment`` cells for the TA, and a readable companion ``SHEET.md`` with
the same groups under each part's prompt and model answer. On the next run the filled
cells apply to every student of their row, in every output.

The sheet is the TA's file: a rerun only appends rows for answers it does not cover yet
(late files, changed answers), after the last byte of what is there, so a filled row is
never rewritten, reordered or lost. A TA may split a row by editing ``students``; a
student listed in two rows of one part for the same answer is an error naming both.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from hwgrade.grader.errors import UsageError
from hwgrade.grader.outfiles import write_atomic
from hwgrade.grader.results import MANUAL, AnswerResult, SubmissionResult, Verdict
from hwgrade.grader.sanitize import csv_safe
from hwgrade.grader.specs.model import ProblemSpec

#: The sheet's columns, in order (a TA may add columns of their own after these).
COLUMNS = ("part", "points", "count", "students", "answer", "score", "comment")
_REQUIRED = ("part", "students", "answer", "score", "comment")
_TRAILING = re.compile(r"[\s.,;:!?]+$")


def normalise(answer: str) -> str:
    """The form answers are grouped by: spaces collapsed, case folded, no trailing ``.,;:!?``."""
    return _TRAILING.sub("", " ".join(answer.split()).casefold())


@dataclass(frozen=True)
class ManualPart:
    """What the sheet needs to know of a manual part: its key, points, prompt, model answer."""

    key: str
    points: float
    prompt: str = ""
    model_answer: str = ""


@dataclass(frozen=True)
class SheetRow:
    """One row of the sheet: one answer of one part, and the students who gave it.

    Attributes:
        line: The row's number in the file (the header is row 1), for messages.
        part: ``problem.part``.
        students: The students the row's score applies to.
        answer: The answer as written in the sheet (one student's spelling).
        score: The TA's score, ``None`` while the cell is empty.
        comment: The TA's comment (the student sees it as the part's feedback).
    """

    line: int
    part: str
    students: tuple[str, ...]
    answer: str
    score: float | None = None
    comment: str = ""

    @property
    def key(self) -> str:
        """The normalised answer: rows and answers meet on it."""
        return normalise(self.answer)


@dataclass(frozen=True)
class ManualSheet:
    """The rows of a sheet, looked up by (part, student, answer)."""

    rows: tuple[SheetRow, ...] = ()

    def lookup(self, part: str, student: str, answer: str) -> SheetRow | None:
        """The row that scores ``student``'s ``answer`` to ``part`` (None: not in the sheet)."""
        key = normalise(csv_safe(answer))
        for row in self.rows:
            if row.part == part and row.key == key and csv_safe(student) in row.students:
                return row
        return None


def read_sheet(path: Path, parts: Mapping[str, ManualPart]) -> ManualSheet:
    """Read and check a filled sheet; every problem is reported with its row number.

    Raises:
        UsageError: A malformed CSV, a missing column, an unknown part, a score that is
            not a number, negative or above the part's points, a student in two rows of
            one part for the same answer (exit 2, before anything is written).
    """
    where = f"--manual {path}"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot read it ({exc})") from None
    try:
        table = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise UsageError(f"{where}: not a readable CSV ({exc})") from None
    if not table:
        raise UsageError(f"{where}: the file is empty; delete it to have a new sheet written")
    header = [cell.strip() for cell in table[0]]
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise UsageError(f"{where}: row 1 lacks the column(s) {', '.join(missing)}")
    col = {name: header.index(name) for name in _REQUIRED}
    rows: list[SheetRow] = []
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        part = cells[col["part"]].strip()
        if part not in parts:
            known = ", ".join(sorted(parts)) or "none in this assignment"
            raise UsageError(f"{where}: row {line}: unknown manual part `{part}` (parts: {known})")
        rows.append(
            SheetRow(
                line,
                part,
                tuple(s.strip() for s in cells[col["students"]].split(";") if s.strip()),
                cells[col["answer"]],
                _score(cells[col["score"]], parts[part].points, f"{where}: row {line}"),
                cells[col["comment"]].strip(),
            )
        )
    _check_no_student_twice(rows, where)
    return ManualSheet(tuple(rows))


def _score(cell: str, points: float, where: str) -> float | None:
    if not cell.strip():
        return None
    try:
        score = float(cell.strip())
    except ValueError:
        raise UsageError(f"{where}: the score `{cell.strip()}` is not a number") from None
    if not 0 <= score <= points:  # also refuses nan
        raise UsageError(f"{where}: the score {cell.strip()} is outside 0 to {points:g}")
    return score


def _check_no_student_twice(rows: Sequence[SheetRow], where: str) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        for student in row.students:
            first = seen.setdefault((row.part, row.key, student), row.line)
            if first != row.line:
                raise UsageError(
                    f"{where}: student `{student}` is in rows {first} and {row.line} for the"
                    f" same answer to {row.part}: keep them in one"
                )


def new_rows(
    sheet: ManualSheet, results: Sequence[SubmissionResult], parts: Mapping[str, ManualPart]
) -> list[list[str]]:
    """The rows to append: answers of ``results`` that no row of ``sheet`` covers yet.

    Grouped by part (in the assignment's order) and normalised answer, the largest group
    first; blank answers need no score and get no row.
    """
    groups: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for result in results:
        for p in result.parts:
            if p.key not in parts or p.result.method != MANUAL or not p.answer.strip():
                continue
            if sheet.lookup(p.key, result.student, p.answer) is not None:
                continue
            answer = csv_safe(p.answer)
            _, students = groups.setdefault((p.key, normalise(answer)), (answer, []))
            students.append(result.student)
    order = {key: k for k, key in enumerate(parts)}
    ranked = sorted(groups.items(), key=lambda g: (order[g[0][0]], -len(g[1][1]), g[0][1]))
    return [
        [
            part,
            f"{parts[part].points:g}",
            str(len(students)),
            "; ".join(csv_safe(s) for s in students),
            answer,
            "",
            "",
        ]
        for (part, _), (answer, students) in ranked
    ]


def write_sheet(path: Path, rows: Sequence[Sequence[str]]) -> None:
    """Write a new sheet, or append ``rows`` after the last byte of the existing one."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    # the bytes that are there stay as they are (line ends and a BOM included)
    old = path.read_bytes().decode("utf-8") if path.is_file() else ""
    if not old.strip("\ufeff"):
        writer.writerow(COLUMNS)
    elif not old.endswith(("\n", "\r")):
        buffer.write("\r\n")
    writer.writerows(rows)
    write_atomic(path, old + buffer.getvalue(), newline="")


def apply_sheet(
    results: Sequence[SubmissionResult], sheet: ManualSheet, parts: Mapping[str, ManualPart]
) -> list[SubmissionResult]:
    """``results`` with the sheet's scores in their manual parts.

    A scored answer counts in ``score`` and ``max_score`` (``correct`` at full points,
    ``incorrect`` below, the TA's comment as the message); an unscored one stays
    ``undecided`` and out of the score (pending); a blank one is ``missing`` at 0 of
    the part's points once the TA has started scoring that part (there is nothing for
    a TA to read, and the class's totals must count the part alike for everyone).
    """
    scored = {row.part for row in sheet.rows if row.score is not None}
    out = []
    for result in results:
        changed = False
        new_parts = []
        for p in result.parts:
            if p.key in parts and p.result.method == MANUAL:
                graded = _manual_result(
                    p.result, sheet, parts[p.key], result.student, p.answer, p.key in scored
                )
                changed = changed or graded != p.result
                p = dataclasses.replace(p, result=graded)
            new_parts.append(p)
        out.append(dataclasses.replace(result, parts=tuple(new_parts)) if changed else result)
    return out


def _manual_result(
    result: AnswerResult,
    sheet: ManualSheet,
    part: ManualPart,
    student: str,
    answer: str,
    scoring: bool,
) -> AnswerResult:
    if not answer.strip():
        return dataclasses.replace(result, max_score=part.points) if scoring else result
    row = sheet.lookup(part.key, student, answer)
    if row is None or row.score is None:
        where = f" (row {row.line} of the sheet)" if row is not None else ""
        return dataclasses.replace(result, message=f"graded by hand: not scored yet{where}")
    full = row.score >= part.points
    return dataclasses.replace(
        result,
        verdict=Verdict.CORRECT if full else Verdict.INCORRECT,
        score=row.score,
        max_score=part.points,
        message=row.comment or "graded by hand",
    )


def manual_parts(problems: Sequence[ProblemSpec]) -> dict[str, ManualPart]:
    """The manual parts of an assignment, by ``problem.part``, in its order."""
    return {
        f"{problem.id}.{part.id}": ManualPart(
            f"{problem.id}.{part.id}", float(part.points), part.prompt, part.model_answer or ""
        )
        for problem in problems
        for part in problem.parts
        if part.kind == "manual"
    }


def describe_pending(results: Sequence[SubmissionResult], added: int) -> str:
    """One line for the TA: rows added, answers still to score (per part)."""
    left = pending(results)
    added_text = f"{added} new row(s) in the sheet; " if added else ""
    if not left:
        return added_text + "every hand-graded answer is scored"
    listed = ", ".join(f"{key} {n}" for key, n in left.items())
    return f"{added_text}{sum(left.values())} hand-graded answer(s) not scored yet ({listed})"


def pending(results: Sequence[SubmissionResult]) -> dict[str, int]:
    """Manual answers still without a score, per ``problem.part``."""
    counts: dict[str, int] = {}
    for result in results:
        for p in result.parts:
            if p.result.pending and p.result.verdict is Verdict.UNDECIDED:
                counts[p.key] = counts.get(p.key, 0) + 1
    return counts


def companion(sheet_path: Path, parts: Mapping[str, ManualPart]) -> str:
    """The readable view of the sheet (Markdown): each part's prompt, then its rows."""
    sheet = read_sheet(sheet_path, parts)
    lines = [f"# Manual score sheet: {sheet_path.name}", ""]
    lines += ["Fill `score` (and `comment`) in the CSV; this file is rewritten each run.", ""]
    for key, part in parts.items():
        rows = [r for r in sheet.rows if r.part == key]
        lines += [f"## {key} ({part.points:g} points)", "", f"> {part.prompt}", ""]
        if part.model_answer:
            lines += [f"Model answer: {part.model_answer}", ""]
        for row in rows:
            score = "unscored" if row.score is None else f"score {row.score:g}"
            lines.append(f"### Row {row.line} — {len(row.students)} student(s), {score}")
            lines += ["", "```text", row.answer.replace("```", "'''"), "```", ""]
            lines += [f"Students: {', '.join(row.students)}", ""]
            if row.comment:
                lines += [f"Comment: {row.comment}", ""]
        if not rows:
            lines += ["(no answers)", ""]
    return "\n".join(lines)


__all__ = [
    "COLUMNS",
    "ManualPart",
    "ManualSheet",
    "SheetRow",
    "apply_sheet",
    "companion",
    "describe_pending",
    "manual_parts",
    "new_rows",
    "normalise",
    "pending",
    "read_sheet",
    "write_sheet",
]
