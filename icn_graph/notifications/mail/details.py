"""What a mail shows beyond the event itself: people's names and the text they wrote.

Everything is read in a fixed number of queries per batch, however many notifications it holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import BadInput
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import parse_global_id
from icn_graph.models import CheckIn, Person
from icn_graph.notifications.models import SuppressedAddress

# Payload keys whose check-in's note (or closing reflection) the mail quotes.
CHECK_IN_KEY = "checkIn"


def _pk(value: object, type_name: str) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        parsed_type, pk = parse_global_id(value)
    except BadInput:
        return None
    return pk if parsed_type == type_name else None


async def payloads(session: AsyncSession, event_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    if not event_ids:
        return {}
    rows = await session.execute(
        select(OutboxEvent.id, OutboxEvent.payload).where(OutboxEvent.id.in_(event_ids))
    )
    return {event_id: dict(payload or {}) for event_id, payload in rows}


async def people(session: AsyncSession, ids: Collection[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {
        person.id: person
        for person in await session.scalars(select(Person).where(Person.id.in_(ids)))
    }


def person_pk(global_id: str | None) -> int | None:
    return _pk(global_id, "Person")


async def notes(
    session: AsyncSession, event_payloads: Iterable[Mapping[str, Any]]
) -> dict[int, str]:
    """Check-in id -> its note, for the check-ins the payloads name."""
    ids = {pk for payload in event_payloads if (pk := _pk(payload.get(CHECK_IN_KEY), "CheckIn"))}
    if not ids:
        return {}
    rows = await session.execute(select(CheckIn.id, CheckIn.note).where(CheckIn.id.in_(ids)))
    return {check_in_id: note for check_in_id, note in rows}


def note_for(payload: Mapping[str, Any], found: Mapping[int, str]) -> str | None:
    pk = _pk(payload.get(CHECK_IN_KEY), "CheckIn")
    return found.get(pk) if pk is not None else None


async def suppressed(session: AsyncSession, email_keys: Collection[str]) -> set[str]:
    if not email_keys:
        return set()
    rows = await session.scalars(
        select(SuppressedAddress.email_key).where(SuppressedAddress.email_key.in_(email_keys))
    )
    return set(rows)
