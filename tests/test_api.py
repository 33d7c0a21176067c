"""The public API (``import hwgrade``): what the README promises, and the CLI's verdicts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import hwgrade
from hwgrade.grader.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def test_the_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    """The README's "Use as a library" block, run as written (it is our own text)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"## Use as a library\n.*?```python\n(.*?)```", readme, re.S)
    assert match, "the README has no library example"
    monkeypatch.chdir(ROOT)
    exec(compile(match.group(1), "README.md", "exec"), {})  # the README is our own text
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2*x*(w*x - y)"
    assert out[1] == "(5, 1)"
    assert "not allowed" in out[2]
    assert out[3] == "correct 1.0 1.0"
    assert out[4] == "86.5 / 86.5"


def test_import_hwgrade_stays_light() -> None:
    """The API loads on first use: ``import hwgrade`` (and ``--version``) need no SymPy."""
    code = "import sys, hwgrade; print(hwgrade.__version__, 'sympy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == [hwgrade.__version__, "False"]


def test_every_exported_name_resolves() -> None:
    for name in hwgrade.__all__:
        assert getattr(hwgrade, name) is not None, name
    with pytest.raises(AttributeError):
        hwgrade.no_such_thing  # noqa: B018


COMPARE = [
    ("2*x*(w*x - y)", "2x(wx - y)", "w, x, y", hwgrade.Verdict.CORRECT),
    ("2*x*(w*x - y)", "2x(wx + y)", "w, x, y", hwgrade.Verdict.INCORRECT),
    ("X^T (X X^T)^-1 y", "Xᵀ(XXᵀ)⁻¹y", "X: 3 x 5, y: 3 x 1", hwgrade.Verdict.CORRECT),
    ("X^T (X X^T)^-1 y", "X (X^T X)^-1 y", "X: 3 x 5, y: 3 x 1", hwgrade.Verdict.INCORRECT),
    ("13/12", "1.0833", None, hwgrade.Verdict.CORRECT),
    ("1/3", "0.33", None, hwgrade.Verdict.INCORRECT),
    ("x", "__import__('os')", None, hwgrade.Verdict.INVALID),
    ("x", "x +", None, hwgrade.Verdict.INVALID),
]


@pytest.mark.parametrize(
    ("reference", "answer", "vars_", "verdict"), COMPARE, ids=[c[1] for c in COMPARE]
)
@pytest.mark.parametrize("timeout", [5.0, None], ids=["bounded", "in-process"])
def test_compare_gives_the_verdict_of_hwgrade_equiv(
    reference: str, answer: str, vars_: str | None, verdict: Any, timeout: float | None
) -> None:
    result = hwgrade.compare(reference, answer, vars=vars_, timeout=timeout)
    assert result.verdict is verdict, result.message
    args = ["equiv", "--json", reference, answer] + (["--vars", vars_] if vars_ else [])
    cli_result = json.loads(CliRunner().invoke(cli, args).output)
    assert cli_result["verdict"] == verdict.value


@pytest.mark.parametrize("answer", ["sin(exp(exp(exp(3))) + 3)", "x" + "^x" * 60, "(" * 400 + "x"])
def test_compare_refuses_a_hostile_answer_and_never_raises(answer: str) -> None:
    result = hwgrade.compare("x", answer, timeout=2.0)
    assert result.verdict in (hwgrade.Verdict.INVALID, hwgrade.Verdict.TIMEOUT), result


def test_read_answer_reads_and_refuses() -> None:
    parsed = hwgrade.read_answer(r"\frac{1}{2} x^2")
    assert str(parsed.value) == "x**2/2"
    assert parsed.syntax == "latex"
    with pytest.raises(hwgrade.HwgradeError, match="not allowed"):
        hwgrade.read_answer("__import__('os')")
    with pytest.raises(hwgrade.HwgradeError, match="shape"):
        hwgrade.read_answer("X + w", vars="X: 3 x 5, w: 5 x 1")


def _key_answers() -> dict[str, str]:
    """The built-in key's plain references for rnn_backprop, read through the CLI."""
    key = json.loads(CliRunner().invoke(cli, ["key", "--format", "json"]).output)
    problem = next(p for p in key["problems"] if p["id"] == "rnn_backprop")
    return {part["id"]: part["answer"] for part in problem["parts"] if part.get("answer")}


def test_grade_part_takes_the_key_and_refuses_a_wrong_answer() -> None:
    problems = hwgrade.load_problem_set()
    rnn = problems.get("rnn_backprop")
    assert rnn is not None
    answers = _key_answers()
    assert answers
    for part_id, answer in answers.items():
        result = hwgrade.grade_part(rnn, part_id, answer)
        assert result.verdict is hwgrade.Verdict.CORRECT, (part_id, result.message)
        assert result.score == result.max_score > 0
    wrong = hwgrade.grade_part(rnn, "a.y", "w u_3")
    assert wrong.verdict is hwgrade.Verdict.INCORRECT and wrong.score < wrong.max_score
    unreadable = hwgrade.grade_part(rnn, "a.y", "w u_3 +")
    assert unreadable.verdict is hwgrade.Verdict.INVALID and unreadable.score == 0
    with pytest.raises(hwgrade.HwgradeError, match="no part `zz`"):
        hwgrade.grade_part(rnn, "zz", "1")


def test_grade_submission_and_files_give_the_cli_grades(tmp_path: Path) -> None:
    problems = hwgrade.load_problem_set()
    files = [EXAMPLES / "perfect.yaml", EXAMPLES / "typical.yaml"]
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text("answers: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    rows = hwgrade.grade_files([*files, hostile], problems, workers=1)
    out = tmp_path / "grades.json"
    CliRunner().invoke(cli, ["grade", *map(str, files), "--json", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    expected = {s["file"]: s["score"] for s in report["submissions"]}
    assert {r.file: r.score for r in rows[:2]} == expected
    assert not rows[2].graded and rows[2].score == 0
    one = hwgrade.grade_submission(files[1], problems)
    assert one.score == expected[str(files[1])]
