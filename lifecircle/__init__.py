"""lifecircle: check and plan Chinese community life circles (社区生活圈).

The public API (docs/api.md)::

    import lifecircle

    project = lifecircle.load_project("project.toml")     # or Project.from_layers(...)
    results = lifecircle.analyse(project)
    results.communities                                    # coverage per community
    planned = results.plan(categories=["elderly_care"], sites=3)
    planned.map()                                          # a folium.Map

Heavy modules load on first use, so ``lifecircle --help`` stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lifecircle import errors

__version__ = "0.1.0"

if TYPE_CHECKING:
    from collections.abc import Callable

    from lifecircle.api import Results
    from lifecircle.project import Project

__all__ = ["Project", "Results", "__version__", "analyse", "errors", "load_project"]


def load_project(path: str | Path) -> Project:
    """Load and validate a project file (TOML); every problem reported at once.

    Raises
    ------
    ProjectError
        Each problem with its key path and the fix.
    """
    from lifecircle.project import load

    return load(path)


def analyse(project: Project, *, progress: Callable[[str], None] | None = None) -> Results:
    """Check every community's circles: travel times, coverage, gaps and the scorecard.

    See :func:`lifecircle.api.analyse`.
    """
    from lifecircle.api import analyse as _analyse

    return _analyse(project, progress=progress)


def __getattr__(name: str) -> Any:
    if name == "Project":
        from lifecircle.project import Project

        return Project
    if name == "Results":
        from lifecircle.api import Results

        return Results
    raise AttributeError(f"module 'lifecircle' has no attribute {name!r}")
