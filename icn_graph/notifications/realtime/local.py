"""Hubs of this process by database URL: how a SQLite commit reaches this process's subscribers.

SQLite has no ``NOTIFY``, so on SQLite only subscribers in the process that committed hear about
a notification. Keying by URL keeps two apps on two different databases in one process apart.
"""

from __future__ import annotations

import threading

from sqlalchemy.engine import URL

from icn_graph.notifications.realtime.hub import Hub

_hubs: dict[str, set[Hub]] = {}
_lock = threading.Lock()


def url_key(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def register(database_url: str, hub: Hub) -> None:
    with _lock:
        _hubs.setdefault(database_url, set()).add(hub)


def unregister(database_url: str, hub: Hub) -> None:
    with _lock:
        hubs = _hubs.get(database_url)
        if hubs is not None:
            hubs.discard(hub)
            if not hubs:
                del _hubs[database_url]


def publish(database_url: str, person_id: int, notification_id: int) -> None:
    with _lock:
        hubs = list(_hubs.get(database_url, ()))
    for hub in hubs:
        hub.publish(person_id, notification_id)
