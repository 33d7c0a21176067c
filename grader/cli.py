"""The ``hwgrade`` command line: a thin click layer over the library.

Every command resolves its problem set the same way (``--problems``, then
``$HWGRADE_PROBLEMS``, then a ``hwgrade.toml`` found upwards, then the built-in set),
writes what it produces to stdout or ``-o FILE`` and everything else (progress,
warnings, errors) to stderr, and maps errors onto the exit codes of the contract.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from hwgrade import __version__
from hwgrade.grader.errors import HwgradeError, UsageError

F = TypeVar("F", bound=Callable[..., Any])


def _stderr() -> Console:
    """Console for diagnostics and progress (never mixed into command output)."""
    return Console(stderr=True, highlight=False)


def _stdout() -> Console:
    """Console for a command's product; plain when redirected."""
    return Console(highlight=False, soft_wrap=False)


def handle_errors(fn: F) -> F:
    """Turn hwgrade's own errors into one line on stderr and the contract's exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except HwgradeError as exc:
            click.echo(f"hwgrade: {exc.message}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def problems_option(fn: F) -> F:
    """The ``--problems DIR`` option every command takes."""
    return click.option(
        "--problems",
        "problems",
        metavar="DIR",
        default=None,
        help="Problem set folder (default: $HWGRADE_PROBLEMS, hwgrade.toml, or the built-in set).",
    )(fn)


def _write(text: str, output: str | None) -> None:
    """Write a product to ``-o FILE`` or stdout."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def variants_option(fn: F) -> F:
    """``--variants/--no-variants``: override the course's ``variants`` setting."""
    return click.option(
        "--variants/--no-variants",
        "variants",
        default=None,
        help="Give every student their own variant (default: hwgrade.toml's `variants`).",
    )(fn)


def variant_options(fn: F) -> F:
    """``--variant N`` and ``--student ID``: show one variant (key, template)."""
    fn = click.option("--student", metavar="ID", default=None, help="Show this student's variant.")(
        fn
    )
    return click.option(
        "--variant",
        type=click.IntRange(0, None),
        default=None,
        metavar="N",
        help="Show variant N (0: the specs' own numbers).",
    )(fn)


def _instances(
    problems: str | None,
    ids: Sequence[str],
    variants: bool | None,
    variant: int | None,
    student: str | None,
) -> list[Any]:
    """The chosen problems as one variant shows them (``--variant`` / ``--student``)."""
    from hwgrade.grader.variants import variant_spec

    if variant is not None and student is not None:
        raise UsageError("give --variant or --student, not both")
    problem_set, chosen = _select(problems, ids, variants)
    number = problem_set.variant_number(variant, student)
    if student is not None and not problem_set.variants.enabled:
        click.echo(
            "hwgrade: variants are off for this course, so every student gets the specs'"
            " own numbers (turn them on with --variants or `variants = true` in hwgrade.toml)",
            err=True,
        )
    return [variant_spec(spec, number) for spec in chosen]


def _select(
    problems: str | None, ids: Sequence[str], variants: bool | None = None
) -> tuple[Any, list[Any]]:
    """The problem set and the problems named on the command line (all when none are)."""
    from hwgrade.grader.problemset import load_problem_set

    problem_set = load_problem_set(problems, variants)
    if not ids:
        return problem_set, list(problem_set.problems)
    chosen = []
    for pid in ids:
        spec = problem_set.get(pid)
        if spec is None:
            known = ", ".join(p.id for p in problem_set.problems)
            raise UsageError(f"unknown problem `{pid}` (known: {known})")
        chosen.append(spec)
    return problem_set, chosen


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hwgrade")
def cli() -> None:
    """Grade written deep-learning homework: solution keys, student checks, class grading."""


@cli.command("list")
@problems_option
@handle_errors
def list_cmd(problems: str | None) -> None:
    """List the problems and their parts."""
    from hwgrade.grader.keys import render_list

    problem_set, _ = _select(problems, ())
    _write(render_list(problem_set), None)


