"""How each center of a data view is shown at one instant: the read-time consent rule.

For a view V of request R at ``now`` (today is ``now``'s UTC date), each center C of V is
shown

- **NAMED** when the latest ``DisplayConsent`` of (V, C) says CONSENT and is *in force*: not
  revoked, ``expires_on >= today``, its audience covers R's (PUBLIC covers NETWORK, not the
  reverse), its purpose is R's, V is ACCEPTED, and R is not withdrawn, declined or expired;
- **BLINDED** ("Center A", with V's letter for C) when instead that latest row says UNNAMED
  and is in force, or V shows its other centers blinded (``OthersShown.BLINDED``);
- **TOTAL_ONLY** otherwise: C's data is only inside the network total.

Three protections then look at everything any reader can be shown, not at one reader:

- *Never blinded once named*: a center is not blinded (it is TOTAL_ONLY) when it ever consented
  in a view of the same measure family whose period overlaps V's (V itself or another, of any
  request, whether that view still renders or not, the consent since revoked, expired or
  changed or not): it may have been shown named there, and readers keep what they saw; its
  blinded values would match the named ones month for month, and tell which letter it has.
- *Blinded group minimum*: with fewer than ``BLINDED_MIN`` centers blinded, none is (they are
  all TOTAL_ONLY): the requester knows who declined, and one or two blinded centers are easy
  for an insider to tell apart.
- *Unnamed remainder*: for each month of V's period, the network's centers with data that month
  (a denominator above 0 for a measure of V's family) minus the centers whose values show that
  month, NAMED or BLINDED, in any view of the same measure family that renders (not superseded,
  of a request still open, its period covering the month), and those that ever consented in any
  view of the family covering the month (rendering or not: readers keep what they saw), must
  number 0 or at least
  ``INSIDER_CENTERS + 2``. Otherwise V withholds its shown centers' values of that month, so
  that the network total minus the centers shown never pins down one or two centers (whose own
  teams might pool what they know). Blinded centers count: their values show, only their names
  do not, so they subtract from the total as well as named ones.

Nothing here depends on who reads: every reader of V at ``now`` gets the same answer. It only
reads.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import MeasureValue
from icn_graph.models.stewardship import (
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataRequestState,
    DataView,
    DataViewCenter,
    DataViewStatus,
    DisplayConsent,
    OthersShown,
)
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.reports.disclosure.families import family_key_of
from icn_graph.services.reports.disclosure.pattern import INSIDER_CENTERS
from icn_graph.services.stewardship.states import CLOSED, effective_state

BLINDED_MIN = 3
"""The fewest centers a view shows blinded; fewer are shown only inside the network total."""

SAFE_REMAINDER = INSIDER_CENTERS + 2
"""The fewest centers not shown, with data in a month, that let shown centers' values show."""


class Showing(enum.StrEnum):
    NAMED = "NAMED"
    BLINDED = "BLINDED"
    TOTAL_ONLY = "TOTAL_ONLY"


@dataclass(frozen=True)
class CenterShowing:
    center_id: int
    letter: str
    showing: Showing
    consent_id: int | None
    """The consent in force it is shown under (CONSENT when NAMED, UNNAMED when blinded by its
    own answer); ``None`` otherwise."""


@dataclass(frozen=True)
class _Latest:
    """A center of a view with its latest decision, and whether it ever consented there."""

    center: DataViewCenter
    consent: DisplayConsent | None
    ever_consented: bool


@dataclass(frozen=True)
class ViewShowing:
    view_id: int
    today: date
    centers: tuple[CenterShowing, ...]
    """Every center of the view, in letter order (A, B, ..., Z, AA, ...)."""
    withheld_months: frozenset[date]
    """Months of the period whose shown (named and blinded) centers' values are withheld
    (unnamed remainder)."""

    def of(self, showing: Showing) -> tuple[CenterShowing, ...]:
        return tuple(center for center in self.centers if center.showing is showing)

    @property
    def named(self) -> tuple[CenterShowing, ...]:
        return self.of(Showing.NAMED)

    @property
    def blinded(self) -> tuple[CenterShowing, ...]:
        return self.of(Showing.BLINDED)


