"""Shared test helpers: the shipped profile, writing small project files and the bad-input
corpus' valid base project."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from corpus.edits import toml_text

from lifecircle.project import Profile, load_profile


@pytest.fixture(scope="session")
def corpus_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus' valid base project: the demo generator's region at scale 0.1, built once
    per worker (every user copies it; nothing writes into it)."""
    from corpus import make_corpus as mc

    base = tmp_path_factory.mktemp("corpus") / "base"
    mc.build_base(base)
    return base


@pytest.fixture(scope="session")
def package_sources() -> dict[Path, tuple[str, ast.Module]]:
    """Every ``lifecircle/**/*.py`` file (sorted by path) -> (its text, its syntax tree):
    read and parsed once per worker for the static tests (layout, catalogue); read-only."""
    root = Path(__file__).parents[1] / "lifecircle"
    out = {}
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        out[path] = (text, ast.parse(text, filename=str(path)))
    return out


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
