"""The result folder: written under a temporary name, moved into place when complete.

An interrupted or failed run leaves no partial folder and the previous result intact; an
existing folder is only replaced with ``overwrite=True``; a folder that holds an input file
is never used.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from lifecircle.errors import LifecircleError, OutputError


def check_target(out: Path, *, overwrite: bool, inputs: Iterable[Path]) -> None:
    """Refuse an output folder that would destroy an input or an unasked-for result.

    Raises
    ------
    OutputError
        When ``out`` holds an input file, exists without ``overwrite``, is a file, or its
        parent folder is not writable.
    """
    target = out.resolve()
    for p in inputs:
        src = Path(p).resolve()
        if src == target or target in src.parents:
            raise OutputError(
                f"{out}: the output folder holds the input {p}; fix: choose another folder "
                "with -o (inputs are never overwritten)")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out}: exists and is not a folder; fix: choose another -o folder")
    if target.exists() and not overwrite:
        raise OutputError(f"{out}: result folder exists; fix: add --overwrite to replace it, "
                          "or choose another -o folder")
    parent = target.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as e:
            raise OutputError(f"{parent}: cannot create the folder ({e.strerror}); "
                              "fix: choose a writable -o folder") from None
    if not parent.is_dir():
        raise OutputError(f"{parent}: is a file, not a folder; fix: choose an -o folder "
                          "inside an existing folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{parent}: no write permission; fix: choose a writable -o folder")


def _disk_full(folder: Path, reserve: int = 1 << 20) -> bool:
    """True when the file system of ``folder`` has less than ``reserve`` bytes free."""
    try:
        return shutil.disk_usage(folder).free < reserve
    except OSError:
        return False


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the block runs; they are delivered right after it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    # pthread_sigmask runs pending Python signal handlers after changing the mask: taking
    # the current mask first and blocking inside the try restores the mask even when the
    # blocking call raises KeyboardInterrupt (else the signals would stay blocked)
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, ())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def atomic_folder(out: Path, *, overwrite: bool, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; move it to ``out`` when the block succeeds.

    On any exception (including KeyboardInterrupt) the temporary folder is removed and an
    existing ``out`` stays as it was.
    """
    check_target(out, overwrite=overwrite, inputs=inputs)
    target = out.resolve()
    tmp: Path | None = None
    try:
        with _signals_held():
            try:
                tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
            except OSError as e:
                raise OutputError(f"{out}: cannot create a folder in {target.parent} "
                                  f"({e.strerror}); fix: choose a writable -o folder") from None
        try:
            yield tmp
        except Exception as e:
            if (isinstance(e, OSError) and e.errno == errno.ENOSPC) or _disk_full(target.parent):
                raise OutputError(f"{out}: disk full while writing results; fix: free disk "
                                  "space or choose another -o folder") from e
            if isinstance(e, LifecircleError) and str(tmp) in str(e):
                # name the folder the user asked for, not the temporary one
                raise type(e)(str(e).replace(str(tmp), str(out))) from e
            raise
        with _signals_held():  # the swap and the removal of the old result run to the end
            old: Path | None = None
            if target.exists():
                old = target.parent / f".{target.name}.old-{os.getpid()}"
                os.replace(target, old)
            try:
                os.replace(tmp, target)
            except BaseException:
                if old is not None:
                    os.replace(old, target)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp is not None:
            with _signals_held():  # a second Ctrl-C does not leave half a temporary folder
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
