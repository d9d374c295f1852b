"""No secret that is part of a URL path reaches the access log: ``icn-graph serve`` as a real
process logs every fetch of a calendar feed, a public data view link and the mailed links (sign
in, invitation, email change, unsubscribe, manage email) with ``<secret>`` in the secret's place,
and its status. Every route of the app with a path parameter is either redacted or known to hold
no secret, so a new secret route cannot be forgotten."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.models import CalendarFeed, Person, PersonKind
from icn_graph.notifications.unsubscribe_page import PATH as UNSUBSCRIBE_PATH
from icn_graph.services.calendar_feeds import FEED_PATH, new_feed_secret
from icn_graph.services.tokens import hash_token
from icn_graph.testing import free_port
from icn_graph.web.access_log import SECRET_PATHS, redact
from icn_graph.web.data_views import PUBLIC_PATH
from tests.web.serve_process import Running, cli_env, wait_until_listening

# Routes whose path parameters are not secrets, and what they are.
NOT_SECRETS = {
    "/learning-sessions/{id}/agenda.ics": "a Learning Session's global ID",
    "/reports/{measure}.{format}": "a measure's key and a file format",
    "/data-views/{file}": "a data view's global ID and a file format",
}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def _routes(routes: Sequence[BaseRoute]) -> Iterator[Route | WebSocketRoute]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _routes(route.routes)
        elif isinstance(route, Route | WebSocketRoute):
            yield route


def _under(path: str) -> str | None:
    """The secret path ``path`` is, or goes on below."""
    return next((t for t in SECRET_PATHS if path == t or path.startswith(t + "/")), None)


def _filled(path: str, secret: str | None = None) -> str:
    """``path`` with a value for each parameter, ``<secret>`` for the one named ``secret``."""

    def value(found: re.Match[str]) -> str:
        return "<secret>" if found[1] == secret else f"value.of.{found[1]}"

    return PARAMETER.sub(value, path)


async def test_every_route_with_a_path_parameter_is_redacted_or_holds_no_secret(
    tmp_path: Path,
) -> None:
    # Installed plugins are discovered, as `serve` does: their routes count too.
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    await app.state.db.dispose()
    with_parameters = [route.path for route in _routes(app.routes) if route.param_convertors]

    unknown = [path for path in with_parameters if _under(path) is None and path not in NOT_SECRETS]
    assert unknown == [], (
        "a route with a path parameter: if one holds a secret, add its path to "
        "icn_graph.web.access_log.SECRET_PATHS; if none does, to NOT_SECRETS here"
    )
    assert set(NOT_SECRETS) <= set(with_parameters), "NOT_SECRETS names a route that is gone"
    for path in NOT_SECRETS:
        assert not re.search(r"\{(token|secret|key)", path), path
    for template in SECRET_PATHS:
        assert any(_under(path) == template for path in with_parameters), template

    for path in with_parameters:
        secret_path = _under(path)
        if secret_path is None:
            continue
        # Dots in values: an unsubscribe token has them; what follows the secret stays.
        fetched = _filled(path)
        logged = _filled(path, secret=PARAMETER.findall(secret_path)[-1])
        assert redact(fetched) == logged
        assert redact(fetched + "?q=1") == logged + "?q=1"
    assert redact("/data-views/RGF0YVZpZXc6Mg.png") == "/data-views/RGF0YVZpZXc6Mg.png"
    assert redact("/sign-in") == "/sign-in"


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


def _made_up_segment(template: str, secret: str) -> str:
    if template == UNSUBSCRIBE_PATH:
        return f"7.all.1999999999.{secret}"  # the shape of a real one
    if template == PUBLIC_PATH:
        return f"{secret}.csv"
    return secret


async def test_the_access_log_shows_fetches_without_their_secrets(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'feeds.db'}"
    await asyncio.to_thread(migrations.upgrade, url)
    feed = await _person_with_a_feed(url)
    # A random secret for every other secret path, in the shape of its segment.
    made_up = {
        template: secrets.token_urlsafe(32)[:43]
        for template in SECRET_PATHS
        if template != FEED_PATH
    }
    port = free_port()
    server = Running(
        cli_env(ICN_DATABASE_URL=url, ICN_PORT=str(port)), tmp_path / "serve.log", "serve"
    )
    try:
        base = f"http://127.0.0.1:{port}"
        await wait_until_listening(base, server)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            assert (await http.get(f"/calendar/{feed}/mine.ics")).status_code == 200
            assert (await http.get(f"/calendar/{feed}/mine.ics?x=1")).status_code == 200
            assert (await http.get(f"/calendar/{feed}x/mine.ics")).status_code == 404
            for template, secret in made_up.items():
                path = PARAMETER.sub(_made_up_segment(template, secret), template)
                await http.get(path)
                await http.post(path, data={"List-Unsubscribe": "One-Click"})
            await http.get("/healthz?done")
        await server.wait_for_output('"GET /healthz?done HTTP/1.1" 200')
    finally:
        server.stop()
    output = server.output
    assert '"GET /calendar/<secret>/mine.ics HTTP/1.1" 200' in output
    assert '"GET /calendar/<secret>/mine.ics?x=1 HTTP/1.1" 200' in output
    assert '"GET /calendar/<secret>/mine.ics HTTP/1.1" 404' in output
    assert feed.removeprefix("icncal_")[:12] not in output
    for template, secret in made_up.items():
        prefix = template.rpartition("/")[0]
        for method in ("GET", "POST"):
            line = re.escape(f'"{method} {prefix}/<secret> HTTP/1.1" ')
            assert re.search(line + r"[1-5]\d\d", output), (method, template, output)
        assert secret[:12] not in output
    # Other paths are logged as they are.
    assert '"GET /healthz HTTP/1.1" 200' in output
