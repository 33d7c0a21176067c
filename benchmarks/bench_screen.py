"""The float screen's worth: one long-tail class graded with and without it, in one run.

``grader/verify/floatscreen.py`` rules out in machine floats what the exact engine would
also find different. This grades the same synthetic class (``make_class`` with 15 % of
each student's answers their own) in this process (``workers=0``, so no worker start-up
or scheduling blurs the comparison) twice: with the screen, and with it switched off
(``certainly_different`` and ``shown_difference`` replaced by functions that never
decide), clearing the
per-process caches before each pass. It reports both times, their ratio, how many
comparisons the screen decided, and checks that every result is identical.

Quick default (about a minute): ``python benchmarks/bench_screen.py`` (N = 100).
Larger: ``-n 300``. Writes ``benchmarks/results.json`` (key ``screen``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import sympy

sys.path.insert(0, str(Path(__file__).parent))
from make_class import make_class, write_class
from resultsfile import save

import hwgrade.grader.verify.check as check_module
import hwgrade.grader.verify.equivalence as equivalence_module
from hwgrade.grader.answer import build
from hwgrade.grader.batch.loop import grade_files
from hwgrade.grader.specs.problemset import load_problem_set
from hwgrade.grader.verify import floatscreen

MIX = (0.50 / 0.85, 0.20 / 0.85, 0.15 / 0.85)


def _clear_caches() -> None:
    """Forget remembered comparisons, float and exact values, built subtrees, SymPy's cache."""
    check_module._compared.cache_clear()
    floatscreen._values_at.cache_clear()
    equivalence_module._reference_at.cache_clear()
    build._SUBTREES.clear()
    sympy.core.cache.clear_cache()


def one_pass(
    paths: list[Path], problem_set: Any, screen: bool
) -> tuple[float, list[Any], Counter[bool]]:
    """Grade the class once; seconds, results as dicts, and the screen's decisions."""
    decided: Counter[bool] = Counter()
    real = floatscreen.certainly_different

    def counted(*args: Any, **kwargs: Any) -> bool:
        verdict = real(*args, **kwargs) if screen else False
        decided[verdict] += 1
        return verdict

    real_shown = floatscreen.shown_difference

    def shown(*args: Any, **kwargs: Any) -> Any:
        found = real_shown(*args, **kwargs) if screen else None
        decided[found is not None] += 1
        return found

    check_module.certainly_different = counted  # type: ignore[assignment]
    equivalence_module.certainly_different = counted  # type: ignore[assignment]
    equivalence_module.shown_difference = shown  # type: ignore[assignment]
    try:
        _clear_caches()
        start = time.perf_counter()
        results = grade_files(paths, problem_set, workers=0, latex=False)
        seconds = time.perf_counter() - start
    finally:
        check_module.certainly_different = real
        equivalence_module.certainly_different = real
        equivalence_module.shown_difference = real_shown
    return seconds, [r.to_dict() for r in results], decided


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="students (default 100)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    problem_set = load_problem_set(None)
    files = make_class(n_files=args.n, hostile_fraction=0.0, seed=args.seed, mix=MIX, own=0.15)
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_class(files, Path(tmp))
        grade_files(paths[:3], problem_set, workers=0, latex=False)  # solve the keys first
        full_s, full, _ = one_pass(paths, problem_set, screen=False)
        fast_s, fast, decided = one_pass(paths, problem_set, screen=True)
    same = full == fast
    report = {
        "students": args.n,
        "without_screen_s": round(full_s, 2),
        "with_screen_s": round(fast_s, 2),
        "speedup": round(full_s / fast_s, 2),
        "screened": decided[True],
        "left_to_the_engine": decided[False],
        "identical_results": same,
    }
    print(
        f"{args.n} students in one process: without the screen {report['without_screen_s']} s,"
        f" with it {report['with_screen_s']} s ({report['speedup']}x); the screen decided"
        f" {decided[True]} of {decided.total()} comparisons it was asked;"
        f" results identical: {same}"
    )
    save("screen", report)
    if not same:
        raise SystemExit("the screen changed a result")


if __name__ == "__main__":
    main()
