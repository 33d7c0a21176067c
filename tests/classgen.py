"""Import ``benchmarks/make_class.py`` (not a package) for the batch tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "make_class.py"


def load() -> ModuleType:
    """The synthetic-class generator module."""
    if "make_class" in sys.modules:
        return sys.modules["make_class"]
    spec = importlib.util.spec_from_file_location("make_class", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_class"] = module
    spec.loader.exec_module(module)
    return module
