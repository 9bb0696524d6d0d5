"""The result folder: written under a temporary name, moved into place when complete.

Rules (issue 15, "nothing lost"):

- An interrupted or failed run leaves no partial folder and the previous result intact.
- Every result folder carries a marker file (:data:`MARKER`) listing the files the run
  wrote. ``overwrite=True`` replaces only an empty folder or such a previous result whose
  files are all lifecircle's (plus what GIS software derives from them, e.g.
  ``lifecircle.gpkg-wal`` or ``traveltime_x.tif.aux.xml``); any other folder is refused.
- A folder that holds an input file (layers, project file, profile) is never replaced,
  nor the current folder or one of its parents.
- Concurrent runs into one result folder are excluded by a lock (:func:`reserve`): the
  second run stops at once with a clear message.
- The folder honours the umask (``tempfile.mkdtemp`` would make it 0700).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from lifecircle.errors import LifecircleError, OutputError, notice

#: Marker file written into every result folder.
MARKER = ".lifecircle-result.json"
#: Suffixes GIS software adds beside a file it opens (kept when replacing a result).
DERIVED_SUFFIXES = ("-wal", "-shm", "-journal", ".aux.xml", ".ovr", "~", ".lock")


def _marker_files(folder: Path) -> set[str] | None:
    """The files a previous run wrote into ``folder`` (from its marker), or None."""
    marker = folder / MARKER
    try:
        if not marker.is_file() or marker.stat().st_size > 1 << 20:
            return None
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if data.get("tool") != "lifecircle" or not isinstance(files, list):
        return None
    return {str(f) for f in files}


def _foreign(folder: Path, written: set[str]) -> str | None:
    """The first file in ``folder`` that is neither listed in the marker nor derived."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        rel_dir = Path(dirpath).relative_to(folder)
        for name in sorted(filenames):
            rel = (rel_dir / name).as_posix()
            if rel == MARKER or rel in written:
                continue
            if any(rel.startswith(w) and rel[len(w):] in DERIVED_SUFFIXES for w in written):
                continue
            return rel
    return None


def check_target(out: Path, *, overwrite: bool, inputs: Iterable[Path]) -> None:
    """Refuse an output folder that would destroy an input, a user's files or a result.

    Raises
    ------
    OutputError
        When ``out`` holds an input file, is the current folder (or a parent of it), exists
        without ``overwrite``, exists and is not an empty folder or a previous lifecircle
        result, is a file, or its parent folder is not writable.
    """
    target = out.resolve()
    for p in inputs:
        src = Path(p).resolve()
        if src == target or target in src.parents:
            raise notice(OutputError, "err.out_has_input", out=out, input=p)
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise notice(OutputError, "err.out_is_cwd", out=out)
    if target.exists() and not target.is_dir():
        raise notice(OutputError, "err.out_not_folder", out=out)
    if target.exists():
        if not overwrite:
            raise notice(OutputError, "err.out_exists", out=out)
        try:
            empty = not any(target.iterdir())
        except OSError as e:
            raise notice(OutputError, "err.out_unreadable", out=out,
                         reason=e.strerror or str(e)) from None
        if not empty:
            written = _marker_files(target)
            if written is None:
                raise notice(OutputError, "err.out_not_result", out=out, marker=MARKER)
            stray = _foreign(target, written)
            if stray is not None:
                raise notice(OutputError, "err.out_foreign", out=out, name=stray)
    parent = target.parent
    if not parent.exists():
        try:
            parent.mkdir(parents=True)
        except OSError as e:
            raise notice(OutputError, "err.parent_create", parent=parent,
                         reason=e.strerror or str(e)) from None
    if not parent.is_dir():
        raise notice(OutputError, "err.parent_is_file", parent=parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise notice(OutputError, "err.parent_no_write", parent=parent)


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


@contextmanager
def reserve(out: Path, *, overwrite: bool, inputs: Iterable[Path] = ()) -> Iterator[None]:
    """Check ``out`` (see :func:`check_target`) and hold its lock for the whole block.

    The lock is a file beside the result folder (``.<name>.lock``) held with ``flock``
    while the run analyses and writes; it is removed when the block ends. A second run
    into the same folder is refused at once, naming the process that holds it. Folders
    created for the result's parent are removed again if the block fails.

    Raises
    ------
    OutputError
        From :func:`check_target`, or when another run holds the lock.
    """
    import fcntl

    inputs = list(inputs)
    target = out.resolve()
    missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
    check_target(out, overwrite=overwrite, inputs=inputs)
    lock = _lock_path(target)
    fd = -1
    ok = False
    try:
        while True:
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
            except OSError as e:
                raise notice(OutputError, "err.parent_no_write", parent=target.parent) from e
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                try:
                    pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                except OSError:
                    pid = "?"
                os.close(fd)
                fd = -1
                raise notice(OutputError, "err.out_locked", out=out, pid=pid) from None
            try:
                same = os.stat(lock).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the holder removed it meanwhile: lock the new one
            fd = -1
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
        ok = True
    finally:
        if fd >= 0:
            with suppress(OSError):
                os.unlink(lock)
            os.close(fd)
        if not ok:
            for p in missing:  # innermost first
                try:
                    p.rmdir()
                except OSError:
                    break


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


def _make_temp(target: Path) -> Path:
    """A new empty folder beside ``target``, created with the umask's permissions."""
    for _ in range(100):
        tmp = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:12]}"
        try:
            os.mkdir(tmp, 0o777)  # the umask applies, as for any folder the user makes
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def write_marker(folder: Path) -> None:
    """Write the marker of a result folder, listing every file in it."""
    from lifecircle import __version__

    files = sorted((Path(d) / f).relative_to(folder).as_posix()
                   for d, _, names in os.walk(folder) for f in names if f != MARKER)
    data = {"tool": "lifecircle", "version": __version__,
            "written": datetime.now(UTC).isoformat(timespec="seconds"), "files": files}
    (folder / MARKER).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")


@contextmanager
def atomic_folder(out: Path, *, overwrite: bool, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; move it to ``out`` when the block succeeds.

    On any exception (including KeyboardInterrupt) the temporary folder is removed and an
    existing ``out`` stays as it was. On success the folder gets its marker
    (:data:`MARKER`) before it is moved into place.
    """
    inputs = list(inputs)
    check_target(out, overwrite=overwrite, inputs=inputs)
    target = out.resolve()
    tmp: Path | None = None
    try:
        with _signals_held():
            try:
                tmp = _make_temp(target)
            except OSError as e:
                raise notice(OutputError, "err.out_cannot_create", out=out,
                             parent=target.parent, reason=e.strerror or str(e)) from None
        try:
            yield tmp
            write_marker(tmp)
        except Exception as e:
            if (isinstance(e, OSError) and e.errno == errno.ENOSPC) or _disk_full(target.parent):
                raise notice(OutputError, "err.disk_full", out=out) from e
            if isinstance(e, LifecircleError) and str(tmp) in str(e):
                # name the folder the user asked for, not the temporary one
                new = type(e)(str(e).replace(str(tmp), str(out)))
                if e.key is not None:
                    new.key = e.key
                    new.values = {k: (str(v).replace(str(tmp), str(out))
                                      if str(tmp) in str(v) else v)
                                  for k, v in e.values.items()}
                raise new from e
            raise
        with _signals_held():  # the swap and the removal of the old result run to the end
            # checked again: the folder may have changed while the analysis ran
            check_target(out, overwrite=overwrite, inputs=inputs)
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
