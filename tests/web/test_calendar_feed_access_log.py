"""``icn-graph serve`` as a real process: a calendar feed's secret never reaches the access log,
which still shows every fetch (with ``<secret>`` in its place) and its status."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.models import CalendarFeed, Person, PersonKind
from icn_graph.services.calendar_feeds import new_feed_secret
from icn_graph.services.tokens import hash_token
from icn_graph.testing import free_port
from tests.web.serve_process import Running, cli_env, wait_until_listening


async def _person_with_a_feed(url: str) -> str:
    secret = new_feed_secret()
    db = Database.from_url(url)
    try:
        async with db.transaction() as session:
            person = Person(
                display_name="Dana Whitfield",
                email="dana@example.org",
                email_key="dana@example.org",
                kind=PersonKind.PARENT_PARTNER,
            )
            session.add(person)
            await session.flush()
            session.add(CalendarFeed(person_id=person.id, token_hash=hash_token(secret)))
    finally:
        await db.dispose()
    return secret


async def test_the_access_log_shows_feed_fetches_without_their_secret(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'feeds.db'}"
    await asyncio.to_thread(migrations.upgrade, url)
    secret = await _person_with_a_feed(url)
    port = free_port()
    server = Running(
        cli_env(ICN_DATABASE_URL=url, ICN_PORT=str(port)), tmp_path / "serve.log", "serve"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_until_listening(base, server)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            assert (await http.get(f"/calendar/{secret}/mine.ics")).status_code == 200
            assert (await http.get(f"/calendar/{secret}/mine.ics?x=1")).status_code == 200
            assert (await http.get(f"/calendar/{secret}x/mine.ics")).status_code == 404
        await server.wait_for_output('"GET /calendar/<secret>/mine.ics HTTP/1.1" 404')
    finally:
        server.stop()
    output = server.output
    assert '"GET /calendar/<secret>/mine.ics HTTP/1.1" 200' in output
    assert '"GET /calendar/<secret>/mine.ics?x=1 HTTP/1.1" 200' in output
    assert secret.removeprefix("icncal_")[:12] not in output
    # Other paths are logged as they are.
    assert '"GET /healthz HTTP/1.1" 200' in output
