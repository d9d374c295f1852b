"""The worker loop: every ICN_WORKER_TICK_SECONDS, jobs → sweep → compose → send.

0. plugins' periodic jobs (``register_worker_jobs``), each failing apart from the rest;
1. ``sweep_undispatched``: events committed by a process that died before dispatching them;
2. ``compose_due_mail``: due notifications become outgoing mail;
3. ``send_due_mail``: queued mail goes to the SMTP server (or the ``.eml`` folder).

Every step claims its rows with a lease (ICN_WORKER_LEASE_SECONDS) that starts when the step
claims them (each step reads the clock afresh, so a slow sweep or compose does not eat into the
send step's lease), so several workers can run side by side and a killed one's work is taken
over once its leases lapse. The send step renews its lease before each message and records
nothing for a message whose lease another worker has taken over. SIGTERM or SIGINT
stops the loop after the step in progress (given at most 10 s more, then abandoned like a
crash). A step that fails (the database is down, a plugin's bug) is logged and tried again on
the next tick; a failed compose step does not keep the send step from running, nor the reverse.
A database that cannot be reached is said in one line when it goes away and one when it is back,
not a traceback every tick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.problems import database_problem
from icn_graph.events.sweep import sweep_undispatched
from icn_graph.notifications.mail.compose import ComposeTally, compose_due_mail
from icn_graph.notifications.mail.sender import SendTally, send_due_mail, wall_clock
from icn_graph.notifications.mail.transport import MailTransport, transport_for
from icn_graph.plugins.manager import PluginHost
from icn_graph.plugins.outbox import outbox_dispatcher

log = logging.getLogger(__name__)

# How long a step in progress may go on once the worker is asked to stop.
STOP_GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class TickResult:
    swept: int
    composed: int
    # Messages the SMTP server accepted; refusals are failed, never sent.
    sent: int
    claimed: int = 0
    failed: int = 0
    retrying: int = 0
    dead: int = 0
    # Composed messages never sent: suppressed when composed or when due to be sent.
    suppressed: int = 0
    # What plugins' periodic jobs did (``register_worker_jobs``).
    jobs: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.swept or self.composed or self.claimed or self.jobs)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        plugins: PluginHost,
        *,
        transport: MailTransport | None = None,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db
        self.plugins = plugins
        self.transport = transport or transport_for(settings)
        self.worker_id = worker_id or new_worker_id()
        self.dispatcher = outbox_dispatcher(
            plugins, db, settings, lease_seconds=settings.worker_lease_seconds
        )
        if db.event_sink is None:
            db.event_sink = self.dispatcher.submit
        self.jobs = plugins.worker_jobs(settings)
        self.database_down = False
        self._tick_failed = False

    def _failed(self, what: str, error: Exception) -> None:
        """Log a failed step: a traceback for a bug, one line for a database that went away."""
        self._tick_failed = True
        problem = database_problem(error, self.settings.database_url_value)
        if problem is None:
            log.exception("worker %s: %s", self.worker_id, what)
        elif not self.database_down:
            log.warning("worker %s: %s; trying again every tick", self.worker_id, problem)
        self.database_down = self.database_down or problem is not None

    async def tick(self, now: datetime | None = None) -> TickResult:
        """Plugins' jobs, then one sweep → compose → send. Each step reads the worker's clock
        when it starts (and the send step before each message); a fixed ``now`` (simulated
        time) is used for all."""
        clock: Callable[[], datetime] = self.clock if now is None else (lambda: now)
        lease = self.settings.worker_lease_seconds
        self._tick_failed = False
        done = 0
        for job in self.jobs:
            try:
                done += await job(self.db, clock())
            except Exception as error:
                self._failed(f"the periodic job {job.__qualname__} failed", error)
        swept = await sweep_undispatched(
            self.db, self.dispatcher, now=clock(), worker_id=self.worker_id, lease_seconds=lease
        )
        # Compose and send fail apart: mail a plugin's bug keeps from being composed must not
        # hold up mail already queued, nor an SMTP outage the composing of new mail.
        composing = ComposeTally()
        composed = 0
        try:
            composed = await compose_due_mail(
                self.db, self.settings, now=clock(), plugins=self.plugins, tally=composing
            )
        except Exception as error:
            self._failed("composing mail failed; sending what is queued", error)
        tally = SendTally()
        claimed = 0
        try:
            claimed = await send_due_mail(
                self.db,
                self.settings,
                self.transport,
                clock=clock,
                worker_id=self.worker_id,
                lease_seconds=lease,
                tally=tally,
            )
        except Exception as error:
            self._failed("sending mail failed; trying again next tick", error)
        if not claimed:
            await self.transport.close()  # idle: don't hold the SMTP connection open
        return TickResult(
            swept,
            composed,
            tally.sent,
            claimed=claimed,
            failed=tally.failed,
            retrying=tally.retrying,
            dead=tally.dead,
            # Suppressed when composed (a known-bad address) or when sent (it went bad since).
            suppressed=composing.suppressed + tally.suppressed,
            jobs=done,
        )

    async def _tick_unless_stopped(self, stop: asyncio.Event) -> TickResult:
        """One tick; if asked to stop meanwhile, it gets STOP_GRACE_SECONDS to finish (a stalled
        SMTP server could otherwise hold the worker for a timeout per message), then it is
        cancelled like a crash: nothing is lost, the leases lapse."""
        tick = asyncio.create_task(self.tick())
        stopping = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({tick, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not tick.done():
                await asyncio.wait({tick}, timeout=STOP_GRACE_SECONDS)
            if not tick.done():
                tick.cancel()
            return await tick
        finally:
            stopping.cancel()

    async def run(self, stop: asyncio.Event) -> None:
        log.info(
            "worker %s started (every %.1f s)", self.worker_id, self.settings.worker_tick_seconds
        )
        await self.dispatcher.start()  # the plugin engine's event-loop watchdog
        try:
            while not stop.is_set():
                try:
                    result = await self._tick_unless_stopped(stop)
                except asyncio.CancelledError:
                    if not stop.is_set():
                        raise
                    log.warning(
                        "worker %s: stopped mid-step; what it had claimed is retried once its "
                        "lease lapses",
                        self.worker_id,
                    )
                    break
                except Exception as error:
                    self._failed("a step failed; trying again next tick", error)
                else:
                    if self.database_down and not self._tick_failed:
                        log.info("worker %s: the database answers again", self.worker_id)
                        self.database_down = False
                    if result.busy:
                        log.info(
                            "worker %s: swept %d events, composed %d messages, sent %d, "
                            "failed %d, retrying %d, dead %d, suppressed %d, jobs %d",
                            self.worker_id,
                            result.swept,
                            result.composed,
                            result.sent,
                            result.failed,
                            result.retrying,
                            result.dead,
                            result.suppressed,
                            result.jobs,
                        )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.worker_tick_seconds)
        finally:
            await self.transport.close()
            await self.dispatcher.close()
            log.info("worker %s stopped", self.worker_id)


async def run_until_signalled(settings: Settings, plugins: PluginHost) -> None:
    """Run a worker until SIGTERM or SIGINT (``icn-graph worker``)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    db = Database.from_settings(settings)
    try:
        await Worker(settings, db, plugins).run(stop)
    finally:
        await db.dispose()
