"""Exact travel times between points snapped onto a network.

Every source is joined to the graph through a virtual node of its own, with an arc to each
end of its edge costing the access leg plus the part of the edge between the point and
that end (in the direction travelled, so one-way edges are respected). One scipy
``csgraph.dijkstra`` call with ``min_only=True`` then labels every node with the time from
the nearest source and which source that is. A target in the middle of an edge is reached
through whichever end is faster, or directly along the edge when it shares the edge with a
source; its own access leg is added last. Times are seconds, exact along the edge
geometry (to floating point), ``inf`` beyond ``limit_s`` or where unreachable.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from lifecircle.accessibility.network import Network, cache, ranges
from lifecircle.accessibility.snap import Snapped

__all__ = ["nearest", "node_times", "pairs_within"]

#: Budget for one batch of the dense distance rows of :func:`pairs_within` (bytes).
BATCH_BYTES = 128 * 2**20
#: Widest spread of a batch's sources in :func:`pairs_within`, in searches' reaches.
SPAN = 4.0


def _part(frac: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """``frac * t`` with 0 where ``frac`` is 0 (a point at a node needs no edge time)."""
    with np.errstate(invalid="ignore"):
        return np.where(frac > 0, frac * t, 0.0)


def _fraction(network: Network, pts: Snapped, idx: NDArray[np.int64]
              ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    e = pts.edge[idx]
    length = network.edge_length[e]
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(length > 0, pts.offset_m[idx] / length, 0.0)
    return e, np.clip(f, 0.0, 1.0)


def _access_s(network: Network, pts: Snapped, idx: NDArray[np.int64]) -> NDArray[np.float64]:
    a = np.nan_to_num(pts.access_m[idx], nan=0.0)
    return a / network.access_speed_mps


def source_arcs(network: Network, sources: Snapped, idx: NDArray[np.int64]
                ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Arcs from each source (position in ``idx``) to the ends of its edge: (row, node, s)."""
    e, f = _fraction(network, sources, idx)
    acc = _access_s(network, sources, idx)
    to_u = acc + _part(f, network.edge_time_bwd[e])
    to_v = acc + _part(1.0 - f, network.edge_time_fwd[e])
    k = len(idx)
    row = np.concatenate([np.arange(k), np.arange(k)])
    node = np.concatenate([network.edge_u[e], network.edge_v[e]])
    cost = np.concatenate([to_u, to_v])
    ok = np.isfinite(cost)
    row, node, cost = row[ok], node[ok], cost[ok]
    # a loop edge gives two arcs to one node: keep the cheaper
    order = np.lexsort((cost, node, row))
    row, node, cost = row[order], node[order], cost[order]
    first = np.ones(len(row), dtype=bool)
    first[1:] = (row[1:] != row[:-1]) | (node[1:] != node[:-1])
    return row[first], node[first], cost[first]


def augmented(network: Network, sources: Snapped, idx: NDArray[np.int64]) -> sp.csr_matrix:
    """The network's CSR matrix with one virtual node per source appended (rows n..n+k-1)."""
    g = network.graph
    n = g.shape[0]
    k = len(idx)
    row, node, cost = source_arcs(network, sources, idx)
    counts = np.bincount(row, minlength=k)
    indptr = np.concatenate([g.indptr, g.indptr[-1] + np.cumsum(counts)])
    size = n + k
    itype = np.int32 if max(size, len(indptr)) < np.iinfo(np.int32).max else np.int64
    indices = np.concatenate([g.indices.astype(itype, copy=False), node.astype(itype)])
    data = np.concatenate([g.data, cost])
    out = sp.csr_matrix((data, indices, indptr.astype(itype, copy=False)), shape=(size, size))
    return out


