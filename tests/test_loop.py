"""Batch grading: every file gets a row, right scores, and hostile files change nothing.

The class comes from ``benchmarks/make_class.py`` (answers derived from the key, with
rewrites, typical wrong answers, missing parts and hostile files). Only outcomes are
checked, never durations (CONTRIBUTING).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from hwgrade.grader.batch.loop import collect_files, grade_files
from hwgrade.grader.batch.sandbox import Limits
from hwgrade.grader.results import SubmissionResult, Verdict
from hwgrade.grader.specs.problemset import ProblemSet, load_problem_set
from tests.classgen import load

mc = load()
LIMITS = Limits(seconds=5.0)
PWNED = Path("/tmp/hwgrade-pwned")


@pytest.fixture(scope="module")
def problem_set() -> ProblemSet:
    return load_problem_set(None)


@pytest.fixture(scope="module")
def generated(problem_set: ProblemSet) -> list[Any]:
    return mc.make_class(problem_set, 60, hostile_fraction=0.25, seed=7)


@pytest.fixture(scope="module")
def class_dir(generated: list[Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("class")
    mc.write_class(generated, folder)
    return folder


@pytest.fixture(scope="module")
def graded(class_dir: Path, problem_set: ProblemSet) -> dict[str, SubmissionResult]:
    PWNED.unlink(missing_ok=True)
    files = collect_files([str(class_dir)])
    results = grade_files(files, problem_set, workers=2, limits=LIMITS)
    return {Path(r.file).name: r for r in results}


def test_every_file_has_a_row(generated: list[Any], graded: dict[str, SubmissionResult]) -> None:
    assert sorted(graded) == sorted(f.name for f in generated)


def test_hostile_files_are_rows_with_a_reason(
    generated: list[Any], graded: dict[str, SubmissionResult]
) -> None:
    bad = [f for f in generated if f.kind == "hostile_file"]
    assert bad
    for f in bad:
        result = graded[f.name]
        assert not result.graded, f.name
        assert result.status and result.score == 0
        assert str(Path(result.file)) not in result.status  # the row already names the file


def test_verdicts_match_what_the_generator_intended(
    generated: list[Any], graded: dict[str, SubmissionResult]
) -> None:
    for f in generated:
        if f.kind == "hostile_file":
            continue
        verdicts = {p.key: p.result.verdict for p in graded[f.name].parts}
        for key, expected in f.expected.items():
            got = verdicts[key]
            if expected == mc.CORRECT:
                assert got is Verdict.CORRECT, (f.name, key)
            elif expected == mc.MISSING:
                assert got is Verdict.MISSING, (f.name, key)
            else:  # wrong or hostile: never counted correct
                assert got is not Verdict.CORRECT, (f.name, key)


def test_scores_of_files_without_wrong_answers(
    generated: list[Any], graded: dict[str, SubmissionResult]
) -> None:
    checked = 0
    for f in generated:
        if f.expected_score is not None:
            assert graded[f.name].score == pytest.approx(f.expected_score), f.name
            checked += 1
    assert checked


def test_no_payload_ran(graded: dict[str, SubmissionResult]) -> None:
    assert not PWNED.exists()


def test_honest_files_graded_as_they_would_be_alone(
    generated: list[Any],
    graded: dict[str, SubmissionResult],
    problem_set: ProblemSet,
    tmp_path: Path,
) -> None:
    honest = [f for f in generated if f.kind == "honest"]
    mc.write_class(honest, tmp_path)
    alone = grade_files(collect_files([str(tmp_path)]), problem_set, workers=2, limits=LIMITS)
    assert len(alone) == len(honest)
    for result in alone:
        mixed = graded[Path(result.file).name]
        assert [p.to_dict() for p in result.parts] == [p.to_dict() for p in mixed.parts]
        assert (result.student, result.status, result.score) == (
            mixed.student,
            mixed.status,
            mixed.score,
        )


def test_each_file_graded_one_by_one_matches(
    generated: list[Any],
    graded: dict[str, SubmissionResult],
    problem_set: ProblemSet,
    class_dir: Path,
) -> None:
    """Dedup must not let one file's answer change another's verdict."""
    sample = [f for f in generated if f.kind != "hostile_file"][:4]
    for f in sample:
        [single] = grade_files([class_dir / f.name], problem_set, workers=1, limits=LIMITS)
        mixed = graded[f.name]
        assert [p.to_dict() for p in single.parts] == [p.to_dict() for p in mixed.parts]


def test_identical_answers_are_checked_once(problem_set: ProblemSet, tmp_path: Path) -> None:
    for i in range(6):
        (tmp_path / f"s{i}.yaml").write_text("answers:\n  rnn_backprop:\n    c.dy_dt: w\n")
    steps: list[tuple[int, int]] = []
    results = grade_files(
        collect_files([str(tmp_path)]),
        problem_set,
        workers=1,
        limits=LIMITS,
        on_progress=lambda done, total: steps.append((done, total)),
    )
    parts = len(problem_set.get("rnn_backprop").parts)  # type: ignore[union-attr]
    # 6 file reads, then one check per part: the six identical files share every answer.
    assert steps[-1] == (6 + parts, 6 + parts)
    assert all(r.parts == results[0].parts for r in results)


def test_inline_mode_has_the_same_results(problem_set: ProblemSet, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "answers:\n  rnn_backprop:\n    b: 3 w^2 u_1 + 2 w u_2 + u_3\n"
    )
    [inline] = grade_files([tmp_path / "a.yaml"], problem_set, workers=0)
    [pooled] = grade_files([tmp_path / "a.yaml"], problem_set, workers=1, limits=LIMITS)
    assert inline.to_dict() == pooled.to_dict()


@pytest.mark.slow
def test_thousand_files_five_percent_hostile(problem_set: ProblemSet, tmp_path: Path) -> None:
    """Issue 6: 1,000 files, 5% hostile: a row for every file, honest ones right."""
    generated = mc.make_class(problem_set, 1000, hostile_fraction=0.05, seed=2024)
    mc.write_class(generated, tmp_path)
    results = grade_files(collect_files([str(tmp_path)]), problem_set, workers=2, limits=LIMITS)
    by_name = {Path(r.file).name: r for r in results}
    assert sorted(by_name) == sorted(f.name for f in generated)
    for f in generated:
        if f.kind != "honest":
            continue
        verdicts = {p.key: p.result.verdict for p in by_name[f.name].parts}
        for key, expected in f.expected.items():
            assert (verdicts[key] is Verdict.CORRECT) == (expected == mc.CORRECT), (f.name, key)


def test_carry_forward_still_sees_the_students_own_answers(
    problem_set: ProblemSet, tmp_path: Path
) -> None:
    from hwgrade.grader.grading.parts import grade_part
    from hwgrade.grader.specs.solving import solve

    spec = problem_set.get("rnn_backprop")
    assert spec is not None
    rules = solve(spec).carry_forward
    assert rules, "rnn_backprop has error-carried-forward parts"
    answers = {"d.edge1": "w", "d.edge2": "w", "d.edge3": "w", "d.total": "3 w", "b": "3 w"}
    body = "".join(f"    {k}: {v}\n" for k, v in answers.items())
    (tmp_path / "cf.yaml").write_text("answers:\n  rnn_backprop:\n" + body)
    [result] = grade_files([tmp_path / "cf.yaml"], problem_set, workers=1, limits=LIMITS)
    assert {p.problem for p in result.parts} == set(problem_set.ids)  # the assignment
    for p in (p for p in result.parts if p.problem == "rnn_backprop"):
        part = spec.part(p.part)
        assert part is not None
        own = {
            s: answers[s] for s in (rules[p.part].needs if p.part in rules else ()) if s in answers
        }
        direct = grade_part(spec, part, solve(spec), answers.get(p.part), own)
        assert p.result == direct, p.part


def test_known_mistake_and_carried_forward_in_one_batch(
    problem_set: ProblemSet, tmp_path: Path
) -> None:
    """One wrong answer, two students: each gets what grading their file alone gives."""
    (tmp_path / "own.yaml").write_text(
        "answers:\n  rnn_backprop:\n    c.dy_dq: w\n    c.dy_dp: w^2\n"
    )
    (tmp_path / "mistake.yaml").write_text(
        "answers:\n  rnn_backprop:\n    c.dy_dq: w^2\n    c.dy_dp: w^2\n"
    )
    files = collect_files([str(tmp_path)])
    together = grade_files(files, problem_set, workers=2, limits=LIMITS)
    for path, result in zip(files, together, strict=True):
        [alone] = grade_files([path], problem_set, workers=1, limits=LIMITS)
        assert [p.to_dict() for p in alone.parts] == [p.to_dict() for p in result.parts]
    dy_dp = {
        Path(r.file).stem: next(p.result for p in r.parts if p.part == "c.dy_dp") for r in together
    }
    assert "carried forward" in dy_dp["own"].message
    assert dy_dp["own"].verdict is Verdict.CARRIED_FORWARD
    assert dy_dp["mistake"].method == "known-mistake"


def test_one_group_per_distinct_answer(problem_set: ProblemSet, tmp_path: Path) -> None:
    from hwgrade.grader.batch.loop import plan_tasks
    from hwgrade.grader.batch.reading import load_files
    from hwgrade.grader.batch.sandbox import WorkerPool

    own = ["w", "w", "w^2", "2 w"]
    for i, dy_dq in enumerate(own):
        (tmp_path / f"s{i}.yaml").write_text(
            f"answers:\n  rnn_backprop:\n    c.dy_dq: {dy_dq}\n    c.dy_dp: w^2\n"
        )
    with WorkerPool(0) as pool:
        loaded = load_files(collect_files([str(tmp_path)]), pool, LIMITS, None)
    groups, rows = plan_tasks(loaded, problem_set, ["rnn_backprop"], None)
    [dy_dp] = [g for g in groups if g.task.part == "c.dy_dp"]
    assert dy_dp.size() == 3  # the distinct own answers: w, w^2, 2 w
    members = [m for file_rows in rows for (_, part, _, m, _) in file_rows if part == "c.dy_dp"]
    assert members == [0, 0, 1, 2]


def test_without_latex_only_the_latex_is_left_out(problem_set: ProblemSet, tmp_path: Path) -> None:
    body = "answers:\n  rnn_backprop:\n    b: 3 w^2 u_1 + 2 w u_2 + u_3\n    a.y: w u_1\n"
    for name in ("a", "b"):
        (tmp_path / f"{name}.yaml").write_text(body)
    files = collect_files([str(tmp_path)])
    full = grade_files(files, problem_set, workers=2, limits=LIMITS)
    lean = grade_files(files, problem_set, workers=2, limits=LIMITS, latex=False)
    assert any(p.result.interpreted_latex for p in full[0].parts)
    for with_latex, without in zip(full, lean, strict=True):
        expected = [p.to_dict() for p in with_latex.parts]
        for part in expected:
            part["interpreted_latex"] = ""
        assert [p.to_dict() for p in without.parts] == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("w", "w", True),
        ("w", "w ", False),
        (["1", "2"], ["1", "2"], True),
        (["1", "2"], '["1", "2"]', False),
        (["1", "2"], ["2", "1"], False),
        ([["1"], ["2"]], ["1", "2"], False),
        ({"a": "1", "b": "2"}, {"b": "2", "a": "1"}, True),
        ({"a": "1"}, [["a", "1"]], False),
        (None, "", False),
        (None, None, True),
    ],
    ids=["same-text", "byte-for-byte", "same-list", "list-vs-its-text", "order-matters",
         "nesting-matters", "mapping-order-free", "mapping-vs-pairs", "missing-vs-empty",
         "both-missing"],
)  # fmt: skip
def test_answer_identity(a: Any, b: Any, same: bool) -> None:
    from hwgrade.grader.batch.planning import answer_identity as _identity

    assert (_identity(a) == _identity(b)) is same
    hash(_identity(a))


# --- only the problems a class answers are solved ---------------------------------------

BROKEN_SOLVER = """
from hwgrade.solver import register

