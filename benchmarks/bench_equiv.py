"""Median time of one equivalence check (scalar and matrix) against the naive approach.

Pairs come from the key: each reference against its equivalent rewrites and typical
wrong answers (benchmarks/make_class.py). Every check starts with a cleared SymPy cache,
for hwgrade and for the naive ``simplify(a - b) == 0`` alike, so repeated pairs are not
answered from memory. Pairs the naive parser cannot read (Unicode transposes) are left
out of both. Run: ``python benchmarks/bench_equiv.py``; writes
``benchmarks/results.json`` (key ``equiv``).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

import sympy

from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.verify.check import check_pair

sys.path.insert(0, str(Path(__file__).parent))
from make_class import answer_pool
from naive import timed_naive
from resultsfile import save

REPEATS = 3


def pairs() -> dict[str, list[tuple[Any, str, str]]]:
    """``{"scalar": [...], "matrix": [...]}`` of (context, reference, answer)."""
    problem_set = load_problem_set(None)
    pool = answer_pool(problem_set)
    out: dict[str, list[tuple[Any, str, str]]] = {"scalar": [], "matrix": []}
    for key, exact in pool.exact.items():
        problem, _, part = key.partition(".")
        spec = problem_set.get(problem)
        assert spec is not None
        if not isinstance(exact, str) or spec.part(part).kind == "choice":  # type: ignore[union-attr]
            continue
        kind = "matrix" if any(s.is_matrix for s in spec.context.symbols) else "scalar"
        for answer in [*pool.rewrites[key], *pool.wrong[key]]:
            if isinstance(answer, str) and all(c not in answer for c in "ᵀ⁻¹"):
                out[kind].append((spec.context, exact, answer))
    return out


def measure(kind: str, items: list[tuple[Any, str, str]]) -> dict[str, Any]:
    ours: list[float] = []
    naive: list[float] = []
    for ctx, ref, answer in items:
        for _ in range(REPEATS):
            sympy.core.cache.clear_cache()
            start = time.perf_counter()
            check_pair(ref, answer, ctx)
            ours.append(time.perf_counter() - start)
            naive.append(timed_naive(ref, answer)[0])
    med_ours, med_naive = statistics.median(ours), statistics.median(naive)
    return {
        "pairs": len(items),
        "median_ms": round(1000 * med_ours, 2),
        "naive_median_ms": round(1000 * med_naive, 2),
        "ratio_naive_over_ours": round(med_naive / med_ours, 2),
    }


def main() -> None:
    found = pairs()
    report = {kind: measure(kind, items) for kind, items in found.items() if items}
    for kind, row in report.items():
        print(
            f"{kind:7s} {row['pairs']:3d} pairs: hwgrade median {row['median_ms']} ms, "
            f"naive median {row['naive_median_ms']} ms, ratio {row['ratio_naive_over_ours']}x"
        )
    save("equiv", report)


if __name__ == "__main__":
    main()
