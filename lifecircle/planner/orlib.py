"""OR-Library p-median instances (Beasley 1985), the public benchmark of the planner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from lifecircle.errors import InputError, notice

__all__ = ["read_pmed"]


def read_pmed(path: str | Path) -> tuple[np.ndarray, int]:
    """All-pairs shortest-path cost matrix and p of an OR-Library ``pmedX.txt``.

    First line ``n m p``, then one ``u v cost`` edge per line (1-based, undirected); a
    later duplicate of an edge overwrites the earlier one.

    Raises
    ------
    InputError
        When the file is missing or not in that format.
    """
    path = Path(path)
    try:
        lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
        n, _, p = (int(v) for v in lines[0])
        edges: dict[tuple[int, int], float] = {}
        for u, v, c in lines[1:]:
            a, b = int(u) - 1, int(v) - 1
            edges[(min(a, b), max(a, b))] = float(c)
    except FileNotFoundError:
        raise notice(InputError, "err.api.orlib_missing", path=str(path)) from None
    except (ValueError, IndexError) as e:
        raise notice(InputError, "err.api.orlib_bad", path=str(path), error=str(e)
                     ) from None
    rows, cols = zip(*edges, strict=True)
    graph = sp.csr_matrix((list(edges.values()), (rows, cols)), shape=(n, n))
    return shortest_path(graph, directed=False), p
