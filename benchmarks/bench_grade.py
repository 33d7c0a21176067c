"""Grade a synthetic 1,000-file class: answers per second, peak memory, ratio vs naive.

The class comes from the key (benchmarks/make_class.py): exact answers, equivalent
rewrites, typical wrong answers, missing parts and 5% broken or hostile files.
``hwgrade grade`` runs as a subprocess with 1 and then 2 workers; memory is the peak
of the summed RSS of its whole process tree (sampled every 50 ms with psutil) and the
peak of its largest single process (``ru_maxrss``).

The naive grader (sympify + ``simplify(a - b) == 0``, sequential) would take hours on
the full class, so it is timed on a random sample of the class's honest answers (each
with a cleared SymPy cache, capped at 20 s) and **extrapolated**: mean seconds per
answer x the number of answers in the class. Hostile answers are left out of the naive
run (it would evaluate them). Run: ``python benchmarks/bench_grade.py [-n 1000]
[--sample 200]``; writes ``benchmarks/results.json`` (key ``grade``).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
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

from hwgrade.grader.problemset import load_problem_set

sys.path.insert(0, str(Path(__file__).parent))
from make_class import CORRECT, WRONG, answer_pool, make_class, write_class
from naive import timed_naive

RESULTS = Path(__file__).with_name("results.json")


def tree_rss(proc: psutil.Process) -> int:
    """Summed RSS of a process and its descendants."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_grade(folder: Path, workers: int, out: Path) -> dict[str, Any]:
    """Time ``hwgrade grade`` with ``workers`` and sample its memory."""
    cmd = [sys.executable, "-m", "hwgrade", "grade", str(folder), "-q"]
    cmd += ["--workers", str(workers), "--out", str(out)]
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
    if proc.returncode != 0:
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
    """(reference, answer) for every honest non-missing answer in the class."""
    pairs = []
    for f in files:
        if f.kind != "honest":
            continue
        doc = yaml.safe_load(f.content.decode())
        for problem, parts in doc["answers"].items():
            for part, answer in parts.items():
                k = f"{problem}.{part}"
                if f.expected.get(k) in (CORRECT, WRONG):
                    pairs.append((key[k], answer))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    files = make_class(n_files=args.n, hostile_fraction=0.05, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        write_class(files, folder)
        runs = [run_grade(folder, w, Path(tmp) / f"grades{w}.csv") for w in (1, 2)]
        with (Path(tmp) / "grades2.csv").open(newline="") as fh:
            rows = list(csv.DictReader(fh))
    assert len(rows) == args.n, "every file must have a row"
    parts = [c for c in rows[0] if "." in c and c not in ("max_score",)]
    answers = sum(1 for r in rows for c in parts if r[c] != "")

    pool = answer_pool(load_problem_set(None))
    honest = class_answers(files, pool.exact)
    sample = random.Random(args.seed).sample(honest, min(args.sample, len(honest)))
    timings = [timed_naive(ref, ans) for ref, ans in sample]
    per_answer = statistics.fmean(t for t, _ in timings)
    naive_total = per_answer * answers
    for run in runs:
        run["answers_per_s"] = round(answers / run["wall_s"], 1)
        run["files_per_s"] = round(args.n / run["wall_s"], 1)
        run["ratio_vs_naive_wall"] = round(naive_total / run["wall_s"], 1)
    report = {
        "files": args.n,
        "hostile_files": sum(f.kind != "honest" for f in files),
        "answers_graded": answers,
        "cpus": os.cpu_count(),
        "runs": runs,
        "naive": {
            "sampled_answers": len(sample),
            "mean_s_per_answer": round(per_answer, 4),
            "capped": sum(s == "capped" for _, s in timings),
            "errors": sum(s.startswith("error") for _, s in timings),
            "extrapolated_total_s": round(naive_total, 1),
        },
        "load_average": os.getloadavg(),
    }
    for run in runs:
        print(
            f"{run['workers']} worker(s): {run['wall_s']} s wall, {run['answers_per_s']} answers/s,"
            f" peak {run['peak_tree_rss_mib']} MiB (tree), {run['peak_process_rss_mib']} MiB"
            f" (largest process), {run['ratio_vs_naive_wall']}x faster than naive"
        )
    print(
        f"naive: {per_answer * 1000:.1f} ms/answer on {len(sample)} sampled answers ->"
        f" {naive_total:.0f} s extrapolated for {answers} answers"
    )
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data["grade"] = report
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
