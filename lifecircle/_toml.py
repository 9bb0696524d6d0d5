"""Reading TOML files (project files and profiles) and checking value types."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from lifecircle.errors import Problem, ProjectError

TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "a list", dict: "a table"}


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
    FIFO or ``/dev/zero`` is refused at once).
    """
    from lifecircle.limits import MAX_TOML_BYTES, read_capped

    what = ("项目文件", "project file") if error_where == "project file" else \
        ("标准配置文件", "profile")
    try:
        raw = read_capped(path, MAX_TOML_BYTES, what, ProjectError)
    except FileNotFoundError:
        raise ProjectError(f"{path}: file not found; fix: check the path") from None
    except IsADirectoryError:
        names = sorted(p.name for p in path.glob("*.toml"))[:5]
        hint = f" ({', '.join(names)})" if names else ""
        raise ProjectError(f"{path}: is a folder, not a {error_where}; fix: give the .toml "
                           f"file inside it{hint}") from None
    except OSError as e:
        raise ProjectError(f"{path}: cannot read ({e.strerror}); fix: check permissions") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ProjectError(
            f"{path}: not UTF-8 text (byte {e.start}); fix: save the {error_where} as UTF-8"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ProjectError(f"{path}: TOML syntax error: {e}; fix: correct the line shown") from None

