"""ICN_DATABASE_URL is read without SQLAlchemy: its parts, its rendering with the password
hidden (never shown, however it is written), and agreement with SQLAlchemy's own reading."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import make_url

from icn_graph.config import redact_url
from icn_graph.database_url import DatabaseUrl

URLS = [
    "postgresql+asyncpg://icn:s3cret@db.internal:5432/icn",
    "postgresql+asyncpg://icn@db.internal/icn?ssl=require",
    "postgresql+asyncpg://u:p@[::1]:5432/d",
    "sqlite+aiosqlite:///var/icn.db",
    "sqlite+aiosqlite:////abs/path/icn.db",
    "sqlite+aiosqlite://",
]


@pytest.mark.parametrize("url", URLS)
def test_it_reads_and_hides_as_sqlalchemy_does(url: str) -> None:
    parsed = DatabaseUrl.parse(url)
    assert parsed is not None
    theirs = make_url(url)
    assert parsed.drivername == theirs.drivername
    assert parsed.render() == theirs.render_as_string(hide_password=True)
    assert parsed.render(hide_password=False) == url


def test_what_is_not_a_database_url() -> None:
    for text in ("garbage", "", "://host/db", "postgresql+asyncpg:/one-slash"):
        assert DatabaseUrl.parse(text) is None, text
        assert redact_url(text) == "**********"


def test_it_reads_the_query() -> None:
    parsed = DatabaseUrl.parse("postgresql+asyncpg://h/d?sslmode=require&x=1")
    assert parsed is not None
    assert parsed.query_params == {"sslmode": "require", "x": "1"}


@given(
    password=st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="/?#"),
        min_size=4,
    )
)
def test_a_password_is_never_shown_however_it_is_written(password: str) -> None:
    url = f"postgresql+asyncpg://icn:{password}@db.internal:5432/icn"
    shown = redact_url(url)
    assert password not in shown
    assert shown == "postgresql+asyncpg://icn:***@db.internal:5432/icn"
