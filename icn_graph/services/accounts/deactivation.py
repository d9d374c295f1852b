"""``deactivatePerson`` and ``reactivatePerson``: an account is switched off, never deleted.

Deactivating revokes every token of the person (sessions, personal access tokens, CLI tokens)
and their calendar feed, withdraws the invitations they sent that are still pending, and deletes
their sign-in links and pending email changes, in one transaction with the event. What they
wrote stays, under their name. While deactivated no token of theirs works (the check is in
``viewer_for_token`` too, so a token issued in a race works no better; feeds likewise),
``requestSignIn`` mails them nothing, and the notification engine leaves them out. Reactivated,
they sign in again by a mailed link: their old tokens, calendar feed and invitations stay
revoked.

Staff deactivate anyone but themselves; only an admin deactivates or reactivates an admin.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, NotFound
from icn_graph.events import SubjectRef, record
from icn_graph.models import ApiToken, CalendarFeed, NetworkRole, Person, SignInLink
from icn_graph.models.accounts import EmailChange
from icn_graph.services.accounts.events import PersonDeactivated, PersonReactivated
from icn_graph.services.invitations.authority import withdraw_sent_by
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

MAX_REASON = 500


def _require_may_manage(viewer: Viewer, person: Person, action: str) -> None:
    if person.network_role is NetworkRole.ADMIN and viewer.network_role is not NetworkRole.ADMIN:
        raise Forbidden(f"Only an admin can {action} an admin.")


async def deactivate_person(
    db: Database, viewer: Viewer, person_id: int, reason: str | None, *, now: datetime
) -> Person:
    """Deactivate the person (already deactivated: nothing changes)."""
    viewer.require_staff("deactivate people")
    check = Checker()
    why = check.text("reason", reason or "", max_length=MAX_REASON, label="Reason", required=False)
    if person_id == viewer.person_id:
        check.add("id", "You cannot deactivate your own account; ask another staff member.")
    async with db.transaction() as session:
        person = await session.get(Person, person_id, with_for_update=True)
        if person is None:
            raise NotFound("No person has that id.", field="id")
        _require_may_manage(viewer, person, "deactivate")
        check.raise_if_any()
        if person.deactivated_at is not None:
            return person
        person.deactivated_at = now
        await session.execute(
            update(ApiToken)
            .where(ApiToken.person_id == person.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await session.execute(
            update(CalendarFeed)
            .where(CalendarFeed.person_id == person.id, CalendarFeed.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        await session.execute(delete(SignInLink).where(SignInLink.person_id == person.id))
        await session.execute(
            delete(EmailChange).where(
                EmailChange.person_id == person.id, EmailChange.confirmed_at.is_(None)
            )
        )
        await withdraw_sent_by(session, person.id, now=now)
        deactivated = PersonDeactivated(
            person=SubjectRef("Person", person.id), name=person.display_name, reason=why
        )
        record(session, deactivated, actor_id=viewer.person_id)
    return person


async def reactivate_person(db: Database, viewer: Viewer, person_id: int) -> Person:
    """Let a deactivated person sign in again (active already: nothing changes)."""
    viewer.require_staff("reactivate people")
    async with db.transaction() as session:
        person = await session.get(Person, person_id, with_for_update=True)
        if person is None:
            raise NotFound("No person has that id.", field="id")
        _require_may_manage(viewer, person, "reactivate")
        if person.deactivated_at is None:
            return person
        person.deactivated_at = None
        reactivated = PersonReactivated(
            person=SubjectRef("Person", person.id), name=person.display_name
        )
        record(session, reactivated, actor_id=viewer.person_id)
    return person
