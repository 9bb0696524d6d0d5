"""Command line of lifecircle: parses, calls the pipeline, prints. No analysis logic.

Exit codes: 0 success, 2 bad input or usage (one line naming the file, layer, field, row
or value and the fix; ``--verbose`` shows the traceback), 1 internal error, 130 interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from lifecircle import __version__, i18n
from lifecircle.errors import LifecircleError
from lifecircle.safetext import visible

DEMO_PROJECT = Path(__file__).parent / "data" / "demo" / "project.toml"


class _State:
    def __init__(self, lang: str, verbose: bool, quiet: bool, explicit: bool = False) -> None:
        self.lang = lang
        self.verbose = verbose
        self.quiet = quiet
        #: the language was chosen with --lang or LIFECIRCLE_LANG (else a project's applies)
        self.explicit = explicit

    def t(self, key: str, **values: Any) -> str:
        """Catalogue text ``key`` in the run's language."""
        return i18n.t(key, self.lang, **values)


def _console(state: _State, stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, quiet=state.quiet and not stderr, highlight=False,
                   soft_wrap=True)


class _Terminated(BaseException):
    """Raised by the SIGTERM handler so every ``finally`` cleans up as for Ctrl-C."""


@contextmanager
def _handled(state: _State) -> Iterator[None]:
    """Turn lifecircle errors into one-line messages and exit code 2."""
    def on_signal(signum: int, frame: Any) -> None:
        # The first Ctrl-C or SIGTERM ignores both before anything else runs, so a second
        # one can never raise again while the first unwinds (contextlib's __exit__, the
        # cleanup below, click, interpreter shutdown): the exit stays 130. A second signal
        # that trips before these calls runs this handler nested; it too ignores and raises.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt() if signum == signal.SIGINT else _Terminated()

    # a signal already ignored (started with nohup or in the background) stays ignored
    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)
           if signal.getsignal(s) is not signal.SIG_IGN}
    from rich.markup import escape

    err = _console(state, stderr=True)
    try:
        yield
    except LifecircleError as e:
        if state.verbose:
            traceback.print_exc()
        err.print(f"[bold red]{state.t('cli.error')}[/]"
                  f"{escape(visible(e.render(state.lang), newlines=True))}", markup=True,
                  highlight=False, emoji=False)
        sys.exit(2)
    except (KeyboardInterrupt, _Terminated):
        # on_signal has ignored both signals already; a KeyboardInterrupt raised otherwise
        # (e.g. from a library) gets the same treatment
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        err.print(state.t("cli.interrupted"))
        sys.exit(130)
    except OSError as e:
        if state.verbose:
            traceback.print_exc()
        reason = visible(e.strerror or e)
        text = (state.t("cli.os_error", where=visible(e.filename), reason=reason)
                if getattr(e, "filename", None) else state.t("cli.os_error_any", reason=reason))
        err.print(f"[bold red]{state.t('cli.error')}[/]" + escape(text),
                  markup=True, highlight=False, emoji=False)
        sys.exit(2)
    except (click.exceptions.Exit, click.ClickException):
        raise
    except Exception as e:
        if state.verbose:
            traceback.print_exc()
        err.print(f"[bold red]{state.t('cli.internal')}[/]"
                  + escape(state.t("cli.internal_text", kind=type(e).__name__,
                                   text=visible(e, newlines=True))),
                  markup=True, highlight=False, emoji=False)
        sys.exit(1)
    finally:
        for s, handler in old.items():
            if signal.getsignal(s) is not signal.SIG_IGN:  # interrupted: stay ignored
                signal.signal(s, handler)


@contextmanager
def _progress(state: _State) -> Iterator[Callable[[str], None]]:
    """A step reporter for the pipeline.

    On a terminal: a spinner with the running step and its elapsed time, and a line with
    the duration of each finished step. Otherwise (pipes, logs): one line per step as it
    starts. Nothing with ``--quiet``.
    """
    from rich.markup import escape

    out = _console(state, stderr=True)
    if state.quiet:
        yield lambda message: None
        return
    if not out.is_terminal:
        yield lambda message: out.print(f"[dim]·[/] {escape(visible(message))}", markup=True,
                                        highlight=False, emoji=False)
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    current: list[Any] = [None, 0.0]

    def finish(bar: Progress) -> None:
        if current[0] is not None:
            took = time.perf_counter() - current[1]
            bar.console.print(f"[green]✓[/] {escape(visible(current[0]))} "
                              f"[dim]({took:.1f} s)[/]",
                              markup=True, highlight=False, emoji=False)

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=out, transient=True) as bar:
        task = bar.add_task("", total=None)

        def report(message: str) -> None:
            finish(bar)
            current[:] = [message, time.perf_counter()]
            bar.update(task, description=escape(visible(message)))

        try:
            yield report
        finally:
            finish(bar)


lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                           help="Language of messages, map and report (default zh).")
out_option = click.option("-o", "--out", "out", type=click.Path(path_type=Path), required=True,
                          help="Result folder to write.")
overwrite_option = click.option("--overwrite", is_flag=True,
                                help="Replace an existing output (result folder or file).")
jobs_option = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                           help="Worker processes for per-category work (default: every "
                                "core); the results are the same for any number. With "
                                "--scheduler local: the number of local workers.")
areas_option = click.option("--service-areas", "service_areas", is_flag=True,
                            help="Also draw the service-area polygons into the GeoPackage "
                                 "(display only; `run` always does).")
cluster_options = [
    click.option("--scheduler", default=None, metavar="local[:N]|tcp://HOST:PORT",
                 help="Build and search the road networks on a Dask cluster, partition by "
                      "partition, with the same results: local[:N] starts N local worker "
                      "processes, tcp://HOST:PORT joins a running `dask scheduler` "
                      "(pip install 'lifecircle[dask]'; docs/distributed.md)."),
    click.option("--partition-by", "partition_by", type=click.Choice(["district", "township"]),
                 default="district", show_default=True,
                 help="With --scheduler: one partition per district (county) or township."),
]


def _cluster_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(cluster_options):
        f = option(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lifecircle")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors (for scripts).")
@lang_option
@click.pass_context
def main(ctx: click.Context, verbose: bool, quiet: bool, lang: str | None) -> None:
    """lifecircle: check and plan community life circles (社区生活圈).

    \b
    Example:
        lifecircle inspect communities.shp
        lifecircle init communities.shp facilities.gpkg roads.shp -o project.toml
        lifecircle run project.toml -o result
    """
    env = os.environ.get("LIFECIRCLE_LANG")
    ctx.obj = _State(lang or env or "zh", verbose, quiet, explicit=bool(lang or env))


def _state(ctx: click.Context, lang: str | None) -> _State:
    state: _State = ctx.obj
    if lang:
        state.lang = lang
        state.explicit = True
    return state


def _project_lang(state: _State, project_path: Path) -> None:
    """Use the project file's ``[project] lang`` unless a language was chosen explicitly."""
    if state.explicit:
        return
    from lifecircle._toml import read_toml

    try:  # bounded: a FIFO, /dev/zero or a huge file is refused, never read here
        data = read_toml(Path(project_path), "project file")
    except (OSError, LifecircleError):
        return  # the project loader reports the problem in the default language
    head = data.get("project")
    lang = head.get("lang") if isinstance(head, dict) else None
    if lang in ("zh", "en"):
        state.lang = lang


profile_option = click.option(
    "--profile", "profile_name", default=None,
    help="Standards profile: a shipped name (see `lifecircle profile list`), a profile TOML "
         "file, or a project file whose profile to use (default maanshan-2025).")


def _load_profile(name: str | None) -> Any:
    """A profile by shipped name or path, or the profile a project file names."""
    from lifecircle import project as prj

    if name is None:
        return prj.load_profile()
    path = Path(name)
    if path.suffix.lower() == ".toml" and path.is_file():
        import tomllib

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError):
            data = {}
        if isinstance(data.get("project"), dict) or isinstance(data.get("layers"), dict):
            return prj.load(path).profile
    return prj.load_profile(name, base=Path.cwd())


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@profile_option
@lang_option
@click.pass_context
def inspect(ctx: click.Context, path: Path, profile_name: str | None, lang: str | None) -> None:
    """Show the layers, CRS, fields, encoding and problems of a data file.

    \b
    Example:
        lifecircle inspect 社区.shp
        lifecircle inspect 设施.csv --profile project.toml
    """
    state = _state(ctx, lang)
    with _handled(state):
        from lifecircle.layers.inspect import check_reports, format_reports, inspect_path

        if not path.exists():
            raise click.BadParameter(state.t("cli.no_path", path=path),
                                     param_hint="PATH")
        reports = inspect_path(path, profile=_load_profile(profile_name), lang=state.lang)
        out = _console(state)
        for line in format_reports(reports, lang=state.lang):
            out.print(visible(line), markup=False, highlight=False, emoji=False)
        check_reports(path, reports)  # exit 2 when a file cannot be opened


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=Path("project.toml"),
              show_default=True, help="Project file to write.")