@cli.command("key")
@click.argument("problem_ids", nargs=-1, metavar="[PROBLEM]...")
@click.option("--format", "fmt", type=click.Choice(["text", "md", "tex", "json"]), default="text")
@click.option(
    "-o", "--output", metavar="FILE", default=None, help="Write to FILE instead of stdout."
)
@variant_options
@variants_option
@problems_option
@handle_errors
def key_cmd(
    problem_ids: tuple[str, ...],
    fmt: str,
    output: str | None,
    variant: int | None,
    student: str | None,
    variants: bool | None,
    problems: str | None,
) -> None:
    """Print the worked solution key (of one variant with --variant or --student)."""
    from hwgrade.grader.keys import render_key

    chosen = _instances(problems, problem_ids, variants, variant, student)
    _write(render_key(chosen, fmt), output)  # type: ignore[arg-type]


@cli.command("template")
@click.argument("problem_ids", nargs=-1, metavar="[PROBLEM]...")
@click.option(
    "-o", "--output", metavar="FILE", default=None, help="Write to FILE instead of stdout."
)
@variant_options
@variants_option
@problems_option
@handle_errors
def template_cmd(
    problem_ids: tuple[str, ...],
    output: str | None,
    variant: int | None,
    student: str | None,
    variants: bool | None,
    problems: str | None,
) -> None:
    """Print a blank submission with every part id and its prompt.

    With --student (and variants on) or --variant, the problem statements with that
    variant's numbers are included as comments.
    """
    from hwgrade.grader.keys import template

    chosen = _instances(problems, problem_ids, variants, variant, student)
    _write(template(chosen, student=student or ""), output)


