"""Grade a synthetic 1,000-file class: answers per second, peak memory, ratio vs naive.

The class comes from the key (benchmarks/make_class.py): exact answers, equivalent
rewrites, typical wrong answers, missing parts and 5% broken or hostile files.
``hwgrade grade`` runs as a subprocess with 1 and 2 workers, ``--repeat`` times each
(interleaved, so that load from other jobs hits both alike; the median is reported);
memory is the peak of the summed RSS of its whole process tree (sampled every 50 ms
with psutil) and the peak of its largest single process (``ru_maxrss``).

The naive grader (sympify + ``simplify(a - b) == 0``, sequential) would take minutes on
the full class, so it is timed on part of it and **extrapolated** to the answers it
could check: every honest, non-missing answer of the class (missing parts cost it
nothing and hostile answers would hang it, so neither is counted). Its time per answer
is measured as it would run, one answer after another over the files in order with
SymPy's cache kept (``--naive-files`` files); a sample of isolated checks with a cleared
cache (``--sample``, the earlier method, slower per answer) is reported beside it.
Run: ``python benchmarks/bench_grade.py [-n 1000] [--repeat 3] [--naive-files 40]
[--sample 200]``; writes ``benchmarks/results.json`` (key ``grade``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
import yaml

from hwgrade.grader.specs.problemset import load_problem_set

sys.path.insert(0, str(Path(__file__).parent))
from make_class import CORRECT, WRONG, answer_pool, make_class, write_class
from naive import timed_naive, timed_sequence
from resultsfile import save


def tree_rss(proc: psutil.Process) -> int:
    """Summed RSS of a process and its descendants."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_grade(folder: Path, workers: int, out: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """Time ``hwgrade grade`` with ``workers`` (and ``extra`` options); sample its memory."""
    cmd = [sys.executable, "-m", "hwgrade", "grade", str(folder), "-q"]
    cmd += ["--workers", str(workers), "--out", str(out), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, tree_rss(ps))
        time.sleep(0.05)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):  # 1: the class's broken files could not be graded
        raise SystemExit(
            f"hwgrade grade failed: {proc.stderr.read().decode() if proc.stderr else ''}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "workers": workers,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_tree_rss_mib": round(peak / 2**20, 1),
        "peak_process_rss_mib": round(after.ru_maxrss / 1024, 1),
    }


def class_answers(files: list[Any], key: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(reference, answer) for every honest non-missing answer in the class, in file order.

    Files with one hostile answer count with their other answers; whole hostile files
    and hostile answers are left out (the naive grader would hang on them).
    """
    pairs = []
    for f in files:
        if f.kind == "hostile_file":
            continue
        doc = yaml.safe_load(f.content.decode())
        for problem, parts in doc["answers"].items():
            for part, answer in parts.items():
                k = f"{problem}.{part}"
                if f.expected.get(k) in (CORRECT, WRONG):
                    pairs.append((key[k], answer))
    return pairs


def summarize_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median wall and CPU time over repeats, their spread, and the peak memory of any."""
    walls = [r["wall_s"] for r in runs]
    return {
        "workers": runs[0]["workers"],
        "repeats": len(runs),
        "wall_s": round(statistics.median(walls), 2),
        "wall_s_min_max": [min(walls), max(walls)],
        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2),
        "peak_tree_rss_mib": max(r["peak_tree_rss_mib"] for r in runs),
        "peak_process_rss_mib": max(r["peak_process_rss_mib"] for r in runs),
    }


def naive_estimate(
    files: list[Any], key: dict[str, Any], n_files: int, sample: int, seed: int
) -> dict[str, Any]:
    """Naive seconds per answer (sequential and isolated) and the answers it would check."""
    honest = class_answers(files, key)
    prefix = class_answers([f for f in files if f.kind == "honest"][:n_files], key)
    sequential = timed_sequence(prefix)
    isolated = [
        timed_naive(ref, ans)
        for ref, ans in random.Random(seed).sample(honest, min(sample, len(honest)))
    ]
    per_answer = statistics.fmean(t for t, _ in sequential)
    per_cold = statistics.fmean(t for t, _ in isolated)
    return {
        "answers_checked": len(honest),
        "sequential_answers": len(sequential),
        "mean_s_per_answer": round(per_answer, 5),
        "capped": sum(s == "capped" for _, s in sequential),
        "errors": sum(s.startswith("error") for _, s in sequential),
        "extrapolated_total_s": round(per_answer * len(honest), 1),
        "isolated_sample": len(isolated),
        "isolated_mean_s_per_answer": round(per_cold, 5),
        "isolated_extrapolated_total_s": round(per_cold * len(honest), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--naive-files", type=int, default=40)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    files = make_class(n_files=args.n, hostile_fraction=0.05, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        write_class(files, folder)
        raw: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
        for _ in range(args.repeat):
            for w in (1, 2):
                raw[w].append(run_grade(folder, w, Path(tmp) / f"grades{w}.csv"))
        runs = [summarize_runs(raw[w]) for w in (1, 2)]
        with (Path(tmp) / "grades2.csv").open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        same = (Path(tmp) / "grades1.csv").read_bytes() == (Path(tmp) / "grades2.csv").read_bytes()
    assert len(rows) == args.n, "every file must have a row"
    parts = [c for c in rows[0] if "." in c and c not in ("max_score",)]
    answers = sum(1 for r in rows for c in parts if r[c] != "")

    naive = naive_estimate(
        files, answer_pool(load_problem_set(None)).exact, args.naive_files, args.sample, args.seed
    )
    naive_total = naive["extrapolated_total_s"]
    for run in runs:
        run["answers_per_s"] = round(answers / run["wall_s"], 1)
        run["files_per_s"] = round(args.n / run["wall_s"], 1)
        run["ratio_vs_naive_wall"] = round(naive_total / run["wall_s"], 1)
        run["ratio_vs_naive_isolated"] = round(
            naive["isolated_extrapolated_total_s"] / run["wall_s"], 1
        )
    report = {
        "files": args.n,
        "hostile_files": sum(f.kind != "honest" for f in files),
        "answers_graded": answers,
        "same_grades_with_1_and_2_workers": same,
        "cpus": os.cpu_count(),
        "runs": runs,
        "naive": naive,
        "load_average": os.getloadavg(),
    }
    for run in runs:
        print(
            f"{run['workers']} worker(s): {run['wall_s']} s wall (median of {run['repeats']},"
            f" {run['wall_s_min_max'][0]}-{run['wall_s_min_max'][1]}),"
            f" {run['answers_per_s']} answers/s, peak {run['peak_tree_rss_mib']} MiB (tree),"
            f" {run['peak_process_rss_mib']} MiB (largest process),"
            f" {run['ratio_vs_naive_wall']}x faster than naive"
            f" ({run['ratio_vs_naive_isolated']}x vs isolated naive checks)"
        )
    print(
        f"naive: {naive['mean_s_per_answer'] * 1000:.1f} ms/answer over"
        f" {naive['sequential_answers']} answers in sequence ->"
        f" {naive_total:.0f} s extrapolated for {naive['answers_checked']} answers;"
        f" isolated checks: {naive['isolated_mean_s_per_answer'] * 1000:.1f} ms/answer ->"
        f" {naive['isolated_extrapolated_total_s']:.0f} s"
    )
    save("grade", report)


if __name__ == "__main__":
    main()
