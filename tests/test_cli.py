"""The built-in problem set through the CLI: list, key, template, validate, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.specs.problemset import load_problem_set

IDS = [spec.id for spec in load_problem_set().problems]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_names_every_problem_and_the_set_in_use() -> None:
    code, out, _ = _run("list")
    assert code == 0 and "built-in problem set" in out
    assert all(pid in out for pid in IDS)


@pytest.mark.parametrize("fmt", ["text", "md", "tex", "json"])
def test_key_in_every_format(fmt: str) -> None:
    code, out, _ = _run("key", "rnn_backprop", "--format", fmt)
    assert code == 0 and "d.total" in out


def test_key_json_follows_the_contract() -> None:
    code, out, _ = _run("key", "--format", "json")
    data = json.loads(out)
    assert code == 0 and [p["id"] for p in data["problems"]] == IDS
    for problem in data["problems"]:
        assert {"id", "title", "parts"} <= set(problem)
        for part in problem["parts"]:
            assert {"id", "prompt", "points", "kind", "answer", "latex"} <= set(part)


def test_template_to_file_is_yaml_with_every_part(tmp_path: Path) -> None:
    out = tmp_path / "blank.yaml"
    code, _, err = _run("template", "gnn_attention", "min_norm_gd", "-o", str(out))
    assert code == 0 and "wrote" in err
    answers = yaml.safe_load(out.read_text(encoding="utf-8"))["answers"]
    spec = load_problem_set().get("min_norm_gd")
    assert spec is not None
    assert set(answers) == {"gnn_attention", "min_norm_gd"}
    assert set(answers["min_norm_gd"]) == {p.id for p in spec.parts}


def test_validate_the_built_in_set() -> None:
    code, out, _ = _run("validate")
    assert code == 0 and out.count("✓") == len(IDS)


def test_validate_reports_a_broken_spec(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: t\nstatement: s\nparts: 3\n", encoding="utf-8")
    code, out, _ = _run("validate", str(bad))
    assert code == 1 and "bad.yaml" in out and "parts" in out


def test_unknown_problem_is_a_usage_error_with_the_known_ids() -> None:
    code, _, err = _run("key", "rnn_backprp")
    assert code == 2 and "unknown problem `rnn_backprp`" in err and "rnn_backprop" in err


def test_python_dash_m_works_like_the_script() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hwgrade", "--version"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0 and "hwgrade" in run.stdout


def test_the_command_line_starts_without_sympy() -> None:
    """``hwgrade --help`` and ``--version`` load no SymPy: only grading commands need it."""
    code = "import sys, hwgrade.grader.cli; print('sympy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
