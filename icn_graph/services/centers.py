"""Centers: listing, lookup, creation and edits."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, replace
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.errors import Forbidden, InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.events import SubjectRef, changes_between, record
from icn_graph.events.types import api_names
from icn_graph.models import Center, CenterStatus
from icn_graph.services.directory_events import CenterCreated, CenterUpdated
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.pagination import Page, SortKey, paginate, text_value
from icn_graph.services.search import contains_any, filter_text
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer


class CenterOrderField(enum.StrEnum):
    NAME = "NAME"
    JOINED_ON = "JOINED_ON"


@dataclass(frozen=True)
class CenterFilter:
    search: str | None = None
    status: CenterStatus | None = None
    region: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class CenterDraft:
    name: str
    short_code: str
    city: str
    region: str
    country: str
    joined_on: date
    status: CenterStatus = CenterStatus.ACTIVE


@dataclass(frozen=True)
class CenterChanges:
    """Fields to change; ``None`` leaves a field as it is."""

    name: str | None = None
    short_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    joined_on: date | None = None
    status: CenterStatus | None = None


_EDITABLE = ("name", "short_code", "city", "region", "country", "joined_on", "status")


def _sort_key(field: CenterOrderField, direction: OrderDirection) -> tuple[SortKey, type]:
    descending = direction is OrderDirection.DESC
    if field is CenterOrderField.JOINED_ON:
        key = SortKey("joined_on", Center.joined_on, Center.id, lambda c: c.joined_on, descending)
        return key, date
    return SortKey("name", Center.name, Center.id, lambda c: c.name, descending), str


def _filtered(filter: CenterFilter) -> Select[Center]:
    statement = select(Center)
    if filter.search:
        statement = statement.where(
            contains_any(filter.search, Center.name, Center.short_code, Center.city)
        )
    if filter.status is not None:
        statement = statement.where(Center.status == filter.status)
    if filter.region:
        region = filter_text(filter.region, field="filter.region")
        statement = statement.where(func.lower(Center.region) == region.lower())
    if filter.country:
        country = filter_text(filter.country, field="filter.country")
        statement = statement.where(Center.country == country.upper())
    return statement


async def list_centers(
    db: Database,
    viewer: Viewer,
    *,
    filter: CenterFilter,
    order_by: CenterOrderField = CenterOrderField.NAME,
    direction: OrderDirection = OrderDirection.ASC,
    first: int | None = None,
    after: str | None = None,
) -> Page[Center]:
    viewer.require_member()
    key, value_type = _sort_key(order_by, direction)
    parse = date.fromisoformat if value_type is date else text_value
    return await paginate(db, _filtered(filter), key, first=first, after=after, parse_value=parse)


async def count_active_centers(db: Database, viewer: Viewer) -> int:
    viewer.require_member()
    async with db.session() as session:
        statement = select(func.count()).where(Center.status == CenterStatus.ACTIVE)
        return int((await session.execute(statement)).scalar_one())


def _check_draft(draft: CenterDraft) -> CenterDraft:
    check = Checker()
    cleaned = CenterDraft(
        name=check.text("name", draft.name, max_length=200, label="Name"),
        short_code=check.short_code("shortCode", draft.short_code),
        city=check.text("city", draft.city, max_length=100, label="City"),
        region=check.text("region", draft.region, max_length=100, label="Region"),
        country=check.country("country", draft.country),
        joined_on=draft.joined_on,
        status=draft.status,
    )
    check.raise_if_any()
    return cleaned


async def _check_unique(
    session: AsyncSession, draft: CenterDraft, *, except_id: int | None = None
) -> None:
    errors: list[UserError] = []
    for field, column, value in (
        ("name", Center.name, draft.name),
        ("shortCode", Center.short_code, draft.short_code),
    ):
        statement = select(Center.id).where(func.lower(column) == value.lower())
        if except_id is not None:
            statement = statement.where(Center.id != except_id)
        if (await session.scalars(statement)).first() is not None:
            message = f"A center with {field} '{value}' already exists."
            errors.append(UserError(field, message, UserErrorCode.TAKEN))
    if errors:
        raise InvalidInput(errors)


def _taken_error(error: IntegrityError) -> InvalidInput:
    """A unique violation lost to a concurrent write, reported like the pre-check would."""
    text = str(error.orig).lower()
    field = "shortCode" if "short_code" in text else "name"
    return InvalidInput([UserError(field, f"That {field} is already taken.", UserErrorCode.TAKEN)])


async def create_center(db: Database, viewer: Viewer, draft: CenterDraft) -> Center:
    _require_center_editor(viewer, "create centers")
    cleaned = _check_draft(draft)
    center = Center(**asdict(cleaned))
    try:
        async with db.transaction() as session:
            await _check_unique(session, cleaned)
            session.add(center)
            await session.flush()
            created = CenterCreated(center=SubjectRef("Center", center.id), name=center.name)
            record(session, created, actor_id=viewer.person_id)
    except IntegrityError as error:
        raise _taken_error(error) from error
    return center


def may_edit_centers(viewer: Viewer) -> bool:
    """Whether ``viewer`` may create and edit centers: network staff."""
    return viewer.is_authenticated and viewer.is_staff


def _require_center_editor(viewer: Viewer, action: str) -> None:
    viewer.require_member()
    if not may_edit_centers(viewer):
        raise Forbidden(f"Only network staff can {action}.")


async def update_center(
    db: Database, viewer: Viewer, center_id: int, changes: CenterChanges
) -> Center:
    _require_center_editor(viewer, "edit centers")
    try:
        async with db.transaction() as session:
            center = await session.get(Center, center_id)
            if center is None:
                raise NotFound("No center has that id.", field="id")
            current = CenterDraft(**{name: getattr(center, name) for name in _EDITABLE})
            given = {name: value for name, value in asdict(changes).items() if value is not None}
            merged = _check_draft(replace(current, **given))
            await _check_unique(session, merged, except_id=center.id)
            changed = [name for name in _EDITABLE if getattr(center, name) != getattr(merged, name)]
            before = api_names({name: getattr(center, name) for name in changed})
            for attribute in changed:
                setattr(center, attribute, getattr(merged, attribute))
            if changed:
                after = api_names({name: getattr(center, name) for name in changed})
                updated = CenterUpdated(
                    center=SubjectRef("Center", center.id),
                    name=center.name,
                    changes=changes_between(before, after),
                )
                record(session, updated, actor_id=viewer.person_id)
    except IntegrityError as error:
        raise _taken_error(error) from error
    return center
