"""Text from the data made harmless where it reaches a terminal, Markdown or a CSV file.

Names and values in user data may hold control characters and escape sequences (``ESC[2J``
clears a terminal, a bare CR overwrites a line, bidirectional overrides reorder what is
shown) or start a spreadsheet formula (``=HYPERLINK(...)``). The writers pass their text
through these helpers at the boundary; the GeoPackage keeps the data unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["csv_cell", "csv_frame", "visible", "visible_lines"]

#: C0 controls (tab and newline handled separately), DEL, C1 controls, and the invisible
#: format characters that reorder or hide text (bidi overrides/isolates, zero-width ones).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                       "\u2060-\u2069\ufeff\ufff9-\ufffb]")
_CONTROLS_ALL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                           "\u2060-\u2069\ufeff\ufff9-\ufffb]")
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?")


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: Any, *, newlines: bool = False) -> str:
    """``text`` with every control or invisible formatting character shown as an escape.

    Parameters
    ----------
    text
        Any value (converted with ``str``).
    newlines
        Keep line feeds and tabs (for multi-line messages built by the tool itself);
        otherwise they are escaped as well, so a value stays on its line.

    Examples
    --------
    >>> visible("a\\x1b[2Jb")
    'a\\\\x1b[2Jb'
    """
    s = str(text)
    return (_CONTROLS if newlines else _CONTROLS_ALL).sub(_escape, s)


def visible_lines(lines: Iterable[Any]) -> list[str]:
    """:func:`visible` applied to each line (line feeds inside a line escaped)."""
    return [visible(line) for line in lines]


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula.

    Strings lose their control characters (shown as escapes) and, when they start with
    ``=``, ``+``, ``-``, ``@``, tab or CR (or their full-width forms) and are not a plain
    number, get a leading apostrophe, as OWASP recommends. Other values pass unchanged.
    """
    if not isinstance(value, str):
        return value
    s = visible(value)
    if s.startswith(_FORMULA_START) and not _NUMBER.fullmatch(s):
        return "'" + s
    if value[:1] in ("\t", "\r", "\n"):
        return "'" + s
    return s


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`csv_cell` applied to every text cell and header."""
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = [csv_cell(v) for v in out[c]]
    out.columns = [csv_cell(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out
