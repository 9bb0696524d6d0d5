"""The Python API behind ``import lifecircle`` (see docs/api.md).

:func:`analyse` runs the same pipeline as ``lifecircle check`` and returns frozen
:class:`Results`; :meth:`Results.plan` proposes sites and returns new results holding the
plan; :meth:`Results.map` gives a ``folium.Map`` and :meth:`Results.write` the result
folder of ``lifecircle run``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lifecircle import pipeline
from lifecircle.project import Project

if TYPE_CHECKING:
    import folium
    import geopandas as gpd
    import pandas as pd

    from lifecircle.accessibility.coverage import Coverage
    from lifecircle.accessibility.times import TravelTimes
    from lifecircle.planner.plan import PlanResult

__all__ = ["Results", "analyse"]


@dataclass(frozen=True, eq=False)
class Results:
    """What :func:`analyse` returns: coverage, gaps, scorecard and (after :meth:`plan`) the
    proposed sites of one project.

    Attributes
    ----------
    analysis
        The pipeline's :class:`~lifecircle.pipeline.Analysis` (layers, travel times ...).
    """

    analysis: pipeline.Analysis

    @property
    def project(self) -> Project:
        """The project analysed."""
        return self.analysis.project

    @property
    def communities(self) -> gpd.GeoDataFrame:
        """The ``communities`` result layer: coverage per community (``cov_<key>``,
        ``cov_all``, ``missing`` ...), as in the GeoPackage."""
        return self.analysis.coverage.communities

    @property
    def coverage(self) -> Coverage:
        """Every coverage table (per community, township, district, kind)."""
        return self.analysis.coverage

    @property
    def gaps(self) -> gpd.GeoDataFrame:
        """The ``gaps`` layer: uncovered residents grouped into areas."""
        return self.analysis.gaps

    @property
    def scorecard(self) -> pd.DataFrame:
        """The Table-1 scorecard."""
        return self.analysis.scorecard

    @property
    def travel_times(self) -> TravelTimes:
        """Snaps per mode and minutes per demand point and category."""
        return self.analysis.travel_times

    @property
    def proposed_sites(self) -> PlanResult | None:
        """The plan made by :meth:`plan` (None before)."""
        return self.analysis.plan

    @property
    def warnings(self) -> tuple[str, ...]:
        """Data warnings, as the report lists them."""
        return self.analysis.warnings

    def plan(self, categories: Sequence[str] | None = None, sites: int | None = None, *,
             model: str | None = None, full_coverage: bool = False,
             time_limit_s: float | None = None, generate: bool | None = None,
             capacity: float | None = None, load: str | None = None,
             progress: Callable[[str], None] | None = None) -> Results:
        """Propose sites for new facilities; new results holding the plan.

        Options left as None come from the project's planner options (as for
        ``lifecircle plan``); they are checked before anything runs.

        Returns
        -------
        Results
            These results with :attr:`proposed_sites` set (this object is unchanged).
        """
        options = pipeline.planner_options(
            self.project, categories=categories, model=model, sites=sites,
            full_coverage=full_coverage, time_limit_s=time_limit_s, generate=generate,
            capacity=capacity, load=load)
        return Results(pipeline.plan_analysis(self.analysis, progress or _quiet,
                                              options=options))

    def layers(self, *, service_areas: bool = True, jobs: int | None = 1
               ) -> Mapping[str, pd.DataFrame | None]:
        """The result layers of docs/contracts.md (what the GeoPackage holds).

        GeoDataFrames for the map layers, DataFrames for the tables (summaries, scorecard,
        run_info); ``service_areas`` is None when not asked for.
        """
        return pipeline.result_layers(self.analysis, service_areas=service_areas, jobs=jobs)

    def map(self, *, service_areas: bool = True, jobs: int | None = 1) -> folium.Map:
        """The interactive map as a ``folium.Map`` (displayed inline in a notebook)."""
        from lifecircle.outputs.webmap import make_map

        return make_map(self.layers(service_areas=service_areas, jobs=jobs),
                        self.project.profile, lang=self.project.lang, title=self.project.name)

    def write(self, folder: str | Path, *, overwrite: bool = False, jobs: int | None = None
              ) -> list[str]:
        """Write the full result folder (GeoPackage, map, report, rasters) as
        ``lifecircle run`` does; returns the file names."""
        from lifecircle.outputs.resultdir import atomic_folder, reserve

        out = Path(folder)
        # every file the project read is an input (the profile and project file included)
        read = [spec.path for spec in self.project.layers.values()]
        read += [self.project.profile.path, *([self.project.path] if self.project.path else [])]
        inputs = [p for p in read if p is not None and Path(p).exists()]
        with reserve(out, overwrite=overwrite, inputs=inputs), \
                atomic_folder(out, overwrite=overwrite, inputs=inputs) as tmp:
            return pipeline.write_outputs(self.analysis, tmp, jobs=jobs)


def _quiet(_: str) -> None:
    return None


def analyse(project: Project, *, progress: Callable[[str], None] | None = None) -> Results:
    """Check every community's circles: travel times, coverage, gaps and the scorecard.

    Parameters
    ----------
    project
        From :func:`lifecircle.load_project` or :meth:`lifecircle.Project.from_layers`.
    progress
        Called with a short message at the start of each step.

    Returns
    -------
    Results
    """
    return Results(pipeline.analyse(project, progress or _quiet))
