"""A realistic class, end to end: the long tail of answers typed once, not just repeats.

Every student's answers are ~50 % the key's forms, ~20 % common rewrites, ~15 % common
mistakes and ~15 % their own (an equivalent form or a mistake with the student's own
numbers, so no other student types the same text; benchmarks/make_class.py,
``own_answer``). Deduplication shares the checks of the first three and none of the
last, which is where a real class spends its time. ``hwgrade grade`` runs as a
subprocess on 2 workers (memory: the peak summed RSS of its process tree).

In the same run it times, per answer, the naive grader (``parse_expr`` + ``simplify``,
one answer after another, on the first ``--naive-files`` files) and Math-Verify (its
``parse`` + ``verify``, on the same answers; only scalar answers it can read count),
times ``hwgrade check`` of one file against ``python -c "import sympy"`` (start-up
included, median of 7 rounds taken in turns), fits the growth exponent of hwgrade's wall
time in N (log-log least squares over ``--sizes``), and times reruns of the largest class
with the cache folder warm: unchanged, with 10 late files, and those 10 files alone.
Variants are run at one size (``--variants-at``) beside the same size without them, on
a class where every student answers their own variant (``make_class(..., variants=True)``:
their variant's key forms, rewrites and mistakes, as a real class does); every size is
graded a second time with its keys (and variants) already solved, so the variants' cost
is given both with their solving and without it; when that size is also among
``--sizes``, the two classes are then graded in turns, three rounds, for ratios the
machine's drift does not skew (:func:`variant_rounds`).

Quick default (under 2 minutes here): ``python benchmarks/bench_class.py`` (N = 100 and
300, variants at 100). Larger: ``--sizes 300 1000 3000 --variants-at 1000``. Writes
``benchmarks/results.json`` (key ``class``).
"""

from __future__ import annotations

import argparse
import compileall
import functools
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from bench_grade import run_grade
from make_class import CORRECT, WRONG, answer_pool, make_class, write_class
from naive import run_capped, timed_sequence
from resultsfile import save

from hwgrade.grader.specs.problemset import load_problem_set

#: libyaml's safe loader where installed: the class is read back to count its answers.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: (exact, rewritten, wrong) among the answers that are not the student's own.
MIX = (0.50 / 0.85, 0.20 / 0.85, 0.15 / 0.85)
OWN = 0.15


@functools.cache
def exact_key() -> dict[str, Any]:
    """The key's answers in plain syntax, by ``problem.part`` (solved once per run)."""
    return dict(answer_pool(load_problem_set(None)).exact)


