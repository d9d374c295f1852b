"""This request's notification loaders: one query per batch, whatever the size of the page."""

from __future__ import annotations

from functools import partial

from strawberry.dataloader import DataLoader

from icn_graph.notifications import following, inbox, models
from icn_graph.schema.context import Info
from icn_graph.services.goals.windows import PageRequest
from icn_graph.services.pagination import Page


def event(info: Info) -> DataLoader[int, inbox.InboxEvent | None]:
    return info.context.loaders.get(
        "notification_event", partial(inbox.events_of, viewer=info.context.viewer)
    )


def subject_title(info: Info) -> DataLoader[str, str | None]:
    return info.context.loaders.get(
        "notification_subject_title", partial(inbox.subject_titles, viewer=info.context.viewer)
    )


def following_page(info: Info) -> DataLoader[PageRequest, Page[models.Follow]]:
    return info.context.loaders.get("following_page", following.following_pages)
