"""Worker processes for independent pieces of work (per category, per circle).

One mechanism for the whole package: :func:`pmap` runs a function over a list of small
tasks in ``jobs`` processes and returns the results in task order, so the answer does not
depend on ``jobs``. Large read-only objects the tasks need (the road networks) are handed
over once per worker through the pool's initializer and read back with :func:`shared`;
they are never pickled with every task. With one job, or one task, everything runs in
this process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

__all__ = ["default_jobs", "pmap", "resolve_jobs", "shared"]

T = TypeVar("T")
R = TypeVar("R")

_SHARED: dict[str, Any] = {}


def default_jobs() -> int:
    """The cores this process may run on (all of them unless restricted by affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int | None) -> int:
    """``jobs`` as a worker count: None means :func:`default_jobs`.

    Raises
    ------
    ValueError
        ``jobs`` below 1.
    """
    if jobs is None:
        return default_jobs()
    if int(jobs) < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs!r}")
    return int(jobs)


def shared() -> Mapping[str, Any]:
    """The objects handed to :func:`pmap` as ``shared``, inside a task."""
    return _SHARED


def _init(objects: Mapping[str, Any]) -> None:
    _SHARED.clear()
    _SHARED.update(objects)


def _init_worker(objects: Mapping[str, Any]) -> None:
    # Ctrl-C and SIGTERM are the parent's to handle: it stops the workers and cleans up
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _init(objects)


def pmap(func: Callable[[T], R], tasks: Iterable[T], *, jobs: int | None = None,
         shared: Mapping[str, Any] | None = None) -> list[R]:
    """``[func(t) for t in tasks]``, in up to ``jobs`` worker processes.

    Parameters
    ----------
    func
        A module-level function (picklable by name) of one task.
    tasks
        Small, picklable task descriptions.
    jobs
        Worker processes; None = every core (:func:`default_jobs`). At most one per task.
    shared
        Read-only objects every task may read with :func:`shared`; sent to each worker
        once (on Linux the workers are forked and inherit them without pickling).

    Returns
    -------
    list
        The results in the order of ``tasks``, whatever ``jobs`` is.
    """
    items = list(tasks)
    n = min(resolve_jobs(jobs), len(items))
    objects = dict(shared or {})
    if n <= 1:
        previous = dict(_SHARED)
        _init(objects)
        try:
            return [func(t) for t in items]
        finally:
            _init(previous)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pool = ctx.Pool(n, initializer=_init_worker, initargs=(objects,))
    try:
        out = pool.map(func, items, chunksize=1)
    except BaseException:
        pool.terminate()    # an error or an interrupt: stop the others at once
        raise
    else:
        pool.close()
    finally:
        pool.join()
    return out