def today_at(now: datetime) -> date:
    """The UTC date of ``now`` (aware)."""
    return now.astimezone(UTC).date()


def request_open(request: DataRequest, today: date) -> bool:
    """Not withdrawn, declined or expired on ``today``."""
    return effective_state(request, today) not in (*CLOSED, DataRequestState.EXPIRED)


def audience_covers(granted: DataAudience, asked: DataAudience) -> bool:
    """A consent for a public audience covers network members too; not the reverse."""
    return granted is DataAudience.PUBLIC or granted is asked


def in_force(
    consent: DisplayConsent | None, view: DataView, request: DataRequest, today: date
) -> bool:
    """Whether ``consent`` (the latest of its view and center) counts on ``today``."""
    return (
        consent is not None
        and consent.revoked_at is None
        and consent.expires_on >= today
        and audience_covers(consent.audience, request.audience)
        and consent.purpose == request.purpose
        and view.status is DataViewStatus.ACCEPTED
        and request_open(request, today)
    )


def letter_order(letter: str) -> tuple[int, str]:
    """A, B, ..., Z, AA, AB, ...: shorter letters first."""
    return (len(letter), letter)


def _base_showing(
    view: DataView, request: DataRequest, latest: _Latest, today: date
) -> tuple[Showing, int | None]:
    consent = latest.consent
    if consent is not None and in_force(consent, view, request, today):
        if consent.decision is ConsentDecision.CONSENT:
            return Showing.NAMED, consent.id
        if consent.decision is ConsentDecision.UNNAMED and not latest.ever_consented:
            return Showing.BLINDED, consent.id
    if view.others is OthersShown.BLINDED and not latest.ever_consented:
        return Showing.BLINDED, None
    return Showing.TOTAL_ONLY, None


def _base_showings(
    view: DataView, request: DataRequest, rows: Iterable[_Latest], today: date
) -> list[CenterShowing]:
    """Each center's showing by its own decisions and the view's others, in letter order."""
    found = []
    for latest in sorted(rows, key=lambda row: letter_order(row.center.letter)):
        showing, consent_id = _base_showing(view, request, latest, today)
        found.append(
            CenterShowing(latest.center.center_id, latest.center.letter, showing, consent_id)
        )
    return found


def _showings(base: Sequence[CenterShowing], named_elsewhere: set[int]) -> list[CenterShowing]:
    """``base`` with centers named elsewhere unblinded and the blinded group minimum applied."""
    found = [
        CenterShowing(c.center_id, c.letter, Showing.TOTAL_ONLY, None)
        if c.showing is Showing.BLINDED and c.center_id in named_elsewhere
        else c
        for c in base
    ]
    if sum(1 for center in found if center.showing is Showing.BLINDED) < BLINDED_MIN:
        found = [
            CenterShowing(c.center_id, c.letter, Showing.TOTAL_ONLY, None)
            if c.showing is Showing.BLINDED
            else c
            for c in found
        ]
    return found


def family_measures(registry: MeasureRegistry, measure_key: str) -> list[str]:
    """The keys of the measures published with ``measure_key`` (itself included)."""
    family = family_key_of(registry, measure_key)
    keys = {m.key for m in registry.all() if m.family_key == family}
    return sorted(keys | {measure_key})


def period_months(view: DataView) -> list[date]:
    first, last = view.period_start.replace(day=1), view.period_end.replace(day=1)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


