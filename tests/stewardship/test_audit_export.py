"""``icn-graph audit export``: one CSV row per read and center, filtered by days and center;
bad arguments say what is wrong in one line and exit with status 2."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from icn_graph.cli import main
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, NetworkRole, Person, PersonKind
from icn_graph.models.stewardship import IdentifiedRead
from icn_graph.services.stewardship.read_audit import ShownCenter, record_identified_read
from icn_graph.testing import make_center, make_person


async def _export(settings: Settings, *args: str) -> Result:
    env = {"ICN_DATABASE_URL": settings.database_url_value, "ICN_PLUGINS": "core"}
    return await asyncio.to_thread(
        CliRunner().invoke, main, ["audit", "export", *args], env=env, catch_exceptions=False
    )


async def _reads(db: Database) -> tuple[Center, Center, Person]:
    """Staff read A and B on 2025-03-01 (CSV) and B on 2025-03-02 (GRAPHQL)."""
    a = await make_center(db, short_code="AAA")
    b = await make_center(db, short_code="BBB")
    staff = await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, email="staff@example.org"
    )
    async with db.transaction() as session:
        for day, channel, centers in ((1, "CSV", (a, b)), (2, "GRAPHQL", (b,))):
            await record_identified_read(
                session,
                reader_id=staff.id,
                link_id=None,
                channel=channel,
                subject="REPORT",
                measure_key="remission_rate",
                centers=[ShownCenter(center.id, None) for center in centers],
                at=datetime(2025, 3, day, 23, 30, tzinfo=UTC),
            )
    return a, b, staff


def _rows(output: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(output)))


async def test_every_read_and_center_is_a_row(db: Database, settings: Settings) -> None:
    await _reads(db)

    async with db.session() as session:
        first, second = (
            to_global_id("IdentifiedRead", read_id)
            for read_id in await session.scalars(select(IdentifiedRead.id).order_by("id"))
        )

    result = await _export(settings, "--since", "2025-03-01")

    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert result.stdout.splitlines()[0] == (
        "read_id,at,reader_email,link_id,channel,subject,measure,view_id,center,consent_id"
    )
    assert [
        (row["read_id"], row["at"], row["reader_email"], row["channel"], row["center"])
        for row in rows
    ] == [
        (
            first,
            "2025-03-01T23:30:00+00:00",
            "staff@example.org",
            "CSV",
            "AAA",
        ),
        (
            first,
            "2025-03-01T23:30:00+00:00",
            "staff@example.org",
            "CSV",
            "BBB",
        ),
        (
            second,
            "2025-03-02T23:30:00+00:00",
            "staff@example.org",
            "GRAPHQL",
            "BBB",
        ),
    ]
    assert {
        (row["measure"], row["subject"], row["link_id"], row["consent_id"]) for row in rows
    } == {("remission_rate", "REPORT", "", "")}


async def test_days_and_center_narrow_it(db: Database, settings: Settings, tmp_path: Path) -> None:
    await _reads(db)

    first_day = await _export(settings, "--since", "2025-03-01", "--until", "2025-03-01")
    assert [row["center"] for row in _rows(first_day.stdout)] == ["AAA", "BBB"]
    later = await _export(settings, "--since", "2025-03-02")
    assert [row["channel"] for row in _rows(later.stdout)] == ["GRAPHQL"]
    only_a = await _export(settings, "--since", "2025-01-01", "--center", "aaa")
    assert [row["center"] for row in _rows(only_a.stdout)] == ["AAA"]

    target = tmp_path / "audit.csv"
    written = await _export(settings, "--since", "2025-01-01", "--output", str(target))
    assert written.exit_code == 0, written.output
    assert written.stdout == ""
    assert "wrote 3 rows" in written.stderr
    assert len(_rows(target.read_text(encoding="utf-8"))) == 3
    assert not (tmp_path / "audit.csv.partial").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--since is required"),
        (("--since", "2025-3-1"), "--since: '2025-3-1' is not a date as YYYY-MM-DD"),
        (("--since", "2025-02-30"), "--since: '2025-02-30' is not a date"),
        (("--since", "2025-03-02", "--until", "2025-03-01"), "--until: 2025-03-01 is before"),
        (("--since", "2025-03-01", "--center", "NOPE"), "no center has the short code 'NOPE'"),
        (("--since", "2025-03-01", "--sinse", "x"), "No such option"),
    ],
)
async def test_bad_arguments_are_one_line_and_exit_2(
    db: Database, settings: Settings, args: tuple[str, ...], message: str
) -> None:
    result = await _export(settings, *args)

    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
