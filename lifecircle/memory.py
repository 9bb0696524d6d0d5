"""How this process takes memory from the system (called once by the command line).

The analysis makes many large, short-lived numpy arrays (pair lists, sort orders, masks of
hundreds of MB at city scale). glibc's ``malloc`` gives every block above its mmap
threshold (at most 32 MB) fresh pages from the kernel and hands them back on ``free``, so
each such array is zero-filled by the kernel again on first touch: at the whole-city scale
that was about 20 s of system time in one run (``clear_page`` under page faults, measured
with ``perf``; the road networks and results are identical either way).

:func:`reuse_freed_memory` makes ``malloc`` serve every block from its heap and keep what
is freed for the next block instead, and stops numpy from asking for transparent huge pages
on its arrays (with them the kernel still zero-filled 2 MB pages of reused heap memory,
1-10 s of system time per 32 GB of arrays that varied from run to run, against 0.5 s
without). The peak resident memory stays that of the largest
working set (freed blocks are reused, not added); it is not given back to the system
before the process ends, which for a command that exits after one run costs nothing.
Worker processes forked later inherit the setting.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["reuse_freed_memory"]

# mallopt parameters (glibc malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
#: Freed memory at the top of the heap kept for reuse up to this much (bytes; the
#: largest value the int parameter takes).
_KEEP = 2**31 - 1


def reuse_freed_memory() -> bool:
    """Serve large blocks from the reusable heap instead of fresh kernel pages.

    Returns
    -------
    bool
        True when set (Linux with glibc); elsewhere nothing changes and False is returned.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others: no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = mallopt(_M_MMAP_MAX, 0) == 1
    ok = mallopt(_M_TRIM_THRESHOLD, _KEEP) == 1 and ok
    try:  # numpy's switch for MADV_HUGEPAGE (also NUMPY_MADVISE_HUGEPAGE=0 at import)
        from numpy._core.multiarray import _set_madvise_hugepage
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core.multiarray import _set_madvise_hugepage
    _set_madvise_hugepage(False)
    return ok
