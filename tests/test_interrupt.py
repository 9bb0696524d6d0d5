"""Interrupting a real ``lifecircle run`` leaves no partial result and the previous one intact.

A real CLI process runs on the generated corpus base project with ``--overwrite`` over an
existing result folder. When its progress output on stderr shows the chosen stage, the test
sends SIGINT (Ctrl-C) or SIGTERM. The process must exit 130 with the "interrupted" line and
no traceback, leave no result or temporary folder beside the old one, and the old result
and every input must be byte-identical.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from corpus import make_corpus as mc
from corpus.cases import Outcome

CLI = [sys.executable, "-m", "lifecircle.cli", "--lang", "en"]
ENV = dict(os.environ, COLUMNS="300", PYTHONDONTWRITEBYTECODE="1", LIFECIRCLE_LANG="en")


@pytest.fixture(scope="module")
def prepared(corpus_base: Path, corpus_base_check: Outcome,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the corpus base project and a real previous result of it: the corpus'
    ``lifecircle check`` of the base (tests/conftest.py, in-process and once for all workers:
    only the runs that are interrupted need a process of their own; each test copies it)."""
    assert corpus_base_check.returncode == 0, corpus_base_check.stderr
    work = tmp_path_factory.mktemp("interrupt")
    shutil.copytree(corpus_base, work / "in")
    return work / "in" / "project.toml", corpus_base_check.out


def _interrupt(project: Path, out: Path, stage: str | None, sig: signal.Signals,
               times: int = 1) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Start ``run``; when ``stage`` shows on stderr, send ``sig`` (``times`` times)."""
    proc = subprocess.Popen([*CLI, "run", str(project), "-o", str(out), "--overwrite"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    seen: list[str] = []
    assert proc.stderr is not None
    try:
        for line in proc.stderr:
            seen.append(line.rstrip("\n"))
            if stage is not None and stage in line:
                for i in range(times):
                    if i:
                        time.sleep(0.05)
                    proc.send_signal(sig)
                break
        rest_err = proc.stderr.read()
        out_text = proc.stdout.read() if proc.stdout else ""
        code = proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):  # unclosed pipes are a ResourceWarning
            if pipe is not None:
                pipe.close()
    return subprocess.CompletedProcess(proc.args, code, out_text, rest_err), seen


# the stage lines of `lifecircle run` (--lang en), from early to the output writers
MOMENTS = [
    ("early", "reading and validating layers", signal.SIGINT, 1),
    ("middle", "site planning", signal.SIGINT, 1),
    ("areas", "drawing service areas", signal.SIGINT, 1),
    ("gpkg", "writing the GeoPackage", signal.SIGINT, 1),
    ("map", "building the web map", signal.SIGINT, 1),
    ("term-travel", "travel times", signal.SIGTERM, 1),
    ("term-gpkg", "writing the GeoPackage", signal.SIGTERM, 1),
    ("twice", "writing the GeoPackage", signal.SIGINT, 2),
]


@pytest.mark.parametrize(("stage", "sig", "times"), [m[1:] for m in MOMENTS],
                         ids=[m[0] for m in MOMENTS])
def test_interrupted_run_leaves_previous_result(prepared: tuple[Path, Path], tmp_path: Path,
                                                stage: str, sig: signal.Signals,
                                                times: int) -> None:
    project, previous = prepared
    out_parent = tmp_path / "results"
    out_parent.mkdir()
    out = out_parent / "result"
    shutil.copytree(previous, out)
    before_out = mc.snapshot(out)
    before_in = mc.snapshot(project.parent)
    done, seen = _interrupt(project, out, stage, sig, times)
    shown = "\n".join(seen) + "\n" + done.stderr
    assert any(stage in s for s in seen), f"stage {stage!r} never shown:\n{shown}"
    assert done.returncode == 130, shown
    assert "interrupted: nothing written, any previous result left intact." in done.stderr, shown
    assert "Traceback" not in shown
    assert sorted(p.name for p in out_parent.iterdir()) == ["result"]  # no temp folder left
    assert mc.snapshot(out) == before_out                              # previous result intact
    assert mc.snapshot(project.parent) == before_in                    # inputs untouched


def test_uninterrupted_run_replaces_the_previous_result(prepared: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    """The control: the same run without a signal does replace the result folder."""
    project, previous = prepared
    out = tmp_path / "result"
    shutil.copytree(previous, out)
    before = mc.snapshot(out)
    done, _ = _interrupt(project, out, None, signal.SIGINT)
    assert done.returncode == 0, done.stderr
    assert mc.snapshot(out) != before
    assert {"map.html", "report.html", "lifecircle.gpkg"} <= {p.name for p in out.iterdir()}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result"]


# A second Ctrl-C at a chosen Python step after the first one: the driver runs the real CLI
# (`profile list`), sends itself SIGINT when the command starts loading a profile, then traces
# every Python event and sends the second SIGINT at event N. Before the fix the first ~20
# events (contextlib's __exit__ and the handler before it ignored SIGINT) ended in click's
# "Aborted!" with exit 1 instead of the message and 130.
_DRIVER = r'''
import os, signal, sys
import lifecircle.project as prj
n = int(sys.argv.pop(1)); count = 0
def tracer(frame, event, arg):
    global count
    count += 1
    if count == n:
        os.kill(os.getpid(), signal.SIGINT)
    return tracer
orig = prj.load_profile
def load_profile(*a, **k):
    sys.settrace(tracer)
    os.kill(os.getpid(), signal.SIGINT)
    return orig(*a, **k)
prj.load_profile = load_profile
from lifecircle import cli
cli.main()
'''


@pytest.mark.parametrize("step", [1, 3, 6, 10, 14, 20, 40])
def test_second_interrupt_at_any_step_still_exits_130(step: int) -> None:
    done = subprocess.run([sys.executable, "-c", _DRIVER, str(step), "--lang", "en",
                           "profile", "list"], capture_output=True, text=True, env=ENV,
                          timeout=120)
    assert done.returncode == 130, done.stderr
    assert "interrupted: nothing written, any previous result left intact." in done.stderr
    assert "Traceback" not in done.stderr and "Aborted" not in done.stderr
