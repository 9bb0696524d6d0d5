"""Shared test helpers: the shipped profile, writing small project files, the bad-input
corpus' valid base project and its checked result (made once for all test workers)."""

from __future__ import annotations

import ast
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from corpus.edits import toml_text

from lifecircle.project import Profile, load_profile


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str,
                  make: Callable[[Path], object]) -> Path:
    """A folder made once per test session and shared by every xdist worker: the first
    worker to ask calls ``make(folder)`` under a file lock; the others wait for it and reuse
    the folder. Only for read-only artefacts (users copy what they change).

    Without xdist it lives in the session's own temporary folder; with it, beside the
    workers' (``getbasetemp().parent``, one per session).
    """
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            if folder.exists():  # a worker that failed half-way: start again
                shutil.rmtree(folder)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def corpus_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus' valid base project: the demo generator's region at scale 0.1, built once
    for all workers (every user copies it; nothing writes into it)."""
    from corpus import make_corpus as mc

    folder = shared_folder(tmp_path_factory, "corpus", lambda f: mc.build_base(f / "base"))
    return folder / "base"


@pytest.fixture(scope="session")
def small_region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project file of ``write_demo(generate(seed=7, scale=0.1))``, the small generated
    region, written once for all workers; read-only (a test that changes a file copies the
    folder or writes its own)."""
    from lifecircle.data.synthetic import generate, write_demo

    folder = shared_folder(tmp_path_factory, "small-region",
                           lambda f: write_demo(generate(seed=7, scale=0.1), f / "region"))
    return folder / "region" / "project.toml"


@pytest.fixture(scope="session")
def corpus_base_check(corpus_base: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``lifecircle --lang en check`` on the unbroken base project (the corpus' command, run
    once for all workers): its :class:`~corpus.cases.Outcome`, whose result folder is
    read-only (the corpus compares repaired cases with it; the interrupt tests copy it)."""
    from corpus import make_corpus as mc
    from corpus.cases import Case, Outcome

    case = Case("base", "", "the unbroken base project", exit=0)

    def make(folder: Path) -> None:
        o = mc.run(case, mc.prepare(case, corpus_base, folder))
        (folder / "outcome.json").write_text(json.dumps(
            {"out": str(o.out.relative_to(folder)), "returncode": o.returncode,
             "stdout": o.stdout, "stderr": o.stderr, "seconds": o.seconds}), encoding="utf-8")

    folder = shared_folder(tmp_path_factory, "corpus-base-run", make)
    saved = json.loads((folder / "outcome.json").read_text(encoding="utf-8"))
    return Outcome(folder, folder / saved["out"], saved["returncode"], saved["stdout"],
                   saved["stderr"], saved["seconds"])


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
