"""Generate the corpus of broken inputs, run it, and write ``docs/bad-input.md``.

Usage::

    python -m tests.corpus.make_corpus OUTDIR            # write base/ and one folder per case
    python -m tests.corpus.make_corpus --doc docs/bad-input.md   # run every case, write the table

Nothing here is committed as binary data: the base project is generated from
``lifecircle.data.synthetic`` (seed 7, scale 0.1) and each case is one edit of a copy of it
(:mod:`tests.corpus.cases`).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .cases import CASES, Case, Outcome

SEED = 7
SCALE = 0.1
#: Seconds a case may take before it counts as a hang.
TIMEOUT_S = 120.0
#: Every case runs the CLI in English so messages compare the same everywhere.
LANG = "en"


def build_base(folder: Path) -> Path:
    """Write the valid base project into ``folder`` and return its ``project.toml``."""
    from lifecircle.data.synthetic import generate, write_demo

    folder.mkdir(parents=True, exist_ok=True)
    return write_demo(generate(seed=SEED, scale=SCALE), folder, seed=SEED, scale=SCALE)


def prepare(case: Case, base: Path, root: Path) -> Path:
    """Copy the base project to ``root/in`` and apply the case's edit; return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(base, root / "in")
    (root / "out").mkdir(exist_ok=True)
    if case.edit is not None:
        case.edit(root / "in")
    if case.prepare is not None:
        case.prepare(root)
    return root


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder under ``root`` with the SHA-256 of each file's bytes."""
    out: dict[str, str] = {}
    for dirpath, _dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        out[f"{rel}/"] = "dir"
        for name in filenames:
            p = Path(dirpath) / name
            if not p.is_file():  # a FIFO made by a case: never opened (it would block)
                out[str(rel / name)] = f"special {stat.S_IFMT(p.lstat().st_mode):o}"
                continue
            out[str(rel / name)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def command(case: Case, root: Path, *, verbose: bool = False, quiet: bool | None = None,
            out: Path | None = None) -> list[str]:
    """The CLI command line of a case (``--quiet`` for rejected inputs)."""
    quiet = case.exit != 0 if quiet is None else quiet
    cmd = [sys.executable, "-m", "lifecircle.cli", "--lang", LANG]
    if quiet:
        cmd.append("--quiet")
    if verbose:
        cmd.append("--verbose")
    cmd += [case.command, str(root / case.project)]
    if case.out:  # inspect takes no -o
        cmd += ["-o", str(out or root / case.out)]
    return cmd + list(case.args)


def run(case: Case, root: Path, *, verbose: bool = False, base_result: Path | None = None,
        timeout: float = TIMEOUT_S, in_process: bool = True) -> Outcome:
    """Run the CLI on a prepared case folder (inside its fault, if any).

    In-process through click's CliRunner (the same ``main``, exit code and streams), except
    for an output fault or ``in_process=False``: those run in a real subprocess (a
    file-size limit applies to a whole process; threads cannot share one CliRunner).
    """
    env = dict(os.environ, COLUMNS="400", PYTHONDONTWRITEBYTECODE="1", LIFECIRCLE_LANG=LANG,
               NO_COLOR="1")
    fault = case.fault(root) if case.fault is not None else contextlib.nullcontext(None)
    t0 = time.perf_counter()
    with fault as f:
        out = f.out if f is not None and f.out is not None else root / case.out
        cmd = command(case, root, verbose=verbose, out=out)
        if in_process and f is None:
            from click.testing import CliRunner

            from lifecircle.cli import main

            res = CliRunner().invoke(main, cmd[3:], env={k: env[k] for k in (
                "COLUMNS", "LIFECIRCLE_LANG", "NO_COLOR")})
            code, stdout, stderr = res.exit_code, res.stdout, res.stderr
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                raise res.exception
        else:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                                  timeout=timeout,
                                  preexec_fn=f.preexec if f is not None else None)
            code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    seconds = time.perf_counter() - t0
    return Outcome(root, out, code, stdout, stderr, seconds, base_result,
                   f.note if f is not None else "", f.expect if f is not None else None)


def warning_lines(case: Case, stdout: str) -> list[str]:
    """The warnings of the run summary (``  - ...``) holding every ``case.expect`` text."""
    lines = [ln.strip() for ln in stdout.splitlines()]
    return [ln[2:] for ln in lines if ln.startswith("- ") and case.expect
            and all(w in ln for w in case.expect)]


