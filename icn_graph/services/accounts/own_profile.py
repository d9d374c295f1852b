"""``updateViewer``: a person edits their own name, pronouns, time zone, locale and email.

Every given field is checked before anything is written. A new email address is not set but
asked for (:mod:`email_changes`): the caller mails the link to it and a notice to the old one.
An address someone else has is answered the same way (a pending change, a notice to the old
address) but gets a notice instead of the link: the answer does not tell who has an account.
Only a change of letter case in the same address is set at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.events import SubjectRef, record
from icn_graph.models import Person, TokenKind
from icn_graph.services.accounts import email_changes
from icn_graph.services.accounts.email_changes import IssuedEmailChange
from icn_graph.services.accounts.events import PersonUpdated
from icn_graph.services.accounts.profile import (
    ProfileChanges,
    apply,
    checked_profile,
    email_taken,
    moves_address,
)
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class ViewerUpdate:
    person: Person
    # The change asked for by this call (to be mailed), if any.
    requested: IssuedEmailChange | None
    # The address awaiting confirmation after this call, if any (this call's or an earlier one).
    pending_email: str | None


EMAIL_FROM_A_SESSION = (
    "Change your email from a signed-in session (a magic link), not with a personal access token."
)


async def update_viewer(
    db: Database, viewer: Viewer, changes: ProfileChanges, *, now: datetime
) -> ViewerUpdate:
    person_id = viewer.require_member()
    check = Checker()
    values = checked_profile(check, changes)
    if "email" in values and viewer.token_kind is TokenKind.PERSONAL:
        # The email is how the account is recovered: a script's token must not move it.
        check.add("email", EMAIL_FROM_A_SESSION)
    check.raise_if_any()
    new_email = values.pop("email", None)
    async with db.transaction() as session:
        person = await session.get(Person, person_id, with_for_update=True)
        if person is None:
            raise NotFound("Your account no longer exists.")
        moving = new_email if new_email is not None and moves_address(person, new_email) else None
        taken = moving is not None and await email_taken(session, moving, person.id)
        if new_email is not None and moving is None:
            values["email"] = new_email  # the same address, in other letter case
        changed = apply(person, values)
        if changed:
            updated = PersonUpdated(
                person=SubjectRef("Person", person.id), name=person.display_name, changes=changed
            )
            record(session, updated, actor_id=person.id)
        requested = None
        if moving is not None:
            requested = await email_changes.start_change(
                session, person, moving, now=now, address_taken=taken
            )
            pending: str | None = requested.new_email
        else:
            pending = await email_changes.pending_email(session, person.id, now)
    return ViewerUpdate(person, requested, pending)


async def viewer_pending_email(db: Database, viewer: Viewer, *, now: datetime) -> str | None:
    """The address the viewer asked to change to, while its link still works."""
    person_id = viewer.require_member()
    async with db.session() as session:
        return await email_changes.pending_email(session, person_id, now)
