"""hwgrade as a Gradescope autograder: the zip it uploads, and what runs in the container.

Gradescope's autograder specification asks for a zip with ``setup.sh`` (run once, to
build the image) and ``run_autograder`` (run per submission, which must leave
``/autograder/results/results.json``) at its root. :func:`build_zip` writes that zip
with the course's problem set and hwgrade itself as a source tree with its own
``pyproject.toml``, rebuilt from the installed package so that it is exactly this
version, installed by ``pip`` in ``setup.sh``. :func:`run` is what ``run_autograder``
calls: it finds the one submission file, grades it as ``hwgrade check --format
gradescope`` does, and never raises — a missing or doubled file, a hostile file and a
failure of hwgrade itself all end in a valid ``results.json`` with the reason. The
shell wrapper writes one too when Python cannot start at all. ``AUTOGRADER_ROOT``
(default ``/autograder``) makes all of it runnable outside a container.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import hwgrade
import hwgrade.grader
import hwgrade.problems
import hwgrade.solver

#: Where Gradescope puts everything; ``AUTOGRADER_ROOT`` moves it (tests, a dry run).
DEFAULT_ROOT = "/autograder"
_SUFFIXES = (".yaml", ".yml")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once to build the image. hwgrade needs Python 3.11 or newer:
# use one the image has, else install 3.11 from Ubuntu's packages.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    PY="$candidate"; break
  fi
done
if [ -z "$PY" ]; then
  apt-get update
  apt-get install -y python3.11 python3.11-venv
  PY=python3.11
fi
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --no-cache-dir "$ROOT/source/hwgrade_pkg"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; results.json is always written.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PY="${HWGRADE_PYTHON:-$ROOT/venv/bin/python}"
mkdir -p "$ROOT/results"
rm -f "$ROOT/results/results.json"
"$PY" -m hwgrade.grader.output.autograder || true
if [ ! -s "$ROOT/results/results.json" ]; then
  cat > "$ROOT/results/results.json" <<'JSON'
{"score": 0, "output_format": "text", "visibility": "visible", "tests": [],
 "output": "The autograder could not start hwgrade: nothing was graded. Tell your instructor."}
JSON
fi
"""


def _failure(message: str) -> dict[str, Any]:
    return {
        "score": 0,
        "output": message,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def find_submission(folder: Path) -> Path | str:
    """The one ``.yaml``/``.yml`` file under ``folder``, or what is wrong, for the student."""
    found = (
        sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES)
        if folder.is_dir()
        else []
    )
    if len(found) == 1:
        return found[0]
    names = ", ".join(p.name for p in found[:5])
    if not found:
        return "No submission file found: upload exactly one .yaml file with your answers."
    return (
        f"Upload exactly one .yaml file with your answers; this submission has {len(found)}:"
        f" {names}."
    )


def run(root: Path) -> dict[str, Any]:
    """Grade the submission under ``root`` and return its ``results.json``; never raises."""
    try:  # lazy: inside the try, so that even a broken install ends in a results.json
        from hwgrade.grader.batch.loop import check_file
        from hwgrade.grader.batch.sandbox import Limits
        from hwgrade.grader.output.exports import gradescope_results, spec_points, spec_prompts
        from hwgrade.grader.specs.problemset import load_problem_set

        found = find_submission(root / "submission")
        if isinstance(found, str):
            return _failure(found)
        problems = root / "source" / "problems"
        option = str(problems) if problems.is_dir() else None
        problem_set = load_problem_set(option)
        chosen = problem_set.assignment_problems()
        result = check_file(found, problem_set, problems_option=option, limits=Limits())
        keys = [f"{s.id}.{p.id}" for s in chosen for p in s.parts]
        return gradescope_results(
            result,
            prompts=spec_prompts(chosen),
            part_keys=keys,
            points=spec_points(chosen),
        )
    except Exception as exc:  # the student must always get a results.json
        return _failure(
            f"The autograder failed ({type(exc).__name__}), so nothing was graded. Your"
            " submission is kept; please tell your instructor."
        )


def main() -> None:
    """``run_autograder``'s entry point: write ``results/results.json`` under the root."""
    root = Path(os.environ.get("AUTOGRADER_ROOT", DEFAULT_ROOT))
    doc = run(root)
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _pyproject(version: str, requires: list[str]) -> str:
    deps = ", ".join(json.dumps(r) for r in requires)
    return (
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "hwgrade"\nversion = "{version}"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{deps}]\n\n"
        '[project.scripts]\nhwgrade = "hwgrade.grader.cli:main"\n\n'
        '[tool.setuptools.packages.find]\ninclude = ["hwgrade", "hwgrade.*"]\n\n'
        '[tool.setuptools.package-data]\n"hwgrade.problems" = ["*.yaml"]\n'
    )


def build_zip(target: Path, problems: Path | None, settings: Path | None = None) -> list[str]:
    """Write the autograder zip; returns the names it holds.

    Args:
        target: The zip to write.
        problems: The course's problem folder (``None``: the built-in set ships inside
            hwgrade and needs no copy).
        settings: The course's ``hwgrade.toml`` (its assignment, variants), copied
            beside the problems so that the container grades the same assignment.
    """
    version = hwgrade.__version__
    try:
        requires = [r for r in importlib.metadata.requires("hwgrade") or [] if "extra ==" not in r]
    except importlib.metadata.PackageNotFoundError:
        requires = ["sympy>=1.12", "click>=8.1", "pyyaml>=6.0", "rich>=13.0", "cloudpickle>=2.2"]
    entries: dict[str, bytes] = {
        "setup.sh": SETUP_SH.encode(),
        "run_autograder": RUN_AUTOGRADER.encode(),
        "source/hwgrade_pkg/pyproject.toml": _pyproject(version, requires).encode(),
    }
    for module, sub in (
        (hwgrade, "hwgrade"),
        (hwgrade.grader, "hwgrade/grader"),
        (hwgrade.solver, "hwgrade/solver"),
        (hwgrade.problems, "hwgrade/problems"),
    ):
        folder = Path(module.__file__ or "").parent
        for file in sorted(folder.rglob("*")):
            inner = file.relative_to(folder)
            if sub == "hwgrade" and len(inner.parts) > 1:
                continue  # the subpackages come from their own (mapped) folders
            wanted = file.suffix in (".py", ".yaml", ".typed") and "__pycache__" not in inner.parts
            if file.is_file() and wanted:
                entries[f"source/hwgrade_pkg/{sub}/{inner.as_posix()}"] = file.read_bytes()
    if settings is not None:
        entries["source/hwgrade.toml"] = settings.read_bytes()
    if problems is not None:
        for file in sorted(problems.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                entries[f"source/problems/{file.relative_to(problems).as_posix()}"] = (
                    file.read_bytes()
                )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in ("setup.sh", "run_autograder") else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, target)  # whole, or not at all
    return list(entries)


if __name__ == "__main__":  # pragma: no cover - run by run_autograder
    main()
    sys.exit(0)