async def view_showing(
    session: AsyncSession,
    registry: MeasureRegistry,
    view: DataView,
    request: DataRequest,
    *,
    now: datetime,
) -> ViewShowing:
    """How each center of ``view`` (of ``request``) is shown at ``now`` (module docstring).
    Three queries, however many views and centers."""
    today = today_at(now)
    months = period_months(view)
    keys = family_measures(registry, view.measure_key)
    first, last = months[0], months[-1]

    # Every view of the family, whatever its period or state: a center that ever consented in
    # one may have been shown named there (and saved by its readers), so the views overlapping
    # it never show it blinded. Those that render now (previews included) are the ``views``.
    family = await session.execute(
        select(DataView, DataRequest)
        .join(DataRequest, DataRequest.id == DataView.request_id)
        .where(DataView.measure_key.in_(keys), DataView.id != view.id)
    )
    views: dict[int, tuple[DataView, DataRequest]] = {view.id: (view, request)}
    every: dict[int, DataView] = {view.id: view}
    for other, other_request in family:
        every[other.id] = other
        if _renders(other, other_request, today):
            views[other.id] = (other, other_request)
    by_view = await _centers_with_latest_consent(session, every)
    base = {
        view_id: _base_showings(other, other_request, by_view.get(view_id, []), today)
        for view_id, (other, other_request) in views.items()
    }
    consented = {
        view_id: {row.center.center_id for row in rows if row.ever_consented}
        for view_id, rows in by_view.items()
    }

    def final(view_id: int) -> list[CenterShowing]:
        this = views[view_id][0]
        elsewhere: set[int] = set()
        for other_id, other in every.items():
            overlaps = (
                other.period_start <= this.period_end and other.period_end >= this.period_start
            )
            if other_id != view_id and overlaps:
                elsewhere |= consented.get(other_id, set())
        return _showings(base[view_id], elsewhere)

    centers = final(view.id)
    shown_in: dict[date, set[int]] = defaultdict(set)
    for view_id, other in every.items():
        if not (other.period_start <= last and other.period_end >= first):
            continue
        # Those a view that renders shows now, and those any view of the family may have shown
        # named once (readers keep what they saw, after the view stops rendering too).
        shown = set(consented.get(view_id, set()))
        if view_id in views:
            showings = centers if view_id == view.id else final(view_id)
            shown |= {c.center_id for c in showings if c.showing is not Showing.TOTAL_ONLY}
        if not shown:
            continue
        for month in months:
            if other.period_start <= month <= other.period_end:
                shown_in[month] |= shown

    withheld: set[date] = set()
    if any(c.showing is not Showing.TOTAL_ONLY for c in centers):
        with_data = await _centers_with_data(session, keys, first, last)
        for month in months:
            remainder = with_data.get(month, set()) - shown_in[month]
            if 0 < len(remainder) < SAFE_REMAINDER:
                withheld.add(month)
    return ViewShowing(view.id, today, tuple(centers), frozenset(withheld))


def _renders(view: DataView, request: DataRequest, today: date) -> bool:
    """Whether ``view`` renders for anyone now: not superseded, its request open."""
    return (
        view.status is not DataViewStatus.SUPERSEDED
        and request.state not in CLOSED
        and request.expires_on >= today
    )


async def _centers_with_latest_consent(
    session: AsyncSession, views: Mapping[int, object]
) -> dict[int, list[_Latest]]:
    consented = case((DisplayConsent.decision == ConsentDecision.CONSENT, 1), else_=0)
    latest = (
        select(
            DisplayConsent.view_id,
            DisplayConsent.center_id,
            func.max(DisplayConsent.id).label("id"),
            func.max(consented).label("consented"),
        )
        .where(DisplayConsent.view_id.in_(sorted(views)))
        .group_by(DisplayConsent.view_id, DisplayConsent.center_id)
        .subquery()
    )
    rows = await session.execute(
        select(DataViewCenter, DisplayConsent, latest.c.consented)
        .outerjoin(
            latest,
            and_(
                latest.c.view_id == DataViewCenter.view_id,
                latest.c.center_id == DataViewCenter.center_id,
            ),
        )
        .outerjoin(DisplayConsent, DisplayConsent.id == latest.c.id)
        .where(DataViewCenter.view_id.in_(sorted(views)))
    )
    found: dict[int, list[_Latest]] = defaultdict(list)
    for center, consent, consented in rows:
        found[center.view_id].append(_Latest(center, consent, bool(consented)))
    return found


async def _centers_with_data(
    session: AsyncSession, keys: Sequence[str], first: date, last: date
) -> dict[date, set[int]]:
    rows = await session.execute(
        select(MeasureValue.month, MeasureValue.center_id)
        .where(
            MeasureValue.measure_key.in_(keys),
            MeasureValue.month >= first,
            MeasureValue.month <= last,
            MeasureValue.denominator > 0,
        )
        .distinct()
    )
    found: dict[date, set[int]] = defaultdict(set)
    for month, center_id in rows:
        found[month].add(center_id)
    return found
