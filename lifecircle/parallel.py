"""Worker processes for independent pieces of work (per category, per circle).

One mechanism for the whole package: :func:`pmap` runs a function over a list of small
tasks in ``jobs`` processes and returns the results in task order, so the answer does not
depend on ``jobs``. Large read-only objects the tasks need (the road networks) are handed
over once per worker through the pool's initializer and read back with :func:`shared`;
they are never pickled with every task. With one job, or one task, everything runs in
this process.

:func:`pmap_async` is the same in the background: the workers start at once and the
caller goes on with other work (the pipeline's coverage, equity and planning while the
workers draw the service areas) until it asks for the results with :meth:`Pending.get`.
With one job nothing runs in the background: the tasks run in this process when the
results are first asked for, in the same order as :func:`pmap` runs them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

__all__ = ["Pending", "default_jobs", "pmap", "pmap_async", "resolve_jobs", "shared"]

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
        from lifecircle.errors import InputError, notice

        raise notice(InputError, "err.api.jobs", value=repr(jobs))
    return int(jobs)


def shared() -> Mapping[str, Any]:
    """The objects handed to :func:`pmap` as ``shared``, inside a task."""
    return _SHARED


def _init(objects: Mapping[str, Any]) -> None:
    _SHARED.clear()
    _SHARED.update(objects)


_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _init_worker(objects: Mapping[str, Any]) -> None:
    # Ctrl-C and SIGTERM are the parent's to handle: it stops the workers and cleans up.
    # The parent forks with both blocked, so a SIGTERM sent to a worker this early waits
    # until it means "exit" here (not the parent's handler, inherited through the fork).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)
    _init(objects)


class Pending(Generic[R]):
    """Results of :func:`pmap_async` still being computed.

    Iterating gives the results one by one in task order, each as soon as it is ready;
    :meth:`get` waits for all of them (later calls return the same list); :meth:`close`
    stops the workers of results nobody will ask for (on an error or an interrupt in the
    caller). Also a context manager that closes on exit.
    """

    def __init__(self, func: Callable[[Any], R], items: list[Any], n: int,
                 objects: dict[str, Any]) -> None:
        self._func = func
        self._items = items
        self._objects = objects
        self._pool: Any = None
        self._next: Iterator[R] | None = None
        self._done: list[R] = []
        if n > 1:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
            try:
                try:
                    self._pool = ctx.Pool(n, initializer=_init_worker, initargs=(objects,))
                    self._next = self._pool.imap(func, items, chunksize=1)
                finally:
                    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            except BaseException:
                self.close()    # interrupted while starting: no worker is left behind
                raise

    def _one(self) -> R:
        """The next result (computed here with one job)."""
        if self._next is not None:
            return next(self._next)
        previous = dict(_SHARED)
        _init(self._objects)
        try:
            return self._func(self._items[len(self._done)])
        finally:
            _init(previous)

    def __iter__(self) -> Iterator[R]:
        i = 0
        while True:
            if i == len(self._done):
                if i == len(self._items):
                    break
                try:
                    self._done.append(self._one())
                except BaseException:
                    self.close()    # an error or an interrupt: stop the others at once
                    raise
                if len(self._done) == len(self._items):
                    self._finish()
            yield self._done[i]
            i += 1

    def get(self) -> list[R]:
        """The results in the order of the tasks (waits for the workers)."""
        for _ in self:
            pass
        return list(self._done)

    def _finish(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()   # interrupted here, close() still stops the workers
        self._pool = self._next = None
        self._objects = {}

    def close(self) -> None:
        """Stop the workers (if any still run); results not yet received are lost."""
        pool, self._pool, self._next = self._pool, None, None
        self._objects = {}
        self._items = self._items[:len(self._done)]
        if pool is not None:
            pool.terminate()
            pool.join()

    def __enter__(self) -> Pending[R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pmap_async(func: Callable[[T], R], tasks: Iterable[T], *, jobs: int | None = None,
               shared: Mapping[str, Any] | None = None) -> Pending[R]:
    """:func:`pmap` in the background: start the workers and return at once.

    Parameters are those of :func:`pmap`. The workers are forked now, so ``shared`` (and
    everything else they read) is what exists at this moment.

    Returns
    -------
    Pending
        ``get()`` gives ``[func(t) for t in tasks]`` in task order, whatever ``jobs`` is.
        With one job (or one task) the tasks run in this process at the first ``get()``.
    """
    items = list(tasks)
    n = min(resolve_jobs(jobs), len(items))
    return Pending(func, items, n, dict(shared or {}))


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
    with pmap_async(func, tasks, jobs=jobs, shared=shared) as pending:
        return pending.get()
