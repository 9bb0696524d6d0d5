"""Bounded work on any input: the limits, and the checks made before anything is read.

Every file lifecircle reads is checked here first: only regular files (or folders, for
formats that are folders) are opened, so a FIFO, a device such as ``/dev/zero`` or a
socket is refused at once instead of hanging or filling the memory; text files have a
size cap; layers and rasters declare their size in their headers and are refused when it
exceeds a limit, before their data is read. Each refusal names the file and the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lifecircle.errors import InputError, LifecircleError, notice

#: Largest project file or standards profile (bytes). Real ones are a few KiB.
MAX_TOML_BYTES = 1 << 20
#: Most features a vector layer may declare in its header.
MAX_FEATURES = 20_000_000
#: Largest text vector file (GeoJSON, CSV, KML, GML ...) that GDAL reads whole (bytes).
MAX_TEXT_LAYER_BYTES = 2 << 30
#: Most raster cells read from a population raster over the communities' extent (read in
#: windows and summed to the working cell size, so memory stays small; this bounds time).
MAX_RASTER_CELLS = 2_000_000_000
#: Most cells of a grid the tool builds over the region (travel-time rasters, candidates).
MAX_GRID_CELLS = 25_000_000

_KINDS = {stat.S_IFIFO: ("命名管道 (FIFO)", "a named pipe (FIFO)"),
          stat.S_IFCHR: ("字符设备", "a character device"),
          stat.S_IFBLK: ("块设备", "a block device"),
          stat.S_IFSOCK: ("套接字", "a socket")}


def file_kind(path: str | os.PathLike[str]) -> tuple[str, str] | None:
    """Why ``path`` cannot be read as data (zh, en), or None for a file or folder.

    Symbolic links are followed; a missing path gives None (reported elsewhere).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), ("特殊文件", "a special file"))


def check_regular(path: str | os.PathLike[str],
                  error: type[LifecircleError] = InputError) -> None:
    """Refuse a path that is not a regular file or a folder (FIFO, device, socket).

    Raises
    ------
    LifecircleError
        Of class ``error``, naming the path and what it is.
    """
    kind = file_kind(path)
    if kind is not None:
        raise notice(error, "err.not_regular", path=path, kind=kind)


def read_capped(path: str | os.PathLike[str], limit: int, what: tuple[str, str],
                error: type[LifecircleError] = InputError) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking and checked with ``fstat`` before reading, so a
    FIFO or device never blocks, and at most ``limit + 1`` bytes are ever read.

    Parameters
    ----------
    path
        The file.
    limit
        Size cap in bytes.
    what
        What the file is (zh, en), for the message: ("项目文件", "project file").
    error
        Error class raised.

    Raises
    ------
    OSError
        When the file cannot be opened (missing, no permission, a folder).
    LifecircleError
        Not a regular file, or larger than ``limit``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), ("特殊文件", "a special file"))
            raise notice(error, "err.not_regular", path=path, kind=kind)
        if st.st_size > limit:
            raise _too_large(path, st.st_size, limit, what, error)
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:  # grew while being read
            raise _too_large(path, len(data), limit, what, error)
        return data
    finally:
        os.close(fd)


def _too_large(path: str | os.PathLike[str], size: int, limit: int, what: tuple[str, str],
               error: type[LifecircleError]) -> LifecircleError:
    return notice(error, "err.file_too_large", path=path, size=f"{size:,}",
                  limit=f"{limit:,}", what=what)


def regular_text_size(path: Path, limit: int | None = None) -> None:
    """Refuse a text layer larger than ``limit`` bytes (default
    :data:`MAX_TEXT_LAYER_BYTES`; GDAL reads such files whole)."""
    if limit is None:
        limit = MAX_TEXT_LAYER_BYTES
    try:
        size = os.stat(path).st_size
    except OSError:
        return
    if size > limit:
        raise _too_large(path, size, limit, ("图层文件", "layer file"), InputError)
