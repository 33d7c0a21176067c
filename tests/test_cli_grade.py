"""``hwgrade grade`` through click's CliRunner: a folder with every kind of bad file."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli

GOOD = """student: alice
answers:
  rnn_backprop:
    a.t: "u_3 + w u_2 + w^2 u_1"
    b: "u_3 + 2 w u_2 + 3 w^2 u_1"
"""
WRONG = """student: bob
answers:
  rnn_backprop:
    a.t: "w*2"
    b: "2 w"
"""
FILES: dict[str, bytes] = {
    "good.yaml": GOOD.encode(),
    "wrong.yaml": WRONG.encode(),
    "empty.yaml": b"",
    "binary.yaml": bytes(range(256)) * 8,
    "hostile.yaml": b"answers:\n  rnn_backprop:\n    b: \"__import__('os').system('x')\"\n"
    b"    a.t: 10^10^10\n",
    "huge.yaml": b"answers:\n  rnn_backprop:\n    b: '" + b"w+" * 600_000 + b"w'\n",
    "bomb.yaml": b"a: &a [x, x]\nb: &b [*a, *a]\nanswers: *b\n",
    "deep.yaml": b"answers: " + b"[" * 5000 + b"]" * 5000 + b"\n",
}

#: Gradescope's autograder specification: allowed fields and their types.
GS_TOP = {
    "score": float,
    "execution_time": (int, float),
    "output": str,
    "output_format": str,
    "test_output_format": str,
    "test_name_format": str,
    "visibility": str,
    "stdout_visibility": str,
    "extra_data": dict,
    "tests": list,
    "leaderboard": list,
}
GS_TEST = {
    "score": (int, float),
    "max_score": (int, float),
    "status": str,
    "name": str,
    "name_format": str,
    "number": str,
    "output": str,
    "output_format": str,
    "tags": list,
    "visibility": str,
    "extra_data": dict,
}
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def validate_gradescope(doc: dict[str, Any]) -> None:
    assert set(doc) <= set(GS_TOP), set(doc) - set(GS_TOP)
    for key, value in doc.items():
        assert isinstance(value, GS_TOP[key]), key
    assert "score" in doc or all("score" in t for t in doc["tests"])
    assert doc.get("visibility", "visible") in VISIBILITY
    assert doc.get("stdout_visibility", "hidden") in VISIBILITY
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert doc.get(key, "text") in FORMATS
    for test in doc["tests"]:
        assert set(test) <= set(GS_TEST), set(test) - set(GS_TEST)
        for key, value in test.items():
            assert isinstance(value, GS_TEST[key]), key
        assert test.get("status", "passed") in {"passed", "failed"}
        assert test.get("visibility", "visible") in VISIBILITY


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("subs")
    for name, content in FILES.items():
        (root / name).write_bytes(content)
    return root


@pytest.fixture(scope="module")
def run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("out")
    args = [
        "grade",
        str(folder),
        "--out",
        str(out / "grades.csv"),
        "--json",
        str(out / "report.json"),
        "--gradescope",
        str(out / "gs"),
        "--canvas",
        str(out / "canvas.csv"),
        "--workers",
        "2",
    ]
    result = CliRunner().invoke(cli, args)
    return {"result": result, "out": out}


def test_exits_one_when_some_file_cannot_be_graded(run: dict[str, Any]) -> None:
    assert run["result"].exit_code == 1, run["result"].output
    assert "5 of 8 files could not be graded" in run["result"].stderr


def test_exits_zero_when_every_file_is_graded(folder: Path, tmp_path: Path) -> None:
    files = [str(folder / name) for name in ("good.yaml", "wrong.yaml", "hostile.yaml")]
    result = CliRunner().invoke(cli, ["grade", *files, "--out", str(tmp_path / "g.csv")])
    assert result.exit_code == 0, result.output  # wrong and hostile answers are still graded
    assert "could not be graded" not in result.stderr


def test_every_file_has_a_csv_row(run: dict[str, Any]) -> None:
    with (run["out"] / "grades.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(Path(r["file"]).name for r in rows) == sorted(FILES)
    by = {Path(r["file"]).name: r for r in rows}
    assert by["good.yaml"]["status"] == "graded"
    assert float(by["good.yaml"]["rnn_backprop.a.t"]) == 1.0
    assert float(by["good.yaml"]["rnn_backprop.b"]) == 2.0
    assert float(by["wrong.yaml"]["score"]) == 0.0
    assert by["hostile.yaml"]["status"] == "graded"
    for bad in ("empty.yaml", "binary.yaml", "huge.yaml", "bomb.yaml", "deep.yaml"):
        assert by[bad]["status"] != "graded"
        assert by[bad]["rnn_backprop.b"] == ""


def test_json_report(run: dict[str, Any]) -> None:
    report = json.loads((run["out"] / "report.json").read_text())
    subs = {Path(s["file"]).name: s for s in report["submissions"]}
    assert sorted(subs) == sorted(FILES)
    hostile = {p["part"]: p["verdict"] for p in subs["hostile.yaml"]["parts"]}
    assert hostile["b"] == "invalid" and hostile["a.t"] in {"invalid", "timeout"}
    assert {"parts", "ungraded", "histogram"} <= set(report["summary"])
    assert report["summary"]["faults"] == {"workers_died": 0, "tasks_retried": 0}


def test_gradescope_files_validate(run: dict[str, Any]) -> None:
    docs = sorted((run["out"] / "gs").glob("*/results.json"))
    assert len(docs) == len(FILES)
    for path in docs:
        doc = json.loads(path.read_text())
        validate_gradescope(doc)
        assert [t["number"] for t in doc["tests"]][:1] == ["rnn_backprop.a.t"]


def test_canvas_csv(run: dict[str, Any]) -> None:
    with (run["out"] / "canvas.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[1][0] == "Points Possible"
    assert len(rows) == 2 + len(FILES)


def test_report_names_the_unreadable_files(run: dict[str, Any]) -> None:
    text = run["result"].stdout
    assert "Could not be graded" in text
    assert "3 graded, 5 could not be graded" in text


def test_json_to_stdout_is_clean(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["grade", str(folder / "good.yaml"), "--json", "-"])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["submissions"][0]["score"] == 3.0


def test_csv_to_stdout_is_clean(folder: Path) -> None:
    result = CliRunner().invoke(cli, ["grade", str(folder / "good.yaml"), "--out", "-"])
    assert result.exit_code == 0
    rows = list(csv.reader(result.stdout.splitlines()))
    assert rows[0][:3] == ["student", "file", "status"] and len(rows) == 2


def test_resume_grades_only_changed_files(folder: Path, tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("good.yaml", "wrong.yaml", "empty.yaml"):
        (subs / name).write_bytes(FILES[name])
    out = tmp_path / "grades.csv"
    args = ["grade", str(subs), "--out", str(out), "--resume", "--workers", "1"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 1 and "0 of 3 files unchanged" in first.stderr  # empty.yaml
    before = out.read_text()
    second = CliRunner().invoke(cli, args)
    assert "3 of 3 files unchanged" in second.stderr
    assert out.read_text() == before
    (subs / "wrong.yaml").write_bytes(GOOD.replace("alice", "bob").encode())
    third = CliRunner().invoke(cli, args)
    assert "2 of 3 files unchanged" in third.stderr
    assert (tmp_path / ".hwgrade-cache.json").is_file()


def test_unknown_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["grade", str(tmp_path / "nope")])
    assert result.exit_code == 2


def test_scheduler_without_dask_is_a_usage_error(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    result = CliRunner().invoke(
        cli, ["grade", str(folder / "good.yaml"), "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "hwgrade[dask]" in result.stderr


# ---------------------------------------------------------------- usage errors, outputs


def _never_grade(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make grading fail loudly: a usage error must be found before it starts."""
    import hwgrade.grader.batch.loop as batch

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("grading started before the usage error was found")

    monkeypatch.setattr(batch, "grade_files", boom)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--timeout", "0"], "--timeout"),
        (["--timeout", "-1"], "--timeout"),
        (["--timeout", "nan"], "--timeout"),
        (["--workers", "-1"], "--workers"),
        (["--problem", "nope"], "unknown problem `nope`"),
    ],
    ids=["timeout-zero", "timeout-negative", "timeout-nan", "workers-negative", "problem"],
)
def test_bad_options_are_usage_errors(
    folder: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], option: str
) -> None:
    _never_grade(monkeypatch)
    result = CliRunner().invoke(cli, ["grade", str(folder / "good.yaml"), *args])
    assert result.exit_code == 2, result.output
    assert option in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("command", "args", "option"),
    [
        ("check", ["--timeout", "0"], "--timeout"),
        ("equiv", ["--tolerance", "0"], "--tolerance"),
        ("equiv", ["--tolerance", "-0.1"], "--tolerance"),
        ("equiv", ["--timeout", "-5"], "--timeout"),
        ("equiv", ["--workers", "-2"], "--workers"),
    ],
    ids=["check-timeout", "tolerance-zero", "tolerance-negative", "equiv-timeout", "workers"],
)
def test_bad_options_of_other_commands(
    folder: Path, command: str, args: list[str], option: str
) -> None:
    operands = [str(folder / "good.yaml")] if command == "check" else ["x", "x"]
    result = CliRunner().invoke(cli, [command, *operands, *args])
    assert result.exit_code == 2, result.output
    assert option in result.stderr


