"""Done when: two API processes and two workers on one PostgreSQL deliver each thing once. Process
A is ``icn-graph serve --workers 2`` (two API processes on one port), process B a plain ``serve``
on another; two ``icn-graph worker`` processes send mail to a real SMTP server. A check-in posted
to B reaches the follower subscribed on A once, makes one notification, and one email. Then one
of A's processes is killed: A stops the other and exits 1."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from icn_graph.events.models import OutboxEvent
from icn_graph.notifications.models import MailStatus
from icn_graph.notifications.models.notifications import Notification
from icn_graph.testing import fresh_database_url
from tests.mail_helpers import all_mail
from tests.notifications.test_subscriptions_processes import (
    START_TIMEOUT,
    environment,
    free_port,
    icn_graph,
    network,
    wait_ready,
)
from tests.smtp_server import SmtpServer
from tests.subscription_helpers import check_in_over_http, listener_backends, ws_client

SPAWNED = "from multiprocessing.spawn import spawn_main"


@contextmanager
def cli_process(
    env: dict[str, str], log: Path, *arguments: str
) -> Iterator[subprocess.Popen[bytes]]:
    """``icn-graph <arguments>`` running; SIGTERM (then, if it hangs, SIGKILL) when done."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            icn_graph(*arguments), env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=START_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def api_children(pid: int) -> list[int]:
    """The API processes ``serve --workers`` (process ``pid``) started, from /proc."""
    children: list[str] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += (task / "children").read_text().split()
    return [
        int(child)
        for child in children
        if SPAWNED in Path(f"/proc/{child}/cmdline").read_bytes().decode(errors="replace")
    ]


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(int(START_TIMEOUT / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"never: {what}")


async def test_two_api_processes_and_two_workers_deliver_each_thing_once(
    tmp_path: Path, tmp_root: Path
) -> None:
    url = await fresh_database_url("postgresql", tmp_root, "scale_out")
    upgrade = icn_graph("db", "upgrade")
    await asyncio.to_thread(
        subprocess.run, upgrade, env=environment(url), check=True, capture_output=True
    )
    with SmtpServer() as smtp:
        env = environment(url) | smtp.settings_env()
        env |= {
            "ICN_PUBLIC_URL": "https://icn.example.org",
            # Omar is a parent partner: mail at once rather than in tomorrow's digest.
            "ICN_NOTIFY_PARTNER_DELIVERY": "IMMEDIATE",
            "ICN_NOTIFY_BATCH_SECONDS": "0",
            "ICN_WORKER_TICK_SECONDS": "0.2",
            # No quiet hours: otherwise, run at night, the mail waits for the morning.
            "ICN_NOTIFY_QUIET_HOURS": "",
        }
        port_a, port_b = free_port(), free_port()
        base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        logs = {name: tmp_path / f"{name}.log" for name in ("a", "b", "worker1", "worker2")}
        async with network(url) as seeded:
            db = seeded["db"]
            with ExitStack() as running:
                serve = ("serve", "--host", "127.0.0.1", "--port")
                a = running.enter_context(
                    cli_process(env, logs["a"], *serve, str(port_a), "--workers", "2")
                )
                b = running.enter_context(cli_process(env, logs["b"], *serve, str(port_b)))
                workers = [
                    running.enter_context(cli_process(env, logs[name], "worker"))
                    for name in ("worker1", "worker2")
                ]
                await wait_ready(base_a, a, logs["a"])
                await wait_ready(base_b, b, logs["b"])
                assert len(api_children(a.pid)) == 2, logs["a"].read_text(errors="replace")

                async def three_listeners() -> bool:
                    return await listener_backends(db) == 3

                # Each API process listens on its own connection: A's two and B.
                await eventually(three_listeners, "each API process listening")

                async with ws_client(base_a, seeded["omar"]) as follower:
                    await follower.subscribe()
                    # Answered after a database round trip: the subscription is registered.
                    await follower.subscribe("{ viewer { person { id } } }", operation_id="probe")
                    probe = await follower.receive()
                    assert (probe["id"], probe["type"]) == ("probe", "next"), probe
                    assert await follower.receive() == {"id": "probe", "type": "complete"}

                    await check_in_over_http(
                        base_b,
                        seeded["maria"],
                        seeded["goal_id"],
                        note="Fewer courses",
                        confidence=7,
                    )
                    message = await follower.receive()
                    assert (message["id"], message["type"]) == ("1", "next"), message
                    added = message["payload"]["data"]["notificationAdded"]
                    assert added["type"] == "goal.checked_in"

                    async def mail_sent() -> bool:
                        mail = await all_mail(db)
                        return bool(mail) and all(m.status == MailStatus.SENT for m in mail)

                    await eventually(mail_sent, "the mail sent")
                    # Both workers tick 5 times a second: give them a dozen more ticks each.
                    await asyncio.sleep(2.5)
                    # Nothing more on the socket: the notification came once.
                    with pytest.raises(TimeoutError):
                        await asyncio.wait_for(follower.receive(), 1)

                async with db.session() as session:
                    notified = await session.scalars(select(Notification.person_id))
                    assert list(notified) == [seeded["omar_id"]]
                    undispatched = await session.scalar(
                        select(func.count()).where(OutboxEvent.dispatched_at.is_(None))
                    )
                    assert undispatched == 0
                mail = await all_mail(db)
                assert len(mail) == 1
                assert len(smtp.received) == 1
                assert smtp.received[0].rcpt_tos == [mail[0].to_address]
                assert all(worker.poll() is None for worker in workers)

                # One of A's processes dies: A stops the other and exits 1, for its supervisor.
                os.kill(api_children(a.pid)[0], signal.SIGKILL)
                assert await asyncio.to_thread(a.wait, START_TIMEOUT) == 1
                assert "stopping the others" in logs["a"].read_text(errors="replace")
                for process in (b, *workers):
                    process.send_signal(signal.SIGTERM)
                for process in (b, *workers):
                    assert await asyncio.to_thread(process.wait, START_TIMEOUT) in (
                        0,
                        -signal.SIGTERM,
                    )
            for log in logs.values():
                assert "Traceback" not in log.read_text(errors="replace"), log.name

            async def no_listener() -> bool:
                return await listener_backends(db) == 0

            await eventually(no_listener, "every listener connection closed")
