"""Center type, the ``centers`` listing and the center mutations."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph import models
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import (
    USER_ERRORS_DESCRIPTION,
    AfterArgument,
    FirstArgument,
    IncludeArchivedArgument,
    InputArgument,
)
from icn_graph.schema.following import Followable
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import expect_global_id
from icn_graph.schema.reports.arguments import (
    BaselineArgument,
    ChartArgument,
    FromArgument,
    LaneyArgument,
    MeasureArgument,
    ToArgument,
)
from icn_graph.schema.reports.enums import ChartKind
from icn_graph.services import centers as service
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.reports.access import may_see_center_report
from icn_graph.services.reports.visits_upload import may_upload_visits

if TYPE_CHECKING:
    from icn_graph.schema.goals import Goal
    from icn_graph.schema.memberships import Membership
    from icn_graph.schema.reports.types import Report

SHORT_CODE = "2 to 16 letters, digits or dashes, unique (e.g. CCHMC); stored in upper case."
COUNTRY = "ISO 3166-1 alpha-2 country code, e.g. US."

MembershipRef = Annotated["Membership", strawberry.lazy("icn_graph.schema.memberships")]
GoalRef = Annotated["Goal", strawberry.lazy("icn_graph.schema.goals")]
ReportRef = Annotated["Report", strawberry.lazy("icn_graph.schema.reports.types")]


@strawberry.type(description="A care center and its team.")
class Center(Followable):
    type_name = "Center"

    name: str = strawberry.field(description="Full name, unique in the network.")
    short_code: str = strawberry.field(description="Short unique code, e.g. CCHMC.")
    city: str = strawberry.field(description="The city the center is in.")
    region: str = strawberry.field(description="State, province or region, e.g. Ohio.")
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    joined_on: date = strawberry.field(description="When the center joined the network.")
    status: models.CenterStatus = strawberry.field(
        description="Whether the center takes part in the network now."
    )

    @classmethod
    def from_model(cls, center: models.Center) -> Center:
        return cls(
            pk=center.id,
            name=center.name,
            short_code=center.short_code,
            city=center.city,
            region=center.region,
            country=center.country,
            joined_on=center.joined_on,
            status=center.status,
        )

    @classmethod
    async def load(cls, info: Info, pk: int | None) -> Center | None:
        """The center ``pk`` through the request's loader (a payload's changed center)."""
        row = await info.context.loaders.center.load(pk) if pk else None
        return cls.from_model(row) if row else None

    @strawberry.field(description="The center's team: care team members and partners.")
    async def members(self, info: Info) -> list[MembershipRef]:
        from icn_graph.schema.memberships import Membership

        rows = await info.context.loaders.memberships_of_center.load(self.pk)
        return [Membership.from_model(row, person=row.person) for row in rows]

    @strawberry.field(description="The center's own 90-day goals, soonest due first.")
    async def goals(
        self,
        info: Info,
        first: FirstArgument = 20,
        after: AfterArgument = None,
        include_archived: IncludeArchivedArgument = False,
    ) -> Connection[GoalRef]:
        from icn_graph.schema.goals import center_goals

        return await center_goals(
            info, self.pk, first=first, after=after, include_archived=include_archived
        )

    @strawberry.field(
        description="A measure's monthly series for this center, with run-chart or p-chart "
        "signals. The center's team sees every count; network staff and data managers see "
        "counts from 1 to 10 suppressed; null for others (see `viewerCanSeeReports`)."
    )
    async def report(
        self,
        info: Info,
        measure: MeasureArgument,
        from_: FromArgument = None,
        to: ToArgument = None,
        chart: ChartArgument = ChartKind.P_CHART,
        baseline_months: BaselineArgument = None,
        laney: LaneyArgument = False,
    ) -> ReportRef | None:
        from icn_graph.schema.reports.queries import report_for

        if not may_see_center_report(info.context.viewer, self.pk):
            return None
        return await report_for(info, self.pk, measure, from_, to, chart, baseline_months, laney)

    @strawberry.field(
        description="Whether you may read this center's `report`: its team, network staff and "
        "network data managers."
    )
    def viewer_can_see_reports(self, info: Info) -> bool:
        return may_see_center_report(info.context.viewer, self.pk)

    @strawberry.field(description="Whether you may edit this center (`updateCenter`): staff.")
    def viewer_can_edit(self, info: Info) -> bool:
        return service.may_edit_centers(info.context.viewer)

    @strawberry.field(
        description="Whether you may import this center's registry visits (`importVisits`): "
        "its own data managers and QI leads only."
    )
    def viewer_can_import(self, info: Info) -> bool:
        return may_upload_visits(info.context.viewer, self.pk)


@strawberry.input(description="Which centers `centers` lists; the conditions given all apply.")
class CenterFilter:
    search: str | None = strawberry.field(
        default=None, description="Case-insensitive match on name, short code or city."
    )
    status: models.CenterStatus | None = strawberry.field(
        default=None, description="Only centers in this status."
    )
    region: str | None = strawberry.field(
        default=None, description="Only centers in this region (case-insensitive, whole name)."
    )
    country: str | None = strawberry.field(
        default=None, description="Only centers in this country (ISO 3166-1 alpha-2, e.g. US)."
    )


@strawberry.input(description="How `centers` is sorted; ties are broken by ID.")
class CenterOrder:
    field: service.CenterOrderField = strawberry.field(
        default=service.CenterOrderField.NAME, description="What to sort by."
    )
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Which way to sort."
    )


async def resolve_centers(
    info: Info,
    first: FirstArgument = 20,
    after: AfterArgument = None,
    filter: Annotated[
        CenterFilter | None, strawberry.argument(description="Which centers; all by default.")
    ] = None,
    order_by: Annotated[
        CenterOrder | None, strawberry.argument(description="The order; by name by default.")
    ] = None,
) -> Connection[Center]:
    given = filter or CenterFilter()
    order = order_by or CenterOrder()
    page = await service.list_centers(
        info.context.db,
        info.context.viewer,
        filter=service.CenterFilter(
            search=given.search, status=given.status, region=given.region, country=given.country
        ),
        order_by=order.field,
        direction=order.direction,
        first=first,
        after=after,
    )
    return connection_from_page(page, Center.from_model)


@strawberry.input(description="A new center.")
class CreateCenterInput:
    name: str = strawberry.field(
        description="Full name, unique in the network; up to 200 characters."
    )
    short_code: str = strawberry.field(description=SHORT_CODE)
    city: str = strawberry.field(description="Up to 100 characters.")
    region: str = strawberry.field(description="State, province or region; up to 100 characters.")
    country: str = strawberry.field(description=COUNTRY)
    joined_on: date = strawberry.field(description="When the center joined the network.")
    status: models.CenterStatus = strawberry.field(
        default=models.CenterStatus.ACTIVE, description="ACTIVE unless given."
    )


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateCenterInput:
    id: strawberry.ID = strawberry.field(description="The center to edit.")
    name: str | None = strawberry.field(
        default=None, description="Full name, unique in the network; up to 200 characters."
    )
    short_code: str | None = strawberry.field(default=None, description=SHORT_CODE)
    city: str | None = strawberry.field(default=None, description="Up to 100 characters.")
    region: str | None = strawberry.field(
        default=None, description="State, province or region; up to 100 characters."
    )
    country: str | None = strawberry.field(default=None, description=COUNTRY)
    joined_on: date | None = strawberry.field(
        default=None, description="When the center joined the network."
    )
    status: models.CenterStatus | None = strawberry.field(
        default=None, description="INACTIVE when the center leaves the network."
    )


@strawberry.type(description="What `createCenter` did.")
class CreateCenterPayload:
    center: Center | None = strawberry.field(description="The new center; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `updateCenter` did.")
class UpdateCenterPayload:
    center: Center | None = strawberry.field(
        description="The center as it is now; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class CenterMutations:
    @strawberry.mutation(description="Add a center to the network. Staff only.")
    async def create_center(
        self, info: Info, input: InputArgument[CreateCenterInput]
    ) -> CreateCenterPayload:
        draft = service.CenterDraft(
            name=input.name,
            short_code=input.short_code,
            city=input.city,
            region=input.region,
            country=input.country,
            joined_on=input.joined_on,
            status=input.status,
        )
        center, errors = await attempt(
            service.create_center(info.context.db, info.context.viewer, draft)
        )
        return CreateCenterPayload(
            center=Center.from_model(center) if center else None, user_errors=errors
        )

    @strawberry.mutation(description="Edit a center. Staff only.")
    async def update_center(
        self, info: Info, input: InputArgument[UpdateCenterInput]
    ) -> UpdateCenterPayload:
        center_id = expect_global_id(input.id, "Center", field="id")
        changes = service.CenterChanges(
            name=input.name,
            short_code=input.short_code,
            city=input.city,
            region=input.region,
            country=input.country,
            joined_on=input.joined_on,
            status=input.status,
        )
        center, errors = await attempt(
            service.update_center(info.context.db, info.context.viewer, center_id, changes)
        )
        return UpdateCenterPayload(
            center=Center.from_model(center) if center else None, user_errors=errors
        )