@register("course_broken")
def solve(params, ctx):
    raise ValueError("this solver is broken")
"""
BROKEN_SPEC = """\
id: broken
title: Broken
statement: Its solver fails.
solver: course_broken
parts:
  - {id: a, prompt: "a?"}
"""
DOUBLE_SPEC = """\
id: doubling
title: Doubling
statement: Double x.
parameters: {x: 21}
parts:
  - {id: twice, prompt: "2x?", reference: "2*x"}
"""


def _course(tmp_path: Path) -> ProblemSet:
    course = tmp_path / "course"
    course.mkdir()
    (course / "a_broken.yaml").write_text(BROKEN_SPEC)
    (course / "b_doubling.yaml").write_text(DOUBLE_SPEC)
    (course / "solvers.py").write_text(BROKEN_SOLVER)
    return load_problem_set(str(course))


def _answers(tmp_path: Path, n: int, problem: str, part: str, answer: str) -> list[Path]:
    files = []
    for i in range(n):
        path = tmp_path / f"s{i}.yaml"
        path.write_text(f'student: "s{i}"\nanswers:\n  {problem}:\n    {part}: "{answer}"\n')
        files.append(path)
    return files


@pytest.mark.parametrize("workers", [1, 2], ids=["one-worker", "two-workers"])
def test_only_the_answered_problems_are_solved(
    workers: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hwgrade.grader.specs import solving

    monkeypatch.setattr(solving, "_SOLVED", {})
    problem_set = load_problem_set(None)
    files = _answers(tmp_path, 3, "rnn_backprop", "a.t", "u_1 w^2 + u_2 w + u_3")
    results = grade_files(files, problem_set, workers=workers, limits=LIMITS)
    assert [r.parts[0].result.verdict for r in results] == [Verdict.CORRECT] * 3
    assert {key[0] for key in solving._SOLVED} == {"rnn_backprop"}


def test_a_broken_solver_stops_only_a_class_that_answers_its_problem(tmp_path: Path) -> None:
    from hwgrade.grader.errors import SolverError

    course = _course(tmp_path)
    good = _answers(tmp_path, 2, "doubling", "twice", "42")
    results = grade_files(good, course, workers=2, limits=LIMITS)
    assert [r.score for r in results] == [1.0, 1.0]
    (tmp_path / "s1.yaml").write_text('student: s1\nanswers:\n  broken:\n    a: "1"\n')
    with pytest.raises(SolverError, match="this solver is broken"):
        grade_files(good, course, workers=2, limits=LIMITS)


def test_checking_one_file_solves_only_its_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hwgrade.grader.batch.loop import check_file
    from hwgrade.grader.specs import solving

    monkeypatch.setattr(solving, "_SOLVED", {})
    [path] = _answers(tmp_path, 1, "gnn_attention", "edges", "12")
    result = check_file(path, load_problem_set(None))
    assert result.graded and {key[0] for key in solving._SOLVED} == {"gnn_attention"}


def test_checking_without_latex_changes_nothing_but_the_latex(tmp_path: Path) -> None:
    """``check``'s report does not show LaTeX, so it does not print it."""
    from hwgrade.grader.batch.loop import check_file

    [path] = _answers(tmp_path, 1, "rnn_backprop", "a.t", "u_3 + w u_2 + w^2 u_1")
    problem_set = load_problem_set(None)
    shown = check_file(path, problem_set, workers=0)
    plain = check_file(path, problem_set, workers=0, latex=False)
    assert any(p.result.interpreted_latex for p in shown.parts)
    assert not any(p.result.interpreted_latex for p in plain.parts)
    without = [replace(p.result, interpreted_latex="") for p in shown.parts]
    assert [p.result for p in plain.parts] == without