@overwrite_option
@profile_option
@lang_option
@click.pass_context
def init(ctx: click.Context, paths: tuple[Path, ...], out: Path, overwrite: bool,
         profile_name: str | None, lang: str | None) -> None:
    """Write a project file from the given layers by recognising their fields.

    What cannot be recognised is left as a `# TODO` line in the file.

    \b
    Example:
        lifecircle init 社区.shp 设施.gpkg 道路.shp 人口.tif -o project.toml
    """
    state = _state(ctx, lang)
    with _handled(state):
        from lifecircle.layers.init import check_out, init_project

        for p in paths:
            if not p.exists():
                raise click.BadParameter(state.t("cli.no_path", path=p),
                                         param_hint="PATHS")
        check_out(out, paths, overwrite=overwrite)
        text = init_project(list(paths), out, lang=state.lang,
                            profile=_load_profile(profile_name))
        todo = text.count("TODO")
        _console(state).print(state.t("cli.init_written", out=out, n=todo),
                              markup=False, highlight=False)


@main.group()
def profile() -> None:
    """List, show and export standards profiles (circles, modes, categories, indicators).

    \b
    Example:
        lifecircle profile list
        lifecircle profile show maanshan-2025
        lifecircle profile export maanshan-2025 -o my-profile.toml
    """


@profile.command("list")
@lang_option
@click.pass_context
def profile_list(ctx: click.Context, lang: str | None) -> None:
    """List the shipped profiles."""
    state = _state(ctx, lang)
    with _handled(state):
        from lifecircle import project as prj

        out = _console(state)
        for path in sorted(prj.PROFILES_DIR.glob("*.toml")):
            p = prj.load_profile(path.stem)
            name = p.name(state.lang)
            out.print(f"{path.stem}  {name}  " + state.t(
                "cli.profile_counts", circles=len(p.circles), categories=len(p.categories)),
                markup=False, highlight=False, emoji=False)


@profile.command("show")
@click.argument("name", default="maanshan-2025")
@lang_option
@click.pass_context
def profile_show(ctx: click.Context, name: str, lang: str | None) -> None:
    """Show a profile's circles, modes and categories (with every name a layer may use).

    NAME is a shipped profile, a profile TOML file or a project file.
    """
    state = _state(ctx, lang)
    with _handled(state):
        p = _load_profile(name)
        out = _console(state)
        lines = [f"{p.key}: {p.name(state.lang)}", f"  {p.path}", "",
                 state.t("cli.profile_circles")]
        for c in p.circles.values():
            mode = p.modes.get(c.mode)
            mname = mode.name(state.lang) if mode else c.mode
            speed = f", {mode.speed_kmh:g} km/h" if mode else ""
            lines.append(f"  {c.key}: {c.name(state.lang)} — {c.minutes:g} "
                         + state.t("cli.profile_circle", mode=mname, speed=speed))
        lines += ["", state.t("cli.profile_modes")]
        for m in p.modes.values():
            banned = i18n.listed([i18n.t(f"road.{x}", state.lang)
                                  for x in sorted(m.forbidden_classes)], state.lang) or "-"
            lines.append(f"  {m.key}: {m.name(state.lang)} {m.speed_kmh:g} km/h; "
                         + state.t("cli.profile_banned", classes=banned))
        lines += ["", state.t("cli.profile_categories")]
        for c in p.categories.values():
            names = i18n.listed([c.name_zh, c.name_en, *c.aliases], state.lang)
            circles = i18n.listed(c.circles, state.lang) or "-"
            lines.append(f"  {c.key}: {names}  [{circles}]")
        for line in lines:
            out.print(line, markup=False, highlight=False, emoji=False)


