"""What every ``hwgrade`` command shares: options, error handling, output, problem choice.

The commands are spread over several modules (:mod:`hwgrade.grader.cli.commands` holds the group
and most of them, :mod:`hwgrade.grader.cli.grade` the class-grading command), and they
must agree on how a problem set is chosen, how an error becomes one line and an exit
code, and where a product goes (stdout or ``-o FILE``) versus diagnostics (stderr).
Keeping those pieces here, apart from any one command, is what makes them the same
everywhere. Nothing here grades: like the commands, it only calls into the library.
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from hwgrade.grader.errors import HwgradeError, UsageError
from hwgrade.grader.outfiles import check_writable, write_atomic

if TYPE_CHECKING:  # the key cache's module loads SymPy: only its type is needed here
    from hwgrade.grader.specs.keycache import KeyCache

F = TypeVar("F", bound=Callable[..., Any])


def stderr_console() -> Console:
    """Console for diagnostics and progress (never mixed into command output)."""
    return Console(stderr=True, highlight=False)


def stdout_console() -> Console:
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


def positive(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """Click callback: a time limit or a tolerance must be a finite number above 0.

    ``--timeout 0`` would time out every answer and ``--tolerance -1`` would accept
    nothing: both would silently zero a class, so they are usage errors (exit 2) that
    name the option, like any other bad value click refuses.
    """
    if value is not None and not (math.isfinite(value) and value > 0):
        raise click.BadParameter(f"must be a finite number above 0, not {value:g}")
    return value


def timeout_option(per: str = "answer") -> Callable[[F], F]:
    """``--timeout SECONDS`` (default 5): the time limit of one check, above 0."""
    return click.option(
        "--timeout",
        type=float,
        default=5.0,
        show_default=True,
        callback=positive,
        help=f"Seconds per {per}.",
    )


#: ``--workers``: 0 checks in this process, N uses N worker processes.
WORKERS = click.IntRange(min=0)


def assignment_option(fn: F) -> F:
    """``--problem ID`` (repeatable): the assignment, the same for ``check`` and ``grade``.

    Without it the assignment is hwgrade.toml's ``assignment``, else every problem of
    the set; a problem of the assignment that a file leaves out is ``missing``.
    """
    return click.option(
        "--problem",
        "only",
        multiple=True,
        metavar="ID",
        help="The assignment: only these problems (repeat it; default: hwgrade.toml's"
        " `assignment`, else every problem).",
    )(fn)


def write_output(text: str, output: str | None) -> None:
    """Write a product to ``-o FILE`` or stdout.

    The note that a file was written goes to stderr, so that stdout only ever carries a
    command's product and can be piped.
    """
    if output:
        check_writable(output, "-o")
        write_atomic(Path(output), text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))


def cache_options(fn: F) -> F:
    """``--cache DIR`` / ``--no-cache``: where solved keys and verdicts are kept."""
    fn = click.option(
        "--no-cache",
        is_flag=True,
        help="Solve and check everything afresh; keep nothing on disk.",
    )(fn)
    return click.option(
        "--cache",
        "cache_dir",
        metavar="DIR",
        default=None,
        help="Keep solved keys and verdicts in DIR"
        " (default: $HWGRADE_CACHE, else ~/.cache/hwgrade/keys).",
    )(fn)


def use_cache(folder: str | None, off: bool) -> KeyCache | None:
    """Turn the key cache on for this run (and the workers it forks), or leave it off.

    A folder named with ``--cache`` that cannot be used is a usage error; the default
    folder that cannot be used only means solving again, so it is skipped silently.
    ``$HWGRADE_CACHE=off`` turns it off as ``--no-cache`` does.

    Returns:
        The key cache in use (``grade`` and ``check`` keep their verdicts in its folder), or
        ``None`` when caching is off.
    """
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.specs import keycache
    from hwgrade.grader.specs.solving import use_key_cache

    cache: KeyCache | None = None
    if off or (folder is None and keycache.disabled_by_environment()):
        pass
    elif folder is not None:
        cache = keycache.KeyCache(Path(folder))
    else:
        try:
            cache = keycache.KeyCache(keycache.default_folder())
        except HwgradeError:
            cache = None
    use_key_cache(cache)
    return cache


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


def variant_instances(
    problems: str | None,
    ids: Sequence[str],
    variants: bool | None,
    variant: int | None,
    student: str | None,
) -> list[Any]:
    """The chosen problems as one variant shows them (``--variant`` / ``--student``)."""
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.specs.variants import variant_spec

    if variant is not None and student is not None:
        raise UsageError("give --variant or --student, not both")
    problem_set, chosen = select_problems(problems, ids, variants)
    number = problem_set.variant_number(variant, student)
    if student is not None and not problem_set.variants.enabled:
        click.echo(
            "hwgrade: variants are off for this course, so every student gets the specs'"
            " own numbers (turn them on with --variants or `variants = true` in hwgrade.toml)",
            err=True,
        )
    return [variant_spec(spec, number) for spec in chosen]


def select_problems(
    problems: str | None, ids: Sequence[str], variants: bool | None = None
) -> tuple[Any, list[Any]]:
    """The problem set and the problems named on the command line (all when none are).

    An unknown id is a usage error that lists the known ones, so a typo stops the
    command before any work is done.
    """
    # lazy: SymPy and the grading stack load only for commands that use them
    from hwgrade.grader.specs.problemset import load_problem_set

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


__all__ = [
    "WORKERS",
    "assignment_option",
    "cache_options",
    "handle_errors",
    "positive",
    "problems_option",
    "select_problems",
    "stderr_console",
    "stdout_console",
    "timeout_option",
    "use_cache",
    "variant_instances",
    "variant_options",
    "variants_option",
    "write_output",
]