def node_times(network: Network, sources: Snapped, *, limit_s: float = np.inf
               ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Seconds from the nearest source to every node, and that source's index (-1).

    The access legs of the sources are included; nodes farther than ``limit_s`` get
    ``inf``.
    """
    n = network.n_nodes
    src = np.flatnonzero(sources.edge >= 0)
    if len(src) == 0 or n == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    g = augmented(network, sources, src)
    dist, _, origin = dijkstra(g, directed=True, indices=np.arange(n, n + len(src)),
                               return_predecessors=True, min_only=True, limit=limit_s)
    dist = dist[:n]
    origin = origin[:n].astype(np.int64)
    which = np.where(origin >= n, src[np.clip(origin - n, 0, len(src) - 1)], -1)
    which[~np.isfinite(dist)] = -1
    return dist, which


def _same_edge_pairs(network: Network, sources: Snapped, src: NDArray[np.int64],
                     targets: Snapped, tgt: NDArray[np.int64]
                     ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """(source, target, seconds) straight along a shared edge, access legs included."""
    se = sources.edge[src]
    on_src_edge = np.zeros(network.n_edges, dtype=bool)
    on_src_edge[se] = True
    tgt = tgt[on_src_edge[targets.edge[tgt]]]
    order = np.argsort(se, kind="stable")
    s_sorted = src[order]
    se_sorted = se[order]
    te = targets.edge[tgt]
    lo = np.searchsorted(se_sorted, te, side="left")
    hi = np.searchsorted(se_sorted, te, side="right")
    cnt = hi - lo
    if cnt.sum() == 0:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0)
    ti = np.repeat(tgt, cnt)
    si = s_sorted[ranges(lo, cnt)]
    e, fs = _fraction(network, sources, si)
    _, ft = _fraction(network, targets, ti)
    d = ft - fs
    t = np.where(d > 0, _part(d, network.edge_time_fwd[e]), _part(-d, network.edge_time_bwd[e]))
    t = t + _access_s(network, sources, si) + _access_s(network, targets, ti)
    return si, ti, t


def nearest(network: Network, sources: Snapped, targets: Snapped, *,
            limit_s: float = np.inf) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Travel time from the nearest source to each target, and which source that is.

    Parameters
    ----------
    network
        The network of the travel mode.
    sources, targets
        Snapped points; unsnapped ones (edge -1) take no part.
    limit_s
        Bound of the search: targets farther than this get ``inf``.

    Returns
    -------
    seconds : ndarray of float64
        Per target, including both access legs; ``inf`` if no source is within
        ``limit_s``.
    source : ndarray of int64
        Per target, the index (position in ``sources``) of the nearest source, or -1.
    """
    k = len(targets)
    times = np.full(k, np.inf)
    which = np.full(k, -1, dtype=np.int64)
    tgt = np.flatnonzero(targets.edge >= 0)
    src = np.flatnonzero(sources.edge >= 0)
    if len(tgt) == 0 or len(src) == 0:
        return times, which
    dist, origin = node_times(network, sources, limit_s=limit_s)
    e, f = _fraction(network, targets, tgt)
    u, v = network.edge_u[e], network.edge_v[e]
    via_u = dist[u] + _part(f, network.edge_time_fwd[e])
    via_v = dist[v] + _part(1.0 - f, network.edge_time_bwd[e])
    use_v = via_v < via_u
    best = np.where(use_v, via_v, via_u)
    best_src = np.where(use_v, origin[v], origin[u])
    best = best + _access_s(network, targets, tgt)
    si, ti, t = _same_edge_pairs(network, sources, src, targets, tgt)
    times[tgt] = best
    which[tgt] = best_src
    if len(si):
        # the fastest same-edge source per target, then compare with the network route
        order = np.lexsort((si, t, ti))
        head = np.ones(len(order), dtype=bool)
        head[1:] = ti[order][1:] != ti[order][:-1]
        ti1, si1, t1 = ti[order][head], si[order][head], t[order][head]
        better = t1 < times[ti1]
        times[ti1[better]] = t1[better]
        which[ti1[better]] = si1[better]
    out = ~(times <= limit_s) | ~np.isfinite(times)
    times[out] = np.inf
    which[out] = -1
    return times, which


def _target_incidence(network: Network, targets: Snapped, tgt: NDArray[np.int64]
                      ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64],
                                 NDArray[np.float64], NDArray[np.bool_]]:
    """Per graph node reaching targets: the nodes, CSR pointer, target ids, extra cost and
    which end of the target's edge the node is (False: ``edge_u``, True: ``edge_v``).

    The extra cost runs from the node along the edge to the target plus its access leg.
    """
    e, f = _fraction(network, targets, tgt)
    acc = _access_s(network, targets, tgt)
    node = np.concatenate([network.edge_u[e], network.edge_v[e]])
    cost = np.concatenate([_part(f, network.edge_time_fwd[e]),
                           _part(1.0 - f, network.edge_time_bwd[e])])
    cost = cost + np.concatenate([acc, acc])
    tid = np.concatenate([tgt, tgt])
    way = np.repeat([False, True], len(tgt))
    ok = np.isfinite(cost)
    node, cost, tid, way = node[ok], cost[ok], tid[ok], way[ok]
    order = np.argsort(node, kind="stable")
    node, cost, tid, way = node[order], cost[order], tid[order], way[order]
    nodes, start = np.unique(node, return_index=True)
    ptr = np.append(start, len(node)).astype(np.int64)
    return nodes, ptr, tid, cost, way


