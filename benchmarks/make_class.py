"""Generate a synthetic class of submission files from the solution key.

Every answer comes from the key (``key_json``) or from the solver's own derived values:
exact answers, equivalent rewrites (reordered terms, expanded / factored forms, implicit
multiplication, Unicode transposes, decimals within tolerance), typical wrong answers
(the solver's known mistakes, scaled or shifted values), missing parts, and a share of
broken or hostile files. Each generated file records what every part is expected to be
(``correct``, ``wrong``, ``missing`` or ``hostile``), so tests can check the grades and
benchmarks can count answers.

Run ``python benchmarks/make_class.py OUT_DIR -n 1000`` to write a class to disk; tests
import :func:`make_class` and :func:`write_class`.
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy
import yaml

from hwgrade.grader.answer.echo import to_plain
from hwgrade.grader.output.keys import key_json
from hwgrade.grader.specs.problemset import ProblemSet, load_problem_set
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.specs.variants import student_variant, variant_spec
from hwgrade.grader.verify.check import read

CORRECT, WRONG, MISSING, HOSTILE = "correct", "wrong", "missing", "hostile"

#: Answer payloads that try to run code, hang SymPy or exhaust memory.
HOSTILE_ANSWERS: tuple[str, ...] = (
    "__import__('os').system('touch /tmp/hwgrade-pwned')",
    "10^10^10",
    "9^9^9^9",
    "sin(exp(exp(exp(3))) + 3)",
    "Derivative(w, w)",
    "solve(w - 1, w)",
    "(" * 5000 + "w" + ")" * 5000,
    " + ".join(f"w^{k}" for k in range(3000)),
    "exec('import os')",
    r"\input{/etc/passwd}",
    "factorial(factorial(100))",
    "1e999999999",
)

#: Whole files that are broken or hostile (name suffix, bytes).
_BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
        f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(8)
    )
    + "answers: *i\n"
)
HOSTILE_FILES: tuple[tuple[str, bytes], ...] = (
    ("empty", b""),
    ("binary", bytes(range(256)) * 64),
    ("huge", b"answers:\n  rnn_backprop:\n    b: '" + b"w+" * 1_048_576 + b"w'\n"),
    ("aliases", _BILLION_LAUGHS.encode()),
    ("deep", b"answers: " + b"[" * 10_000 + b"]" * 10_000 + b"\n"),
    ("not_yaml", b"answers: {rnn_backprop: [unclosed\n"),
    ("latin1", "student: jos\xe9\nanswers: {}\n".encode("latin-1")),
    ("tags", b"answers: !!python/object/apply:os.system ['echo pwned']\n"),
    ("list_root", b"- just\n- a list\n"),
    ("dup_keys", b"answers:\n  rnn_backprop:\n    b: w\n    b: u_3\n"),
)


@dataclass(frozen=True)
class GeneratedFile:
    """One synthetic submission.

    Attributes:
        name: File name (``student_0042.yaml``).
        content: The bytes written to disk.
        expected: ``problem.part`` → ``correct`` / ``wrong`` / ``missing`` / ``hostile``
            (empty for a file that cannot be read at all).
        points: ``problem.part`` → points of the part (for expected scores).
        kind: ``honest``, ``hostile_answer`` (a readable file with a hostile answer) or
            ``hostile_file`` (a file that cannot be graded).
    """

    name: str
    content: bytes
    expected: dict[str, str] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    kind: str = "honest"

    @property
    def expected_score(self) -> float | None:
        """Points for an honest file whose parts are all correct or missing, else None."""
        if self.kind != "honest" or WRONG in self.expected.values():
            return None
        return sum(self.points[k] for k, v in self.expected.items() if v == CORRECT)


def _decimal(entry: str) -> str:
    """A fraction as a decimal well inside the default 1e-3 relative tolerance."""
    try:
        value = Fraction(entry)
    except ValueError:  # a symbolic entry stays as it is
        return entry
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.5f}"


def _plus_one(entry: str) -> str:
    """An entry plus one (a wrong value of the same kind)."""
    try:
        return str(Fraction(entry) + 1)
    except ValueError:
        return f"{entry} + 1"


def _scalar_rewrites(value: sympy.Expr) -> list[str]:
    """Equivalent scalar forms: expanded, factored, terms reversed, implicit products."""
    out = [to_plain(sympy.expand(value)), to_plain(sympy.factor(value))]
    if isinstance(value, sympy.Add):
        out.append(" + ".join(reversed([f"({to_plain(t)})" for t in value.args])))
    out.append(to_plain(value).replace("*", " "))
    return out


def _rewrites(answer: Any, value: Any) -> list[Any]:
    """Equivalent forms of a key answer (never the key text itself)."""
    if isinstance(answer, list):
        if answer and isinstance(answer[0], list):
            return [[[_decimal(x) for x in row] for row in answer]]
        return [[_decimal(x) for x in answer]]
    if isinstance(value, sympy.Expr) and not value.is_Matrix and value.is_commutative:
        found = _scalar_rewrites(value)
    else:
        text = str(answer)
        found = [text.replace("*", " "), text.replace("^T", "ᵀ"), text.replace("^-1", "⁻¹")]
    # A rewrite no student would type (factor() of a sigmoid blows up) is left out.
    limit = max(2 * len(str(answer)), 200)
    return [r for r in dict.fromkeys(found) if r != answer and len(r) <= limit]


def _wrongs(part: Any, answer: Any, value: Any, mistakes: Any) -> list[Any]:
    """Typical wrong answers: the solver's known mistakes, then scaled / shifted values."""
    if part.kind == "choice":
        picked = {x.strip() for x in str(answer).split(",")}
        return [label for label, _ in part.choices if label not in picked][:2] or ["Z"]
    if isinstance(answer, list):
        if answer and isinstance(answer[0], list):
            bad = [list(row) for row in answer]
            bad[0][0] = _plus_one(bad[0][0])
            return [bad, [list(r) for r in zip(*answer, strict=True)]]
        flipped = list(reversed(answer))
        shifted = [_plus_one(answer[0]), *answer[1:]]
        return [shifted] + ([flipped] if flipped != answer else [])
    out = [to_plain(m.value) for m in mistakes if not isinstance(m.value, str)]
    out.append(to_plain(2 * value) if value != 0 else "1")
    return [w for w in dict.fromkeys(out) if w != answer]