@pytest.mark.parametrize(
    ("option", "target"),
    [
        ("--out", "a_folder"),
        ("--out", "a_file/grades.csv"),
        ("--json", "a_folder"),
        ("--json", "a_file/report.json"),
        ("--canvas", "a_folder"),
        ("--canvas", "a_file/x/canvas.csv"),
        ("--gradescope", "a_file"),
        ("--gradescope", "a_file/gs"),
    ],
    ids=[
        "out-folder",
        "out-under-file",
        "json-folder",
        "json-under-file",
        "canvas-folder",
        "canvas-under-file",
        "gradescope-file",
        "gradescope-under-file",
    ],
)
def test_unwritable_output_is_one_line_and_exit_2_before_grading(
    folder: Path, blocked: Path, monkeypatch: pytest.MonkeyPatch, option: str, target: str
) -> None:
    _never_grade(monkeypatch)
    result = CliRunner().invoke(
        cli, ["grade", str(folder / "good.yaml"), option, str(blocked / target)]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"hwgrade: {option} ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output
    assert (blocked / "a_file").read_text() == "keep me"


def test_check_output_that_cannot_be_written(folder: Path, blocked: Path) -> None:
    args = ["check", str(folder / "good.yaml"), "--format", "gradescope", "-o"]
    result = CliRunner().invoke(cli, [*args, str(blocked / "a_folder")])
    assert result.exit_code == 2 and "hwgrade: -o " in result.stderr
    result = CliRunner().invoke(cli, ["check", str(folder / "good.yaml"), "-o", "x.json"])
    assert result.exit_code == 2 and "--format gradescope" in result.stderr


def test_key_output_that_cannot_be_written(blocked: Path) -> None:
    result = CliRunner().invoke(cli, ["key", "triangle_area", "-o", str(blocked / "a_folder")])
    assert result.exit_code == 2 and "is a folder" in result.stderr


def test_a_write_that_fails_after_grading_exits_1_and_keeps_the_old_file(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    out = tmp_path / "grades.csv"
    out.write_text("")  # an empty file: nothing to drop

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    result = CliRunner().invoke(cli, ["grade", str(folder / "good.yaml"), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr and "Traceback" not in result.output
    assert out.read_text() == "" and sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv"]


def test_out_over_other_students_grades_needs_force(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "grades.csv"
    both = [str(folder / "good.yaml"), str(folder / "wrong.yaml")]
    assert CliRunner().invoke(cli, ["grade", *both, "--out", str(out)]).exit_code == 0
    before = out.read_text()
    again = CliRunner().invoke(cli, ["grade", *both, "--out", str(out)])  # same files: fine
    assert again.exit_code == 0 and out.read_text() == before
    late = ["grade", str(folder / "good.yaml"), "--out", str(out)]
    with monkeypatch.context() as patched:
        _never_grade(patched)
        refused = CliRunner().invoke(cli, late)
    assert refused.exit_code == 2
    assert "--force" in refused.stderr and "bob (" in refused.stderr
    assert out.read_text() == before  # nothing destroyed
    forced = CliRunner().invoke(cli, [*late, "--force"])
    assert forced.exit_code == 0
    rows = list(csv.DictReader(out.open(newline="")))
    assert [r["student"] for r in rows] == ["alice"]


def test_out_over_a_file_that_is_not_a_grades_csv_needs_force(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "notes.csv"
    out.write_text("name,comment\nalice,late\n")
    result = CliRunner().invoke(cli, ["grade", str(folder / "good.yaml"), "--out", str(out)])
    assert result.exit_code == 2 and "not a grades CSV" in result.stderr
    assert out.read_text() == "name,comment\nalice,late\n"


# ---------------------------------------------------------------- faults while writing


def _full_disk_for(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes of the output ``name`` run out of space half-way (ENOSPC)."""
    import errno
    import os

    from hwgrade.grader import outfiles

    real = os.fdopen

    class HalfWriter:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, text: str) -> None:
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real(fd, *args, **kwargs)
        if Path(os.readlink(f"/proc/self/fd/{fd}")).name.startswith(f".{name}."):
            return HalfWriter(handle)
        return handle

    monkeypatch.setattr(outfiles, "_fdopen", fdopen)


def test_full_disk_keeps_the_old_csv_and_writes_the_other_outputs(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = [str(folder / "good.yaml"), str(folder / "wrong.yaml")]
    out, report, canvas = tmp_path / "grades.csv", tmp_path / "r.json", tmp_path / "c.csv"
    assert CliRunner().invoke(cli, ["grade", *files, "--out", str(out), "-q"]).exit_code == 0
    before = out.read_bytes()
    _full_disk_for("grades.csv", monkeypatch)
    args = ["grade", *files, "--out", str(out), "--json", str(report), "--canvas", str(canvas)]
    result = CliRunner().invoke(cli, [*args, "-q"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = [
        x for x in result.stderr.splitlines() if x.startswith("hwgrade:") and "--canvas" not in x
    ]
    assert str(out) in line and "No space left on device" in line
    assert out.read_bytes() == before  # the old grades, whole
    assert json.loads(report.read_text())["submissions"] and canvas.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv", "grades.csv", "r.json"]


def test_a_cache_that_cannot_be_saved_costs_no_output(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _full_disk_for(".hwgrade-cache.json", monkeypatch)
    out = tmp_path / "grades.csv"
    args = ["grade", str(folder / "good.yaml"), "--out", str(out), "--resume", "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "the resume cache was not saved" in result.stderr
    assert out.read_text().count("\n") == 2  # header and alice: the CSV is there
    assert not (tmp_path / ".hwgrade-cache.json").exists()


def test_two_runs_never_write_one_output_at_once(folder: Path, tmp_path: Path) -> None:
    from hwgrade.grader.outfiles import lock_outputs

    out = tmp_path / "grades.csv"
    with lock_outputs([str(out)]):  # another run is writing it
        result = CliRunner().invoke(cli, ["grade", str(folder / "good.yaml"), "--out", str(out)])
    assert result.exit_code == 2 and "another hwgrade run is writing it" in result.stderr
    assert not out.exists()
    again = CliRunner().invoke(cli, ["grade", str(folder / "good.yaml"), "--out", str(out)])
    assert again.exit_code == 0 and out.exists()  # the lock went with the other run
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv"]


# ---------------------------------------------------------------- Canvas that imports (#29)


def test_canvas_rows_carry_the_student_id_and_the_named_column(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.yaml").write_text(GOOD.replace("student: alice", "student: alice\nstudent_id: 1001"))
    (subs / "b.yaml").write_text(WRONG)
    canvas = tmp_path / "canvas.csv"
    args = ["grade", str(subs), "--problem", "rnn_backprop", "-q", "--canvas", str(canvas)]
    result = CliRunner().invoke(cli, [*args, "--assignment", "HW3 (1234)"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(canvas.open(newline="")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW3 (1234)"]
    assert rows[2][:4] == ["alice", "", "1001", "alice"]
    assert rows[3][:4] == ["bob", "", "", "bob"]
    assert "1 row(s) have no `student_id:` (bob)" in result.stderr
    assert "named `hwgrade`" not in result.stderr


def test_canvas_column_from_the_course_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hwgrade.toml").write_text('[hwgrade]\ncanvas_assignment = "HW4 (99)"\n')
    (tmp_path / "a.yaml").write_text(GOOD)
    monkeypatch.chdir(tmp_path)
    args = ["grade", "a.yaml", "--problem", "rnn_backprop", "-q", "--canvas", "c.csv"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.csv").read_text().splitlines()[0].endswith(",HW4 (99)")
    monkeypatch.delenv("HWGRADE_PROBLEMS", raising=False)
    (tmp_path / "hwgrade.toml").write_text("[hwgrade]\n")
    result = CliRunner().invoke(cli, args)
    assert "the column is named `hwgrade`" in result.stderr and "--assignment" in result.stderr


def test_duplicates_and_nameless_files_are_flagged_never_merged(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "first.yaml").write_text(GOOD)
    (subs / "again.yaml").write_text(WRONG.replace("student: bob", "student: alice"))
    (subs / "nameless.yaml").write_text(WRONG.replace("student: bob\n", ""))
    out, report = tmp_path / "grades.csv", tmp_path / "r.json"
    args = ["grade", str(subs), "--problem", "rnn_backprop", "--out", str(out)]
    result = CliRunner().invoke(cli, [*args, "--json", str(report)], terminal_width=200)
    assert result.exit_code == 0, result.output
    rows = {r["file"].rsplit("/", 1)[-1]: r for r in csv.DictReader(out.open(newline=""))}
    assert len(rows) == 3  # both of alice's files keep their rows and their grades
    assert rows["first.yaml"]["note"] == f"duplicate: student `alice` also in {subs / 'again.yaml'}"
    assert rows["again.yaml"]["note"].startswith("duplicate: student `alice` also in")
    assert rows["nameless.yaml"]["note"] == "no student name: the file name is used"
    assert (rows["first.yaml"]["score"], rows["again.yaml"]["score"]) == ("3", "0")
    assert "Check the student of these files (a duplicate is never merged)" in result.stdout
    assert result.stdout.count("duplicate: student `alice` also in") == 2
    flagged = json.loads(report.read_text())["summary"]["flagged"]
    assert sorted(f["file"].rsplit("/", 1)[-1] for f in flagged) == [
        "again.yaml",
        "first.yaml",
        "nameless.yaml",
    ]