def _max_speed(network: Network) -> float:
    """Largest straight-line speed of any arc of the graph (m/s): node distance / seconds.

    A node reached within ``t`` seconds from a node ``a`` lies within ``t`` times this speed
    of ``a`` (triangle inequality along the route), whatever the arcs' real lengths.
    ``inf`` when an arc joins two distinct places in no time.
    """
    store = cache(network)
    if "max_speed" not in store:
        g = network.graph
        rows = np.repeat(np.arange(g.shape[0]), np.diff(g.indptr))
        xy = network.node_xy
        d = np.hypot(*(xy[g.indices] - xy[rows]).T)
        w = np.asarray(g.data, dtype=np.float64)
        pos = w > 0
        speed = float((d[pos] / w[pos]).max()) if pos.any() else 0.0
        if np.any((w <= 0) & (d > 0)) or not np.isfinite(speed):
            speed = np.inf
        store["max_speed"] = speed
    return float(store["max_speed"])


def _hilbert_order(xy: NDArray[np.float64], bits: int = 16) -> NDArray[np.int64]:
    """Positions of ``xy`` sorted along a Hilbert curve (nearby points stay together)."""
    if len(xy) < 2:
        return np.arange(len(xy), dtype=np.int64)
    lo = xy.min(axis=0)
    span = float(np.max(xy.max(axis=0) - lo)) or 1.0
    side = (1 << bits) - 1
    cell = np.clip(((xy - lo) / span * side).astype(np.int64), 0, side)
    x, y = cell[:, 0].copy(), cell[:, 1].copy()
    d = np.zeros(len(xy), dtype=np.int64)
    s = 1 << (bits - 1)
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        # rotate the quadrant
        flip = ~ry & rx
        x = np.where(flip, s - 1 - x, x)
        y = np.where(flip, s - 1 - y, y)
        swap = ~ry
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        s >>= 1
    return np.argsort(d, kind="stable")


def _nodes_by_x(network: Network) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The network's nodes sorted by x, and their x (cached)."""
    store = cache(network)
    if "nodes_by_x" not in store:
        order = np.argsort(network.node_xy[:, 0], kind="stable")
        store["nodes_by_x"] = (order, network.node_xy[order, 0])
    return store["nodes_by_x"]


def _argsort_unique(key: NDArray[np.int64], bound: int) -> NDArray[np.int64]:
    """``argsort`` of distinct non-negative keys below ``bound``: key and position packed
    into one int64 and sorted by value (much faster than an argsort) when they fit."""
    n = len(key)
    shift = max(1, int(n).bit_length())
    if int(bound).bit_length() + shift > 62:
        return np.argsort(key, kind="stable")
    packed = np.sort((key << shift) | np.arange(n, dtype=np.int64))
    return packed & ((1 << shift) - 1)


def _subgraph(g: sp.csr_matrix, keep: NDArray[np.int64], local: NDArray[np.int64]
              ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """The arcs of ``g`` among the ``keep`` nodes, renumbered by ``local``: CSR parts."""
    cnt = g.indptr[keep + 1] - g.indptr[keep]
    j = ranges(g.indptr[keep], cnt)
    col = local[g.indices[j]]
    ok = col >= 0
    row = np.repeat(np.arange(len(keep)), cnt)[ok]
    indptr = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(keep)), out=indptr[1:])
    return indptr, col[ok], g.data[j][ok]


