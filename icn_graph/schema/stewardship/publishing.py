"""``publishDataView``, ``createDataViewLink`` and ``revokeDataViewLink``: each returns a
payload with what changed and ``userErrors``; acting without the right is FORBIDDEN, a view or
link you may not know of NOT_FOUND.

A public link's token is in the payload that makes it (``linkUrl``/``url`` and the files'
URLs), and nowhere else, ever: the database keeps only its SHA-256.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import strawberry

from icn_graph.errors import BadInput, InvalidInput, UserError, UserErrorCode
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.payloads import UserError as UserErrorType
from icn_graph.schema.payloads import attempt
from icn_graph.schema.relay import expect_global_id
from icn_graph.schema.stewardship import loaders
from icn_graph.schema.stewardship.rendering import DataViewFiles, DataViewLinkType
from icn_graph.schema.stewardship.types import DataRequest, DataView, load_view
from icn_graph.services.data_views import links
from icn_graph.services.data_views.links import IssuedLink
from icn_graph.services.data_views.publish import Published, publish_view
from icn_graph.services.data_views.view_files import file_urls

T = TypeVar("T")


def _id(value: str, type_name: str, field: str) -> int:
    try:
        return expect_global_id(value, type_name, field=field)
    except BadInput as error:
        raise InvalidInput([UserError(field, error.message, UserErrorCode.INVALID)]) from None


async def _run(
    info: Info, action: Callable[[], Awaitable[T]]
) -> tuple[T | None, list[UserErrorType]]:
    info.context.viewer.require_member()
    return await attempt(action())


async def _view(info: Info, view_id: int) -> DataView | None:
    loaders.forget(info)
    return await load_view(info, view_id)


def _link_files(info: Info, issued: IssuedLink | None) -> tuple[str | None, DataViewFiles | None]:
    if issued is None:
        return None, None
    path = links.PUBLIC_PATH.format(token=issued.token)
    urls = file_urls(info.context.settings.public_url, path)
    return urls.png, DataViewFiles.of(urls)


@strawberry.input(description="The accepted view to publish.")
class PublishDataViewInput:
    id: strawberry.ID = strawberry.field(description="The DataView: the request's accepted view.")
    link_expires_at: datetime | None = strawberry.field(
        default=None,
        description="PUBLIC audience only: when the public link made with it expires (default "
        "and latest: the end of the request's last day).",
    )


@strawberry.input(description="Another public link to a published view.")
class CreateDataViewLinkInput:
    data_view_id: strawberry.ID = strawberry.field(
        description="A published view for a PUBLIC audience."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="Default and latest: the end of the request's last day (UTC).",
    )


@strawberry.input(description="A public link to revoke.")
class RevokeDataViewLinkInput:
    id: strawberry.ID = strawberry.field(description="The DataViewLink's ID.")


@strawberry.type(description="What `publishDataView` did, with the first public link, once.")
class PublishDataViewPayload:
    view: DataView | None = strawberry.field(
        description="The view, now with `publishedAt`; null if refused."
    )
    data_request: DataRequest | None = strawberry.field(
        description="Its request, now APPROVED; null if refused."
    )
    link: DataViewLinkType | None = strawberry.field(description="PUBLIC audience only.")
    link_url: str | None = strawberry.field(
        description="The public link (its PNG), shown this once: its token is not stored."
    )
    link_files: DataViewFiles | None = strawberry.field(
        description="Every file of the public link, shown this once."
    )
    user_errors: list[UserErrorType] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `createDataViewLink` did, with the link's URLs, once.")
class CreateDataViewLinkPayload:
    link: DataViewLinkType | None = strawberry.field(
        description="The new link (without its token); null if refused."
    )
    url: str | None = strawberry.field(
        description="The public link (its PNG), shown this once: its token is not stored."
    )
    files: DataViewFiles | None = strawberry.field(
        description="Every file of the public link, shown this once."
    )
    user_errors: list[UserErrorType] = strawberry.field(description=USER_ERRORS_DESCRIPTION)
    view_pk: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The view, with `links` as they are now (for client caches); null if refused."
    )
    async def data_view(self, info: Info) -> DataView | None:
        return await load_view(info, self.view_pk) if self.view_pk is not None else None


@strawberry.type(description="What `revokeDataViewLink` did.")
class RevokeDataViewLinkPayload:
    link: DataViewLinkType | None = strawberry.field(
        description="The link, now with `revokedAt`; null if refused."
    )
    user_errors: list[UserErrorType] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class DataViewMutations:
    @strawberry.mutation(
        description="Publish a request's accepted view (network staff and data managers) while "
        "the request awaits its centers or is approved: the request becomes APPROVED and the view "
        "readable by its audience. What shows of each center is still decided at every read by "
        "the consents then in force. For a PUBLIC audience, also makes its first public link."
    )
    async def publish_data_view(
        self, info: Info, input: InputArgument[PublishDataViewInput]
    ) -> PublishDataViewPayload:
        async def run() -> Published:
            return await publish_view(
                info.context.db,
                info.context.viewer,
                _id(input.id, "DataView", "id"),
                input.link_expires_at,
            )

        published, errors = await _run(info, run)
        if published is None:
            return PublishDataViewPayload(
                view=None,
                data_request=None,
                link=None,
                link_url=None,
                link_files=None,
                user_errors=errors,
            )
        view = await _view(info, published.view.id)
        url, files = _link_files(info, published.link)
        return PublishDataViewPayload(
            view=view,
            data_request=DataRequest.of(view.request_row, view.parties) if view else None,
            link=DataViewLinkType.of(published.link.link) if published.link else None,
            link_url=url,
            link_files=files,
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Make another public link to a published PUBLIC view (network staff, data "
        "managers, the requester), e.g. one per talk, each expiring on its own."
    )
    async def create_data_view_link(
        self, info: Info, input: InputArgument[CreateDataViewLinkInput]
    ) -> CreateDataViewLinkPayload:
        async def run() -> IssuedLink:
            return await links.create_link(
                info.context.db,
                info.context.viewer,
                _id(input.data_view_id, "DataView", "dataViewId"),
                input.expires_at,
            )

        issued, errors = await _run(info, run)
        url, files = _link_files(info, issued)
        return CreateDataViewLinkPayload(
            link=DataViewLinkType.of(issued.link) if issued else None,
            url=url,
            files=files,
            user_errors=errors,
            view_pk=issued.link.view_id if issued else None,
        )

    @strawberry.mutation(
        description="Revoke a public link now (network staff, data managers, the requester): "
        "the next load of any of its files finds nothing."
    )
    async def revoke_data_view_link(
        self, info: Info, input: InputArgument[RevokeDataViewLinkInput]
    ) -> RevokeDataViewLinkPayload:
        async def run() -> DataViewLinkType:
            row = await links.revoke_link(
                info.context.db, info.context.viewer, _id(input.id, "DataViewLink", "id")
            )
            return DataViewLinkType.of(row)

        link, errors = await _run(info, run)
        return RevokeDataViewLinkPayload(link=link, user_errors=errors)
