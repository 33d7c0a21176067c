"""A course folder as an instructor keeps it: specs, their own solver module, tests."""

import pytest
import sympy
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.errors import SpecError
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.specs.solving import solve

SOLVER = """
import sympy
from hwgrade.solver import Mistake, Solution, Step, register

@register("course_power")
def solve(params, ctx):
    w = ctx.sym("w")
    k = params["k"]
    return Solution(
        {"value": w ** k},
        steps={"value": (Step(f"w to the power {k}"),)},
        mistakes={"value": (Mistake("off", w ** (k - 1), "one power too few"),)},
    )
"""
MIXED = """\
id: mixed
title: Solver and derivations together
statement: A course solver answers `value`; `slope` is derived.
symbols:
  w: scalar
solver: course_power
parameters: {k: 3}
definitions:
  v: "w^k"
parts:
  - {id: value, prompt: "w^k"}
  - id: slope
    prompt: "d/dw of w^k"
    reference: "diff(v, w)"
    mistakes:
      - {derive: "k w^k", message: "the exponent drops by one"}
"""
DERIVED = """\
id: derived_only
title: Only derivations
statement: No Python at all.
symbols:
  z_1: scalar
  z_2: scalar
definitions:
  L: "-log(exp(z_1)/(exp(z_1) + exp(z_2)))"
parts:
  - {id: dz1, prompt: "dL/dz_1", reference: "simplify(diff(L, z_1))"}
"""
SUBMISSION = """\
student: alice
answers:
  mixed: {value: "w^3", slope: "3 w^2"}
  derived_only: {dz1: "exp(z_1)/(exp(z_1)+exp(z_2)) - 1"}
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("HWGRADE_PROBLEMS", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    (folder / "course_solvers.py").write_text(SOLVER)
    (folder / "mixed.yaml").write_text(MIXED)
    (folder / "derived_only.yaml").write_text(DERIVED)
    (folder / "test_mixed.py").write_text("import pytest\nraise RuntimeError('not a solver')\n")
    (folder / "alice.yaml").write_text(SUBMISSION)  # a submission kept next to the specs
    return folder


def test_own_solver_and_derivations_merge(course):
    ps = load_problem_set(str(course))
    assert set(ps.ids) == {"mixed", "derived_only"} and not ps.builtin
    sol = solve(ps.get("mixed"))
    w = sympy.Symbol("w")
    assert sol.answers == {"value": w**3, "slope": 3 * w**2}
    assert [m.value for m in sol.mistakes["slope"]] == [3 * w**3]
    assert sol.mistakes["value"][0].value == w**2


def test_cli_with_toml_found_upwards(course, tmp_path, monkeypatch):
    (tmp_path / "hwgrade.toml").write_text('[hwgrade]\nproblems = "course"\n')
    sub = tmp_path / "week1"
    sub.mkdir()
    monkeypatch.chdir(sub)
    runner = CliRunner()
    listing = runner.invoke(cli, ["list"])
    assert listing.exit_code == 0 and "mixed" in listing.output
    assert "built-in" not in listing.output
    check = runner.invoke(cli, ["check", str(course / "alice.yaml")])
    assert check.exit_code == 0, check.output
    key = runner.invoke(cli, ["key", "mixed", "--format", "md"])
    assert key.exit_code == 0 and "diff(v, w)" in key.output


def test_validate_lists_the_submission_as_not_a_spec(course):
    result = CliRunner().invoke(cli, ["validate", "--problems", str(course)])
    assert result.exit_code == 1
    assert "alice.yaml:2" in result.output and "submission" in result.output


def test_broken_spec_in_course_folder_names_file_field_and_line(course):
    (course / "alice.yaml").unlink()
    (course / "mixed.yaml").write_text(MIXED.replace('prompt: "w^k"', "pionts: 2"))
    with pytest.raises(SpecError) as info:
        load_problem_set(str(course))
    err = info.value
    assert err.path == str(course / "mixed.yaml") and err.field == "parts[0].pionts"
    assert err.line == 11
    result = CliRunner().invoke(cli, ["list", "--problems", str(course)])
    assert result.exit_code != 0 and "mixed.yaml:11" in result.output


def test_broken_derivation_reaches_the_user_with_its_line(course):
    (course / "alice.yaml").unlink()
    (course / "derived_only.yaml").write_text(DERIVED.replace("diff(L, z_1)", "diff(L, z_3)"))
    result = CliRunner().invoke(cli, ["key", "--problems", str(course)])
    assert result.exit_code != 0
    assert "derived_only.yaml:10" in result.output and "parts[0].reference" in result.output


def test_autograder_zip_carries_the_course_and_its_assignment(course, tmp_path):
    """The container grades the course's own problems, on the course's assignment."""
    import json
    import os
    import subprocess
    import sys
    import zipfile

    (tmp_path / "hwgrade.toml").write_text(
        '[hwgrade]\nproblems = "course"\nassignment = ["mixed"]\n'
    )
    result = CliRunner().invoke(cli, ["autograder", "-o", "ag.zip"])
    assert result.exit_code == 0, result.output
    root = tmp_path / "root"
    with zipfile.ZipFile(tmp_path / "ag.zip") as archive:
        assert "source/problems/course_solvers.py" in archive.namelist()
        archive.extractall(root / "source")
    (root / "submission").mkdir()
    (root / "submission" / "alice.yaml").write_text(SUBMISSION)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "HWGRADE_PYTHON": sys.executable}
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, timeout=300)
    doc = json.loads((root / "results" / "results.json").read_text())
    assert {t["number"] for t in doc["tests"]} == {"mixed.value", "mixed.slope"}
    assert doc["score"] == 2
