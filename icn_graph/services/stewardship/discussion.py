"""Where a data request is discussed: a plugin's discussion when one provides it (a co-design
thread with icn-codesign), else the request's own comments.

A plugin provides it by returning a :class:`DataRequestDiscussion` from the
``register_data_request_discussion`` hook. Core calls it inside the transaction of the change:
``open`` when a request is made (its global ID is stored in ``data_requests.discussion_id``)
and ``post`` for ``commentOnDataRequest``. The deciders a view asks are not brought in: the
participants see one another, and which centers a view names is for the stewards, the requester
and each center itself; a decider joins by commenting, their own choice.
Core has checked the viewer first (they may see the request); a provider that raises rolls the
whole change back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugins.manager import PluginStartupError
from icn_graph.services.viewer import Viewer

if TYPE_CHECKING:
    from icn_graph.plugins.manager import PluginHost


@dataclass(frozen=True)
class DiscussionOpening:
    """What a new request's discussion starts with."""

    request_id: str
    """The request's global ID: what the discussion is about (attach it there)."""
    title: str
    """The request's purpose."""
    body: str
    """The request in words (Markdown): the discussion's first message, by the requester."""
    participant_ids: Sequence[int]
    """Who takes part besides the requester (the viewer): the network's data managers."""


@runtime_checkable
class DataRequestDiscussion(Protocol):
    """A plugin's discussion of data requests. Each method runs in ``session``'s transaction."""

    async def open(self, session: AsyncSession, viewer: Viewer, opening: DiscussionOpening) -> str:
        """Open the discussion as ``viewer`` (the requester); its global ID (a ``Node``)."""
        ...

    async def post(
        self, session: AsyncSession, viewer: Viewer, discussion_id: str, body: str
    ) -> str:
        """Post ``body`` as ``viewer`` (who may see the request); the message's global ID."""
        ...


def discussion_provider(plugins: PluginHost | None) -> DataRequestDiscussion | None:
    """The discussion a plugin provides, if any; two providers, or something that is not one,
    stop start-up naming the plugins."""
    if plugins is None:
        return None
    found = plugins.data_request_discussions()
    providers: list[DataRequestDiscussion] = []
    for owner, provider in found:
        if not isinstance(provider, DataRequestDiscussion):
            raise PluginStartupError(
                f"plugin '{owner}': register_data_request_discussion must return an object "
                "with async open and post methods"
            )
        providers.append(provider)
    if len(found) > 1:
        owners = " and ".join(f"'{owner}'" for owner, _ in found)
        raise PluginStartupError(
            f"the discussion of data requests is provided by both {owners}; disable one "
            "(ICN_DISABLED_PLUGINS)"
        )
    return providers[0] if providers else None
