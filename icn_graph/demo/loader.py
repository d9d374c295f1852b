"""Writing the demo network into a database, in one transaction with bulk inserts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, insert, select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.demo.context import DemoContext
from icn_graph.demo.generator import DEFAULT_SEED, DemoNetwork, generate_network
from icn_graph.demo.personas import DEMO_PERSONAS
from icn_graph.demo.present import check_today
from icn_graph.models import Center, Membership, Person
from icn_graph.models.people import PARTNER_KINDS
from icn_graph.plugins.manager import PluginHost
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.people import normalize_email
from icn_graph.services.reports.measure_store import refresh_measures


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    centers: int
    people: int
    memberships: int
    partners: int


def _center_rows(network: DemoNetwork) -> list[dict[str, Any]]:
    return [
        {
            "name": center.name,
            "short_code": center.short_code,
            "city": center.city,
            "region": center.region,
            "country": center.country,
            "joined_on": center.joined_on,
            "status": center.status,
            "created_at": center.created_at,
            "updated_at": center.created_at,
        }
        for center in network.centers
    ]


def _person_rows(network: DemoNetwork) -> list[dict[str, Any]]:
    return [
        {
            "display_name": person.display_name,
            "email": person.email,
            "email_key": normalize_email(person.email),
            "kind": person.kind,
            "timezone": person.timezone,
            "network_role": person.network_role,
            "created_at": person.created_at,
            "updated_at": person.created_at,
        }
        for person in network.people
    ]


def _persona_ids(network: DemoNetwork, person_ids: list[int]) -> dict[str, int]:
    by_email = {person.email: person_ids[index] for index, person in enumerate(network.people)}
    return {label: by_email[email] for label, email in DEMO_PERSONAS.items()}


async def load_demo(
    db: Database,
    seed: int = DEFAULT_SEED,
    *,
    plugins: PluginHost,
    visit_scale: float = 1.0,
    settings: Settings | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Insert the demo network for ``seed``; all or nothing.

    Core features and every plugin in ``plugins`` add their part through
    the ``load_demo_data`` hook, in the same transaction. ``visit_scale`` scales the registry
    patients (1.0: about 20,000; ``SMALL_VISIT_SCALE`` for tests that don't look at reports).
    ``settings`` (from the environment if not given) plan and compose the mail of stories
    played with ``MailedHistory``. ``today`` (the current date if not given; not before
    14 March 2014) is the demo's present: the 2014 story is its history, and visits, Learning
    Sessions, goals and notifications go on up to it (``icn_graph.demo.present``).

    Meant for an empty database (see ``is_empty``): on one that already holds a demo person or
    center the unique constraints fail and nothing is written.
    """
    present = check_today(today or date.today())
    network = generate_network(seed)
    async with db.transaction() as session:
        center_ids = list(
            await session.scalars(
                insert(Center).returning(Center.id, sort_by_parameter_order=True),
                _center_rows(network),
            )
        )
        person_ids = list(
            await session.scalars(
                insert(Person).returning(Person.id, sort_by_parameter_order=True),
                _person_rows(network),
            )
        )
        await session.execute(
            insert(Membership),
            [
                {
                    "person_id": person_ids[membership.person],
                    "center_id": center_ids[membership.center],
                    "role": membership.role,
                    "since": membership.since,
                    "created_at": membership.created_at,
                }
                for membership in network.memberships
            ],
        )
        context = DemoContext(
            seed=seed,
            network=network,
            center_ids=tuple(center_ids),
            person_ids=tuple(person_ids),
            persona_ids=_persona_ids(network, person_ids),
            visit_scale=visit_scale,
            settings=settings or Settings(),
            plugins=plugins,
            today=present,
        )
        await plugins.load_demo_data(session, context)
        # After every contributor, so plugins' measures and plugins' visits are computed too.
        await refresh_measures(session, MeasureRegistry.load(plugins))
    return DemoSummary(
        seed=seed,
        centers=len(network.centers),
        people=len(network.people),
        memberships=len(network.memberships),
        partners=sum(1 for person in network.people if person.kind in PARTNER_KINDS),
    )


async def is_empty(db: Database) -> bool:
    """Whether the database has no centers and no people (so the demo can be loaded)."""
    statement = select(exists(select(Center.id)), exists(select(Person.id)))
    async with db.session() as session:
        has_centers, has_people = (await session.execute(statement)).one()
    return not has_centers and not has_people
