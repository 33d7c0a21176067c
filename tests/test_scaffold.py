"""`hwgrade new`: scaffolded files validate, run their own tests, and never overwrite."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("HWGRADE_PROBLEMS", raising=False)
    monkeypatch.chdir(tmp_path)


def test_new_then_validate_key_and_check(tmp_path):
    runner = CliRunner()
    course = tmp_path / "course"
    result = runner.invoke(cli, ["new", "toy_loss", "--dir", str(course)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in course.iterdir())
    assert names == ["test_toy_loss.py", "toy_loss.yaml", "toy_loss_solver.py"]
    result = runner.invoke(cli, ["validate", "--problems", str(course)])
    assert result.exit_code == 0, result.output
    key = runner.invoke(cli, ["key", "toy_loss", "--format", "json", "--problems", str(course)])
    assert key.exit_code == 0 and '"grad_at"' in key.output
    listing = runner.invoke(cli, ["list", "--problems", str(course)])
    assert str(course) in listing.output.replace("\n", "")
    sub = tmp_path / "alice.yaml"
    sub.write_text(
        "answers:\n  toy_loss:\n    loss: '(wx-y)^2'\n    grad: '2x(wx-y)'\n    grad_at: '-4'\n"
    )
    check = runner.invoke(cli, ["check", str(sub), "--problems", str(course)])
    assert check.exit_code == 0, check.output


def test_scaffolded_tests_pass(tmp_path):
    course = tmp_path / "c"
    assert CliRunner().invoke(cli, ["new", "toy", "--dir", str(course)]).exit_code == 0
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(course)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_solver_skeleton_is_usable_when_enabled(tmp_path):
    course = tmp_path / "c"
    CliRunner().invoke(cli, ["new", "toy_s", "--dir", str(course)])
    spec = course / "toy_s.yaml"
    spec.write_text(spec.read_text().replace("parts:\n", "solver: toy_s\nparts:\n", 1))
    result = CliRunner().invoke(cli, ["validate", "--problems", str(course)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("bad", ["9lives", "has-dash", "rnn_backprop"])
def test_bad_or_taken_ids_are_refused(tmp_path, bad):
    result = CliRunner().invoke(cli, ["new", bad, "--dir", str(tmp_path / "c")])
    assert result.exit_code == 2 and bad in result.output


def test_never_overwrites(tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "once"]).exit_code == 0
    (tmp_path / "once.yaml").write_text("edited")
    again = runner.invoke(cli, ["new", "once"])
    assert again.exit_code == 2 and "not overwriting" in again.output
    assert (tmp_path / "once.yaml").read_text() == "edited"