@dataclass
class AnswerPool:
    """Per part: the key answer, its rewrites, wrong answers and points."""

    exact: dict[str, Any] = field(default_factory=dict)
    rewrites: dict[str, list[Any]] = field(default_factory=dict)
    wrong: dict[str, list[Any]] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    #: A symbol of each scalar part's reference (None for numbers, lists and choices).
    symbol: dict[str, str | None] = field(default_factory=dict)
    #: Each part's kind (``expression``, ``vector``, ``choice``, ...).
    kind: dict[str, str] = field(default_factory=dict)


def answer_pool(problem_set: ProblemSet) -> AnswerPool:
    """Every answer a synthetic student may give, derived from the key."""
    return _pool(list(problem_set.problems))


def variant_pool(problem_set: ProblemSet, base: AnswerPool, student: str) -> AnswerPool:
    """The pool of a student who answers their own variant (with variants on).

    The problems that vary are the student's variant (:func:`student_variant` of their
    name, as ``grade --variants`` picks it): its key, rewrites and known mistakes; the
    others are the common pool's.
    """
    number = student_variant(student, problem_set.variants.salt)
    varying = [variant_spec(s, number) for s in problem_set.problems if s.variation is not None]
    own = _pool(varying)
    pool = AnswerPool()
    for spec in problem_set.problems:
        source = own if spec.variation is not None else base
        for k in [k for k in base.exact if k.startswith(f"{spec.id}.")]:
            pool.exact[k], pool.points[k] = source.exact[k], source.points[k]
            pool.rewrites[k], pool.wrong[k] = source.rewrites[k], source.wrong[k]
            pool.symbol[k], pool.kind[k] = source.symbol[k], source.kind[k]
    return pool


