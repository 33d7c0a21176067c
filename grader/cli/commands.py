"""The ``hwgrade`` command line: a thin click layer over the library.

Every command resolves its problem set the same way (``--problems``, then
``$HWGRADE_PROBLEMS``, then a ``hwgrade.toml`` found upwards, then the built-in set),
writes what it produces to stdout or ``-o FILE`` and everything else (progress,
warnings, errors) to stderr, and maps errors onto the exit codes of the contract.
Those shared pieces live in :mod:`hwgrade.grader.cli.options`; ``grade``, the command
with the most options and outputs, in :mod:`hwgrade.grader.cli.grade`, registered below.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from hwgrade._version import __version__
from hwgrade.grader.cli.grade import grade_cmd
from hwgrade.grader.cli.options import (
    WORKERS,
    assignment_option,
    cache_options,
    handle_errors,
    positive,
    problems_option,
    select_problems,
    stdout_console,
    timeout_option,
    use_cache,
    variant_instances,
    variant_options,
    variants_option,
    write_output,
)
from hwgrade.grader.errors import UsageError
from hwgrade.grader.outfiles import check_writable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hwgrade")
def cli() -> None:
    """Grade written deep-learning homework: solution keys, student checks, class grading."""


@cli.command("list")
@problems_option
@handle_errors
def list_cmd(problems: str | None) -> None:
    """List the problems and their parts."""
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.output.keys import render_list

    problem_set, _ = select_problems(problems, ())
    write_output(render_list(problem_set), None)


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
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.output.keys import render_key

    chosen = variant_instances(problems, problem_ids, variants, variant, student)
    write_output(render_key(chosen, fmt), output)  # type: ignore[arg-type]


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
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.output.keys import template

    chosen = variant_instances(problems, problem_ids, variants, variant, student)
    write_output(template(chosen, student=student or ""), output)


@cli.command("check")
@click.argument("submission", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--format", "fmt", type=click.Choice(["gradescope"]), default=None)
@click.option("-o", "--output", metavar="FILE", default=None, help="With --format: where to write.")
@timeout_option()
@cache_options
@click.option("-v", "--verbose", is_flag=True, help="Also show the reference for wrong parts.")
@click.option("--statement", "statement", is_flag=True, help="Show each problem's statement too.")
@assignment_option
@variants_option
@problems_option
@handle_errors
def check_cmd(
    submission: str,
    as_json: bool,
    fmt: str | None,
    output: str | None,
    timeout: float,
    cache_dir: str | None,
    no_cache: bool,
    verbose: bool,
    statement: bool,
    only: tuple[str, ...],
    variants: bool | None,
    problems: str | None,
) -> None:
    """Grade one submission on the assignment, exactly as `grade` grades it.

    The assignment is every problem of the set, or those named by --problem (or
    `assignment` in hwgrade.toml); a problem the file leaves out is `missing`.

    Exit codes: 0 every part is right; 1 some part is not; 2 the file cannot be used
    (not YAML, or it answers none of the assignment's problems) or a usage error.
    """
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.batch.loop import check_file
    from hwgrade.grader.batch.resume import shared_cache
    from hwgrade.grader.batch.sandbox import Limits
    from hwgrade.grader.output.exports import gradescope_results
    from hwgrade.grader.output.report import render_submission
    from hwgrade.grader.specs.problemset import load_problem_set

    keys = use_cache(cache_dir, no_cache)
    problem_set = load_problem_set(problems, variants)
    assignment = problem_set.assignment_ids(only)  # an unknown id stops here
    if output and fmt is None:
        raise UsageError("-o FILE goes with --format gradescope (the report goes to stdout)")
    if fmt == "gradescope":
        check_writable(output or "results.json", "-o")  # before grading, not after
    verdicts = shared_cache(keys.folder, problem_set, "checks") if keys is not None else None
    result = check_file(
        Path(submission),
        problem_set,
        problems_option=problems,
        limits=Limits(seconds=timeout),
        only=only,
        cache=verdicts,
        latex=as_json,  # only the JSON shows the answers in LaTeX
    )
    if verdicts is not None and verdicts.error:  # only the next check is slower
        click.echo(f"hwgrade: the verdict cache was not saved: {verdicts.error}", err=True)
    if fmt == "gradescope":
        text = json.dumps(gradescope_results(result), indent=2, ensure_ascii=False)
        write_output(text + "\n", output or "results.json")
    if as_json:
        data = result.to_dict()
        if not verbose:  # like the report: the reference only with -v
            for part in data["parts"]:
                part["reference"] = ""
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif result.graded and (fmt is None or output):
        prompts = {f"{s.id}.{p.id}": p.prompt for s in problem_set.problems for p in s.parts}
        narrowed = assignment if problem_set.narrowed(only) else ()
        statements = {}
        if statement:  # the student's own variant's text, with its numbers
            # lazy: SymPy and the grading stack load only for commands that use them
            from hwgrade.grader.specs.variants import variant_spec

            for spec in problem_set.assignment_problems(only):
                statements[spec.id] = variant_spec(spec, result.variant).statement
        render_submission(
            result,
            stdout_console(),
            prompts=prompts,
            verbose=verbose,
            assignment=narrowed,
            statements=statements,
        )
    if not result.graded:
        if not as_json:  # one line, with the notes that explain it (unknown ids)
            why = "; ".join((result.status, *result.notes))
            where = "" if why.startswith(result.file) else f"{result.file}: "
            click.echo(f"hwgrade: {where}{why}", err=True)
        sys.exit(2)
    sys.exit(0 if result.all_correct else 1)


@cli.command("autograder")
@click.option(
    "-o", "--output", default="autograder.zip", show_default=True, metavar="ZIP",
    help="Where to write the zip.",
)  # fmt: skip
@problems_option
@handle_errors
def autograder_cmd(output: str, problems: str | None) -> None:
    """Write the zip to upload as a Gradescope autograder (docs/lms.md).

    It holds setup.sh and run_autograder, the problem set (and its hwgrade.toml) and
    hwgrade itself at this version; each student uploads one .yaml file.
    """
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.output.autograder import build_zip
    from hwgrade.grader.specs.problemset import course_settings, load_problem_set

    problem_set = load_problem_set(problems)
    check_writable(output, "-o")
    settings = course_settings(problem_set.root).path
    names = build_zip(Path(output), None if problem_set.builtin else problem_set.root, settings)
    where = "the built-in problems" if problem_set.builtin else str(problem_set.root)
    click.echo(f"wrote {output}: {len(names)} files, {where}", err=True)


@cli.command("equiv")
@click.argument("reference", required=False)
@click.argument("answer", required=False)
@click.option(
    "--vars", "vars_", default="", metavar="DECLS", help='Symbols, e.g. "X: n x d, y: n x 1, w".'
)
@click.option("--syntax", type=click.Choice(["plain", "latex", "auto"]), default="auto")
@click.option(
    "--tolerance",
    type=float,
    default=1e-3,
    show_default=True,
    callback=positive,
    help="Relative, for decimals.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--pairs",
    "pairs_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="YAML/JSON list of pairs.",
)
@click.option("--workers", type=WORKERS, default=None, help="With --pairs: worker processes.")
@timeout_option("pair")
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
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.batch.pairs import Pair, json_line, judge, judge_all, read_pairs
    from hwgrade.grader.batch.sandbox import Limits
    from hwgrade.grader.output.report import render_equiv
    from hwgrade.grader.results import Verdict

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
        render_equiv(result, stdout_console())
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
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.specs.problemset import resolve_problem_dir
    from hwgrade.grader.specs.validation import validate_spec

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
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.specs.scaffold import scaffold

    for path in scaffold(problem_id, Path(folder)):
        click.echo(f"wrote {path}", err=True)
    click.echo(
        f"next: hwgrade validate --problems {folder}   then   hwgrade key {problem_id} "
        f"--problems {folder}",
        err=True,
    )


cli.add_command(grade_cmd)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point.

    On the way out every object still alive is frozen (``gc.freeze``): the interpreter's
    last collection would otherwise walk SymPy's caches and the solved keys, which costs
    0.1–0.2 s of a one-second ``hwgrade check``. Nothing is skipped: exit handlers,
    flushing and closing run as always.
    """
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="hwgrade")
    finally:
        gc.freeze()


__all__ = ["cli", "main"]