def class_pairs(files: list[Any], key: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(part, reference, answer) of every answer in the class, in file order."""
    return [(k, key[k], answer) for _, k, answer in _answers_by_student(files)]


def _answers_by_student(files: list[Any]) -> list[tuple[str, str, Any]]:
    """(student, part, answer) of every right or wrong answer in the class."""
    found = []
    for f in files:
        doc = yaml.load(f.content.decode(), Loader=LOADER)  # the class's own YAML: trusted
        for problem, parts in doc["answers"].items():
            for part, answer in parts.items():
                k = f"{problem}.{part}"
                if f.expected.get(k) in (CORRECT, WRONG):
                    found.append((str(doc["student"]), k, answer))
    return found


def math_verify_time(pairs: list[tuple[str, Any, Any]], cap: float = 10.0) -> dict[str, Any]:
    """Math-Verify's seconds per answer on the scalar answers it can read."""
    try:
        from math_verify import parse, verify
    except ImportError:
        return {"available": False}
    times, unreadable = [], 0
    for _, ref, ans in pairs:
        if not isinstance(ref, str) or not isinstance(ans, str):
            continue

        def check(ref: str = ref, ans: str = ans) -> bool:
            gold, target = parse(f"${ref}$"), parse(f"${ans}$")
            if not gold or not target:
                raise ValueError("unreadable")
            return bool(verify(gold, target))

        seconds, status = run_capped(check, cap)  # parse and verify, as Math-Verify is used
        if status.startswith("error"):
            unreadable += 1
        else:
            times.append(seconds)
    mean = sum(times) / len(times) if times else float("nan")
    return {
        "available": True,
        "answers": len(times),
        "unreadable": unreadable,
        "s_per_answer": mean,
    }


def one_size(n: int, folder: Path, seed: int, variants: bool) -> dict[str, Any]:
    """Write a class of ``n`` and grade it; per answer and per distinct answer.

    Graded twice: with a cold cache folder (solving every key and variant is counted),
    then with the keys it solved but no verdicts (``keys_warm_wall_s``: a later
    assignment's run, or a rerun after a spec-free change of hwgrade's verdicts).
    """
    problem_set = load_problem_set(None, variants)
    files = make_class(
        problem_set, n_files=n, hostile_fraction=0.0, seed=seed, mix=MIX, own=OWN, variants=variants
    )  # with variants, every student answers their own variant
    write_class(files, folder)
    keys = folder.parent / f"keys-{n}-{variants}"  # a cold key cache: solving is counted
    extra = ("--cache", str(keys), *(("--variants",) if variants else ()))
    out = folder.parent / f"grades{n}{'v' * variants}.csv"
    run = run_grade(folder, 2, out, extra)
    for verdicts in keys.glob("verdicts-*.json"):  # again, every key (and variant) solved
        verdicts.unlink()
    run["keys_warm_wall_s"] = run_grade(folder, 2, out, extra)["wall_s"]
    pairs = class_pairs(files, exact_key())
    varying = {s.id for s in problem_set.problems if s.variation is not None}
    # an answer to a student's own variant is checked against that variant's key
    distinct = len(
        {
            (k, json.dumps(a, sort_keys=True), who if k.split(".")[0] in varying else "")
            for who, k, a in _answers_by_student(files)
        }
        if variants
        else {(k, json.dumps(a, sort_keys=True)) for k, _, a in pairs}
    )
    run.update(
        students=n,
        variants=variants,
        answers=len(pairs),
        distinct_answers=distinct,
        ms_per_answer=round(1000 * run["wall_s"] / len(pairs), 3),
        ms_per_distinct_answer=round(1000 * run["wall_s"] / distinct, 3),
    )
    return run


def variant_rounds(plain: Path, varied: Path, n: int, rounds: int = 3) -> dict[str, Any]:
    """Variants' cost: the two classes graded in turns, ``rounds`` times, cold and warm.

    Timed minutes apart, the two classes carried this machine's drift (the ratio moved
    between 1.1 and 1.8 from one run of the benchmark to the next); in turns, each round
    gives its own ratios and the median of the rounds is reported. A round grades each
    class with an empty cache folder (``cold``: every key and variant solved, as a first
    run does) and again with the keys it solved (``warm``: a rerun after a change of
    hwgrade's verdicts, or a later assignment of the same course).
    """
    ratios: dict[str, list[float]] = {"cold": [], "warm": [], "cold_cpu": [], "warm_cpu": []}
    for r in range(rounds):
        cold, warm = [], []
        for folder, variants in ((plain, False), (varied, True)):
            keys = folder.parent / f"round{r}-keys-{variants}"
            extra = ("--cache", str(keys), *(("--variants",) if variants else ()))
            out = folder.parent / f"round{r}{'v' * variants}.csv"
            cold.append(run_grade(folder, 2, out, extra))
            for verdicts in keys.glob("verdicts-*.json"):
                verdicts.unlink()
            warm.append(run_grade(folder, 2, out, extra))
        for name, pair in (("cold", cold), ("warm", warm)):
            ratios[name].append(pair[1]["wall_s"] / pair[0]["wall_s"])
            ratios[name + "_cpu"].append(pair[1]["cpu_s"] / pair[0]["cpu_s"])
    found: dict[str, Any] = {"rounds": rounds, "students": n}
    for name, values in ratios.items():
        found[name] = round(statistics.median(values), 2)
        found[name + "_rounds"] = [round(v, 2) for v in values]
    return found


def reruns(n: int, folder: Path, seed: int, late: int = 10) -> dict[str, Any]:
    """What a rerun costs once the class was graded (the cache folder is warm).

    Three runs on the class of :func:`one_size`: unchanged; with ``late`` new files; and
    the ``late`` files alone in a folder of their own with only the solved keys cached
    (what grading just them costs, the baseline the rerun is held to).
    """
    keys = folder.parent / f"keys-{n}-False"
    unchanged = run_grade(folder, 2, folder.parent / "rerun.csv", ("--cache", str(keys)))
    extra = make_class(n_files=late, hostile_fraction=0.0, seed=seed + 1, mix=MIX, own=OWN)
    alone = folder.parent / "late"
    alone.mkdir()
    for f in extra:
        (folder / f"late-{f.name}").write_bytes(f.content)
        (alone / f"late-{f.name}").write_bytes(f.content)
    with_late = run_grade(folder, 2, folder.parent / "late.csv", ("--cache", str(keys)))
    only_keys = folder.parent / "keys-only"
    shutil.copytree(keys, only_keys, ignore=shutil.ignore_patterns("verdicts-*"))
    just_late = run_grade(alone, 2, folder.parent / "alone.csv", ("--cache", str(only_keys)))
    return {
        "students": n,
        "late_files": late,
        "unchanged_s": unchanged["wall_s"],
        "with_late_s": with_late["wall_s"],
        "late_alone_s": just_late["wall_s"],
    }


def startup(repeat: int = 7) -> dict[str, Any]:
    """``hwgrade check`` of one file, start-up included, against ``import sympy`` (median).

    Solved keys are warm (a student's first ``check`` solves and keeps them). ``check_s``
    is a file never checked before (its verdicts are removed before each run);
    ``check_again_s`` the same file checked again unchanged, which ``check``'s own
    verdict file answers without grading. The three commands take turns, ``repeat``
    rounds, and each ratio is the median of the rounds' own ratios: this machine's
    speed drifts by a quarter within a minute, and a command timed in a block of its own
    would carry the drift of its block. hwgrade's modules are compiled to bytecode
    first, as ``pip install`` does (with ``PYTHONDONTWRITEBYTECODE`` set, an edited
    module would otherwise be compiled again by every run).
    """
    root = Path(__file__).resolve().parents[1]
    for package in ("grader", "solver", "hwgrade"):
        compileall.compile_dir(root / package, quiet=1)
    example = root / "examples" / "typical.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        check = [sys.executable, "-m", "hwgrade", "check", "--cache", str(cache), str(example)]

        def run(cmd: list[str]) -> float:
            begin = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            return time.perf_counter() - begin

        run(check)  # solve the keys once
        rounds: list[dict[str, float]] = []
        for _ in range(repeat):
            found = {"import_sympy_s": run([sys.executable, "-c", "import sympy"])}
            for old in cache.glob("checks-*.json"):
                old.unlink()  # a file never checked
            found["check_s"] = run(check)
            found["check_again_s"] = run(check)
            rounds.append(found)
    result: dict[str, Any] = {
        name: round(statistics.median(r[name] for r in rounds), 3) for name in rounds[0]
    }
    for ratio, name in (("ratio", "check_s"), ("ratio_again", "check_again_s")):
        result[ratio] = round(statistics.median(r[name] / r["import_sympy_s"] for r in rounds), 2)
    result["rounds"] = repeat
    return result


def growth_exponent(runs: list[dict[str, Any]]) -> float | None:
    """Slope of log(wall time) against log(N): 1 is linear in the class's size."""
    points = [(math.log(r["students"]), math.log(r["wall_s"])) for r in runs]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    num = sum((x - mx) * (y - my) for x, y in points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return round(num / den, 2) if den else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--variants-at", type=int, default=100)
    parser.add_argument("--naive-files", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            runs.append(one_size(n, Path(tmp) / f"class{n}", args.seed, False))
        with_variants = in_turns = None
        if args.variants_at:
            with_variants = one_size(args.variants_at, Path(tmp) / "variants", args.seed, True)
            if args.variants_at in args.sizes:
                plain = Path(tmp) / f"class{args.variants_at}"
                in_turns = variant_rounds(plain, Path(tmp) / "variants", args.variants_at)
        biggest_n = args.sizes[-1]  # last: it adds late files to the biggest class
        rerun = reruns(biggest_n, Path(tmp) / f"class{biggest_n}", args.seed)
    plain_at = next((r for r in runs if r["students"] == args.variants_at), None)
    files = make_class(n_files=args.naive_files, hostile_fraction=0.0, seed=args.seed, mix=MIX,
                       own=OWN)  # fmt: skip
    pairs = class_pairs(files, exact_key())
    naive = timed_sequence([(ref, ans) for _, ref, ans in pairs])
    naive_s = sum(t for t, _ in naive) / len(naive)
    verify_stats = math_verify_time(pairs)
    biggest = runs[-1]
    start = startup()
    report = {
        "check_startup": start,
        "cpus": os.cpu_count(),
        "workers": 2,
        "runs": runs,
        "variants": with_variants,
        "variants_cost_ratio": (
            round(with_variants["wall_s"] / plain_at["wall_s"], 2)
            if with_variants and plain_at
            else None
        ),
        "variants_cost_ratio_keys_warm": (
            round(with_variants["keys_warm_wall_s"] / plain_at["keys_warm_wall_s"], 2)
            if with_variants and plain_at
            else None
        ),
        "variants_in_turns": in_turns,
        "growth_exponent": growth_exponent(runs),
        "reruns": rerun,
        "naive": {"answers": len(naive), "ms_per_answer": round(1000 * naive_s, 3)},
        "math_verify": verify_stats,
        "ratio_vs_naive_per_answer": round(1000 * naive_s / biggest["ms_per_answer"], 2),
        "load_average": os.getloadavg(),
    }
    print(f"{'N':>6} {'variants':>8} {'answers':>8} {'distinct':>8} {'wall s':>7}"
          f" {'ms/answer':>9} {'ms/distinct':>11} {'peak MiB':>9}")  # fmt: skip
    for r in [*runs, *([with_variants] if with_variants else [])]:
        print(
            f"{r['students']:>6} {'yes' if r['variants'] else 'no':>8} {r['answers']:>8}"
            f" {r['distinct_answers']:>8} {r['wall_s']:>7} {r['ms_per_answer']:>9}"
            f" {r['ms_per_distinct_answer']:>11} {r['peak_tree_rss_mib']:>9}"
        )
    mv = verify_stats
    mv_text = (
        f"{1000 * mv['s_per_answer']:.2f} ms/answer on {mv['answers']} scalar answers"
        f" ({mv['unreadable']} it could not read)"
        if mv.get("available")
        else "not installed (pip install 'math-verify[antlr4_13_2]')"
    )
    print(
        f"naive grader: {report['naive']['ms_per_answer']} ms/answer ({len(naive)} answers);"
        f" Math-Verify: {mv_text}"
    )
    print(
        f"hwgrade vs naive, per answer at N = {biggest['students']}:"
        f" {report['ratio_vs_naive_per_answer']}x; growth exponent in N:"
        f" {report['growth_exponent']}; variants cost {report['variants_cost_ratio']}x"
        f" ({report['variants_cost_ratio_keys_warm']}x when every key and variant is solved"
        " already)"
    )
    if in_turns:
        print(
            f"variants, the two classes graded in turns ({in_turns['rounds']} rounds, median):"
            f" {in_turns['cold']}x the wall time with their solving (rounds"
            f" {in_turns['cold_rounds']}; CPU {in_turns['cold_cpu']}x), {in_turns['warm']}x"
            f" once solved (rounds {in_turns['warm_rounds']}; CPU {in_turns['warm_cpu']}x)"
        )
    print(
        f"rerun of the {rerun['students']} files unchanged: {rerun['unchanged_s']} s; with"
        f" {rerun['late_files']} late files: {rerun['with_late_s']} s; those files alone:"
        f" {rerun['late_alone_s']} s"
    )
    print(
        f"hwgrade check of one file: {start['check_s']} s, import sympy: {start['import_sympy_s']}"
        f" s -> {start['ratio']}x; the same file again: {start['check_again_s']} s ->"
        f" {start['ratio_again']}x (medians of {start['rounds']} interleaved rounds)"
    )
    default = parser.get_default("sizes")
    save("class" if args.sizes == default else f"class_{'_'.join(map(str, args.sizes))}", report)


if __name__ == "__main__":
    main()