def test_answers_of_ones_own_are_graded_as_intended_and_never_shared(
    problem_set: ProblemSet, tmp_path: Path
) -> None:
    """The long tail of bench_class.py: each student's own forms, right and wrong."""
    files = mc.make_class(problem_set, 6, hostile_fraction=0.0, seed=5, mix=(1, 0, 0), own=1.0)
    mc.write_class(files, tmp_path)
    results = grade_files(collect_files([str(tmp_path)]), problem_set, workers=0)
    texts: dict[str, set[str]] = {}
    for f, result in zip(files, results, strict=True):
        doc = yaml.safe_load(f.content.decode())
        verdicts = {p.key: p.result.verdict for p in result.parts}
        for key, expected in f.expected.items():
            if expected == mc.CORRECT:
                assert verdicts[key] is Verdict.CORRECT, (f.name, key)
            else:
                assert verdicts[key] is not Verdict.CORRECT, (f.name, key)
            problem, _, part = key.partition(".")
            if problem_set.get(problem).part(part).kind != "choice":
                text = json.dumps(doc["answers"][problem][part])
                assert text not in texts.setdefault(key, set()), (f.name, key)
                texts[key].add(text)
    kinds = {e for f in files for e in f.expected.values()}
    assert kinds == {mc.CORRECT, mc.WRONG}


def test_a_class_answering_its_own_variants_grades_as_intended(tmp_path: Path) -> None:
    """The benchmark's variant class: each student's key forms and mistakes are of their
    own variant, so with variants on they are graded right and wrong as generated."""
    with_variants = load_problem_set(None, True)
    generated = mc.make_class(
        with_variants, 6, hostile_fraction=0.0, seed=11, mix=(0.6, 0.2, 0.2), variants=True
    )
    docs = [yaml.safe_load(f.content)["answers"] for f in generated]
    stats = {json.dumps(doc.get("normalization_stats"), sort_keys=True) for doc in docs}
    assert len(stats) == len(generated)  # every student's numbers are their own variant's
    results = grade_files(mc.write_class(generated, tmp_path), with_variants, workers=0)
    for f, result in zip(generated, results, strict=True):
        verdicts = {p.key: p.result.verdict for p in result.parts}
        for key, expected in f.expected.items():
            if expected == mc.CORRECT:
                assert verdicts[key] is Verdict.CORRECT, (f.name, key)
            elif expected == mc.WRONG:
                assert verdicts[key] is not Verdict.CORRECT, (f.name, key)