def _pool(specs: list[Any]) -> AnswerPool:
    pool = AnswerPool()
    key = key_json(specs)
    for spec, problem in zip(specs, key["problems"], strict=True):
        solution = solve(spec)
        for part, entry in zip(spec.parts, problem["parts"], strict=True):
            if part.kind == "manual":
                continue
            k = f"{spec.id}.{part.id}"
            answer = entry["answer"]
            reading = read(answer, spec.context) if part.kind != "choice" else None
            value = reading.parsed.value if reading and reading.parsed else None
            pool.exact[k] = answer
            pool.points[k] = float(part.points)
            pool.rewrites[k] = _rewrites(answer, value) if part.kind != "choice" else []
            mistakes = solution.mistakes.get(part.id, ())
            pool.wrong[k] = _wrongs(part, answer, value, mistakes)
            scalar = isinstance(value, sympy.Expr) and not value.is_Matrix and part.kind != "choice"
            names = sorted(value.free_symbols, key=str) if scalar else []
            pool.symbol[k] = to_plain(names[0]) if names else None
            pool.kind[k] = part.kind
    return pool


def _own_entry(entry: str, n: int, right: bool) -> str:
    """One entry as only student ``n`` writes it: unreduced (right) or off by 1/n (wrong)."""
    try:
        value = Fraction(entry)
    except ValueError:
        return f"({entry}) * {n}/{n}" if right else f"({entry}) * {n + 1}/{n}"
    if right:
        return f"{value.numerator * n}/{value.denominator * n}"
    return str(value + Fraction(1, n))


def own_answer(pool: AnswerPool, k: str, n: int, right: bool) -> Any | None:
    """An answer no other student gives: ``n`` makes it theirs alone (``None``: no such).

    A right one is an equivalent form with the student's own numbers: a scalar with a
    square added and expanded away, ``(w + n)^2 - w^2 - 2 n w - n^2``, a number or an
    entry as an unreduced fraction; a wrong one drops a term of that expansion or is off
    by ``1/n``. Deduplication cannot share their checks, which is the point: a real class
    has a long tail of answers typed once.
    """
    exact = pool.exact[k]
    if isinstance(exact, list):
        if exact and isinstance(exact[0], list):
            rows = [list(row) for row in exact]
            rows[0][0] = _own_entry(str(rows[0][0]), n, right)
            return rows
        return [_own_entry(str(exact[0]), n, right), *exact[1:]]
    if pool.kind[k] == "choice":
        return None  # every possible answer is common
    x = pool.symbol[k]
    if x is None:
        return (
            _own_entry(str(exact), n, right)
            if "/" in str(exact) or str(exact).isdigit()
            else (f"({exact}) * {n}/{n}" if right else f"({exact}) * {n + 1}/{n}")
        )
    square = f"({x} + {n})^2 - {x}^2 - {2 * n} {x}"
    return f"{exact} + {square} - {n * n}" if right else f"{exact} + {square}"


def _document(student: str, answers: dict[str, Any]) -> bytes:
    """A submission file for ``answers`` keyed by ``problem.part``."""
    nested: dict[str, dict[str, Any]] = {}
    for k, v in answers.items():
        problem, _, part = k.partition(".")
        nested.setdefault(problem, {})[part] = v
    text = yaml.safe_dump(
        {"student": student, "answers": nested}, allow_unicode=True, sort_keys=False, width=10_000
    )
    return text.encode("utf-8")


