"""Submission files: what a student hands in, read safely and checked for shape.

A submission is untrusted YAML (``student:`` and ``answers: {problem: {part: value}}``).
Reading it never runs code and never raises anything but :class:`SubmissionError` for a
file that is unusable as a whole; mistakes inside an otherwise readable file (an unknown
problem or part id, a value of the wrong type) become notes and per-part verdicts, so the
rest of the file is still graded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwgrade.grader.errors import SubmissionError, did_you_mean
from hwgrade.grader.specs.model import ProblemSpec
from hwgrade.grader.yamlsafe import load_untrusted_file, load_untrusted_yaml

#: What to do with an empty file.
_START_HERE = "start from `hwgrade template PROBLEM > FILE` and fill in the answers"

#: The note of a file without ``student:`` (the batch report lists such files).
NAMELESS = "no `student:` in the file: its name is used as the student id"

#: Top-level keys a submission may have.
KNOWN_KEYS = ("student", "student_id", "answers")


@dataclass(frozen=True)
class Submission:
    """A submission after its structure was checked.

    Attributes:
        student: Student id (``student:`` or the file name's stem).
        file: The file as given.
        student_id: The institution's id (``student_id:``), for gradebooks that match
            students by it (Canvas's ``SIS User ID``); empty when the file has none.
        answers: Raw answers by problem id, then part id (strings or nested lists).
        notes: Messages about the file itself (unknown ids, ignored keys).
    """

    student: str
    file: str
    answers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    student_id: str = ""


def parse_submission(
    data: Any, file: str, problems: Mapping[str, ProblemSpec] | None = None
) -> Submission:
    """Check the structure of a loaded submission document.

    Args:
        data: The document as :func:`load_untrusted_yaml` returned it (strings only).
        file: The file name, used as the student id when ``student:`` is absent.
        problems: Known problems by id; unknown problem and part ids become notes
            with a suggestion. ``None`` skips that check.

    Returns:
        The submission.

    Raises:
        SubmissionError: The document is not a mapping or has no usable ``answers``.
    """
    if not isinstance(data, dict):
        raise SubmissionError("the file must be a mapping with `student:` and `answers:`")
    notes: list[str] = []
    for key in data:
        if key not in KNOWN_KEYS:
            notes.append(
                f"ignored the top-level key `{key}`{did_you_mean(str(key), list(KNOWN_KEYS))}"
            )
    student_raw = data.get("student")
    if student_raw is None or student_raw == "":
        student = Path(file).stem
        notes.append(NAMELESS)
    elif isinstance(student_raw, str):
        student = student_raw.strip()[:200] or Path(file).stem
    else:
        raise SubmissionError("`student:` must be a single name or id, not a list or mapping")
    id_raw = data.get("student_id")
    if isinstance(id_raw, (dict, list)):
        raise SubmissionError("`student_id:` must be a single id, not a list or mapping")
    student_id = "" if id_raw is None else str(id_raw).strip()[:100]
    answers_raw = data.get("answers")
    if answers_raw is None:
        raise SubmissionError("the file has no `answers:` section (see `hwgrade template`)")
    if not isinstance(answers_raw, dict):
        raise SubmissionError("`answers:` must map problem ids to their parts")
    answers: dict[str, dict[str, Any]] = {}
    known = sorted(problems) if problems is not None else []
    for problem_id, parts in answers_raw.items():
        if problems is not None and problem_id not in problems:
            hint = did_you_mean(problem_id, known) or " (`hwgrade list` shows the problem ids)"
            notes.append(f"unknown problem `{problem_id}`{hint}: not graded")
            continue
        if parts is None or parts == "":
            answers[problem_id] = {}
            continue
        if not isinstance(parts, dict):
            notes.append(f"`{problem_id}` must map part ids to answers: not graded")
            continue
        spec = problems.get(problem_id) if problems is not None else None
        part_ids = [p.id for p in spec.parts] if spec is not None else []
        kept: dict[str, Any] = {}
        for part_id, value in parts.items():
            if spec is not None and spec.part(part_id) is None:
                hint = did_you_mean(part_id, part_ids) or (
                    f" (`hwgrade template {problem_id}` shows the part ids)"
                )
                notes.append(f"unknown part `{problem_id}.{part_id}`{hint}: not graded")
                continue
            kept[part_id] = value
        answers[problem_id] = kept
    return Submission(
        student=student, file=file, answers=answers, notes=tuple(notes), student_id=student_id
    )


def load_submission(
    path: Path, problems: Mapping[str, ProblemSpec] | None = None, display: str | None = None
) -> Submission:
    """Read and check a submission file (see :func:`parse_submission`).

    An empty file (or one with only comments) is the commonest first mistake, so its
    message says where to start rather than only that nothing is there.

    Raises:
        SubmissionError: The file cannot be read, is not safe YAML, or has the wrong shape.
            Errors about the file as a whole begin with its name (and line, for YAML);
            errors about its structure do not, and callers show the name beside them.
    """
    file = display if display is not None else str(path)
    try:
        data = load_untrusted_file(path)
    except SubmissionError as exc:
        if exc.message.endswith("the file is empty"):
            raise SubmissionError(f"{exc.message}: {_START_HERE}") from None
        raise
    if data is None:
        raise SubmissionError(f"{file}: the file holds no answers: {_START_HERE}")
    return parse_submission(data, file, problems)


def load_submission_text(
    text: str | bytes, file: str, problems: Mapping[str, ProblemSpec] | None = None
) -> Submission:
    """Like :func:`load_submission`, for text already in memory."""
    return parse_submission(load_untrusted_yaml(text, name=file), file, problems)


__all__ = ["Submission", "load_submission", "load_submission_text", "parse_submission"]
