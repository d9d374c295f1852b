"""The profile fields a person edits themself and staff edit for them: one set of checks, one
way to apply them and to say what changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.events import FieldChange
from icn_graph.events.types import api_names, changes_between
from icn_graph.models import Person
from icn_graph.services.people import normalize_email
from icn_graph.services.validation import Checker

MAX_NAME = 120
MAX_PRONOUNS = 40


@dataclass(frozen=True)
class ProfileChanges:
    """Fields to change; None leaves a field as it is. Empty ``pronouns`` clears them."""

    display_name: str | None = None
    pronouns: str | None = None
    timezone: str | None = None
    locale: str | None = None
    email: str | None = None


def checked_profile(check: Checker, changes: ProfileChanges) -> dict[str, str]:
    """The given fields, cleaned (by attribute name); problems go to ``check``."""
    values: dict[str, str] = {}
    if changes.display_name is not None:
        values["display_name"] = check.text(
            "displayName", changes.display_name, max_length=MAX_NAME, label="Name"
        )
    if changes.pronouns is not None:
        values["pronouns"] = check.text(
            "pronouns", changes.pronouns, max_length=MAX_PRONOUNS, label="Pronouns", required=False
        )
    if changes.timezone is not None:
        values["timezone"] = check.timezone("timezone", changes.timezone)
    if changes.locale is not None:
        values["locale"] = check.locale("locale", changes.locale)
    if changes.email is not None:
        values["email"] = check.email("email", changes.email)
    return values


def moves_address(person: Person, email: str) -> bool:
    """Whether ``email`` is another address than the person's (not just other letter case)."""
    return normalize_email(email) != person.email_key


def taken_error(email: str, field: str = "email") -> InvalidInput:
    return InvalidInput(
        [UserError(field, f"Someone already uses the email '{email}'.", UserErrorCode.TAKEN)]
    )


async def email_taken(session: AsyncSession, email: str, person_id: int) -> bool:
    """Whether someone other than the person has ``email`` (ignoring case)."""
    statement = select(Person.id).where(
        Person.email_key == normalize_email(email), Person.id != person_id
    )
    return (await session.scalars(statement)).first() is not None


def apply(person: Person, values: Mapping[str, object]) -> tuple[FieldChange, ...]:
    """Set ``values`` on ``person``; what changed, named as the API spells it."""
    before = api_names({name: getattr(person, name) for name in values})
    for name, value in values.items():
        setattr(person, name, value)
        if name == "email":
            person.email_key = normalize_email(person.email)
    return changes_between(before, api_names(values))
