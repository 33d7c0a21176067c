"""``hwgrade grade``: grade a class's submission files and write every report asked for.

It is the one command with many outputs (CSV, JSON report, Gradescope folder, Canvas
CSV, a terminal report) and many ways to run (local workers, a Dask cluster, resuming
from a cache), so its options and the choice of where each product goes outweigh the
rest of the CLI together; it lives here and is registered on the group by
:mod:`hwgrade.grader.cli.commands`. Like every command it stays a thin layer: the grading itself
is :func:`hwgrade.grader.batch.loop.grade_files`, the files are written by
:mod:`hwgrade.grader.output.exports`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from hwgrade.grader.cli.options import (
    WORKERS,
    assignment_option,
    cache_options,
    handle_errors,
    problems_option,
    stderr_console,
    stdout_console,
    timeout_option,
    use_cache,
    variants_option,
)
from hwgrade.grader.errors import UsageError
from hwgrade.grader.outfiles import OutputError, check_writable, lock_outputs, write_atomic

if TYPE_CHECKING:
    from hwgrade.grader.output.manualsheet import ManualSheet
    from hwgrade.grader.specs.model import ProblemSpec


@click.command("grade")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--out", metavar="FILE", default=None, help="CSV: one row per submission file.")
@click.option("--json", "json_out", metavar="FILE", default=None, help="JSON report.")
@click.option("--gradescope", metavar="DIR", default=None, help="One results.json per submission.")
@click.option("--canvas", metavar="FILE", default=None, help="Canvas gradebook import CSV.")
@click.option(
    "--assignment",
    "canvas_name",
    metavar="NAME",
    default=None,
    help='The Canvas gradebook column, e.g. "HW3 (1234)" (or canvas_assignment in hwgrade.toml).',
)
@click.option("--force", is_flag=True, help="Replace an --out CSV that holds rows of other files.")
@click.option(
    "--workers", type=WORKERS, default=None, help="Worker processes (default: one per core)."
)
@timeout_option()
@cache_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no terminal report.")
@click.option(
    "--resume", is_flag=True, help="Re-grade only new or changed files (cache beside --out)."
)
@click.option(
    "--scheduler", metavar="ADDRESS", default=None, help="Run on a Dask cluster (hwgrade[dask])."
)
@click.option(
    "--manual",
    metavar="SHEET",
    default=None,
    help="Score sheet (CSV) for hand-graded parts: written if absent, applied if filled.",
)
@assignment_option
@variants_option
@problems_option
@handle_errors
def grade_cmd(
    paths: tuple[str, ...],
    out: str | None,
    json_out: str | None,
    gradescope: str | None,
    canvas: str | None,
    canvas_name: str | None,
    force: bool,
    workers: int | None,
    timeout: float,
    cache_dir: str | None,
    no_cache: bool,
    only: tuple[str, ...],
    quiet: bool,
    resume: bool,
    scheduler: str | None,
    variants: bool | None,
    problems: str | None,
    manual: str | None,
) -> None:
    """Grade every submission file under PATH... (files, folders, globs).

    Every file is graded on the same assignment: every problem of the set, or those
    named by --problem (or `assignment` in hwgrade.toml); a problem a file leaves out
    is `missing`. `--out -` or `--json -` writes that file to stdout; the terminal
    report then goes to stderr so the output stays clean.

    Exit codes: 0 every file was graded (wrong answers included); 1 some file could
    not be graded (it still has its row; the count goes to stderr), or an output
    failed while being written (a full disk: the old file is kept whole); 2 usage
    error (a bad option, or an output that cannot be written), found before grading
    starts.
    """
    # lazy: SymPy and the grading stack load only for commands that use them
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from hwgrade.grader.batch.loop import collect_files, grade_files
    from hwgrade.grader.batch.resume import (
        ResumeCache,
        default_cache_path,
        fingerprint,
        shared_cache,
    )
    from hwgrade.grader.batch.sandbox import Faults, Limits
    from hwgrade.grader.output.exports import (
        canvas_warnings,
        report_json,
        rows_of_others,
        spec_part_keys,
        spec_points,
        spec_prompts,
        write_canvas_csv,
        write_csv,
        write_gradescope_dir,
    )
    from hwgrade.grader.output.report import render_class
    from hwgrade.grader.output.summary import summarize
    from hwgrade.grader.specs.problemset import load_problem_set

    keys = use_cache(cache_dir, no_cache)
    problem_set = load_problem_set(problems, variants)
    chosen = problem_set.assignment_problems(only)  # an unknown id stops here, before grading
    files = collect_files(paths)
    if not files:
        raise UsageError("no submission files found (looked for *.yaml and *.yml)")
    _check_outputs(files, out=out, json_out=json_out, gradescope=gradescope, canvas=canvas)
    if manual and any(
        x not in (None, "-") and Path(x).resolve() == Path(manual).resolve()
        for x in (out, json_out, canvas)
    ):
        raise UsageError(f"--manual {manual}: is also another output of this run")
    if out not in (None, "-") and not force and Path(out).is_file():
        others = rows_of_others(Path(out), files)
        if others:
            listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if others[3:] else "")
            raise UsageError(
                f"--out {out} already holds grades this run would drop: {listed}."
                " Grade those files too, write elsewhere, or give --force to replace it"
            )
    sheet = _manual_sheet(manual, chosen, files)
    companion_path = Path(manual).with_suffix(".md") if manual else None
    targets = [x for x in (out, json_out, gradescope, canvas, manual) if x and x != "-"]
    targets += [str(companion_path)] if companion_path else []
    click.get_current_context().with_resource(lock_outputs(targets))  # held until we exit
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    limits = Limits(seconds=timeout)
    cache = None
    if resume:
        cache = ResumeCache(default_cache_path(out), fingerprint(problem_set))
    elif keys is not None:  # verdicts of earlier runs (any TA's) in the cache folder
        cache = shared_cache(keys.folder, problem_set)
    faults = Faults()
    runner = None
    if scheduler:
        # lazy: Dask is an optional extra, imported only when a scheduler is named
        from hwgrade.grader.batch.distributed import DaskRunner

        runner = DaskRunner(scheduler, limits, problems=problems, faults=faults)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
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
                faults=faults,
            )
        finally:
            if runner is not None:
                runner.close()
    part_keys = spec_part_keys(chosen)
    failures: list[str] = []

    def attempt(target: str, write: Callable[[], object]) -> None:
        """Write one output; a failure is reported at the end, the others still written."""
        try:
            write()
        except OutputError as exc:
            failures.append(exc.message)
            if target in targets:
                targets.remove(target)

    if manual and sheet is not None:
        # lazy: only a run with --manual reads or writes a sheet
        from hwgrade.grader.output import manualsheet as ms

        parts = ms.manual_parts(chosen)
        rows = ms.new_rows(sheet, results, parts)
        if rows or not Path(manual).is_file():
            attempt(manual, lambda: ms.write_sheet(Path(manual), rows))
        if companion_path is not None and Path(manual).is_file():
            attempt(
                str(companion_path),
                lambda: write_atomic(companion_path, ms.companion(Path(manual), parts) + "\n"),
            )
        if sheet.rows:  # a new sheet changes nothing else about this run
            results = ms.apply_sheet(results, sheet, parts)
        click.echo(f"manual: {ms.describe_pending(results, len(rows))}", err=True)
    summary = summarize(results) if json_out or not quiet else None

    if out:
        attempt(out, lambda: write_csv(results, sys.stdout if out == "-" else Path(out), part_keys))
    if json_out:
        assert summary is not None
        report = report_json(results, summary, faults=faults.to_dict())
        text = json.dumps(report, indent=2, ensure_ascii=False)
        if json_out == "-":
            click.echo(text)
        else:
            attempt(json_out, lambda: write_atomic(Path(json_out), text + "\n"))
    if gradescope:
        attempt(
            gradescope,
            lambda: write_gradescope_dir(
                results,
                Path(gradescope),
                prompts=spec_prompts(chosen),
                part_keys=part_keys,
                points=spec_points(chosen),
            ),
        )
    if canvas:
        column = canvas_name or problem_set.canvas_assignment or "hwgrade"
        attempt(canvas, lambda: write_canvas_csv(results, Path(canvas), assignment=column))
        for warning in canvas_warnings(
            results, named=bool(canvas_name or problem_set.canvas_assignment)
        ):
            click.echo(f"hwgrade: {warning}", err=True)
    if summary is not None and not quiet:
        to_stdout = "-" not in (out, json_out)
        render_class(summary, stdout_console() if to_stdout else stderr_console())
    if resume and cache is not None and not quiet:
        click.echo(
            f"resume: {cache.hits} of {len(files)} files unchanged since the last run", err=True
        )
    elif cache is not None and cache.hits and not quiet:
        click.echo(f"cache: {cache.hits} of {len(files)} files graded by an earlier run", err=True)
    if resume and cache is not None and cache.error:
        failures.append(f"the resume cache was not saved: {cache.error}")
    elif cache is not None and cache.error:  # only the next run is slower: not a failure
        click.echo(f"hwgrade: the verdict cache was not saved: {cache.error}", err=True)
    if faults:
        click.echo(f"hwgrade: {faults.describe()}", err=True)
    if targets:
        click.echo(f"wrote {', '.join(targets)}", err=True)
    for failure in failures:
        click.echo(f"hwgrade: {failure}", err=True)
    ungraded = sum(not r.graded for r in results)
    if ungraded:
        click.echo(
            f"hwgrade: {ungraded} of {len(results)} files could not be graded"
            " (each has its row, with the reason in `status`)",
            err=True,
        )
    if ungraded or failures:
        sys.exit(1)


def _manual_sheet(
    manual: str | None, chosen: Sequence[ProblemSpec], files: list[Path]
) -> ManualSheet | None:
    """The filled sheet of ``--manual`` (empty when it is new), checked before grading.

    Raises:
        UsageError: The assignment has no hand-graded part, the sheet cannot be written,
            or a filled sheet is malformed (with the row number).
    """
    if not manual:
        return None
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.output import manualsheet as ms

    parts = ms.manual_parts(chosen)
    if not parts:
        raise UsageError("--manual: this assignment has no hand-graded (manual) parts")
    check_writable(manual, "--manual")
    check_writable(str(Path(manual).with_suffix(".md")), "--manual")
    if Path(manual).resolve() in {f.resolve() for f in files}:
        raise UsageError(f"--manual {manual}: is one of the submission files")
    return ms.read_sheet(Path(manual), parts) if Path(manual).is_file() else ms.ManualSheet()


def _check_outputs(
    files: list[Path],
    *,
    out: str | None,
    json_out: str | None,
    gradescope: str | None,
    canvas: str | None,
) -> None:
    """Refuse, before any grading, an output that cannot be written or that is an input.

    Raises:
        UsageError: naming the option and why.
    """
    inputs = {f.resolve() for f in files}
    for option, target in (("--out", out), ("--json", json_out), ("--canvas", canvas)):
        if target and target != "-":
            check_writable(target, option)
            if Path(target).resolve() in inputs:
                raise UsageError(f"{option} {target}: is one of the submission files")
    if gradescope:
        check_writable(gradescope, "--gradescope", folder=True)


__all__ = ["grade_cmd"]