@cli.command("check")
@click.argument("submission", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--format", "fmt", type=click.Choice(["gradescope"]), default=None)
@click.option("-o", "--output", metavar="FILE", default=None, help="With --format: where to write.")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds per answer.")
@click.option("-v", "--verbose", is_flag=True, help="Also show the reference for wrong parts.")
@variants_option
@problems_option
@handle_errors
def check_cmd(
    submission: str,
    as_json: bool,
    fmt: str | None,
    output: str | None,
    timeout: float,
    verbose: bool,
    variants: bool | None,
    problems: str | None,
) -> None:
    """Grade one submission; exit 0 if every part is right, 1 if not, 2 if unusable."""
    from hwgrade.grader.batch import check_file
    from hwgrade.grader.exports import gradescope_results
    from hwgrade.grader.problemset import load_problem_set
    from hwgrade.grader.report import render_submission
    from hwgrade.grader.sandbox import Limits

    problem_set = load_problem_set(problems, variants)
    result = check_file(
        Path(submission), problem_set, problems_option=problems, limits=Limits(seconds=timeout)
    )
    if fmt == "gradescope":
        text = json.dumps(gradescope_results(result), indent=2, ensure_ascii=False)
        _write(text + "\n", output or "results.json")
    if as_json:
        data = result.to_dict()
        if not verbose:  # like the report: the reference only with -v
            for part in data["parts"]:
                part["reference"] = ""
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif result.graded and (fmt is None or output):
        prompts = {f"{s.id}.{p.id}": p.prompt for s in problem_set.problems for p in s.parts}
        render_submission(result, _stdout(), prompts=prompts, verbose=verbose)
    if not result.graded:
        if not as_json:  # one line, with the notes that explain it (unknown ids)
            why = "; ".join((result.status, *result.notes))
            where = "" if why.startswith(result.file) else f"{result.file}: "
            click.echo(f"hwgrade: {where}{why}", err=True)
        sys.exit(2)
    sys.exit(0 if result.all_correct else 1)


@cli.command("grade")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--out", metavar="FILE", default=None, help="CSV: one row per submission file.")
@click.option("--json", "json_out", metavar="FILE", default=None, help="JSON report.")
@click.option("--gradescope", metavar="DIR", default=None, help="One results.json per submission.")
@click.option("--canvas", metavar="FILE", default=None, help="Canvas gradebook import CSV.")
@click.option("--workers", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds per answer.")
@click.option("--problem", "only", multiple=True, metavar="ID", help="Grade only these problems.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no terminal report.")
@click.option(
    "--resume", is_flag=True, help="Re-grade only new or changed files (cache beside --out)."
)
@click.option(
    "--scheduler", metavar="ADDRESS", default=None, help="Run on a Dask cluster (hwgrade[dask])."
)
@variants_option
@problems_option
@handle_errors
def grade_cmd(
    paths: tuple[str, ...],
    out: str | None,
    json_out: str | None,
    gradescope: str | None,
    canvas: str | None,
    workers: int | None,
    timeout: float,
    only: tuple[str, ...],
    quiet: bool,
    resume: bool,
    scheduler: str | None,
    variants: bool | None,
    problems: str | None,
) -> None:
    """Grade every submission file under PATH... (files, folders, globs).

    ``--out -`` or ``--json -`` writes that file to stdout; the terminal report then
    goes to stderr so the output stays clean.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from hwgrade.grader.batch import collect_files, grade_files
    from hwgrade.grader.exports import (
        report_json,
        spec_part_keys,
        spec_points,
        spec_prompts,
        write_canvas_csv,
        write_csv,
        write_gradescope_dir,
    )
    from hwgrade.grader.problemset import load_problem_set
    from hwgrade.grader.report import render_class
    from hwgrade.grader.resume import ResumeCache, default_cache_path, fingerprint
    from hwgrade.grader.sandbox import Limits
    from hwgrade.grader.summary import summarize

    if workers is not None and workers < 0:
        raise UsageError("--workers must be 0 or more")
    problem_set = load_problem_set(problems, variants)
    files = collect_files(paths)
    if not files:
        raise UsageError("no submission files found (looked for *.yaml and *.yml)")
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    limits = Limits(seconds=timeout)
    cache = None
    if resume:
        cache = ResumeCache(default_cache_path(out), fingerprint(problem_set))
    runner = None
    if scheduler:
        from hwgrade.grader.distributed import DaskRunner

        runner = DaskRunner(scheduler, limits, problems=problems)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_stderr(),
        transient=True,
        disable=quiet,
    )
    with progress:
        task = progress.add_task(f"grading {len(files)} files", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            results = grade_files(
                files,
                problem_set,
                problems_option=problems,
                workers=n_workers,
                limits=limits,
                only=only,
                on_progress=on_progress,
                runner=runner,
                cache=cache,
                latex=bool(json_out),  # only the JSON report shows answers in LaTeX
            )
        finally:
            if runner is not None:
                runner.close()
    summary = summarize(results) if json_out or not quiet else None
    seen = {p.key for r in results for p in r.parts}
    chosen = [s for s in problem_set.problems if not only or s.id in only]
    all_keys = spec_part_keys(chosen)
    part_keys = [k for k in all_keys if k in seen] or all_keys
    if out:
        write_csv(results, sys.stdout if out == "-" else Path(out), part_keys)
    if json_out:
        assert summary is not None
        text = json.dumps(report_json(results, summary), indent=2, ensure_ascii=False)
        if json_out == "-":
            click.echo(text)
        else:
            Path(json_out).write_text(text + "\n", encoding="utf-8")
    if gradescope:
        write_gradescope_dir(
            results,
            Path(gradescope),
            prompts=spec_prompts(chosen),
            part_keys=part_keys,
            points=spec_points(chosen),
        )
    if canvas:
        write_canvas_csv(results, Path(canvas))
    if summary is not None and not quiet:
        to_stdout = "-" not in (out, json_out)
        render_class(summary, _stdout() if to_stdout else _stderr())
    if cache is not None and not quiet:
        click.echo(
            f"resume: {cache.hits} of {len(files)} files unchanged since the last run", err=True
        )
    written = [x for x in (out, json_out, gradescope, canvas) if x and x != "-"]
    if written:
        click.echo(f"wrote {', '.join(written)}", err=True)


@cli.command("equiv")
@click.argument("reference", required=False)
@click.argument("answer", required=False)
@click.option(
    "--vars", "vars_", default="", metavar="DECLS", help='Symbols, e.g. "X: n x d, y: n x 1, w".'
)
@click.option("--syntax", type=click.Choice(["plain", "latex", "auto"]), default="auto")
@click.option(
    "--tolerance", type=float, default=1e-3, show_default=True, help="Relative, for decimals."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--pairs",
    "pairs_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="YAML/JSON list of pairs.",
)
@click.option("--workers", type=int, default=None, help="With --pairs: worker processes.")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds per pair.")
@problems_option
@handle_errors
def equiv_cmd(
    reference: str | None,
    answer: str | None,
    vars_: str,
    syntax: str,
    tolerance: float,
    as_json: bool,
    pairs_file: str | None,
    workers: int | None,
    timeout: float,
    problems: str | None,
) -> None:
    """Is ANSWER equivalent to REFERENCE? Exit 0 yes, 1 no, 2 unreadable input."""
    from hwgrade.grader.pairs import Pair, json_line, judge, judge_all, read_pairs
    from hwgrade.grader.report import render_equiv
    from hwgrade.grader.results import Verdict
    from hwgrade.grader.sandbox import Limits

    limits = Limits(seconds=timeout)
    if pairs_file:
        if reference is not None:
            raise UsageError("give either REFERENCE ANSWER or --pairs FILE, not both")
        pairs = read_pairs(Path(pairs_file))
        for result in judge_all(
            pairs, workers if workers is not None else (os.cpu_count() or 1), limits
        ):
            click.echo(json_line(result))
        return
    if reference is None or answer is None:
        raise UsageError("give REFERENCE and ANSWER (or --pairs FILE)")
    result = judge(Pair(reference, answer, syntax, vars_, tolerance), limits)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        render_equiv(result, _stdout())
    if result.verdict is Verdict.CORRECT:
        sys.exit(0)
    if result.verdict is Verdict.INVALID:
        if not as_json:
            click.echo(f"hwgrade: invalid input: {result.message}", err=True)
        sys.exit(2)
    sys.exit(1)


@cli.command("validate")
@click.argument("specs", nargs=-1, type=click.Path(dir_okay=False), metavar="[SPEC]...")
@problems_option
@handle_errors
def validate_cmd(specs: tuple[str, ...], problems: str | None) -> None:
    """Check problem specs and that every solver runs; exit 1 if anything is wrong."""
    from hwgrade.grader.problemset import resolve_problem_dir
    from hwgrade.grader.specs import validate_spec

    if specs:
        paths = [Path(s) for s in specs]
    else:
        root, _ = resolve_problem_dir(problems)
        paths = sorted(root.glob("*.yaml")) + sorted(root.glob("*.yml"))
    failures = 0
    for path in paths:
        errors = validate_spec(path)
        if errors:
            failures += 1
            for error in errors:
                click.echo(f"✗ {error}", err=False)
        else:
            click.echo(f"✓ {path}")
    click.echo(f"{len(paths) - failures} of {len(paths)} specs valid", err=True)
    sys.exit(1 if failures else 0)


@cli.command("new")
@click.argument("problem_id")
@click.option("--dir", "folder", metavar="DIR", default=".", help="Course folder to write into.")
@handle_errors
def new_cmd(problem_id: str, folder: str) -> None:
    """Write a commented spec, a solver skeleton and a test file that already validate."""
    from hwgrade.grader.scaffold import scaffold

    for path in scaffold(problem_id, Path(folder)):
        click.echo(f"wrote {path}", err=True)
    click.echo(
        f"next: hwgrade validate --problems {folder}   then   hwgrade key {problem_id} "
        f"--problems {folder}",
        err=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="hwgrade")


__all__ = ["cli", "main"]