@profile.command("export")
@click.argument("name")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), required=True,
              help="Profile TOML file to write (edit it, then set profile = \"<file>\").")
@overwrite_option
@lang_option
@click.pass_context
def profile_export(ctx: click.Context, name: str, out: Path, overwrite: bool,
                   lang: str | None) -> None:
    """Copy a profile (with its comments) to a file to edit.

    \b
    Example:
        lifecircle profile export maanshan-2025 -o my-profile.toml
        # then in project.toml: [project] profile = "my-profile.toml"
    """
    state = _state(ctx, lang)
    with _handled(state):
        p = _load_profile(name)
        if out.exists() and not overwrite:
            raise click.BadParameter(state.t("cli.exists", out=out),
                                     param_hint="--out")
        data = Path(p.path).read_bytes()
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
        _console(state).print(state.t("cli.profile_written", out=out), markup=False,
                              highlight=False)


def _print_summary(state: _State, summary: Any) -> None:
    from rich.table import Table

    out = _console(state)
    from rich.markup import escape
    from rich.text import Text

    # names come from the data and the profile: control characters are shown, not run
    for line in summary.headline(state.lang):
        out.print(visible(line), markup=False, highlight=False, emoji=False)
    rows = summary.table_rows(state.lang)
    if rows:
        table = Table(*(escape(visible(h)) for h in rows[0]), show_lines=False)
        for row in rows[1:]:
            table.add_row(*(Text(visible(c)) for c in row))
        out.print(table)
    for line in summary.footer(state.lang):
        out.print(visible(line), markup=False, highlight=False, emoji=False)


def _run(state: _State, project_path: Path, out: Path | None, overwrite: bool,
         steps: tuple[str, ...], **plan: Any) -> None:
    from lifecircle import pipeline
    from lifecircle.memory import reuse_freed_memory

    _project_lang(state, project_path)
    reuse_freed_memory()  # large arrays reuse freed heap instead of fresh kernel pages
    with _handled(state):
        with _progress(state) as progress:
            summary = pipeline.run(project_path, out, overwrite=overwrite, lang=state.lang,
                                   steps=steps, progress=progress, **plan)
        _print_summary(state, summary)


@main.command()
@click.argument("project", type=click.Path(path_type=Path))
@out_option
@overwrite_option
@jobs_option
@areas_option
@_cluster_options
@lang_option
@click.pass_context
def check(ctx: click.Context, project: Path, out: Path, overwrite: bool, lang: str | None,
          jobs: int | None, service_areas: bool, **cluster: Any) -> None:
    """Check the 15-minute urban and 30-minute rural circles; write coverage and scorecard.

    Writes the GeoPackage (coverage, gaps, scorecard) and CSV tables; the display-only
    service areas with --service-areas, the map, report and rasters with `run`.

    \b
    Example:
        lifecircle check project.toml -o result
        lifecircle check province.toml -o result --scheduler tcp://10.0.0.5:8786
    """
    _run(_state(ctx, lang), project, out, overwrite, ("check",), jobs=jobs,
         service_areas=service_areas, **cluster)


plan_options = [
    click.option("--category", "categories", multiple=True,
                 help="Category to plan for: key, Chinese name or alias (repeat for joint "
                      "siting), e.g. elderly_care or 养老服务站."),
    click.option("--sites", type=click.IntRange(min=1), default=None,
                 help="Number of new sites (maximal covering / p-median)."),
    click.option("--full-coverage", is_flag=True,
                 help="Fewest sites that reach every reachable resident (set covering)."),
    click.option("--model", type=click.Choice(["mclp", "setcover", "pmedian"]), default=None,
                 help="Location model (default mclp, setcover with --full-coverage)."),
    click.option("--time-limit", "time_limit_s", type=click.FloatRange(min=0.1), default=None,
                 help="Solver time limit in seconds."),
    click.option("--capacity", type=click.FloatRange(min=0, min_open=True), default=None,
                 help="Residents one new site can serve (capacitated covering)."),
    click.option("--load", type=click.Choice(["population", "elderly"]), default=None,
                 help="What counts against --capacity (default population)."),
    click.option("--generate/--no-generate", "generate", default=None,
                 help="Also generate candidate sites along the roads near uncovered residents "
                      "(default: only when there is no candidates layer)."),
]


