"""Where mail links go: a subject in the front-end app, or the API's explorer without one.

With ``ICN_APP_URL`` set (``https://app.example.org``), a subject opens at that URL plus its
type's path pattern, ``{id}`` being its global ID: the ``app_path`` its subject type registers
(core's and plugins', see ``register_subject_types``), overridden or extended per type by
``ICN_APP_URL_PATTERNS`` (JSON, ``{"Goal": "/goals/{id}"}``). A type with no pattern, or no
``ICN_APP_URL`` at all, opens the explorer at ``ICN_PUBLIC_URL`` on the subject. The "manage
your email" page and unsubscribe links are the API's own pages.
"""

from __future__ import annotations

from urllib.parse import quote

from icn_graph.config import Settings
from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id
from icn_graph.notifications.subjects import subject_types


def default_app_paths() -> dict[str, str]:
    """Each subject type's path in the front-end, as its type registers it (core's and
    plugins')."""
    return subject_types().app_paths()


def explorer_path(subject_id: str) -> str:
    """The explorer opened on ``subject_id`` (relative to ``ICN_PUBLIC_URL``)."""
    query = f'{{ node(id: "{subject_id}") {{ id __typename }} }}'
    return f"/graphql?explore={quote(query, safe='')}"


class MailLinks:
    """The links one composing run puts in mail."""

    def __init__(self, settings: Settings) -> None:
        self.public_url = settings.public_url.rstrip("/")
        self.app_url = settings.app_url.rstrip("/")
        self.paths = default_app_paths() | settings.app_url_patterns

    def app_path(self, subject_id: str) -> str | None:
        """``subject_id``'s path in the front-end app (``/goals/R29hbDox``), whether or not
        ``ICN_APP_URL`` is set; None for a type with no path there."""
        try:
            type_name = parse_global_id(subject_id)[0]
        except BadInput:
            return None
        pattern = self.paths.get(type_name)
        return pattern.format(id=quote(subject_id, safe="")) if pattern is not None else None

    def subject(self, subject_id: str) -> str:
        """Where ``subject_id`` opens for a reader."""
        path = self.app_path(subject_id)
        if self.opens_in_app(subject_id) and path is not None:
            return self.app_url + path
        return self.public_url + explorer_path(subject_id)

    def opens_in_app(self, subject_id: str) -> bool:
        """Whether ``subject`` links ``subject_id`` in the front-end (else in the explorer)."""
        return bool(self.app_url) and self.app_path(subject_id) is not None

    def removed(self) -> str:
        """Where a subject that no longer exists links: the app's home, or the explorer."""
        return self.app_url or f"{self.public_url}/graphql"

    def unsubscribe(self, token: str) -> str:
        return f"{self.public_url}/unsubscribe/{token}"

    def manage(self, token: str) -> str:
        return f"{self.public_url}/manage-email/{token}"
