"""Plugins' periodic jobs (``register_worker_jobs``): each worker tick runs them at its clock's
``now``, a job that raises is logged and keeps neither the other jobs nor the tick from running,
and a hook returning something other than a list of callables stops start-up naming the plugin."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.notifications.worker.loop import Worker
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.plugins.manager import PluginStartupError
from icn_graph.plugins.worker_jobs import WorkerJob

NOW = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)


async def test_a_tick_runs_every_job_at_its_now_and_survives_a_failing_one(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[datetime] = []

    async def broken(db: Database, now: datetime) -> int:
        raise RuntimeError("the job's bug")

    async def counting(db: Database, now: datetime) -> int:
        seen.append(now)
        return 2

    @hookimpl
    def register_worker_jobs() -> Sequence[WorkerJob]:
        return [broken, counting]

    plugin = SimpleNamespace(register_worker_jobs=register_worker_jobs)
    host = load_plugins(settings, extra=[("icn-jobs", plugin)], discover=False)
    worker = Worker(settings, db, host, worker_id="w")
    result = await worker.tick(now=NOW)
    assert result.jobs == 2
    assert result.busy
    assert seen == [NOW]
    failed = [r for r in caplog.records if "periodic job" in r.getMessage()]
    assert len(failed) == 1
    assert failed[0].exc_info is not None
    assert isinstance(failed[0].exc_info[1], RuntimeError)


def test_a_hook_returning_no_list_of_jobs_stops_start_up(settings: Settings) -> None:
    @hookimpl
    def register_worker_jobs() -> str:
        return "flag_overdue"

    plugin = SimpleNamespace(register_worker_jobs=register_worker_jobs)
    host = load_plugins(settings, extra=[("icn-bad-jobs", plugin)], discover=False)
    with pytest.raises(PluginStartupError, match=r"icn-bad-jobs.*register_worker_jobs"):
        host.worker_jobs(settings)