def _plan_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(plan_options):
        f = option(f)
    return f


@main.command()
@click.argument("project", type=click.Path(path_type=Path))
@out_option
@overwrite_option
@_plan_options
@jobs_option
@areas_option
@_cluster_options
@lang_option
@click.pass_context
def plan(ctx: click.Context, project: Path, out: Path, overwrite: bool, lang: str | None,
         **plan: Any) -> None:
    """Propose and rank sites for new facilities where the circles have gaps.

    \b
    Example:
        lifecircle plan project.toml --category elderly_care --sites 5 -o result
        lifecircle plan project.toml --category living_room --category elderly_care \\
            --full-coverage -o result
    """
    _run(_state(ctx, lang), project, out, overwrite, ("check", "plan"), **plan)


@main.command()
@click.argument("project", type=click.Path(path_type=Path))
@out_option
@overwrite_option
@_plan_options
@jobs_option
@_cluster_options
@lang_option
@click.pass_context
def run(ctx: click.Context, project: Path, out: Path, overwrite: bool, lang: str | None,
        **plan: Any) -> None:
    """Load, check, plan and write every output (GeoPackage, map, report, rasters).

    \b
    Example:
        lifecircle run project.toml -o result --overwrite
    """
    _run(_state(ctx, lang), project, out, overwrite, ("check", "plan", "outputs"), **plan)


@main.command()
@click.option("-o", "--out", "out", type=click.Path(path_type=Path), default=None,
              help="Write the full result folder here (default: only print a summary).")
@overwrite_option
@jobs_option
@lang_option
@click.pass_context
def demo(ctx: click.Context, out: Path | None, overwrite: bool, lang: str | None,
         jobs: int | None) -> None:
    """Run the whole pipeline on the shipped synthetic Ma'anshan demo (合成数据).

    \b
    Example:
        lifecircle demo -o demo-output --overwrite
    """
    state = _state(ctx, lang)
    steps = ("check", "plan", "outputs") if out is not None else ("check", "plan")
    _run(state, DEMO_PROJECT, out, overwrite, steps, jobs=jobs)


@main.command()
@click.argument("result_a", type=click.Path(path_type=Path))
@click.argument("result_b", type=click.Path(path_type=Path))
@out_option
@overwrite_option
@lang_option
@click.pass_context
def compare(ctx: click.Context, result_a: Path, result_b: Path, out: Path, overwrite: bool,
            lang: str | None) -> None:
    """Compare two results (e.g. two years): change per community and district.

    Writes compare.gpkg (delta columns), CSV tables and compare.html into OUT. Results of
    different profiles or regions are refused.

    \b
    Example:
        lifecircle compare result-2024 result-2025 -o change-2025
    """
    state = _state(ctx, lang)
    with _handled(state):
        from lifecircle.outputs import compare as compare_mod
        from lifecircle.outputs.resultdir import atomic_folder, check_target

        c = compare_mod.compare(result_a, result_b)
        inputs = [result_a / compare_mod.GPKG, result_b / compare_mod.GPKG]
        check_target(out, overwrite=overwrite, inputs=inputs)
        with atomic_folder(out, overwrite=overwrite, inputs=inputs) as tmp:
            files = compare_mod.write(c, tmp, lang=state.lang,
                                      names=(result_a.name or str(result_a),
                                             result_b.name or str(result_b)))
        con = _console(state)
        d = c.districts
        for _, r in d.iterrows():
            delta = r["d_cov_all"]
            text = "-" if delta != delta else f"{100 * delta:+.1f}"
            con.print(state.t("cli.compare_district", district=r["district"], change=text),
                      markup=False, highlight=False, emoji=False)
        con.print(state.t("run.written", out=out), markup=False,
                  highlight=False)
        for f in files:
            con.print(f"  {out / f}", markup=False, highlight=False)


_click_main = main.main


def _main_in_language(*args: Any, **kwargs: Any) -> Any:
    """Run the command line with its help and click's messages in the run's language."""
    i18n.localise_cli(main, i18n.cli_lang(kwargs.get("args")))
    return _click_main(*args, **kwargs)


main.main = _main_in_language  # type: ignore[method-assign]


if __name__ == "__main__":  # pragma: no cover
    main()
