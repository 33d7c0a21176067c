"""``hwgrade check`` end to end through click's CliRunner: exit codes, report, JSON, Gradescope.

The "perfect" submission is built from ``key_json`` (the key's own plain answers put
into the shape ``hwgrade template`` gives), so this also proves that what the key prints
is graded as right; the "mutated" one changes every answer so that nothing, not even a
known mistake or a carried-forward follow-on, can earn a point.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.output.keys import key_json, template
from hwgrade.grader.specs.problemset import load_problem_set

PROBLEMS = load_problem_set()
KEY = key_json(PROBLEMS.problems)["problems"]
CONTRACT_FIELDS = {"problem", "part", "verdict", "score", "max_score", "message", "interpreted_as"}


def _answers(mutate: bool) -> dict[str, dict[str, Any]]:
    """The key's answers by problem and part; with ``mutate``, each one made wrong.

    Each part gets its own offset, so a follow-on part is never consistent with the
    student's (equally mutated) earlier answers and carry-forward earns nothing.
    """
    out: dict[str, dict[str, Any]] = {}
    offset = 0
    for problem in KEY:
        parts: dict[str, Any] = {}
        for part in problem["parts"]:
            if part["kind"] == "manual":
                continue  # graded by hand: never part of the automatic verdicts
            offset += 1
            answer = part["answer"]
            if mutate and part["kind"] == "choice":
                spec = PROBLEMS.get(problem["id"])
                assert spec is not None
                spec_part = spec.part(part["id"])
                assert spec_part is not None
                right = {x.strip() for x in str(answer).split(",")}
                answer = next(label for label, _ in spec_part.choices if label not in right)
            elif mutate:
                answer = _shift(answer, offset)
            parts[part["id"]] = answer
        out[problem["id"]] = parts
    return out


def _shift(answer: Any, offset: int) -> Any:
    if isinstance(answer, list):
        return [_shift(entry, offset) for entry in answer]
    return f"({answer}) + {offset}"


def _write(tmp_path: Path, answers: dict[str, Any], name: str = "sub.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        yaml.safe_dump({"student": "kim", "answers": answers}, sort_keys=False), encoding="utf-8"
    )
    return path


def _check(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, ["check", *args], env=env)


def test_template_has_every_key_part() -> None:
    blank = yaml.safe_load(template(PROBLEMS.problems))["answers"]
    assert {p: set(parts) for p, parts in blank.items()} == {
        problem["id"]: {part["id"] for part in problem["parts"]} for problem in KEY
    }


def test_key_answers_score_full_marks_and_exit_0(tmp_path: Path) -> None:
    result = _check("--json", str(_write(tmp_path, _answers(False))))
    data = json.loads(result.stdout)
    wrong = [(p["problem"], p["part"], p["message"]) for p in data["parts"]]
    wrong = [
        w
        for w, p in zip(wrong, data["parts"], strict=True)
        if p["verdict"] != "correct" and p["method"] != "manual"
    ]
    assert wrong == []
    assert data["score"] == data["max_score"] > 0
    assert result.exit_code == 0


def test_key_answers_report(tmp_path: Path) -> None:
    result = _check(str(_write(tmp_path, _answers(False))))
    assert result.exit_code == 0
    assert "incorrect" not in result.stdout
    assert re.search(r"Total: (\S+) / \1 \(100%\)", result.stdout)


def test_mutated_answers_score_zero_and_exit_1(tmp_path: Path) -> None:
    result = _check("--json", str(_write(tmp_path, _answers(True))))
    data = json.loads(result.stdout)
    earned = [(p["problem"], p["part"], p["score"], p["message"]) for p in data["parts"]]
    assert [e for e in earned if e[2] != 0] == []
    auto = [p for p in data["parts"] if p["method"] != "manual"]
    assert auto and all(p["verdict"] == "incorrect" for p in auto)
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "the file is empty: start from `hwgrade template"),
        (b"# nothing yet\n", "start from `hwgrade template"),
        (b"answers: [unclosed\n  x", "not valid YAML"),
        (b"\x00\x01\x02binary", "binary"),
        (b"- a\n- b\n", "not a list"),
        (b"student: kim\n", "no `answers:` section"),
        (b"answers:\n  rnn_backprp:\n    b: w\n", "did you mean `rnn_backprop`?"),
    ],
    ids=["empty", "comments-only", "not-yaml", "binary", "list", "no-answers", "unknown-problem"],
)
def test_unusable_file_exits_2_with_one_line(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    result = _check(str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("hwgrade: ") and says in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = _check(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "cannot open" in result.stderr and "Traceback" not in result.stderr


def test_json_has_the_contract_fields(tmp_path: Path) -> None:
    answers = {"rnn_backprop": {"a.t": "u_3 + w u_2 + w^2 u_1", "b": "u1 +", "a.y": "w"}}
    result = _check("--json", str(_write(tmp_path, answers)))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["parts"]
    for part in data["parts"]:
        assert set(part) >= CONTRACT_FIELDS
        assert "interpreted_as" in part
        assert part["reference"] == ""  # as in the report: the reference only with -v
    by_part = {p["part"]: p for p in data["parts"]}
    assert by_part["a.t"]["interpreted_as"] == "u_1*w^2 + u_2*w + u_3"
    assert "u_{1}" in by_part["a.t"]["interpreted_latex"]  # the JSON shows LaTeX too
    assert by_part["b"]["verdict"] == "invalid" and by_part["b"]["interpreted_as"] == ""
    assert by_part["c.dy_dt"]["verdict"] == "missing"


def test_json_verbose_includes_reference(tmp_path: Path) -> None:
    path = _write(tmp_path, {"rnn_backprop": {"a.y": "w"}})
    data = json.loads(_check("--json", "-v", str(path)).stdout)
    assert {p["part"]: p["reference"] for p in data["parts"]}["a.y"] == "u_1*w^3 + u_2*w^2 + u_3*w"


def test_gradescope_results_file(tmp_path: Path) -> None:
    path = _write(tmp_path, {"rnn_backprop": {"a.t": "u_3 + w u_2 + w^2 u_1", "a.y": "w"}})
    out = tmp_path / "results.json"
    result = _check("--format", "gradescope", "-o", str(out), str(path))
    assert result.exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data["tests"], list) and data["tests"]
    for test in data["tests"]:
        assert {"score", "max_score", "number", "output"} <= set(test)
    numbers = {t["number"]: t for t in data["tests"]}
    assert numbers["rnn_backprop.a.t"]["score"] == 1.0
    assert numbers["rnn_backprop.a.y"]["score"] == 0.0
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_report_is_plain_when_not_a_terminal(tmp_path: Path) -> None:
    path = _write(tmp_path, {"rnn_backprop": {"a.t": "w", "b": "u1"}})
    result = _check(str(path))
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "✗ a.t  incorrect" in result.stdout


def test_no_color_wins_over_force_color(tmp_path: Path) -> None:
    path = _write(tmp_path, {"rnn_backprop": {"a.t": "w"}})
    coloured = _check(str(path), env={"FORCE_COLOR": "1", "NO_COLOR": ""})
    plain = _check(str(path), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert re.search(r"\x1b\[[0-9;]*3[0-9]m", coloured.stdout)  # the check sees colour at all
    assert not re.search(r"\x1b\[[0-9;]*3[0-9]m", plain.stdout)


def test_report_shows_file_notes_and_still_grades(tmp_path: Path) -> None:
    answers = {
        "rnn_backprop": {"a.t": "u_3 + w u_2 + w^2 u_1", "c.dyy_dp": "w^3"},
        "rnn_backprp": {"b": "1"},
    }
    result = _check(str(_write(tmp_path, answers)))
    assert result.exit_code == 1
    out = result.stdout
    assert "unknown part `rnn_backprop.c.dyy_dp` (did you mean `c.dy_dp`?)" in out
    assert "unknown problem `rnn_backprp` (did you mean `rnn_backprop`?)" in out
    assert out.index("did you mean") < out.index("✓ a.t  correct")


def test_a_second_check_reuses_the_verdicts_and_prints_the_same(tmp_path: Path) -> None:
    """The cache folder keeps a small ``checks-*`` file: the same report, nothing lost."""
    cache = tmp_path / "cache"
    sub = _write(tmp_path, _answers(True))
    first = _check("--cache", str(cache), str(sub))
    [kept] = cache.glob("checks-*.json")
    assert not list(cache.glob("verdicts-*.json"))  # never the class-wide file of `grade`
    stored = json.loads(kept.read_text())
    assert len(stored["files"]) == 1 and len(stored["checks"]) > 10
    second = _check("--cache", str(cache), str(sub))
    assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout) == (1, first.stdout)
    as_json = _check("--cache", str(cache), "--json", str(sub))
    fresh = _check("--no-cache", "--json", str(sub))
    assert json.loads(as_json.stdout) == json.loads(fresh.stdout)


def test_an_unwritable_check_cache_is_one_line_not_a_failure(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    sub = _write(tmp_path, _answers(False))
    assert _check("--cache", str(cache), str(sub)).exit_code == 0
    [kept] = cache.glob("checks-*.json")
    kept.unlink()
    kept.mkdir()  # a folder where the file should be: the save fails
    result = _check("--cache", str(cache), str(sub))
    assert result.exit_code == 0
    assert "the verdict cache was not saved" in result.stderr
