"""Planner options are validated before any analysis starts (in-process, click's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lifecircle import pipeline, project
from lifecircle.cli import DEMO_PROJECT, main
from lifecircle.errors import InputError


@pytest.fixture
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the pipeline starts loading layers."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the analysis started before the options were checked")

    monkeypatch.setattr(pipeline, "analyse", forbidden)


@pytest.mark.parametrize(("args", "expected"), [
    (["--category", "elderly"], "--category: unknown category 'elderly'"),
    (["--category", "bogus", "--category", "health"], "unknown category 'bogus'"),
    (["--category", "health", "--category", "health"], "--category: listed twice"),
    (["--category", "bogus", "--category", "bogus"], "2 problems"),
])
def test_bad_plan_options_fail_before_the_analysis(no_analysis: None, tmp_path: Path,
                                                   args: list[str], expected: str) -> None:
    out = tmp_path / "result"
    result = CliRunner().invoke(main, ["--lang", "en", "plan", str(DEMO_PROJECT), "-o",
                                       str(out), *args])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "fix:" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_the_closest_catalogue_key_is_suggested(no_analysis: None) -> None:
    opts = project.load(DEMO_PROJECT)
    with pytest.raises(InputError, match=r"such as 'elderly_care'"):
        pipeline.planner_options(opts, categories=["elderly_car"])
    # valid options pass and keep the project's other values
    ok = pipeline.planner_options(opts, categories=["health"], sites=2)
    assert ok.categories == ("health",) and ok.sites == 2
    assert ok.candidate_spacing_m == opts.planner.candidate_spacing_m
    assert pipeline.planner_options(opts, full_coverage=True).sites is None