def honest_file(
    pool: AnswerPool,
    index: int,
    rng: random.Random,
    *,
    mix: tuple[float, float, float] = (
        0.55,
        0.2,
        0.15,
    ),
    own: float = 0.0,
) -> GeneratedFile:
    """One honest student: each part exact, rewritten, wrong, their own or missing.

    ``own`` is the share of answers only this student gives (:func:`own_answer`), half
    of them right; they come first, before the ``mix`` of common answers.
    """
    answers: dict[str, Any] = {}
    expected: dict[str, str] = {}
    p_exact, p_rewrite, p_wrong = mix
    for k, exact in pool.exact.items():
        if own and rng.random() < own:
            right = rng.random() < 0.5
            mine = own_answer(pool, k, 7 + index, right)
            if mine is not None:
                answers[k], expected[k] = mine, CORRECT if right else WRONG
                continue
        roll = rng.random()
        if roll < p_exact:
            answers[k], expected[k] = exact, CORRECT
        elif roll < p_exact + p_rewrite:
            answers[k], expected[k] = rng.choice(pool.rewrites[k] or [exact]), CORRECT
        elif roll < p_exact + p_rewrite + p_wrong and pool.wrong[k]:
            answers[k], expected[k] = rng.choice(pool.wrong[k]), WRONG
        else:
            expected[k] = MISSING
    name = f"student_{index:04d}"
    return GeneratedFile(f"{name}.yaml", _document(name, answers), expected, dict(pool.points))


def hostile_file(pool: AnswerPool, index: int, rng: random.Random) -> GeneratedFile:
    """A broken or hostile file: alternately a whole bad file or a hostile answer."""
    name = f"student_{index:04d}"
    if rng.random() < 0.5:
        suffix, content = rng.choice(HOSTILE_FILES)
        return GeneratedFile(f"{name}_{suffix}.yaml", content, kind="hostile_file")
    base = honest_file(pool, index, rng)
    answers: dict[str, Any] = {}
    expected = dict(base.expected)
    for k, verdict in base.expected.items():
        if verdict != MISSING:
            answers[k] = pool.exact[k] if verdict == CORRECT else pool.wrong[k][0]
    scalar_parts = [k for k, v in pool.exact.items() if isinstance(v, str) and pool.rewrites[k]]
    target = rng.choice(scalar_parts or list(pool.exact))
    answers[target], expected[target] = rng.choice(HOSTILE_ANSWERS), HOSTILE
    return GeneratedFile(
        f"{name}_payload.yaml",
        _document(name, answers),
        expected,
        dict(pool.points),
        "hostile_answer",
    )


def make_class(
    problem_set: ProblemSet | None = None,
    n_files: int = 1000,
    *,
    hostile_fraction: float = 0.05,
    seed: int = 2024,
    mix: tuple[float, float, float] | None = None,
    own: float = 0.0,
    variants: bool = False,
) -> list[GeneratedFile]:
    """A synthetic class: ``n_files`` submissions, ``hostile_fraction`` of them hostile.

    ``mix`` (exact, rewritten, wrong) and ``own`` (answers only one student gives) set
    every honest student's shares; by default every tenth student makes no mistake.
    With ``variants`` every honest student answers their own variant (:func:`variant_pool`),
    as a class does when ``grade --variants`` hands variants out.
    """
    problem_set = problem_set or load_problem_set(None)
    pool = answer_pool(problem_set)
    rng = random.Random(seed)
    n_hostile = round(n_files * hostile_fraction)
    hostile_at = set(rng.sample(range(n_files), n_hostile))
    clean = (0.7, 0.25, 0.0)  # every tenth student makes no mistake (known total score)

    def theirs(i: int) -> AnswerPool:
        return variant_pool(problem_set, pool, f"student_{i:04d}") if variants else pool

    return [
        hostile_file(pool, i, rng)
        if i in hostile_at
        else honest_file(theirs(i), i, rng, mix=mix, own=own)
        if mix is not None
        else honest_file(theirs(i), i, rng, mix=clean if i % 10 == 0 else (0.55, 0.2, 0.15))
        for i in range(n_files)
    ]


def write_class(files: list[GeneratedFile], directory: Path) -> list[Path]:
    """Write the files (and ``manifest.json`` with the expectations) into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for f in files:
        path = directory / f.name
        path.write_bytes(f.content)
        paths.append(path)
    manifest = {f.name: {"kind": f.kind, "expected": f.expected} for f in files}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return paths


def main() -> None:
    """Command line: write a class to a folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--hostile", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    files = make_class(n_files=args.n, hostile_fraction=args.hostile, seed=args.seed)
    write_class(files, args.out)
    print(f"wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
