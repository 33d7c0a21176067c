"""The solution key, the blank submission template and the rows of ``hwgrade list``.

Every format is rendered from the same data (:func:`key_json`'s records plus the
solver's steps), so the text, Markdown, LaTeX and JSON keys can never disagree.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal

import sympy

from hwgrade.grader.answer.echo import to_latex, to_plain
from hwgrade.grader.specs.model import PartSpec, ProblemSpec
from hwgrade.grader.specs.problemset import ProblemSet
from hwgrade.grader.specs.solving import solve
from hwgrade.grader.verify.numberrule import significant_digits
from hwgrade.solver import Solution, Step

KeyFormat = Literal["text", "md", "tex", "json"]


def _plain(value: Any) -> Any:
    """The answer in plain syntax (strings, nested lists for arrays)."""
    if isinstance(value, tuple):  # choice labels
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        return value
    shape = getattr(value, "shape", None)
    if shape and hasattr(value, "tolist") and getattr(value, "is_Matrix", True):
        # Explicit arrays become nested lists (a vector a flat list), entry by entry.
        rows = value.tolist()
        if len(shape) == 2 and 1 in shape:
            return [to_plain(x) for row in rows for x in row]
        return _nested(rows, to_plain)
    return to_plain(value)


def _nested(items: Any, fn: Any) -> Any:
    if isinstance(items, list):
        return [_nested(x, fn) for x in items]
    return fn(items)


def _latex(value: Any) -> str:
    """The answer in LaTeX."""
    if isinstance(value, tuple):
        return ", ".join(rf"\text{{{v}}}" for v in value)
    if isinstance(value, str):
        return rf"\text{{{tex_escape(value)}}}"
    return to_latex(value)


def _reference(part: PartSpec, solution: Solution) -> Any:
    """The part's reference value (manual parts: the model answer)."""
    if part.kind == "manual":
        return solution.answers.get(part.id, part.model_answer)
    return solution.answers[part.id]


def key_json(problems: Sequence[ProblemSpec]) -> dict[str, Any]:
    """The contract's key JSON: ``{"problems": [{"id", "title", "parts": [...]}]}``."""
    out: list[dict[str, Any]] = []
    for spec in problems:
        solution = solve(spec)
        parts = []
        for part in spec.parts:
            ref = _reference(part, solution)
            parts.append(
                {
                    "id": part.id,
                    "prompt": part.prompt,
                    "points": part.points,
                    "kind": part.kind,
                    "answer": _plain(ref),
                    "latex": _latex(ref),
                }
            )
        record: dict[str, Any] = {"id": spec.id, "title": spec.title, "parts": parts}
        if spec.variant:
            record["variant"] = spec.variant
            record["parameters"] = spec.parameters
        out.append(record)
    return {"problems": out}


def _title(spec: ProblemSpec) -> str:
    """A problem's title, naming its variant when it is not the spec's own numbers."""
    return f"{spec.title} (variant {spec.variant})" if spec.variant else spec.title


def _steps(solution: Solution, part_id: str) -> tuple[Step, ...]:
    return tuple(solution.steps.get(part_id, ()))


def _flat(answer: Any) -> str:
    """An answer (string or nested lists) on one line."""
    if isinstance(answer, list):
        return "[" + ", ".join(_flat(a) for a in answer) + "]"
    return str(answer)


