r"""Make student text safe to show: in a terminal, in a spreadsheet, in JSON.

Student ids, file names, answers and the messages that quote them all reach reports.
Shown raw, they can spoof a report: ANSI escapes recolour or erase lines and OSC 8 makes
hidden hyperlinks, bidi overrides (Trojan Source) make ``x<U+202E>1 + `` display differently
from what was graded, zero-width characters make two ids look equal, rich markup
(``[green]correct[/]``) restyles a terminal report, and a CSV cell starting with ``=``
runs as a formula when a TA opens the grades in a spreadsheet. Each writer passes every
piece of student text through the function for its medium, at the moment of writing.

Policy: ANSI/terminal escape sequences are removed whole (they are commands, not
content); every other invisible or control character is shown as a visible escape
(``\u202e``) in the terminal, so a TA can see that something was there, and dropped
in CSV and JSON, where the text may be re-used.
"""

from __future__ import annotations

import re
import unicodedata

from rich.markup import escape as _rich_escape

_ELLIPSIS = "…"

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (up to BEL
# or ESC \ or the end of the text), then any other two-byte ESC sequence; plus the 8-bit
# C1 forms (CSI U+009B, OSC U+009D, ...) that some terminals also honour.
_ANSI = re.compile(
    r"""
    (?:\x1b\[|\x9b) [0-?]* [ -/]* [@-~]?          # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])       # OSC, DCS, SOS, PM, APC
    [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)?        # ... up to BEL / ST / end
  | \x1b [ -/]* [0-~]?                            # any other escape sequence
    """,
    re.VERBOSE,
)

# Characters that are invisible or that change how neighbouring text is displayed, named
# explicitly even when their Unicode category already covers them (documentation).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u180e\u00ad")
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_FORMULA_START = frozenset("=+-@\t\r\n|＝＋－＠")


def _is_hidden(ch: str, unassigned: bool = False) -> bool:
    """Whether ``ch`` is a control, format, bidi or zero-width character.

    With ``unassigned``, code points this Python's Unicode tables do not know count too:
    a terminal might draw them as anything (a newer format character, say).
    """
    if ch in _BIDI or ch in _ZERO_WIDTH:
        return True
    category = unicodedata.category(ch)
    return category in _BAD_CATEGORIES or (unassigned and category == "Cn")


def _visible_escape(ch: str) -> str:
    r"""``\x1b`` / ``\u202e`` / ``\U000e0001`` for a hidden character."""
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def strip_ansi(text: str) -> str:
    """Remove terminal escape sequences (colours, cursor moves, OSC 8 hyperlinks)."""
    return _ANSI.sub("", text)


def terminal_safe(text: str, max_len: int = 200) -> str:
    r"""Student text made safe to print on a terminal or inside rich markup.

    Escape sequences are removed; tabs, line breaks and other spaces become plain spaces
    (a report cell is one line); every other control, bidi, zero-width or unassigned
    character is shown as a visible ``\uXXXX`` escape; rich markup is escaped so
    ``[red]`` prints literally; text longer than ``max_len`` characters is cut and ends
    with ``…``.

    Args:
        text: Untrusted text (anything ``str()`` accepts is converted first).
        max_len: The longest result in displayed characters; ``0`` or less means no limit.

    Returns:
        Text that renders exactly as it reads, safe to embed in rich markup.
    """
    text = str(text)
    limit = max_len if max_len > 0 else len(text) + 1
    # Bound the work on huge inputs: escapes never shrink below zero width, so a cut at
    # 8x the limit still leaves enough text to fill ``limit`` characters in practice.
    cut = len(text) > limit * 8 + 64
    if cut:
        text = text[: limit * 8 + 64]
    text = strip_ansi(text)
    pieces: list[str] = []
    width = 0
    for ch in text:
        if ch in "\t\n\r\v\f" or (ch != " " and unicodedata.category(ch) == "Zs"):
            piece = " "  # odd spaces (NBSP from a PDF) display as a space anyway
        elif _is_hidden(ch, unassigned=True):
            piece = _visible_escape(ch)
        else:
            piece = ch
        pieces.append(piece)
        width += len(piece)
        if width > limit:
            cut = True
            break
    out = "".join(pieces)
    if cut:
        out = out[: limit - 1] + _ELLIPSIS
    return _rich_escape(out)


def _drop_hidden(text: str, keep: str = "") -> str:
    """Remove escape sequences and hidden characters, keeping those listed in ``keep``."""
    text = strip_ansi(str(text))
    return "".join(ch for ch in text if ch in keep or not _is_hidden(ch))


def csv_safe(text: str) -> str:
    """A cell value that a spreadsheet shows as text and never evaluates.

    Control and bidi characters are dropped (tabs and line breaks become spaces). A cell
    whose first non-blank character could start a formula (``= + - @ |``, also in
    fullwidth) gets a leading apostrophe, which Excel, LibreOffice and Google Sheets
    treat as "this is text" (OWASP CSV injection advice). A plain number such as ``-3``,
    ``+2`` or ``-0.5e-3`` is left alone: it is a score or an answer, and a spreadsheet
    reads it as the same number. Anything more (``-2+3``, ``-3/4``) is a formula to a
    spreadsheet, so it is quoted: the apostrophe is visible but harmless.

    Args:
        text: Untrusted text.

    Returns:
        The cell value; the csv module's own quoting handles commas and quotes.
    """
    text = str(text)
    for ch in "\t\r\n\v\f":
        text = text.replace(ch, " ")
    text = _drop_hidden(text)
    stripped = text.strip()
    if not stripped or _NUMBER.fullmatch(stripped):
        return text
    if stripped[0] in _FORMULA_START:
        return "'" + text
    return text


def json_safe(text: str) -> str:
    """Text for JSON reports: escapes, control, bidi and zero-width characters dropped.

    ``json.dumps`` escapes control characters but keeps them, so a viewer that renders
    the JSON could still be spoofed; lone surrogates would make the report file fail to
    encode as UTF-8, aborting the writer. Tabs and line breaks are kept: JSON escapes
    them and multi-line answers are legitimate.

    Args:
        text: Untrusted text.

    Returns:
        The text without escape sequences or hidden characters.
    """
    return _drop_hidden(text, keep="\t\n")


__all__ = ["csv_safe", "json_safe", "strip_ansi", "terminal_safe"]
