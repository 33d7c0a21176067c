import pytest
import sympy

from hwgrade.grader.errors import UsageError
from hwgrade.grader.specs.problemset import load_problem_set, resolve_problem_dir
from hwgrade.grader.specs.solving import solve
from hwgrade.problems import BUILTIN_DIR

EXPECTED = {
    "rnn_backprop",
    "normalization_stats",
    "dropout_ridge",
    "min_norm_gd",
    "pca_autoencoder",
    "gnn_attention",
}
COURSE_SOLVER = """
import sympy
from hwgrade.solver import Solution, register

@register("course_double")
def solve(params, ctx):
    return Solution({"twice": sympy.Integer(2 * params["x"])})
"""
COURSE_SPEC = """\
id: doubling
title: Doubling
statement: Double x.
solver: course_double
parameters: {x: 21}
parts:
  - {id: twice, prompt: "2x?"}
"""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    monkeypatch.delenv("HWGRADE_PROBLEMS", raising=False)
    monkeypatch.chdir(tmp_path)


def test_builtin_default():
    ps = load_problem_set()
    assert ps.builtin and ps.root == BUILTIN_DIR
    assert set(ps.ids) >= EXPECTED  # others may add built-in problems
    assert ps.get("rnn_backprop").title and ps.get("nope") is None


def _course(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "doubling.yaml").write_text(COURSE_SPEC)
    (course / "my_solvers.py").write_text(COURSE_SOLVER)
    return course


def test_option_env_toml_precedence(tmp_path, monkeypatch):
    course = _course(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (tmp_path / "hwgrade.toml").write_text('[hwgrade]\nproblems = "course"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    assert resolve_problem_dir(None) == (course.resolve(), False)
    monkeypatch.setenv("HWGRADE_PROBLEMS", str(other))
    assert resolve_problem_dir(None)[0] == other.resolve()
    assert resolve_problem_dir(str(course))[0] == course.resolve()


def test_course_folder_with_own_solver(tmp_path):
    ps = load_problem_set(str(_course(tmp_path)))
    assert not ps.builtin and ps.ids == ("doubling",)
    assert solve(ps.get("doubling")).answers["twice"] == 42


def test_missing_folder():
    with pytest.raises(UsageError):
        resolve_problem_dir("/no/such/folder")


def test_changing_a_parameter_changes_the_key(tmp_path):
    text = (BUILTIN_DIR / "01_rnn_backprop.yaml").read_text()
    text = text.replace("{steps: 3}", "{steps: 4}")  # symbols and prompts follow {{steps}}
    course = tmp_path / "c4"
    course.mkdir()
    (course / "rnn4.yaml").write_text(text)
    from hwgrade.grader.specs.validation import validate_spec

    assert validate_spec(course / "rnn4.yaml") == []
    spec = load_problem_set(str(course)).get("rnn_backprop")
    w = sympy.Symbol("w")
    assert sympy.degree(solve(spec).answers["a.y"], w) == 4
    assert spec.context.is_declared("u_4") and "u_1, ..., u_4" in spec.part("a.t").prompt
    builtin = load_problem_set().get("rnn_backprop")
    assert sympy.degree(solve(builtin).answers["a.y"], w) == 3