def pairs_within(network: Network, sources: Snapped, targets: Snapped, *, limit_s: float,
                 batch: int = 256) -> tuple[NDArray[np.int64], NDArray[np.int64],
                                            NDArray[np.float64]]:
    """Every (source, target) pair within ``limit_s``, with its travel time.

    Each source gets its own bounded Dijkstra; sources run in batches of at most
    ``batch`` (fewer when the dense rows of a batch would pass :data:`BATCH_BYTES`), so
    memory stays bounded. Sources are batched along a Hilbert curve, and each batch
    searches only the part of the graph it can reach: the nodes within ``limit_s`` times
    the graph's fastest straight-line arc speed of the batch's edge ends (no route within
    the limit leaves that box, so the times are exactly those of a search over the whole
    graph). A target is reached through either end of its edge, or along the edge it
    shares with a source; the fastest way counts.

    Parameters
    ----------
    network
        The network of the travel mode.
    sources, targets
        Snapped points; unsnapped ones take no part.
    limit_s
        Largest travel time kept (seconds, access legs included).
    batch
        Most sources per Dijkstra call.

    Returns
    -------
    source, target : ndarray of int64
        Positions in ``sources`` and ``targets``, sorted by source then target.
    seconds : ndarray of float64
        Travel time of each pair.
    """
    src = np.flatnonzero(sources.edge >= 0)
    tgt = np.flatnonzero(targets.edge >= 0)
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if len(src) == 0 or len(tgt) == 0:
        return empty
    n = network.n_nodes
    k = len(src)
    # per graph node, the targets on its edges (position in ``tgt``), the cost from the
    # node to each, and which end of the target's edge the node is (0: u, 1: v)
    e, f = _fraction(network, targets, tgt)
    t_u, t_v = network.edge_u[e], network.edge_v[e]
    t_acc = _access_s(network, targets, tgt)
    t_cu = _part(f, network.edge_time_fwd[e]) + t_acc
    t_cv = _part(1.0 - f, network.edge_time_bwd[e]) + t_acc
    nodes, ptr, inc_t, _, inc_way = _target_incidence(network, targets, tgt)
    tpos = np.full(len(targets.edge), -1, dtype=np.int64)
    tpos[tgt] = np.arange(len(tgt))
    inc_t = tpos[inc_t]
    # the pairs along a shared edge, grouped by source
    se_s, se_t, se_c = _same_edge_pairs(network, sources, src, targets, tgt)
    order = np.argsort(se_s, kind="stable")
    se_s, se_t, se_c = se_s[order], tpos[se_t[order]], se_c[order]
    # reach of a search in metres, with a margin for the rounding of the times' sums
    reach = limit_s * _max_speed(network) * (1 + 1e-9) + 1e-3
    bounded = bool(np.isfinite(reach))
    xy = network.node_xy
    if bounded:
        src = src[_hilbert_order(xy[network.edge_u[sources.edge[src]]])]
        by_x, xs = _nodes_by_x(network)
    e_src = sources.edge[src]
    local = np.full(n, -1, dtype=np.int64)
    inc_of = np.full(n, -1, dtype=np.int64)
    inc_of[nodes] = np.arange(len(nodes))
    out_s, out_t, out_c = [], [], []
    lo = 0
    while lo < k:
        hi = min(lo + batch, k)
        if bounded:
            # a batch spans at most SPAN x ``reach``, so its box stays near one search's
            ends = np.stack([network.edge_u[e_src[lo:hi]], network.edge_v[e_src[lo:hi]]])
            exy = xy[ends]                                  # (2, batch, 2)
            low = np.minimum.accumulate(exy.min(axis=0), axis=0)
            high = np.maximum.accumulate(exy.max(axis=0), axis=0)
            wide = np.flatnonzero((high - low).max(axis=1) > SPAN * reach)
            if len(wide):
                hi = lo + max(1, int(wide[0]))
            box_lo = low[hi - lo - 1] - reach
            box_hi = high[hi - lo - 1] + reach
            strip = by_x[np.searchsorted(xs, box_lo[0], side="left"):
                         np.searchsorted(xs, box_hi[0], side="right")]
            y = xy[strip, 1]
            keep = np.sort(strip[(y >= box_lo[1]) & (y <= box_hi[1])])
        else:
            keep = np.arange(n)
        m = len(keep)
        # the box's nodes with targets on their edges
        q = inc_of[keep]
        has = np.flatnonzero(q >= 0)
        q = q[has]
        hi = lo + int(max(1, min(hi - lo, BATCH_BYTES // (8 * (m + hi - lo)))))
        rows = np.sort(src[lo:hi])
        b = len(rows)
        local[keep] = np.arange(m)
        indptr, col, data = _subgraph(network.graph, keep, local)
        r_arc, n_arc, c_arc = source_arcs(network, sources, rows)
        counts = np.bincount(r_arc, minlength=b)
        g = sp.csr_matrix((np.concatenate([data, c_arc]),
                           np.concatenate([col, local[n_arc]]).astype(np.int32),
                           np.concatenate([indptr, indptr[-1] + np.cumsum(counts)])
                           .astype(np.int32)), shape=(m + b, m + b))
        dist = dijkstra(g, directed=True, indices=np.arange(m, m + b), limit=limit_s)
        sub = dist[:, has]
        r, c = np.nonzero(sub <= limit_s)
        cp = q[c]
        cnt = ptr[cp + 1] - ptr[cp]
        j = ranges(ptr[cp], cnt)
        del sub
        # each reached (source, target) through u and through v: both ways at once,
        # counted once (at u when u is reached, else at v)
        tj = inc_t[j]
        rr = np.repeat(r, cnt)
        lu = local[t_u[tj]]
        lv = local[t_v[tj]]
        local[keep] = -1
        tu = np.where(lu >= 0, dist[rr, lu], np.inf) + t_cu[tj]
        tv = np.where(lv >= 0, dist[rr, lv], np.inf) + t_cv[tj]
        del dist
        t = np.minimum(tu, tv)
        ok = (~inc_way[j] | ~(tu < np.inf)) & (t <= limit_s)
        rr, tj, t = rr[ok], tj[ok], t[ok]
        # along an edge shared with a source of the batch
        a = np.searchsorted(se_s, rows, side="left")
        z = np.searchsorted(se_s, rows, side="right")
        js = ranges(a, z - a)
        rr = np.concatenate([rr, np.repeat(np.arange(b), z - a)])
        tj = np.concatenate([tj, se_t[js]])
        t = np.concatenate([t, se_c[js]])
        # by source, then target; a pair found both ways keeps the faster
        key = rr * np.int64(len(tgt)) + tj
        order = _argsort_unique(key, np.int64(b) * len(tgt))
        key, t = key[order], t[order]
        dup = np.flatnonzero(key[1:] == key[:-1])
        if len(dup):
            t[dup + 1] = np.minimum(t[dup], t[dup + 1])
            drop = np.ones(len(key), dtype=bool)
            drop[dup] = False
            key, t = key[drop], t[drop]
        ok = t <= limit_s if np.isfinite(limit_s) else t < np.inf
        key, t = key[ok], t[ok]
        out_s.append(rows[key // len(tgt)])
        out_t.append(tgt[key % len(tgt)])
        out_c.append(t)
        lo = hi
    # each source's pairs are one run, sorted by target: put the runs in source order
    runs = []
    for bi, rs in enumerate(out_s):
        if len(rs):
            first = np.flatnonzero(np.r_[True, rs[1:] != rs[:-1]])
            runs.append(np.column_stack([rs[first], np.full(len(first), bi), first,
                                         np.r_[first[1:], len(rs)]]))
    if not runs:
        return empty
    table = np.concatenate(runs)
    table = table[np.argsort(table[:, 0], kind="stable")]
    cols = []
    for part in (out_s, out_t, out_c):
        cols.append(np.concatenate([part[bi][a:z] for _, bi, a, z in table.tolist()]))
    return cols[0], cols[1], cols[2]
