"""Telling open websockets that a person's tokens were revoked, so they close at once.

A revocation (a session or personal access token revoked, ``icn-graph token revoke``, a person
deactivated) publishes the person's id on the topic ``auth.person.<id>``: on PostgreSQL every API
process hears it (``NOTIFY``), on SQLite this process does. Each open websocket of that person
looks its token up again and closes with 4403 if it no longer works. The message carries only
the id: any session on the database can ``LISTEN``.
"""

from __future__ import annotations

import logging

from icn_graph.db.database import Database
from icn_graph.notifications.realtime.topics import publish_topic

log = logging.getLogger(__name__)


def revocation_topic(person_id: int) -> str:
    return f"auth.person.{person_id}"


async def announce_revocation(db: Database, person_id: int) -> None:
    """Tell every API process that ``person_id``'s tokens changed; after the change committed.

    Best effort: if the message cannot be sent the sockets still close at their next operation.
    """
    try:
        await publish_topic(db, revocation_topic(person_id), "revoked")
    except Exception:
        log.exception("could not announce the revocation of person %s's tokens", person_id)
