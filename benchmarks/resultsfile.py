"""``benchmarks/results.json``: every script's latest figures, one key per script."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("results.json")


def save(key: str, report: dict[str, Any]) -> None:
    """Replace ``key``'s figures, keeping the other scripts' ones."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = report
    RESULTS.write_text(json.dumps(data, indent=2) + "\n")
