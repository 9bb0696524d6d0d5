"""Shared test helpers: the shipped profile and writing small project files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from corpus.edits import toml_text

from lifecircle.project import Profile, load_profile


@pytest.fixture(scope="session")
def profile() -> Profile:
    """The shipped default profile (maanshan-2025)."""
    return load_profile()


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[..., Path]:
    """Write ``project.toml`` in ``tmp_path`` from nested dicts and return its path."""

    def write(layers: Mapping[str, Any], **project: Any) -> Path:
        data: dict[str, Any] = {"project": {"name": "test", **project}, "layers": dict(layers)}
        path = tmp_path / "project.toml"
        path.write_text(toml_text(data), encoding="utf-8")
        return path

    return write
