"""Worker processes (lifecircle.parallel): same results in task order for any number of jobs."""

from __future__ import annotations

import os

import pytest

from lifecircle.parallel import pmap, pmap_async, shared


def _square_plus(x: int) -> tuple[int, int]:
    return x * x + shared()["add"], os.getpid()


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError(f"task {x} failed")
    return x


@pytest.mark.parametrize("jobs", [1, 2])
def test_pmap_async_gives_pmap_results_in_task_order(jobs: int) -> None:
    tasks = list(range(7))
    expected = [x * x + 5 for x in tasks]
    assert [r for r, _ in pmap(_square_plus, tasks, jobs=jobs, shared={"add": 5})] == expected
    with pmap_async(_square_plus, tasks, jobs=jobs, shared={"add": 5}) as pending:
        first = [r for r, _ in pending]      # one by one, as they are ready
        assert first == expected
        assert [r for r, _ in pending.get()] == expected   # asked again: the same list
    pids = {p for _, p in pending.get()}
    # with one job everything ran here; with two, in other processes
    assert (pids == {os.getpid()}) if jobs == 1 else (os.getpid() not in pids)
    assert shared() == {}    # the shared objects are not left behind in this process


@pytest.mark.parametrize("jobs", [1, 2])
def test_pmap_async_raises_the_task_error(jobs: int) -> None:
    with pytest.raises(ValueError, match="task 3 failed"):
        pmap_async(_fail_on_three, range(6), jobs=jobs).get()


def test_one_job_runs_nothing_until_asked() -> None:
    calls: list[int] = []
    pending = pmap_async(calls.append, [1, 2], jobs=1)
    assert calls == []
    it = iter(pending)
    next(it)
    assert calls == [1]
    pending.close()                          # the rest is never computed
    assert pending.get() == [None] and calls == [1]


def test_close_stops_the_workers() -> None:
    import multiprocessing

    pending = pmap_async(_square_plus, range(50), jobs=2, shared={"add": 0})
    pending.close()
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]
