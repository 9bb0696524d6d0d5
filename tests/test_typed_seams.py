"""What crosses a module boundary is typed and frozen (docs/contracts.md): no public
function of the orchestrator, the API, the writers or the planner takes or returns ``Any``
for a profile, layers, an analysis or a result, and the results are frozen dataclasses."""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest

MODULES = ["lifecircle.api", "lifecircle.pipeline", "lifecircle.outputs.compare",
           "lifecircle.outputs.document", "lifecircle.outputs.gpkg",
           "lifecircle.outputs.qgis_project", "lifecircle.outputs.qgis_style",
           "lifecircle.outputs.report", "lifecircle.outputs.sections",
           "lifecircle.outputs.webmap", "lifecircle.planner.plan", "lifecircle.planner.models"]
#: Parameters that carry a profile, layers or a result across the seam.
SEAM_PARAMS = {"profile", "layers", "analysis", "project", "results", "problem", "solution",
               "doc", "c", "m", "communities", "demand", "scorecard", "travel_times"}
RESULTS = [("lifecircle.api", "Results"), ("lifecircle.pipeline", "Analysis"),
           ("lifecircle.pipeline", "RunSummary"), ("lifecircle.pipeline", "CategoryCoverage"),
           ("lifecircle.pipeline", "ProposedSite"), ("lifecircle.planner.plan", "PlanResult"),
           ("lifecircle.planner.plan", "SiteMatrices"),
           ("lifecircle.planner.models", "CoverageProblem"),
           ("lifecircle.planner.models", "CostProblem"),
           ("lifecircle.planner.solve", "Solution"), ("lifecircle.outputs.compare", "Comparison"),
           *[("lifecircle.outputs.document", n) for n in
             ("Document", "Heading", "Paragraph", "Bullets", "Table", "Cell", "Facts",
              "Figure", "Legend", "Links", "Section")]]


def _public_functions(module: str) -> list[tuple[str, object]]:
    mod = importlib.import_module(module)
    out = []
    for name, obj in vars(mod).items():
        if name.startswith("_") or getattr(obj, "__module__", None) != module:
            continue
        if inspect.isfunction(obj):
            out.append((name, obj))
        elif inspect.isclass(obj):
            out += [(f"{name}.{k}", f) for k, f in vars(obj).items()
                    if inspect.isfunction(f) and not k.startswith("_")]
    return out


@pytest.mark.parametrize("module", MODULES)
def test_no_any_at_a_seam(module: str) -> None:
    found = _public_functions(module)
    assert found, module
    bad = []
    for name, func in found:
        sig = inspect.signature(func)  # annotations are strings (PEP 563)
        if "Any" in str(sig.return_annotation).replace("Mapping[str, Any]", ""):
            bad.append(f"{name} -> {sig.return_annotation}")
        for p in sig.parameters.values():
            if p.name in SEAM_PARAMS and "Any" in str(p.annotation):
                bad.append(f"{name}({p.name}: {p.annotation})")
    assert not bad, bad


@pytest.mark.parametrize(("module", "name"), RESULTS)
def test_results_are_frozen_dataclasses(module: str, name: str) -> None:
    cls = getattr(importlib.import_module(module), name)
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen, name
    hints = {f.name: f.type for f in dataclasses.fields(cls)}
    assert all(t != "Any" for t in hints.values()), hints
