"""Shared test helpers: the shipped profile and writing small project files."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from lifecircle.project import Profile, load_profile


@pytest.fixture(scope="session")
def profile() -> Profile:
    """The shipped default profile (maanshan-2025)."""
    return load_profile()


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def toml_text(data: Mapping[str, Any], prefix: str = "") -> str:
    """Serialise nested dicts of scalars to TOML (enough for project files in tests)."""
    scalars = [(k, v) for k, v in data.items() if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in data.items() if isinstance(v, Mapping)]
    out = []
    if prefix and scalars:
        out.append(f"[{prefix}]")
    for k, v in scalars:
        out.append(f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}")
    for k, v in tables:
        key = json.dumps(k, ensure_ascii=False)
        out.append(toml_text(v, f"{prefix}.{key}" if prefix else key))
    return "\n".join(out) + "\n"


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[..., Path]:
    """Write ``project.toml`` in ``tmp_path`` from nested dicts and return its path."""

    def write(layers: Mapping[str, Any], **project: Any) -> Path:
        data: dict[str, Any] = {"project": {"name": "test", **project}, "layers": dict(layers)}
        path = tmp_path / "project.toml"
        path.write_text(toml_text(data), encoding="utf-8")
        return path

    return write
