"""docs/specs.md cannot drift: every YAML example validates, every accepted field is documented."""

import re
from pathlib import Path

import pytest
import yaml

from hwgrade.grader.specs.derive import OPERATIONS
from hwgrade.grader.specs.specfile import (
    KINDS,
    MISTAKE_FIELDS,
    PART_FIELDS,
    SYMBOL_FIELDS,
    TOP_OPTIONAL,
    TOP_REQUIRED,
    load_spec,
)
from hwgrade.grader.specs.validation import validate_spec
from hwgrade.grader.specs.variantrules import RULE_FIELDS, VARIANT_FIELDS

DOC = Path(__file__).resolve().parents[1] / "docs" / "specs.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```yaml\n(.*?)```", TEXT, re.S)


def test_there_is_an_example_per_kind():
    kinds = {
        part.get("kind", "expression")
        for text in EXAMPLES
        for part in yaml.safe_load(text)["parts"]
    }
    assert set(KINDS) <= kinds


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_every_example_loads_and_validates(tmp_path, index):
    path = tmp_path / f"example{index}.yaml"
    path.write_text(EXAMPLES[index])
    spec = load_spec(path)
    assert validate_spec(path) == [], spec.id


@pytest.mark.parametrize(
    "heading,accepted",
    [
        ("field", set(TOP_REQUIRED + TOP_OPTIONAL) | set(PART_FIELDS)),
        ("symbol field", set(SYMBOL_FIELDS)),
        ("mistake field", set(MISTAKE_FIELDS)),
        ("variants field", set(VARIANT_FIELDS)),
        ("rule field", set(RULE_FIELDS)),
    ],
)
def test_every_accepted_field_is_documented(heading, accepted):
    documented = set()
    for match in re.finditer(rf"^\| {heading} \|.*?\n((?:\|.*\n)+)", TEXT, re.M):
        documented |= set(re.findall(r"^\| `([^`]+)` \|", match.group(1), re.M))
    assert accepted <= documented, accepted - documented
    assert documented <= accepted, documented - accepted


def test_every_operation_is_documented():
    for op in OPERATIONS:
        assert f"`{op}(" in TEXT, op


def test_every_example_field_is_real():
    for text in EXAMPLES:
        for key in re.findall(r"^(\w+):", text, re.M):
            assert key in TOP_REQUIRED + TOP_OPTIONAL, key
