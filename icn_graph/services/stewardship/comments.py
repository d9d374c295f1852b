"""Commenting on a data request: in the plugin's discussion when one was opened for it, else as
the request's own comment. Anyone who may see the request may comment while it is open; the
first comment by someone other than the requester puts a SUBMITTED request IN_DISCUSSION."""

from __future__ import annotations

from dataclasses import dataclass

from icn_graph.db.database import Database
from icn_graph.events import record
from icn_graph.events.types import SubjectRef
from icn_graph.models import DataRequest, DataRequestComment, DataRequestState
from icn_graph.services.stewardship.discussion import DataRequestDiscussion
from icn_graph.services.stewardship.events import DataRequestCommented, request_refs
from icn_graph.services.stewardship.loading import request_for_update, require_state
from icn_graph.services.stewardship.states import OPEN
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

BODY_LENGTH = 10_000


@dataclass(frozen=True)
class Commented:
    request: DataRequest
    comment: DataRequestComment | None
    """The comment, when the request's own comments are its discussion."""
    message_id: str | None
    """The message's global ID, when a plugin's discussion took it."""


async def comment_on_request(
    db: Database,
    viewer: Viewer,
    request_id: int,
    body: str,
    *,
    discussion: DataRequestDiscussion | None = None,
) -> Commented:
    person_id = viewer.require_member()
    async with db.transaction() as session:
        loaded = await request_for_update(session, viewer, request_id, field="dataRequestId")
        require_state(loaded, OPEN, "dataRequestId", "take comments")
        check = Checker()
        text = check.text("body", body, max_length=BODY_LENGTH, label="Comment", multiline=True)
        check.raise_if_any()
        request = loaded.request
        comment: DataRequestComment | None = None
        message_id: str | None = None
        if request.discussion_id is not None and discussion is not None:
            message_id = await discussion.post(session, viewer, request.discussion_id, text)
        else:
            # No plugin's discussion (or the plugin that had it is gone): the request's own.
            comment = DataRequestComment(request_id=request.id, author_id=person_id, body=text)
            session.add(comment)
            await session.flush()
            commented = DataRequestCommented(
                **request_refs(request),
                comment=SubjectRef("DataRequestComment", comment.id),
                body=text,
            )
            record(session, commented, actor_id=person_id)
        if request.state == DataRequestState.SUBMITTED and person_id != request.requester_id:
            request.state = DataRequestState.IN_DISCUSSION
    return Commented(request, comment, message_id)
