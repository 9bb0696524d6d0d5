"""The one orchestrator: project -> layers -> network -> coverage -> plan -> outputs.

Nothing here prints: progress goes through the ``progress`` callback, results come back as
a :class:`RunSummary` the CLI renders.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lifecircle import project as project_mod
from lifecircle.errors import InputError
from lifecircle.project import Project

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class Analysis:
    """Everything computed for one project (the result layers of docs/contracts.md)."""

    project: Project
    layers: Any
    networks: dict[str, Any]
    demand: Any
    times: pd.DataFrame
    coverage: Any
    gaps: Any
    scorecard: pd.DataFrame
    facility_snaps: dict[tuple[str, str], Any] = field(default_factory=dict)
    plan: Any = None
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSummary:
    """What the CLI prints after a run."""

    project_name: str
    out: Path | None
    rows: list[dict[str, Any]]
    n_communities: int
    population: float
    cov_all_urban: float
    cov_all_rural: float
    proposed: list[dict[str, Any]]
    warnings: list[str]
    seconds: float
    files: list[str]

    def headline(self, lang: str) -> list[str]:
        """Lines above the table."""
        zh = lang == "zh"
        pop = f"{self.population:,.0f}"
        urban = _pct(self.cov_all_urban)
        rural = _pct(self.cov_all_rural)
        if zh:
            return [f"{self.project_name}: {self.n_communities} 个社区/村, 人口 {pop}",
                    f"全部必需服务均可达的人口比例: 城市 {urban}, 农村 {rural}"]
        return [f"{self.project_name}: {self.n_communities} communities/villages, population {pop}",
                f"population reaching every required service: urban {urban}, rural {rural}"]

    def table_rows(self, lang: str) -> list[list[str]]:
        """Coverage per category for urban and rural communities."""
        zh = lang == "zh"
        head = (["服务类别", "城市覆盖率", "农村覆盖率", "城市未覆盖人口", "农村未覆盖人口"] if zh
                else ["category", "urban covered", "rural covered", "urban uncovered",
                      "rural uncovered"])
        out = [head]
        for r in self.rows:
            out.append([r["name_zh"] if zh else r["name_en"], _pct(r["urban"]), _pct(r["rural"]),
                        _num(r["urban_uncovered"]), _num(r["rural_uncovered"])])
        return out

    def footer(self, lang: str) -> list[str]:
        """Lines below the table: proposed sites, files, warnings."""
        zh = lang == "zh"
        lines: list[str] = []
        for s in self.proposed:
            idle = (" (闲置资产)" if zh else " (idle public asset)") if s["is_idle_asset"] else ""
            lines.append((f"  新址 {s['rank']}: {s['name']}{idle}, 新覆盖 {s['new_population']:,.0f} 人"
                          if zh else
                          f"  site {s['rank']}: {s['name']}{idle}, newly covers "
                          f"{s['new_population']:,.0f} residents"))
        if lines:
            lines.insert(0, "建议新址:" if zh else "proposed sites:")
        if self.warnings:
            lines.append((f"数据警告 {len(self.warnings)} 条 (见报告)" if zh
                          else f"{len(self.warnings)} data warnings (see the report)"))
        if self.out is not None:
            lines.append((f"结果已写入 {self.out}" if zh else f"results written to {self.out}"))
            for f in self.files:
                lines.append(f"  {self.out / f}")
        lines.append((f"用时 {self.seconds:.1f} 秒" if zh else f"took {self.seconds:.1f} s"))
        return lines


def _pct(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _num(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.0f}"
