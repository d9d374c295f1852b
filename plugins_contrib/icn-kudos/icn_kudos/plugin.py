"""The hooks icn_graph calls. This module is the ``icn_graph`` entry point."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    Database,
    DemoContext,
    DomainEvent,
    Event,
    MigrationLocation,
    SchemaContribution,
    hookimpl,
)
from icn_kudos import services
from icn_kudos.events import KudosGiven
from icn_kudos.models import Kudos


@hookimpl
def register_schema() -> SchemaContribution:
    from icn_kudos.schema import GoalKudos, KudosMutation, KudosQuery

    return SchemaContribution(query=KudosQuery, mutation=KudosMutation, extend={"Goal": GoalKudos})


@hookimpl
def register_migrations() -> MigrationLocation:
    return MigrationLocation(path=Path(__file__).parent / "migrations", owns_module="icn_kudos")


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return [KudosGiven]


@hookimpl
async def on_event(event: Event, db: Database) -> None:
    await services.celebrate_goal(event, db)


DEMO_THANKS = (
    "Thank you for co-designing the parent panel with us!",
    "Your pre-visit planning tips saved our clinic hours.",
    "Thanks for sharing the remission run chart at the Learning Session.",
    "Grateful for your late-night edits to the call to action.",
    "Thank you for welcoming new parent partners so warmly.",
)


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    rng = context.rng("icn-kudos")
    parent = context.persona_ids["parent"]
    clinician = context.persona_ids["clinician"]
    rows = [
        {"from_person_id": clinician, "to_person_id": parent, "message": DEMO_THANKS[0]},
        {"from_person_id": parent, "to_person_id": clinician, "message": DEMO_THANKS[3]},
    ]
    for _ in range(20):
        giver, receiver = rng.sample(context.person_ids, 2)
        rows.append(
            {"from_person_id": giver, "to_person_id": receiver, "message": rng.choice(DEMO_THANKS)}
        )
    created = context.network.centers[0].created_at
    await session.execute(insert(Kudos), [row | {"created_at": created} for row in rows])
