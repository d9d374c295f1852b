"""The first person of an empty database: a network admin, and a sign-in link for them."""

from __future__ import annotations

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.models import NetworkRole, PersonKind
from icn_graph.services.people import PersonDraft, create_person_as_operator
from icn_graph.services.sign_in.links import IssuedLink, request_link


async def create_admin(
    db: Database, *, email: str, name: str, timezone: str, settings: Settings
) -> IssuedLink:
    """A new admin and a sign-in link for them; an email already in use is refused (TAKEN)."""
    draft = PersonDraft(
        display_name=name,
        email=email,
        kind=PersonKind.STAFF,
        timezone=timezone,
        network_role=NetworkRole.ADMIN,
    )
    person = await create_person_as_operator(db, draft)
    link = await request_link(db, person.email, now=utcnow(), minutes=settings.sign_in_link_minutes)
    if link is None:  # deleted between the two transactions
        raise InvalidInput([UserError("email", "The person is gone.", UserErrorCode.NOT_FOUND)])
    return link
