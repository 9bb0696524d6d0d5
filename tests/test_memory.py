"""The command line's memory setting: large arrays come from the reusable heap.

Checked in a fresh interpreter (the setting is process-wide): a 64 MB numpy array, far
above glibc's largest mmap threshold, lies inside the process's ``[heap]`` mapping after
:func:`lifecircle.memory.reuse_freed_memory`, and outside it without; numpy no longer asks
for transparent huge pages after it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")

PROBE = """
import sys
import numpy as np
from lifecircle.memory import reuse_freed_memory
if sys.argv[1] == "1":
    assert reuse_freed_memory()
try:
    from numpy._core.multiarray import _set_madvise_hugepage
except ImportError:
    from numpy.core.multiarray import _set_madvise_hugepage
a = np.ones(8 * 2**20)  # 64 MB
addr = a.ctypes.data
for line in open("/proc/self/maps"):
    if line.rstrip().endswith("[heap]"):
        lo, hi = (int(v, 16) for v in line.split()[0].split("-"))
        print(int(lo <= addr < hi), end=" ")
        break
else:
    print(0, end=" ")
print(int(_set_madvise_hugepage(True)))  # the setting before this call
"""


@pytest.mark.parametrize("reuse", [True, False])
def test_large_arrays_from_the_heap(reuse: bool) -> None:
    out = subprocess.run([sys.executable, "-c", PROBE, "1" if reuse else "0"],
                         capture_output=True, text=True, check=True).stdout.strip()
    in_heap, huge_pages = out.split()
    assert in_heap == ("1" if reuse else "0")
    if reuse:
        assert huge_pages == "0"