def _render_rich(*renderables: Any) -> str:
    """Render rich objects to plain text at a fixed width (keys and lists are documents)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=False, color_system=None)
    for item in renderables:
        console.print(item)
    return buffer.getvalue()


def _render_text(problems: Sequence[ProblemSpec]) -> str:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=False, color_system=None)
    for spec, record in zip(problems, key_json(problems)["problems"], strict=True):
        solution = solve(spec)
        console.rule(escape(f"{spec.id} — {_title(spec)}"))
        if spec.variant:  # the numbers differ from the printed homework: show them
            console.print(escape(spec.statement.strip()))
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("part", no_wrap=True)
        table.add_column("pts", justify="right")
        table.add_column("answer and derivation", ratio=1)
        for part in record["parts"]:
            lines = [f"[bold]{escape(_flat(part['answer']))}[/bold]"]
            lines += [f"  • {escape(s.text)}" for s in _steps(solution, part["id"])]
            table.add_row(escape(part["id"]), f"{part['points']:g}", "\n".join(lines))
        console.print(table)
    return buffer.getvalue()


def _render_md(problems: Sequence[ProblemSpec]) -> str:
    lines = ["# Solution key", ""]
    for spec, record in zip(problems, key_json(problems)["problems"], strict=True):
        solution = solve(spec)
        lines += [f"## {_title(spec)} (`{spec.id}`)", "", spec.statement.strip(), ""]
        for part in record["parts"]:
            lines += [f"### {part['id']} ({part['points']:g} pt)", "", part["prompt"], ""]
            lines += [f"**Answer:** `{_flat(part['answer'])}`", "", f"$$ {part['latex']} $$", ""]
            for step in _steps(solution, part["id"]):
                lines.append(f"- {step.text}" + (f" — ${step.latex}$" if step.latex else ""))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_TEX_SPECIAL = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
                "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                "\\": r"\textbackslash{}"}  # fmt: skip


_TEX_UNICODE = {"⊙": r"$\odot$", "Σ": r"$\Sigma$", "²": r"$^2$", "ᵀ": r"$^\top$", "⁻": r"$^-$",
                "¹": r"$^1$", "≠": r"$\neq$", "Γ": r"$\Gamma$", "η": r"$\eta$", "λ": r"$\lambda$",
                "·": r"$\cdot$", "—": "---", "−": "-", "•": r"$\bullet$", "≤": r"$\leq$",
                "≥": r"$\geq$", "μ": r"$\mu$", "σ": r"$\sigma$", "∈": r"$\in$"}  # fmt: skip


def tex_escape(text: str) -> str:
    """Escape text for pdflatex: specials escaped, known Unicode as math, the rest ``?``.

    The solvers' step texts use Unicode math (``XᵀX``, ``Σ_j``); pdflatex without extra
    packages stops at an undeclared character, so none may get through.
    """
    out = []
    for ch in text:
        if ch in _TEX_SPECIAL:
            out.append(_TEX_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append(_TEX_UNICODE.get(ch, "?"))
    return "".join(out)


def _render_tex(problems: Sequence[ProblemSpec]) -> str:
    lines = [
        r"\documentclass{article}",
        r"\usepackage[utf8]{inputenc}",
        r"\usepackage{amsmath,amssymb}",
        r"\begin{document}",
        r"\section*{Solution key}",
    ]
    for spec, record in zip(problems, key_json(problems)["problems"], strict=True):
        solution = solve(spec)
        lines += [rf"\subsection*{{{tex_escape(_title(spec))}}}", tex_escape(spec.statement), ""]
        lines.append(r"\begin{enumerate}")
        for part in record["parts"]:
            lines.append(rf"\item[\textbf{{{tex_escape(part['id'])}}}] ({part['points']:g} pt) ")
            lines.append(tex_escape(part["prompt"]))
            if part["kind"] == "manual":  # prose: a paragraph, not display math
                lines.append(r"\emph{Model answer:} " + tex_escape(str(part["answer"])))
            else:
                lines.append(r"\[ " + part["latex"] + r" \]")
            derivation = _steps(solution, part["id"])
            if derivation:
                lines.append(r"\begin{itemize}")
                for step in derivation:
                    math = rf" $\displaystyle {step.latex}$" if step.latex else ""
                    lines.append(rf"\item {tex_escape(step.text)}{math}")
                lines.append(r"\end{itemize}")
        lines.append(r"\end{enumerate}")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"


def render_key(problems: Sequence[ProblemSpec], fmt: KeyFormat) -> str:
    """The solution key of ``problems`` in ``fmt`` (text, md, tex or json)."""
    if fmt == "json":
        import json

        return json.dumps(key_json(problems), indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return _render_md(problems)
    if fmt == "tex":
        return _render_tex(problems)
    return _render_text(problems)


def _placeholder(part: PartSpec, solution: Solution | None) -> str:
    """An empty value that still loads as YAML; arrays show their shape as a hint."""
    if part.kind in ("vector", "matrix", "tensor") and solution is not None:
        shape = getattr(solution.answers.get(part.id), "shape", None)
        if part.kind == "vector" and shape:
            return "[" + ", ".join(['""'] * max(shape)) + "]"
        if part.kind == "matrix" and shape and len(shape) == 2:
            row = "[" + ", ".join(['""'] * shape[1]) + "]"
            return "[" + ", ".join([row] * shape[0]) + "]"
    return '""'


def template(problems: Sequence[ProblemSpec], student: str = "") -> str:
    """A blank submission: each problem's statement, then every part id with its prompt.

    The statement is the problem's data, names, shapes and conventions (Γ is diagonal,
    variances are population variances, what entry (i, j) of J is): a student who
    answers from the template alone must read it, so it is there as ``# |`` comments,
    with a variant's own numbers. Placeholders are empty strings or lists of empty
    entries, so the file is valid YAML and a student who fills in nothing submits only
    empty (missing) answers.
    """
    import json

    lines = [f"student: {json.dumps(student) if student else ''}", "answers:"]
    for spec in problems:
        try:
            solution: Solution | None = solve(spec)
        except Exception:  # a template must not depend on the solver running
            solution = None
        lines.append(f"  # {_title(spec)}")
        lines += [f"  # | {line}".rstrip() for line in spec.statement.strip().splitlines()]
        lines.append(f"  {spec.id}:")
        for part in spec.parts:
            prompt = " ".join(part.prompt.split())
            if solution is not None and _is_number(solution.answers.get(part.id)):
                digits = significant_digits(part.tolerance)
                asked = f"exact, or decimals to {digits} significant digits" if digits else "exact"
                prompt += f" [{asked}]"
            lines.append(f"    # {part.id} ({part.points:g} pt, {part.kind}): {prompt}")
            if part.kind == "choice":
                opts = "; ".join(f"{label}) {text}" for label, text in part.choices)
                lines.append(f"    #   options: {opts}")
            lines.append(f'    "{part.id}": {_placeholder(part, solution)}')
    return "\n".join(lines) + "\n"


def _is_number(reference: Any) -> bool:
    """Whether a reference is a number or an array of numbers (decimals are accepted)."""
    if isinstance(reference, (sympy.Basic, sympy.MatrixBase)) and not isinstance(
        reference, sympy.MatrixSymbol
    ):
        return not getattr(reference, "free_symbols", {1})
    return False


def render_list(problem_set: ProblemSet) -> str:
    """The ``hwgrade list`` table: which set is in use, every problem and its parts."""
    from rich.table import Table

    origin = "built-in problem set" if problem_set.builtin else f"problem set {problem_set.root}"
    table = Table(title=f"{len(problem_set.problems)} problems ({origin})", title_justify="left")
    table.add_column("problem", style="bold", no_wrap=True)
    table.add_column("title")
    table.add_column("parts (kind, points)")
    table.add_column("points", justify="right")
    varying = any(spec.variation for spec in problem_set.problems)
    for spec in problem_set.problems:
        parts = ", ".join(f"{p.id} ({p.kind}, {p.points:g})" for p in spec.parts)
        title = spec.title
        if spec.variation:  # what a student's variant changes
            title += f"\n[dim]varies per student: {', '.join(spec.variation.names)}[/dim]"
        table.add_row(spec.id, title, parts, f"{sum(p.points for p in spec.parts):g}")
    state = "on" if problem_set.variants.enabled else "off (--variants or hwgrade.toml)"
    note = f"variants: {state}" if varying else ""
    return _render_rich(table, note) if note else _render_rich(table)


__all__ = ["KeyFormat", "key_json", "render_key", "render_list", "template", "tex_escape"]
