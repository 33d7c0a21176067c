"""Files a gradebook imports: grades CSV, JSON report, Gradescope results, Canvas CSV.

Every writer reads the same frozen records (:mod:`hwgrade.grader.results`) and their
``to_dict()``, so the formats cannot drift apart. Student text (ids, file names,
answers, messages that quote answers) is untrusted: every CSV text cell goes through
:func:`~hwgrade.grader.sanitize.csv_safe` (no cell can start a spreadsheet formula) and
every string in a JSON document through :func:`~hwgrade.grader.sanitize.json_safe`.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from hwgrade.grader.outfiles import write_atomic
from hwgrade.grader.output.summary import ClassSummary, identity_flags
from hwgrade.grader.results import AnswerResult, SubmissionResult, Verdict
from hwgrade.grader.sanitize import csv_safe, json_safe

CSV_BASE_COLUMNS = ("student", "file", "status", "score", "max_score", "percent")
#: The grades CSV's last column: why a row's student is in doubt (a duplicate, no name).
NOTE_COLUMN = "note"

#: Canvas gradebook import columns before the assignment column.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")

_PROMPT_LEN = 60
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@functools.lru_cache(maxsize=4096)
def fmt_points(value: float) -> str:
    """Points as a gradebook wants them: ``1`` not ``1.0``, at most 6 decimals.

    Cached: a class's CSV repeats a handful of point values tens of thousands of times.
    """
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class PartLike(Protocol):
    """What the writers need of a part spec (``PartSpec`` satisfies it)."""

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def prompt(self) -> str: ...  # noqa: D102
    @property
    def points(self) -> float: ...  # noqa: D102


class ProblemLike(Protocol):
    """What the writers need of a problem spec (``ProblemSpec`` satisfies it)."""

    @property
    def id(self) -> str: ...  # noqa: D102
    @property
    def parts(self) -> Sequence[PartLike]: ...  # noqa: D102


def spec_part_keys(problems: Iterable[ProblemLike]) -> list[str]:
    """``problem.part`` for every part of the specs, in spec order.

    Use these as the CSV columns: they exist even when no file in the batch could be
    graded, so the columns never depend on who answered what.
    """
    return [f"{pr.id}.{pa.id}" for pr in problems for pa in pr.parts]


def spec_prompts(problems: Iterable[ProblemLike]) -> dict[str, str]:
    """Prompt per ``problem.part``, for report rows and Gradescope test names."""
    return {f"{pr.id}.{pa.id}": pa.prompt for pr in problems for pa in pr.parts}


def spec_points(problems: Iterable[ProblemLike]) -> dict[str, float]:
    """Points per ``problem.part``, for the placeholder tests of unreadable files."""
    return {f"{pr.id}.{pa.id}": float(pa.points) for pr in problems for pa in pr.parts}


def part_keys_of(results: Sequence[SubmissionResult]) -> list[str]:
    """Every ``problem.part`` in the batch, in first-seen order (for CSV columns)."""
    seen: dict[str, None] = {}
    for r in results:
        for p in r.parts:
            seen.setdefault(p.key, None)
    return list(seen)


@contextlib.contextmanager
def _open_text(target: Path | TextIO) -> Iterator[TextIO]:
    """A text stream for CSV writing (``newline=""`` as the csv module needs).

    A path is written atomically once the block ends (:func:`write_atomic`); an open
    stream (stdout) is passed through.
    """
    if isinstance(target, (str, Path)):
        buffer = io.StringIO(newline="")
        yield buffer
        write_atomic(Path(target), buffer.getvalue(), newline="")  # whole, or not at all
    else:
        yield target


def write_csv(
    results: Sequence[SubmissionResult], path: Path | TextIO, part_keys: Sequence[str]
) -> None:
    """Write the grades CSV of DESIGN.md ("Batch outputs").

    One row per submission file, also for files that could not be graded, so a TA
    sees every student and the reason next to the ones that need attention. A file
    that could not be graded scores 0 of ``max_possible`` (the same as its Gradescope
    result) and has empty part cells: "no answer read" differs from "answered, 0 points".
    A part missing from a graded submission's results is also left empty.

    Args:
        results: Every submission of the batch.
        path: Output file, or an open text stream (open it with ``newline=""``).
        part_keys: ``problem.part`` column names, in column order; empty means every
            part seen in ``results``.
    """
    keys = list(part_keys) or part_keys_of(results)
    with _open_text(path) as fh:
        writer = csv.writer(fh)
        writer.writerow([*CSV_BASE_COLUMNS, *(csv_safe(k) for k in keys), NOTE_COLUMN])
        flags = identity_flags(results)
        for r in results:
            points = (
                {p.key: "" if p.result.pending else fmt_points(p.result.score) for p in r.parts}
                if r.graded
                else {}
            )
            writer.writerow(
                [
                    csv_safe(r.student),
                    csv_safe(r.file),
                    csv_safe(r.status),
                    fmt_points(r.score),
                    fmt_points(r.max_score),
                    fmt_points(r.percent),
                    *(points.get(k, "") for k in keys),
                    csv_safe(flags.get(r.file, "")),
                ]
            )


def rows_of_others(path: Path, files: Sequence[Path]) -> list[str]:
    """What overwriting the grades CSV at ``path`` with a run over ``files`` would drop.

    A TA who grades one late file with ``--out grades.csv`` would otherwise replace the
    whole class's grades with one row. The answer names the students of rows whose file
    is not among ``files`` (compared as resolved paths); a file that is not a grades
    CSV at all would be lost whole, and says so. Nothing to drop: an empty list.
    """
    wanted = {str(Path(f).resolve()) for f in files}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError, csv.Error):
        return [f"{path.name} (it is not a grades CSV)"]
    if not rows:
        return []
    if tuple(rows[0][: len(CSV_BASE_COLUMNS)]) != CSV_BASE_COLUMNS:
        return [f"{path.name} (it is not a grades CSV)"]
    return [
        f"{row[0]} ({row[1]})"
        for row in rows[1:]
        if len(row) > 1 and str(Path(row[1]).resolve()) not in wanted
    ]


def json_clean(value: Any, memo: dict[str, str] | None = None) -> Any:
    """Apply ``json_safe`` to every string (keys too) in a JSON-like value.

    Args:
        value: The value.
        memo: Cleaned strings by original, shared across calls: a class report repeats
            the same keys, messages, references and answers tens of thousands of times.
    """
    if isinstance(value, str):
        if memo is None:
            return json_safe(value)
        found = memo.get(value)
        if found is None:
            found = memo[value] = json_safe(value)
        return found
    if isinstance(value, Mapping):
        return {json_clean(k, memo): json_clean(v, memo) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_clean(v, memo) for v in value]
    return value


def report_json(
    results: Sequence[SubmissionResult],
    summary: ClassSummary,
    *,
    faults: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The batch JSON report: ``{"submissions": [...], "summary": {...}}``.

    Built from the records' ``to_dict()`` so its fields are the contract's, then cleaned
    with ``json_safe`` because answers and file names are student text. ``faults`` (the
    run's worker deaths and retried tasks) goes in as ``summary.faults``.
    """
    memo: dict[str, str] = {}
    document = summary.to_dict()
    if faults is not None:
        document["faults"] = dict(faults)
    return {
        "submissions": [json_clean(r.to_dict(), memo) for r in results],
        "summary": json_clean(document, memo),
    }


