"""hwgrade.toml: every key checked, a misspelt one a usage error with a did-you-mean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hwgrade.grader.cli.commands import cli
from hwgrade.grader.errors import UsageError
from hwgrade.grader.specs.settings import CourseSettings, find_settings, parse_settings

TOML = Path("/course/hwgrade.toml")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (
            {"hwgrade": {"variantz": True}},
            "unknown key `variantz` in [hwgrade] (did you mean `variants`?)",
        ),
        ({"hwgrade": {"asignment": ["a"]}}, "(did you mean `assignment`?)"),
        ({"hwgrade": {"colour": "red"}}, "unknown key `colour` in [hwgrade] (known keys: problems"),
        (
            {"variants": True},
            "`variants` must go under `[hwgrade]`",
        ),
        ({"hwgrad": {"variants": True}}, "(did you mean `hwgrade`?)"),
        (
            {"variantz": True},
            "unknown key `variantz` (did you mean `variants`?); hwgrade's settings",
        ),
        ({"hwgrade": 3}, "`hwgrade` must be a table"),
        ({"hwgrade": {"variants": "yes"}}, "`variants` must be true or false"),
        ({"hwgrade": {"assignment": "rnn_backprop"}}, "`assignment` must be a list of problem ids"),
        ({"hwgrade": {"assignment": [1, 2]}}, "`assignment` must be a list"),
        ({"hwgrade": {"problems": 3}}, "`problems` must be a folder path"),
        ({"hwgrade": {"variant_salt": 7}}, "`variant_salt` must be a string"),
        ({"hwgrade": {"canvas_assignment": " "}}, "`canvas_assignment` must be a string"),
    ],
    ids=[
        "misspelt",
        "misspelt-assignment",
        "unknown",
        "top-level-key",
        "misspelt-table",
        "misspelt-top-level",
        "not-a-table",
        "variants-type",
        "assignment-string",
        "assignment-numbers",
        "problems-type",
        "salt-type",
        "canvas-blank",
    ],
)
def test_bad_settings_name_the_file_and_the_key(data: dict[str, Any], says: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_settings(TOML, data)
    assert str(info.value).startswith(f"{TOML}: ")
    assert says in str(info.value)


def test_good_settings() -> None:
    data = {
        "hwgrade": {
            "problems": "course",
            "assignment": ["b", "a"],
            "variants": True,
            "variant_salt": "f26",
        }
    }
    settings = parse_settings(TOML, data)
    assert settings == CourseSettings(TOML, Path("/course/course"), ("b", "a"), True, "f26")
    assert parse_settings(TOML, {}) == CourseSettings(TOML)


def test_found_upwards(tmp_path: Path) -> None:
    (tmp_path / "hwgrade.toml").write_text('[hwgrade]\nassignment = ["x"]\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    found = find_settings(deep)
    assert found is not None and found.assignment == ("x",)
    assert found.path == tmp_path / "hwgrade.toml"


def test_not_toml_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "hwgrade.toml").write_text("[hwgrade\n")
    with pytest.raises(UsageError, match="cannot read it"):
        find_settings(tmp_path)


@pytest.mark.parametrize("command", [["list"], ["key", "triangle_area"], ["validate"]])
def test_every_command_refuses_a_misspelt_key(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "hwgrade.toml").write_text("[hwgrade]\nvariantz = true\n")
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert "unknown key `variantz`" in result.stderr and "hwgrade.toml" in result.stderr
    assert "did you mean `variants`?" in result.stderr
