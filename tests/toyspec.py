"""A small spec with placeholders, shared by the variant tests (reading and handing out)."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_spec(tmp_path: Path, body: str, name: str = "p.yaml") -> Path:
    """Write a spec file into ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


#: Two parameters (a number and a matrix) used in the statement, a prompt and a derivation.
TOY_SPEC = textwrap.dedent(
    """\
    id: toy
    title: Toy
    statement: "a = {{a}}, b = {{b}}"
    parameters: {a: 2, b: [[1, 2], [3, 4]]}
    parts:
      - id: s
        prompt: "a times the sum of b's entries (a = {{a}})"
        reference: "a*sum(b)"
    """
)