def passed(result: AnswerResult) -> bool:
    """Gradescope's ``status``: ``passed`` for full points earned by a right answer.

    That is a ``correct`` answer, or one ``carried_forward`` at full credit (right for
    the student's own earlier answer, and graded as right); partial credit of any kind
    is ``failed`` with its points, so a student never reads "passed" on a part that
    still costs them points.
    """
    if result.verdict is Verdict.CORRECT:
        return True
    return result.verdict is Verdict.CARRIED_FORWARD and result.score >= result.max_score > 0


def _test_output(verdict: str, message: str, read_as: str, answer: str) -> str:
    lines = [f"Verdict: {verdict}"]
    if message:
        lines.append(message)
    if read_as:
        lines.append(f"Your answer was read as: {read_as}")
    elif answer:
        lines.append(f"Your answer: {answer}")
    return "\n".join(lines)


def _test_name(key: str, part: str, prompts: Mapping[str, str] | None) -> str:
    prompt = " ".join((prompts or {}).get(key, "").split())
    if len(prompt) > _PROMPT_LEN:
        prompt = prompt[: _PROMPT_LEN - 1] + "…"
    return f"{part}: {prompt}" if prompt else part


def gradescope_results(
    result: SubmissionResult,
    *,
    prompts: Mapping[str, str] | None = None,
    part_keys: Sequence[str] = (),
    points: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """A Gradescope autograder ``results.json`` for one submission.

    Follows Gradescope's autograder specification: top-level ``score`` (which
    overrides the sum of the tests), ``output``, ``visibility``, ``stdout_visibility``
    and ``tests``, one per part, each with ``score``, ``max_score``, ``name``,
    ``number`` (``"problem.part"``), ``output``, ``status`` (see :func:`passed`) and
    ``visibility``. Every ``*_format`` is ``text`` so Gradescope never interprets
    student text as Markdown or HTML.

    An unreadable submission still gets a valid document (Gradescope shows an
    autograder failure otherwise): score 0, the reason in ``output``, and a failed
    0-point test for each of ``part_keys`` so students see which parts were expected.

    Args:
        result: The graded (or ungradable) submission.
        prompts: Short prompt per ``problem.part``, appended to the test name.
        part_keys: Expected parts, used only when the file could not be graded.
        points: Points per ``problem.part`` for those placeholder tests (default 0).

    Returns:
        The JSON-ready dict, with student text passed through ``json_safe``.
    """
    tests: list[dict[str, Any]] = []
    if result.graded:
        for p in result.parts:
            r = p.result
            test = {
                "score": float(r.score),
                "max_score": float(r.max_score),
                "name": _test_name(p.key, p.part, prompts),
                "number": p.key,
                "output": _test_output(r.verdict.value, r.message, r.interpreted_as, p.answer),
                "status": "passed" if passed(r) else "failed",
                "visibility": "visible",
            }
            if r.pending:  # graded by hand, not yet: neither passed nor failed
                del test["status"]
            tests.append(test)
        correct = sum(p.result.is_correct for p in result.parts)
        output = (
            f"{result.student}: {fmt_points(result.score)} / {fmt_points(result.max_score)}"
            f" ({fmt_points(result.percent)}%), {correct} of {len(result.parts)} parts correct."
        )
        score = float(result.score)
    else:
        for key in part_keys:
            tests.append(
                {
                    "score": 0.0,
                    "max_score": float((points or {}).get(key, 0.0)),
                    "name": _test_name(key, key.partition(".")[2] or key, prompts),
                    "number": key,
                    "output": f"Not graded: the submission could not be read ({result.status}).",
                    "status": "failed",
                    "visibility": "visible",
                }
            )
        output = (
            f"Your submission {result.file} could not be graded: {result.status}. "
            "Fix the file (check it with `hwgrade check`) and resubmit."
        )
        score = 0.0
    if result.notes:
        output += "\n" + "\n".join(f"Note: {n}" for n in result.notes)
    doc: dict[str, Any] = {
        "score": score,
        "output": output,
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    cleaned: dict[str, Any] = json_clean(doc)
    return cleaned


def safe_dir_name(name: str, fallback: str = "submission") -> str:
    """A folder name from untrusted text: no separators, no leading dot, ≤ 64 chars."""
    text = _SAFE_NAME.sub("_", name).strip("._-")[:64]
    return text or fallback


def write_gradescope_dir(
    results: Sequence[SubmissionResult],
    directory: Path,
    *,
    prompts: Mapping[str, str] | None = None,
    part_keys: Sequence[str] = (),
    points: Mapping[str, float] | None = None,
) -> list[Path]:
    """Write ``DIRECTORY/<student>/results.json`` for every submission, readable or not.

    The folder is the student id made filesystem-safe (or the file stem when there is
    no usable id); names that collide, also case-insensitively (macOS, Windows), get
    ``-2``, ``-3`` ... so no result overwrites another.

    Args:
        results: Every submission of the batch.
        directory: Output folder (created if needed).
        prompts: See :func:`gradescope_results`.
        part_keys: See :func:`gradescope_results`; defaults to every part in the batch.
        points: See :func:`gradescope_results`.

    Returns:
        The written files, in the order of ``results``.
    """
    keys = list(part_keys) or part_keys_of(results)
    if points is None:
        points = {}
        for r in results:
            for p in r.parts:
                points.setdefault(p.key, p.result.max_score)
    directory.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    written: list[Path] = []
    for r in results:
        base = safe_dir_name(r.student, safe_dir_name(Path(r.file).stem))
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base}-{n}"
        used.add(name.lower())
        target = directory / name / "results.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        doc = gradescope_results(r, prompts=prompts, part_keys=keys, points=points)
        write_atomic(target, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        written.append(target)
    return written


def write_canvas_csv(
    results: Sequence[SubmissionResult],
    path: Path | TextIO,
    *,
    assignment: str = "hwgrade",
    points_possible: float | None = None,
) -> None:
    """Write a CSV that Canvas's gradebook "Import" accepts.

    Canvas's import format is its own export's layout: columns ``Student, ID,
    SIS User ID, SIS Login ID, Section`` and one column per assignment, then a second
    row whose first cell is ``Points Possible`` holding each assignment's points. Canvas
    matches rows to students by ``ID``, ``SIS User ID`` or ``SIS Login ID``: the
    submission's ``student_id:`` goes in ``SIS User ID`` and its ``student:`` in ``SIS
    Login ID`` (and in ``Student`` so the import preview is readable), while Canvas's
    internal ``ID`` and ``Section`` stay empty. Name the column ``"HW 3 (12345)"`` with the Canvas
    assignment id to update an existing assignment; a name Canvas does not know creates
    a new one. Files that could not be graded get 0 so the student notices.

    Args:
        results: Every submission of the batch.
        path: Output file or an open text stream (opened with ``newline=""``).
        assignment: The assignment column's header.
        points_possible: The assignment's points; default the largest ``max_score``.
    """
    if points_possible is None:
        points_possible = max((r.max_score for r in results), default=0.0)
    with _open_text(path) as fh:
        writer = csv.writer(fh)
        writer.writerow([*CANVAS_COLUMNS, csv_safe(assignment)])
        writer.writerow(["Points Possible", "", "", "", "", fmt_points(points_possible)])
        for r in results:
            student = csv_safe(r.student)
            score = fmt_points(r.score if r.graded else 0.0)
            writer.writerow([student, "", csv_safe(r.student_id), student, "", score])


def canvas_warnings(results: Sequence[SubmissionResult], *, named: bool) -> list[str]:
    """What stops a Canvas import from matching: no column name, rows without an id."""
    out = []
    if not named:
        out.append(
            "--canvas: the column is named `hwgrade`, which Canvas imports as a new"
            ' assignment; name yours with --assignment "HW3 (1234)" or canvas_assignment'
            " in hwgrade.toml"
        )
    without = [r.student for r in results if not r.student_id]
    if without:
        listed = ", ".join(without[:5]) + (f" and {len(without) - 5} more" if without[5:] else "")
        out.append(
            f"--canvas: {len(without)} row(s) have no `student_id:` ({listed}); Canvas can"
            " match them only by SIS Login ID (their `student:`)"
        )
    return out


__all__ = [
    "CANVAS_COLUMNS",
    "CSV_BASE_COLUMNS",
    "NOTE_COLUMN",
    "PartLike",
    "ProblemLike",
    "canvas_warnings",
    "fmt_points",
    "gradescope_results",
    "json_clean",
    "part_keys_of",
    "passed",
    "report_json",
    "rows_of_others",
    "safe_dir_name",
    "spec_part_keys",
    "spec_points",
    "spec_prompts",
    "write_canvas_csv",
    "write_csv",
    "write_gradescope_dir",
]
