"""Coverage sets: which demand points each candidate reaches, as a sparse matrix.

One bounded Dijkstra search per candidate (through
:func:`lifecircle.accessibility.traveltime.pairs_within`, which runs the searches in
batches), chunked here as well so the intermediate pair lists stay bounded. The result is
a ``scipy.sparse`` CSR matrix (candidates x demand) of travel seconds whose *structure*
holds exactly the pairs within the limit (a candidate standing on a demand point keeps
its explicit 0 s entry).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lifecircle.accessibility.network import Network
from lifecircle.accessibility.snap import Snapped
from lifecircle.accessibility.traveltime import pairs_within
from lifecircle.errors import InputError, notice

__all__ = ["coverage_times", "place_columns", "within"]


def coverage_times(network: Network, candidates: Snapped, demand: Snapped,
                   limit_s: float | ArrayLike, *, batch: int = 256,
                   chunk: int = 2048) -> sp.csr_matrix:
    """Travel seconds from every candidate to every demand point it reaches in time.

    Parameters
    ----------
    network
        Network of the travel mode.
    candidates, demand
        Snapped points (unsnapped ones reach nothing and are reached by nothing).
    limit_s
        Largest travel time kept: a scalar, or one limit per demand point (the search runs
        to the largest and each pair is then checked against its point's limit).
    batch
        Sources per Dijkstra call inside ``pairs_within``.
    chunk
        Candidates per ``pairs_within`` call (bounds the pair lists held at once).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(len(candidates), len(demand))`` float64 seconds; stored entries are the pairs
        within the limit (access legs at both ends included).
    """
    n, m = len(candidates), len(demand)
    lim = np.broadcast_to(np.asarray(limit_s, dtype=np.float64), (m,))
    if m and np.any(np.isnan(lim)):
        raise notice(InputError, "err.model.limit_nan")
    if n == 0 or m == 0:
        return sp.csr_matrix((n, m), dtype=np.float64)
    top = float(lim.max())
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    vals: list[NDArray[np.float64]] = []
    for lo in range(0, n, max(1, int(chunk))):
        idx = np.arange(lo, min(lo + chunk, n))
        s, t, sec = pairs_within(network, candidates.take(idx), demand, limit_s=top,
                                 batch=batch)
        keep = sec <= lim[t]
        rows.append(idx[s[keep]])
        cols.append(t[keep])
        vals.append(sec[keep])
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    v = np.concatenate(vals)
    order = np.lexsort((c, r))
    r, c, v = r[order], c[order], v[order]
    indptr = np.r_[0, np.cumsum(np.bincount(r, minlength=n))]
    return sp.csr_matrix((v, c, indptr), shape=(n, m))


def within(times: sp.csr_matrix, limit_s: float | ArrayLike) -> sp.csr_matrix:
    """Boolean coverage: the stored pairs of ``times`` no slower than the column's limit."""
    t = sp.csr_matrix(times)
    lim = np.broadcast_to(np.asarray(limit_s, dtype=np.float64), (t.shape[1],))
    keep = t.data <= lim[t.indices]
    rows = np.repeat(np.arange(t.shape[0]), np.diff(t.indptr))
    indptr = np.r_[0, np.cumsum(np.bincount(rows[keep], minlength=t.shape[0]))]
    return sp.csr_matrix((np.ones(int(keep.sum()), dtype=bool), t.indices[keep], indptr),
                         shape=t.shape)


def place_columns(parts: Sequence[tuple[sp.csr_matrix, NDArray[np.int64]]],
                  n_rows: int, n_cols: int) -> sp.csr_matrix:
    """Assemble a matrix from column blocks: each ``(block, columns)`` puts ``block``'s
    columns at the given positions of an ``n_rows x n_cols`` matrix (explicit zeros kept).
    """
    rs, cs, vs = [], [], []
    for block, columns in parts:
        b = sp.coo_matrix(block)
        rs.append(b.row.astype(np.int64))
        cs.append(np.asarray(columns, dtype=np.int64)[b.col])
        vs.append(b.data)
    if not rs:
        return sp.csr_matrix((n_rows, n_cols), dtype=np.float64)
    r, c, v = np.concatenate(rs), np.concatenate(cs), np.concatenate(vs)
    order = np.lexsort((c, r))
    r, c, v = r[order], c[order], v[order]
    indptr = np.r_[0, np.cumsum(np.bincount(r, minlength=n_rows))]
    return sp.csr_matrix((v, c, indptr), shape=(n_rows, n_cols))
