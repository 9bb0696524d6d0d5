"""Reading TOML files (project files and profiles) and checking value types."""

from __future__ import annotations

import copy
import hashlib
import math
import threading
import tomllib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from lifecircle.errors import Problem, ProjectError, notice
from lifecircle.i18n import both, listed, t

T = TypeVar("T")

TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "a table"}


TYPE_NAMES_ZH = {str: "字符串", int: "整数", float: "数值", bool: "true 或 false",
                 list: "列表", dict: "表"}


def type_pair(t: Any) -> tuple[str, str]:
    """:func:`type_name` in Chinese and English (a catalogue placeholder value)."""
    types = t if isinstance(t, tuple) else (t,)
    if set(types) == {int, float}:
        return "数值", "a number"
    zh = " 或 ".join(TYPE_NAMES_ZH.get(x, getattr(x, "__name__", str(x))) for x in types)
    return zh, type_name(t)


def type_name(t: Any) -> str:
    """How an error message names the expected type ``t`` (a type or a tuple of types)."""
    if isinstance(t, tuple):
        if set(t) == {int, float}:
            return "a number"
        return " or ".join(TYPE_NAMES.get(x, x.__name__) for x in t)
    return TYPE_NAMES.get(t, getattr(t, "__name__", str(t)))


def is_type(value: Any, t: Any) -> bool:
    """``isinstance`` for TOML values, where ``true`` is not a number."""
    types = t if isinstance(t, tuple) else (t,)
    if isinstance(value, bool) and bool not in types:
        return False
    return isinstance(value, types)



def range_problem(where: str, value: float, lo: float, hi: float, lo_open: bool,
                  what: tuple[str, str]) -> Problem | None:
    """A problem when ``value`` is not finite or outside [lo, hi] ((lo, hi] if open).

    ``what`` names the number (zh, en) for the fix: "give <what>".
    """
    ok = math.isfinite(value) and (value > lo if lo_open else value >= lo) and value <= hi
    if ok:
        return None
    return Problem.of(where, "err.number_above" if lo_open else "err.number_range",
                      lo=f"{lo:g}", hi=f"{hi:g}", value=value, what=what)


def read_toml(path: Path, error_where: str) -> dict[str, Any]:
    """Parse a UTF-8 TOML file; every failure is a one-line ProjectError with the fix.

    Only a regular file of at most :data:`lifecircle.limits.MAX_TOML_BYTES` is read (a
    FIFO or ``/dev/zero`` is refused at once). The file is read every time; its parse is
    cached by content (:func:`parse_toml`), and the caller gets its own copy.
    """
    return parse_toml(read_toml_bytes(path, error_where), path, error_where)


def _what(error_where: str) -> tuple[str, str]:
    return ("项目文件", "project file") if error_where == "project file" else \
        ("标准配置文件", "profile")


def read_toml_bytes(path: Path, error_where: str) -> bytes:
    """The bytes of a TOML file (see :func:`read_toml`), unparsed.

    Raises
    ------
    ProjectError
        Missing, a folder, unreadable, not a regular file or too large.
    """
    from lifecircle.limits import MAX_TOML_BYTES, read_capped

    what = _what(error_where)
    try:
        return read_capped(path, MAX_TOML_BYTES, what, ProjectError)
    except FileNotFoundError:
        raise notice(ProjectError, "err.toml.not_found", path=path) from None
    except IsADirectoryError:
        names = sorted(p.name for p in path.glob("*.toml"))[:5]
        hint = both(lambda lang: t("sep.paren", lang, text=listed(names, lang))) \
            if names else ""
        raise notice(ProjectError, "err.toml.folder", path=path, what=what,
                     hint=hint) from None
    except OSError as e:
        raise notice(ProjectError, "err.toml.unreadable", path=path,
                     reason=e.strerror) from e


def content_key(raw: bytes) -> bytes:
    """A cache key standing for a file's whole content (its SHA-256 digest)."""
    return hashlib.sha256(raw).digest()


class ContentCache:
    """A small least-recently-used cache of values made from file contents.

    Keys name the content (:func:`content_key`, with the path where the value depends on
    it), never hold it; a value is made once per key. Values are handed out as deep copies
    (:meth:`get`), so what one caller changes never reaches the next.

    Parameters
    ----------
    size
        Most values kept.
    """

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """A deep copy of the value of ``key``, made by ``make()`` on the first call.

        An exception of ``make`` propagates and nothing is cached.
        """
        with self._lock:
            hit = key in self._values
            if hit:
                self._values.move_to_end(key)
                value = self._values[key]
        if not hit:
            value = make()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self._size:
                    self._values.popitem(last=False)
        return copy.deepcopy(value)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._values.clear()


_PARSED = ContentCache()


def parse_toml(raw: bytes, path: Path, error_where: str) -> dict[str, Any]:
    """The TOML document in ``raw`` (the bytes of ``path``), as a fresh dict.

    Parsing is cached by content (:class:`ContentCache`): the same bytes (the shipped
    profile, a project file loaded again) are parsed once per process, and every call
    returns its own copy.

    Raises
    ------
    ProjectError
        Not UTF-8, or not valid TOML (with the line and column).
    """
    try:
        return _PARSED.get(content_key(raw),
                           lambda: tomllib.loads(raw.decode("utf-8-sig")))
    except UnicodeDecodeError as e:
        raise notice(ProjectError, "err.toml.not_utf8", path=path, byte=e.start,
                     what=_what(error_where)) from None
    except tomllib.TOMLDecodeError as e:
        raise notice(ProjectError, "err.toml.syntax", path=path, reason=_syntax(e)) from None


def _syntax(e: tomllib.TOMLDecodeError) -> tuple[str, str]:
    """tomllib's message with its line and column in Chinese and English."""
    msg = str(e)
    lineno, colno = getattr(e, "lineno", None), getattr(e, "colno", None)
    if lineno is None:
        import re

        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if m is None:
            return msg, msg
        lineno, colno = int(m.group(1)), int(m.group(2))
    reason = msg.split(" (at line")[0]
    return t("toml.at", "zh", line=lineno, col=colno, reason=repr(reason)), msg