def message(case: Case, outcome: Outcome) -> str:
    """The message a user sees for the case, with the case folder left out of paths.

    Exit 2: the error (stderr). Exit 0: the warnings that the case expects (stdout).
    """
    if outcome.returncode != 0:
        text = outcome.stderr.strip()
    else:
        hits = warning_lines(case, outcome.stdout)
        text = "\n".join(hits) or "(no warning; result checked against the base run)"
    return text.replace(f"{outcome.root}/", "").replace(str(outcome.root), ".")


# ---------------------------------------------------------------------------- doc
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def write_doc(path: Path, cases: Sequence[Case] = CASES) -> None:
    """Run every case in a temporary folder and write the Markdown table to ``path``."""
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lifecircle-corpus-") as tmp:
        work = Path(tmp)
        base = work / "base"
        build_base(base)
        ok_case = Case("base", "", "", exit=0)
        base_root = prepare(ok_case, base, work / "base-run")
        run(ok_case, base_root, in_process=False)
        groups: dict[str, list[str]] = {}

        def one(case: Case) -> Outcome:
            root = prepare(case, base, work / case.id)
            return run(case, root, base_result=base_root / "out" / "result", in_process=False)

        with ThreadPoolExecutor(max_workers=2) as pool:
            outcomes = list(pool.map(one, cases))
        for case, outcome in zip(cases, outcomes, strict=True):
            ok = outcome.returncode == case.exit
            msg = message(case, outcome)
            print(f"{case.id:28s} exit {outcome.returncode} "
                  f"{'ok' if ok else 'UNEXPECTED'} {outcome.seconds:5.1f}s", file=sys.stderr)
            fault = f" ({outcome.fault})" if outcome.fault else ""
            groups.setdefault(case.group, []).append(
                f"| `{case.id}` | {_cell(case.title + fault)} | `{case.command}` | "
                f"{outcome.returncode} | {_cell(msg)} |")
        for group, lines in groups.items():
            rows.append(f"\n### {group[0].upper()}{group[1:]}\n")
            rows.append("| case | input (one change to the base project) | command | exit | "
                        "message (as produced) |")
            rows.append("|---|---|---|---|---|")
            rows.extend(lines)
    head = f"""# Bad input and faults: what lifecircle says

Generated by `python -m tests.corpus.make_corpus --doc docs/bad-input.md` from the case table
in `tests/corpus/cases.py`; `tests/test_corpus.py` runs every case in `make test`.

Each case is ONE change to a small valid project (the synthetic region
`lifecircle.data.synthetic.generate(seed={SEED}, scale={SCALE})` written by `write_demo`:
10 communities as a GBK shapefile without `.cpg`, 119 facilities in a GCJ-02 GeoPackage,
1,044 roads, a population GeoTIFF and candidate sites). The real CLI runs on it
(`lifecircle --lang en [--quiet] <command> in/project.toml -o out/result`) and each case
asserts:

- exit 2 with one message (one line; several problems come as one line plus `  - ` items)
  naming the file, layer, field, row or value and the fix, no traceback (only with
  `--verbose`), no result folder and no temporary folder left, every input byte-identical;
- or, where the input can be repaired (invalid polygons, a wrong `.cpg`, features without
  geometry ...), exit 0 with the warning shown and a result checked against the base run.

Paths in the messages are relative to the case folder (`in/` holds the inputs).
Messages are shown in English (`--lang en`); a Chinese run (the default) shows them in Chinese.
{len(cases)} cases.
"""
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")


def write_corpus(folder: Path, cases: Sequence[Case] = CASES) -> None:
    """Write ``base/`` and one prepared folder per case into ``folder``."""
    base = folder / "base"
    build_base(base)
    for case in cases:
        prepare(case, base, folder / case.id)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the corpus to a folder, or the documentation table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, help="write base/ and the case folders here")
    ap.add_argument("--doc", type=Path, help="run every case and write the Markdown table here")
    args = ap.parse_args(argv)
    if args.doc is None and args.folder is None:
        ap.error("give a folder or --doc PATH")
    if args.folder is not None:
        write_corpus(args.folder)
    if args.doc is not None:
        write_doc(args.doc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
