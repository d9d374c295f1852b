"""First run: an empty database, `icn-graph db upgrade`, `icn-graph admin create`, the printed
link, and a signed-in `viewer` over HTTP, on both backends."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from icn_graph.app import create_app
from icn_graph.cli import main
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins

LINK = re.compile(r"^https://icn\.example\.org(/sign-in/icnlink_[A-Za-z0-9_-]+)$", re.MULTILINE)
SHOWN_TOKEN = re.compile(r"<code>(icn_[A-Za-z0-9_-]+)</code>")


def cli(url: str, *args: str) -> Result:
    env = {
        "ICN_DATABASE_URL": url,
        "ICN_PLUGINS": "core",
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_PUBLIC_URL": "https://icn.example.org",
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


async def test_an_empty_database_gets_its_first_signed_in_admin(scratch_url: str) -> None:
    assert (await asyncio.to_thread(cli, scratch_url, "db", "upgrade")).exit_code == 0
    created = await asyncio.to_thread(
        cli, scratch_url, "admin", "create", "--email", "Ada@Example.org", "--name", "Ada Admin"
    )
    assert created.exit_code == 0, created.output
    assert "created admin Ada@Example.org" in created.output
    match = LINK.search(created.output)
    assert match is not None, created.output
    path = match.group(1)

    again = await asyncio.to_thread(
        cli, scratch_url, "admin", "create", "--email", "ada@example.org", "--name", "Ada"
    )
    assert again.exit_code == 1
    assert "--email: Someone already uses the email 'ada@example.org'." in again.output
    assert "Traceback" not in again.output

    settings = Settings(database_url=scratch_url, plugins="core", _env_file=None)  # type: ignore[arg-type,call-arg]
    db = Database.from_url(scratch_url)
    try:
        app = create_app(settings, db=db, plugins=load_plugins(settings, discover=False))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get(path)).status_code == 200
            page = await http.post(path)
            assert page.status_code == 200
            [token] = set(SHOWN_TOKEN.findall(page.text))
            response = await http.post(
                "/graphql",
                json={"query": "{ viewer { person { displayName email networkRole kind } } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert "errors" not in response.json()
            assert response.json()["data"] == {
                "viewer": {
                    "person": {
                        "displayName": "Ada Admin",
                        "email": "Ada@Example.org",
                        "networkRole": "ADMIN",
                        "kind": "STAFF",
                    }
                }
            }
            # The printed link worked once.
            assert (await http.post(path)).status_code == 400
    finally:
        await db.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ("--email", "nope", "--name", "X"), "--email: 'nope' is not a valid", id="email"
        ),
        pytest.param(
            ("--email", "a@example.org", "--name", " "), "--name: Name is required.", id="name"
        ),
        pytest.param(
            ("--email", "a@example.org", "--name", "A", "--timezone", "Mars/Base"),
            "--timezone: 'Mars/Base' is not an IANA time zone",
            id="timezone",
        ),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'first.db'}"
    assert cli(url, "db", "upgrade").exit_code == 0
    result = cli(url, "admin", "create", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
