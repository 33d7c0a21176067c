"""The Gradescope autograder zip: built, unpacked into a root, run on every kind of upload."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HOSTILE = b"answers:\n  rnn_backprop:\n    b: \"__import__('os').system('touch /tmp/pwn')\"\n"
#: Gradescope's autograder specification: the fields a results.json may carry.
TOP = {"score", "output", "output_format", "test_output_format", "test_name_format",
       "visibility", "stdout_visibility", "tests", "execution_time", "leaderboard",
       "extra_data"}  # fmt: skip
TEST = {"score", "max_score", "status", "name", "name_format", "number", "output",
        "output_format", "tags", "visibility", "extra_data"}  # fmt: skip


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("zip") / "autograder.zip"
    result = CliRunner().invoke(cli, ["autograder", "-o", str(target)])
    assert result.exit_code == 0, result.output
    return target


def _run(package: Path, root: Path, files: dict[str, bytes]) -> dict[str, Any]:
    """Unpack the zip into ``root``, put ``files`` in the submission, run run_autograder."""
    with zipfile.ZipFile(package) as archive:
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    for name, data in files.items():
        (root / "submission" / name).write_bytes(data)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "HWGRADE_PYTHON": sys.executable}
    script = root / "source" / "run_autograder"
    done = subprocess.run(["bash", str(script)], env=env, timeout=300, capture_output=True)
    assert done.returncode == 0, done.stderr
    doc: dict[str, Any] = json.loads((root / "results" / "results.json").read_text())
    assert set(doc) <= TOP and isinstance(doc["score"], (int, float)), doc
    for test in doc["tests"]:
        assert set(test) <= TEST and {"score", "max_score", "name", "number"} <= set(test)
        assert test.get("status", "passed") in ("passed", "failed")
        assert test["visibility"] == "visible" and isinstance(test["output"], str)
    return doc


def test_the_zip_has_what_gradescope_runs(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "source/hwgrade_pkg/pyproject.toml"} <= names
    assert "source/hwgrade_pkg/hwgrade/grader/cli/commands.py" in names
    assert "source/hwgrade_pkg/hwgrade/problems/01_rnn_backprop.yaml" in names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111


def test_a_good_submission_is_graded(package: Path, tmp_path: Path) -> None:
    doc = _run(package, tmp_path, {"mine.yaml": (EXAMPLES / "perfect.yaml").read_bytes()})
    assert doc["score"] == 86.5 and len(doc["tests"]) > 50
    assert all(t["status"] == "passed" for t in doc["tests"] if t["max_score"] > 0)


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({}, "No submission file found"),
        ({"a.yaml": b"answers: {}\n", "b.yml": b"answers: {}\n"}, "this submission has 2"),
        ({"mine.yaml": b""}, "could not be graded: the file is empty"),
        ({"mine.yaml": bytes(range(256)) * 4}, "could not be graded"),
        ({"mine.yaml": HOSTILE}, "0 / 86.5"),
    ],
    ids=["none", "two", "empty", "garbage", "hostile"],
)  # fmt: skip
def test_every_upload_gets_a_results_json(
    package: Path, tmp_path: Path, files: dict[str, bytes], says: str
) -> None:
    doc = _run(package, tmp_path, files)
    assert doc["score"] == 0
    assert says in doc["output"]


def test_python_that_cannot_start_still_leaves_a_results_json(
    package: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(package) as archive:
        archive.extractall(tmp_path / "source")
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path), "HWGRADE_PYTHON": "/nonexistent"}
    subprocess.run(["bash", str(tmp_path / "source" / "run_autograder")], env=env, timeout=60)
    doc = json.loads((tmp_path / "results" / "results.json").read_text())
    assert doc["score"] == 0 and "could not start hwgrade" in doc["output"]
