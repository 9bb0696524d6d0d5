"""Faults of the output side that must really fail, also for root (CI runs as root).

Root ignores permission bits, so "no write permission" uses the immutable attribute
(``chattr +i``, honoured for root), falling back to a read-only bind mount; "disk full" uses
a 64 KiB tmpfs, falling back to a file-size limit (``RLIMIT_FSIZE``, which makes a write
fail with EFBIG once the CLI ignores SIGXFSZ). Each helper checks that the fault is real (a
file cannot be written) before the case runs, and undoes it afterwards.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Fault:
    """How a fault was made.

    Attributes
    ----------
    note
        The mechanism, for the table in docs/bad-input.md.
    preexec
        Set-up run in the CLI process before it starts (resource limits).
    out
        A ``-o`` folder to use instead of the case's (when the fault lives elsewhere).
    expect
        Message texts to expect instead of the case's (when the mechanism differs).
    """

    note: str
    preexec: Callable[[], None] | None = None
    out: Path | None = None
    expect: tuple[str, ...] | None = None


def _cannot_write(folder: Path) -> bool:
    probe = folder / f".probe-{uuid.uuid4().hex}"
    try:
        probe.write_bytes(b"x" * 200_000)
    except OSError:
        with contextlib.suppress(OSError):
            probe.unlink()
        return True
    probe.unlink()
    return False


def _run(*cmd: str) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[Fault]:
    """Make ``folder`` (created empty) impossible to write in, even for root."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            assert _cannot_write(folder), "chmod 555 did not stop writes"
            yield Fault("chmod 555")
        finally:
            folder.chmod(0o755)
        return
    if _run("chattr", "+i", str(folder)):
        try:
            assert _cannot_write(folder), "chattr +i did not stop writes"
            yield Fault("chattr +i (immutable folder)")
        finally:
            _run("chattr", "-i", str(folder))
        return
    if _run("mount", "--bind", str(folder), str(folder)):
        try:
            ok = _run("mount", "-o", "remount,ro,bind", str(folder))
            assert ok and _cannot_write(folder), "read-only bind mount did not stop writes"
            yield Fault("read-only bind mount")
        finally:
            _run("umount", str(folder))
        return
    # no capabilities (a container): /proc refuses new files to everyone, root included
    proc = Path("/proc/self")
    assert _cannot_write(proc), "even /proc/self is writable"
    yield Fault("a folder under /proc (no chattr or mount rights)", out=proc / "result",
                expect=("/proc/", "no write permission"))


def _limit_file_size(limit: int) -> Callable[[], None]:
    def preexec() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return preexec


@contextlib.contextmanager
def tiny_disk(folder: Path, size_kib: int = 64) -> Iterator[Fault]:
    """Mount a ``size_kib`` tmpfs on ``folder``; without mount rights, limit the file size."""
    folder.mkdir(parents=True, exist_ok=True)
    if _run("mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=755", "tmpfs", str(folder)):
        try:
            assert _cannot_write(folder), "the tmpfs is not small enough"
            yield Fault(f"{size_kib} KiB tmpfs")
        finally:
            _run("umount", str(folder))
        return
    yield Fault(f"RLIMIT_FSIZE {size_kib} KiB (no mount rights)",
                _limit_file_size(size_kib * 1024),
                expect=("out/result/lifecircle.gpkg", "cannot write", "free space"))


@contextlib.contextmanager
def file_size_limit(folder: Path, size_kib: int = 64) -> Iterator[Fault]:
    """Limit the size of any file the CLI writes (``ulimit -f``): writes fail with EFBIG."""
    folder.mkdir(parents=True, exist_ok=True)
    yield Fault(f"RLIMIT_FSIZE {size_kib} KiB", _limit_file_size(size_kib * 1024))


_HOLDER = """
import sys
from pathlib import Path
from lifecircle.outputs.resultdir import reserve
with reserve(Path(sys.argv[1]), overwrite=False):
    print("locked", flush=True)
    sys.stdin.readline()
"""


@contextlib.contextmanager
def lock_held(out: Path) -> Iterator[Fault]:
    """A second real process holds the lock of the result folder ``out`` meanwhile."""
    import sys

    out.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield Fault("a second process holds the result folder's lock")
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=60)
        if holder.stdout is not None:
            holder.stdout.close()
