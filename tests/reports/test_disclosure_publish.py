"""Storing the published table: values stay hidden until judged, a family's values must agree
with what the family declares, and republishing some months leaves the others alone."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from icn_graph.cli import main
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.models import (
    Diagnosis,
    MeasureValue,
    NetworkValue,
    PhysicianGlobalAssessment,
    Visit,
)
from icn_graph.reports.measures import Direction, Measure, MeasureRegistry
from icn_graph.reports.measures.builtin import BUILTIN_MEASURES, core_registry
from icn_graph.reports.measures.monthly import visit_share
from icn_graph.services.reports import MeasureComputationError, refresh_measures
from icn_graph.services.reports.disclosure import republish
from icn_graph.services.reports.disclosure.publish import (
    PublishSummary,
    load_stored,
    publish_groups,
)
from icn_graph.services.reports.disclosure.table import family_months
from icn_graph.testing import GraphQLClient, StatementCounter, make_center
from tests.report_helpers import make_audience, month, store_values

REPORT = """
query Report($centerId: ID) {
  report(measure: "remission_rate", centerId: $centerId) { points { numerator suppressed } }
}
"""


async def test_values_stay_hidden_until_republished(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    async with db.transaction() as session:
        session.add(
            MeasureValue(
                measure_key="remission_rate",
                center_id=audience.center.id,
                month=month(0),
                numerator=40,
                denominator=60,
            )
        )

    async def staff_sees() -> list[dict[str, object]]:
        data = await client.data(REPORT, {"centerId": audience.center_id}, token=audience.staff)
        points: list[dict[str, object]] = data["report"]["points"]
        return points

    assert await staff_sees() == [{"numerator": None, "suppressed": True}]
    own = await client.data(REPORT, {"centerId": audience.center_id}, token=audience.member)
    assert own["report"]["points"] == [{"numerator": 40, "suppressed": False}]

    async with db.transaction() as session:
        summary = await republish(session, core_registry())
    assert (summary.months, summary.cells, summary.hidden) == (1, 1, 0)
    assert await staff_sees() == [{"numerator": 40, "suppressed": False}]


async def test_a_family_member_with_another_denominator_fails_the_refresh(db: Database) -> None:
    """A plugin measure claiming the remission family but counting visits, not patients."""
    center = await make_center(db)
    async with db.transaction() as session:
        session.add_all(
            Visit(
                center_id=center.id,
                patient_key=f"p{index % 3}".ljust(64, "x"),
                visit_date=date(2024, 1, 1 + index),
                pga=PhysicianGlobalAssessment.QUIESCENT,
                diagnosis=Diagnosis.CROHNS,
                on_steroids=False,
                pre_visit_planning=True,
            )
            for index in range(6)
        )
    impostor = Measure(
        key="visits_planned",
        title="Visits planned",
        definition="Share of visits planned.",
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=partial(visit_share, column="pre_visit_planning"),
        family="remission",
    )
    registry = MeasureRegistry([("core", BUILTIN_MEASURES), ("icn-impostor", [impostor])])
    with pytest.raises(MeasureComputationError, match="different denominators") as raised:
        async with db.transaction() as session:
            await refresh_measures(session, registry)
    assert "family 'remission'" in str(raised.value)
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(MeasureValue)) == 0

    honest = dataclasses.replace(impostor, family=None)
    registry = MeasureRegistry([("core", BUILTIN_MEASURES), ("icn-honest", [honest])])
    async with db.transaction() as session:
        assert await refresh_measures(session, registry) > 0


async def test_republishing_some_months_leaves_the_others(db: Database) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(40, 60), (41, 60)])
    await store_values(db, audience.other_center, [(30, 50), (31, 50)])
    async with db.transaction() as session:
        done = await republish(session, core_registry(), [month(1)])
    assert (done.months, done.cells) == (1, 2)
    async with db.session() as session:
        rows = await session.execute(
            select(NetworkValue.month, NetworkValue.numerator, NetworkValue.published).order_by(
                NetworkValue.month
            )
        )
        assert rows.all() == [(month(0), 70, True), (month(1), 72, True)]


def _with_db(url: str, work: Callable[[Database], Awaitable[None]]) -> None:
    async def run() -> None:
        db = Database.from_url(url)
        try:
            await work(db)
        finally:
            await db.dispose()

    asyncio.run(run())


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)
    return {"ICN_DATABASE_URL": url, "ICN_LOG_LEVEL": "WARNING", "ICN_PLUGINS": "core"}


def test_cli_republishes_and_audits_the_table(cli_env: dict[str, str]) -> None:
    """The audit passes on the table a refresh computed, and fails, naming the count, once a
    small cell is published by hand; republish puts it right."""
    url = cli_env["ICN_DATABASE_URL"]
    runner = CliRunner()

    async def store(db: Database) -> None:
        audience = await make_audience(db)
        await store_values(db, audience.center, [(40, 60), (45, 60)])
        await store_values(db, audience.other_center, [(3, 30), (40, 50)])

    _with_db(url, store)
    passed = runner.invoke(main, ["reports", "audit"], env=cli_env)
    assert passed.exit_code == 0, passed.output
    assert "0 exposed counts" in passed.output
    assert "audit passed" in passed.output

    async def leak(db: Database) -> None:
        async with db.transaction() as session:
            await session.execute(update(MeasureValue).values(published=True))

    _with_db(url, leak)
    failed = runner.invoke(main, ["reports", "audit"], env=cli_env)
    assert failed.exit_code == 1
    assert "exposed: remission 2022-01 center" in failed.output
    assert "remission_rate numerator in [3, 3] for anyone" in failed.output
    assert "Traceback" not in failed.output

    republished = runner.invoke(main, ["reports", "republish"], env=cli_env)
    assert republished.exit_code == 0, republished.output
    assert "published table recomputed: 2 months, 4 center cells" in republished.output
    assert runner.invoke(main, ["reports", "audit"], env=cli_env).exit_code == 0


async def test_republish_flags_cells_counts_them_and_writes_the_network_rows(
    db: Database, statements: StatementCounter
) -> None:
    """One small center hidden in January with the three smallest others as its complement (no
    two teams pooling their own cells can narrow it down); February, republished only when
    asked, keeps its flags; the network total is stored per member with its own flag."""
    centers = [await make_center(db) for _ in range(6)]
    january, february = date(2024, 1, 1), date(2024, 2, 1)
    counts = {  # center index -> (n, remission, steroid-free, sustained) in January
        0: (5, 2, 1, 1),  # small: hidden for its own counts
        1: (60, 30, 15, 15),
        2: (200, 100, 50, 40),
        3: (90, 45, 30, 20),
        4: (300, 150, 100, 50),
        5: (120, 60, 40, 30),
    }
    keys = ("remission_rate", "steroid_free_remission", "sustained_remission")
    async with db.transaction() as session:
        for index, (n, *numerators) in counts.items():
            for key, y in zip(keys, numerators, strict=True):
                for when in (january, february):
                    session.add(
                        MeasureValue(
                            measure_key=key,
                            center_id=centers[index].id,
                            month=when,
                            numerator=y,
                            denominator=n,
                        )
                    )
    async with db.transaction() as session:
        assert await republish(session, core_registry(), []) == PublishSummary(0, 0, 0, 0, 0)
        statements.reset()
        summary = await republish(session, core_registry(), [date(2024, 1, 17)])
    assert summary == PublishSummary(
        months=1, cells=18, hidden=12, complementary=9, network_hidden=0
    )
    # Every cell published, then the 12 hidden ones unpublished in one statement (chunks of
    # 1,000 ids), whatever their number.
    flag_writes = [s for s in statements.statements if "SET published" in s]
    assert len(flag_writes) == 2, flag_writes

    async with db.session() as session:
        rows = (await session.execute(select(MeasureValue))).scalars().all()
        flags = {(r.center_id, r.measure_key, r.month): (r.published, r.disclosed) for r in rows}
        network = {
            (r.measure_key, r.month): (r.numerator, r.denominator, r.published)
            for r in (await session.execute(select(NetworkValue))).scalars().all()
        }
    hidden = {centers[i].id for i in (0, 1, 3, 5)}  # the small one and the 3 smallest others
    for (center_id, _, when), (published, disclosed) in flags.items():
        if when == february:
            assert (published, disclosed) == (False, False)  # not republished: never shown
        else:
            assert published is (center_id not in hidden)
            assert disclosed is published
    assert network == {
        ("remission_rate", january): (387, 775, True),
        ("steroid_free_remission", january): (236, 775, True),
        ("sustained_remission", january): (156, 775, True),
    }

    async with db.transaction() as session:
        everything = await republish(session, core_registry())
    assert (everything.months, everything.cells, everything.hidden) == (2, 36, 24)
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(NetworkValue))
    assert count == 6


async def test_a_network_too_small_to_show_is_hidden_in_every_month_and_counted(
    db: Database,
) -> None:
    """Three centers of two patients each: every cell is hidden, the network total (6) too, in
    both months; the in-memory flags the audit reads say the same."""
    centers = [await make_center(db) for _ in range(3)]
    months = (date(2024, 1, 1), date(2024, 2, 1))
    keys = ("remission_rate", "steroid_free_remission", "sustained_remission")
    async with db.transaction() as session:
        for center in centers:
            for key in keys:
                for when in months:
                    session.add(
                        MeasureValue(
                            measure_key=key,
                            center_id=center.id,
                            month=when,
                            numerator=1,
                            denominator=2,
                        )
                    )
    async with db.transaction() as session:
        summary = await republish(session, core_registry())
        groups = family_months(core_registry(), await load_stored(session))
    assert summary.network_hidden == 6  # three members, two months
    assert (summary.cells, summary.hidden) == (18, 18)

    remission = [group for group in groups if group.family.members == keys]
    assert [group.month for group in remission] == list(months)
    patterns = publish_groups(remission)
    for group, pattern in zip(remission, patterns, strict=True):
        assert pattern.network_hidden
        assert group.network_published == (False, False, False)
        assert group.published == {center.id: (False, False, False) for center in centers}
