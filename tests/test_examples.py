"""The shipped examples grade as their README says, and the README's report is current."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.specs.problemset import load_problem_set

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
#: The assignment typical.yaml was written for (its README report is of that assignment).
HOMEWORK = ("--problem", "rnn_backprop", "--problem", "normalization_stats")
HOMEWORK += ("--problem", "dropout_ridge")


def _check(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["check", *args], env={"COLUMNS": "80", "NO_COLOR": "1"})
    return result.exit_code, result.stdout


@functools.cache
def _verdicts(name: str) -> dict[str, tuple[str, float]]:
    """Verdict and score per part of an example (graded once per test session)."""
    result = CliRunner().invoke(cli, ["check", "--json", str(EXAMPLES / name)])
    parts = json.loads(result.stdout)["parts"]
    return {f"{p['problem']}.{p['part']}": (p["verdict"], p["score"]) for p in parts}


def test_perfect_is_all_correct(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _ = _check(monkeypatch, "examples/perfect.yaml")
    assert code == 0
    verdicts = _verdicts("perfect.yaml")
    problems = {key.split(".")[0] for key in verdicts}
    assert problems == {s.id for s in load_problem_set().problems}  # the whole assignment
    # Every part is correct but the hand-graded free-text answers, left out.
    assert {v for k, (v, _) in verdicts.items() if not k.startswith("free_text.")} == {"correct"}


TYPICAL = {
    "rnn_backprop.a.t": ("correct", 1.0),
    "rnn_backprop.a.y": ("incorrect", 0.0),  # known mistake
    "rnn_backprop.b": ("carried_forward", 2.0),
    "rnn_backprop.c.dy_ds": ("invalid", 0.0),  # unbalanced parenthesis
    "rnn_backprop.c.dy_dq": ("incorrect", 0.0),  # known mistake
    "rnn_backprop.c.dy_dp": ("missing", 0.0),  # misspelt id
    "rnn_backprop.d.edge1": ("invalid", 0.0),  # u1
    "rnn_backprop.d.total": ("incorrect", 0.5),  # spec-listed mistake
    "normalization_stats.var_batch": ("incorrect", 0.5),  # Bessel, half credit
    "normalization_stats.var_layer": ("incorrect", 0.75),  # one wrong entry
    "normalization_stats.var_instance": ("missing", 0.0),
    "dropout_ridge.expected_loss": ("correct", 3.0),
    "dropout_ridge.regularizer": ("incorrect", 0.0),
}


@pytest.mark.parametrize(("key", "expected"), TYPICAL.items(), ids=list(TYPICAL))
def test_typical_mix(key: str, expected: tuple[str, float]) -> None:
    assert _verdicts("typical.yaml")[key] == expected


def test_typical_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = _check(monkeypatch, "examples/typical.yaml")
    assert code == 1
    assert "did you mean `c.dy_dp`?" in out


def test_readme_shows_the_current_report(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```text\n(sam .*?)\n```", readme, re.S)
    assert match, "the README has no report block"
    _, out = _check(monkeypatch, "examples/typical.yaml", *HOMEWORK)
    current = "\n".join(line.rstrip() for line in out.splitlines())
    assert match.group(1) == current
