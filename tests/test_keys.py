import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from hwgrade.grader.output.keys import key_json, render_key, render_list, template, tex_escape
from hwgrade.grader.specs.problemset import load_problem_set


@pytest.fixture(scope="module")
def problems():
    return load_problem_set().problems


def test_key_json_contract(problems):
    data = json.loads(render_key(problems, "json"))
    assert data == json.loads(json.dumps(key_json(problems)))
    for prob in data["problems"]:
        assert set(prob) == {"id", "title", "parts"}
        for part in prob["parts"]:
            assert set(part) == {"id", "prompt", "points", "kind", "answer", "latex"}
            assert isinstance(part["answer"], (str, list))
    norm = next(p for p in data["problems"] if p["id"] == "normalization_stats")
    mu_layer = next(p for p in norm["parts"] if p["id"] == "mu_layer")
    assert isinstance(mu_layer["answer"], list) and len(mu_layer["answer"]) == 4


def test_text_key_shows_steps(problems):
    text = render_key(problems, "text")
    assert "rnn_backprop" in text and "dy/dw" in text.replace("dy/d", "dy/d")
    assert all(len(line) <= 100 for line in text.splitlines())


def test_markdown_key(problems):
    md = render_key(problems, "md")
    assert md.startswith("# Solution key")
    assert md.count("## ") >= 6 and "**Answer:**" in md


def test_tex_key_is_balanced_ascii(problems):
    tex = render_key(problems, "tex")
    assert tex.startswith(r"\documentclass{article}") and tex.rstrip().endswith(r"\end{document}")
    begins = re.findall(r"\\begin\{(\w+)\}", tex)
    ends = re.findall(r"\\end\{(\w+)\}", tex)
    assert sorted(begins) == sorted(ends)
    assert tex.count("{") == tex.count("}")
    assert all(ord(ch) < 128 for ch in tex), "pdflatex needs declared unicode"


def test_tex_escape():
    assert tex_escape("50% of x_1 & {y}") == r"50\% of x\_1 \& \{y\}"
    assert tex_escape("XᵀX ⊙ ∑") == r"X$^\top$X $\odot$ ?"


def test_template_is_valid_yaml_with_every_part(problems):
    text = template(problems)
    data = yaml.safe_load(text)
    assert data["student"] is None
    for spec in problems:
        answers = data["answers"][spec.id]
        assert set(answers) == {p.id for p in spec.parts}
        for part in spec.parts:
            assert f"# {part.id} (" in text
    flat = json.dumps(data["answers"])
    assert re.sub(r'["\[\],:{} ]|[\w.]+(?=":)', "", flat) == ""  # only empty strings


def test_render_list_names_every_problem_and_part():
    problem_set = load_problem_set()
    text = render_list(problem_set)
    assert "built-in problem set" in text
    for spec in problem_set.problems:
        assert spec.id in text
        for part in spec.parts:
            assert part.id in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_tex_key_compiles_with_pdflatex(tmp_path: Path) -> None:
    (tmp_path / "key.tex").write_text(render_key(load_problem_set().problems, "tex"))
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "key.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "key.pdf").stat().st_size > 0


@pytest.mark.parametrize("spec", load_problem_set().problems, ids=lambda s: s.id)
def test_template_shows_each_problems_statement(spec: Any) -> None:
    """A student answering from the template reads the data, names and conventions."""
    text = template([spec])
    for line in spec.statement.strip().splitlines():
        assert f"  # | {line}".rstrip() in text.splitlines(), line
    assert yaml.safe_load(text)["answers"][spec.id]  # still a valid, blank submission


def test_template_says_the_digits_where_decimals_are_accepted() -> None:
    problems = load_problem_set()
    text = template([problems.get("normalization_stats"), problems.get("dropout_ridge")])
    lines = {line.split("(")[0].strip("# ").strip(): line for line in text.splitlines()}
    assert lines["var_batch"].endswith("[exact, or decimals to 3 significant digits]")
    assert "significant digits" not in lines["regularizer"]  # a symbolic answer
