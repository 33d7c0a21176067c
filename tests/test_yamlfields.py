"""Composing a spec file: libyaml and the pure-Python loader give the same data and lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hwgrade.grader.specs import yamlfields
from hwgrade.grader.specs.yamlfields import FieldReader, compose_file

REPO = Path(__file__).resolve().parents[1]
SPECS = sorted((REPO / "problems").glob("*.yaml")) + sorted((REPO / "examples").rglob("*.yaml"))


def _composed(path: Path) -> tuple[bool, Any, dict[str, int], list[Any]]:
    reader = FieldReader(path, {})
    ok, data = compose_file(path, reader)
    return ok, data, dict(reader.lines), [(e.message, e.line) for e in reader.errors]


@pytest.mark.skipif(yamlfields._C_LOADER is None, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_libyaml_and_python_compose_alike(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _composed(path)
    monkeypatch.setattr(yamlfields, "_C_LOADER", None)
    assert _composed(path) == fast


@pytest.mark.parametrize(
    "text",
    ["", "a: [1, 2", "a: 1\n  b: 2\n", "- a\nb: c\n", "a: &x 1\nb: *y\n", "\t- x\n"],
    ids=["empty", "unclosed", "indent", "mixed", "alias", "tab"],
)
def test_broken_specs_get_the_same_messages(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file libyaml refuses is read again by the pure-Python loader: same words."""
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    fast = _composed(path)
    monkeypatch.setattr(yamlfields, "_C_LOADER", None)
    assert _composed(path) == fast
    assert not fast[0]


def test_the_loader_is_libyaml_when_installed() -> None:
    assert yamlfields._C_LOADER is getattr(yaml, "CSafeLoader", None)
