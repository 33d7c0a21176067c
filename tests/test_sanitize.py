"""Student text in reports: no escape sequences, no spoofing, no spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from hwgrade.grader.sanitize import csv_safe, json_safe, strip_ansi, terminal_safe

HIDDEN = (
    "\x00\x07\x1b\x7f\x85\x9b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u200e\u200f\u061c\u200b\u200c\u200d\u2060\ufeff\u2028\u2029"
)

TERMINAL = [
    ("plain", "x + 1", "x + 1"),
    ("ansi-colour", "\x1b[31mred\x1b[0m", "red"),
    ("ansi-clear-screen", "ok\x1b[2J\x1b[H", "ok"),
    ("osc8-hyperlink", "\x1b]8;;http://x\x07click\x1b]8;;\x07", "click"),
    ("osc-title-st", "\x1b]0;pwned\x1b\\x", "x"),
    ("unterminated-osc", "a\x1b]8;;http://evil", "a"),
    ("c1-csi", "a\x9b31mb", "ab"),
    ("bidi-override", "x\u202e1 + \u202c", "x\\u202e1 + \\u202c"),
    ("bidi-isolate", "\u2066a\u2069", "\\u2066a\\u2069"),
    ("lrm-rlm-alm", "\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
    ("zero-width", "ali\u200bce", "ali\\u200bce"),
    ("bom", "\ufeffbob", "\\ufeffbob"),
    ("nul", "a\x00b", "a\\x00b"),
    ("bell-backspace", "a\x07\x08b", "a\\x07\\x08b"),
    ("newlines-tabs", "a\nb\tc\r", "a b c "),
    ("rich-markup", "[bold red]correct[/]", "\\[bold red]correct\\[/]"),
    ("rich-link", "[link=http://x]y[/link]", "\\[link=http://x]y\\[/link]"),
    ("brackets-math", "[1, 2]", "[1, 2]"),
    ("unicode-math", "σ(z)·wᵀ − 1", "σ(z)·wᵀ − 1"),
    ("nbsp", "2\u00a0x", "2 x"),
    ("unassigned", "\U00018cd6", "\\U00018cd6"),
    ("lone-surrogate", "a\ud800", "a\\ud800"),
]


@pytest.mark.parametrize(
    ("text", "expected"), [t[1:] for t in TERMINAL], ids=[t[0] for t in TERMINAL]
)
def test_terminal_safe(text: str, expected: str) -> None:
    assert terminal_safe(text) == expected


def test_terminal_safe_renders_literally_in_rich() -> None:
    hostile = "[green]correct[/green] \x1b[2K\u202e"
    console = Console(width=100, file=io.StringIO(), color_system=None)
    console.print(terminal_safe(hostile))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[green]correct[/green]" in shown
    assert "\x1b" not in shown and "\u202e" not in shown


TRUNCATION = [
    ("short", "abc", 5, "abc"),
    ("exact", "abcde", 5, "abcde"),
    ("one-over", "abcdef", 5, "abcd…"),
    ("very-long", "x" * 1_000_000, 200, "x" * 199 + "…"),
    ("escapes-count", "\u202e" * 10, 13, "\\u202e\\u202e…"),
    ("ansi-padding", "\x1b[0m" * 100_000 + "tail", 10, "…"),
    ("no-limit", "y" * 500, 0, "y" * 500),
]


@pytest.mark.parametrize(
    ("text", "max_len", "expected"), [t[1:] for t in TRUNCATION], ids=[t[0] for t in TRUNCATION]
)
def test_terminal_safe_truncates(text: str, max_len: int, expected: str) -> None:
    assert terminal_safe(text, max_len=max_len) == expected


def test_truncation_then_markup_escape_keeps_trailing_backslash_inert() -> None:
    out = terminal_safe("abc\\[red]", max_len=5)
    console = Console(width=100, file=io.StringIO(), color_system=None)
    console.print(out)
    assert console.file.getvalue().strip() == "abc\\…"  # type: ignore[attr-defined]


CSV = [
    ("formula-eq", "=1+1", "'=1+1"),
    ("hyperlink", '=HYPERLINK("http://evil","click")', '\'=HYPERLINK("http://evil","click")'),
    ("dde-plus", "+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("at", "@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("pipe", "|calc", "'|calc"),
    # "-2+3": a spreadsheet evaluates it (to 1), so it is a formula and gets quoted.
    ("minus-expression", "-2+3", "'-2+3"),
    ("minus-fraction", "-3/4", "'-3/4"),
    ("lone-minus", "-", "'-"),
    ("tab-then-formula", "\t=1", "' =1"),
    ("cr-then-formula", "\r=1", "' =1"),
    ("space-then-formula", "  =1", "'  =1"),
    ("fullwidth-eq", "＝1+1", "'＝1+1"),
    ("fullwidth-plus", "＋1", "'＋1"),
    ("fullwidth-minus", "－1", "'－1"),
    ("fullwidth-at", "＠x", "'＠x"),
    ("bidi-hides-eq", "\u202e=1+1", "'=1+1"),
    ("number-negative", "-3", "-3"),
    ("number-negative-decimal", "-0.5", "-0.5"),
    ("number-plus", "+2", "+2"),
    ("number-exp", "-1.5e-3", "-1.5e-3"),
    ("number-dot", "-.5", "-.5"),
    ("score", "2.5", "2.5"),
    ("plain-name", "alice", "alice"),
    ("expression", "u_3 + w u_2", "u_3 + w u_2"),
    ("nul", "a\x00b", "ab"),
    ("ansi", "\x1b[31mred", "red"),
    ("newline", "a\nb", "a b"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CSV], ids=[c[0] for c in CSV])
def test_csv_safe(text: str, expected: str) -> None:
    assert csv_safe(text) == expected


def test_csv_safe_round_trips_through_csv_module() -> None:
    buffer = io.StringIO()
    cells = [csv_safe(x) for x in ['=1,"2"', "-0.5", "a\nb"]]
    csv.writer(buffer).writerow(cells)
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ['\'=1,"2"', "-0.5", "a b"]


JSON = [
    ("plain", "x + 1", "x + 1"),
    ("ansi", "\x1b[31mred\x1b[0m", "red"),
    ("osc8", "\x1b]8;;http://x\x07y\x1b]8;;\x07", "y"),
    ("bidi", "x\u202e1 + \u202c", "x1 + "),
    ("zero-width", "a\u200bb\u2060c\ufeff", "abc"),
    ("nul-and-bell", "a\x00\x07b", "ab"),
    ("keeps-newline-tab", "a\n\tb", "a\n\tb"),
    ("drops-cr", "a\r\nb", "a\nb"),
    ("lone-surrogate", "a\udc80b", "ab"),
    ("c1", "a\x85b\x9b", "ab"),
    ("markup-untouched", "[red]x[/]", "[red]x[/]"),
]


@pytest.mark.parametrize(("text", "expected"), [j[1:] for j in JSON], ids=[j[0] for j in JSON])
def test_json_safe(text: str, expected: str) -> None:
    assert json_safe(text) == expected


def test_strip_ansi() -> None:
    assert strip_ansi("\x1b[1;31mA\x1b[0m\x1bcB") == "AB"


@given(st.text())
def test_terminal_safe_never_emits_hidden_characters(text: str) -> None:
    out = terminal_safe(text, max_len=50)
    assert not any(ch in HIDDEN for ch in out)
    assert all(ch.isprintable() or ch == " " for ch in out)
    assert len(Text.from_markup(out).plain) <= 50


@given(st.text())
def test_csv_and_json_safe_never_emit_hidden_characters(text: str) -> None:
    for out in (csv_safe(text), json_safe(text)):
        assert not any(ch in HIDDEN for ch in out)
        out.encode("utf-8")  # no lone surrogates
    json.dumps(json_safe(text), ensure_ascii=False).encode("utf-8")
    first = csv_safe(text).lstrip()[:1]
    if first and first in "=+-@|＝＋－＠":
        assert csv_safe(text).lstrip().lstrip("+-").replace(".", "", 1).isdigit() or csv_safe(
            text
        ).startswith("'")
