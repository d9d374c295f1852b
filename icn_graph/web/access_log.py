"""Secrets in URL paths kept out of uvicorn's access log.

Some addresses are credentials: a calendar feed's (calendar apps fetch it every few minutes for
as long as it lives), a data view's public link, and the links people are mailed (sign in,
invitation, email change, unsubscribe, manage email). Every access log line would otherwise
hold a working address. The secret's path segment is written as ``<secret>``; nothing else in
the line changes.

``SECRET_PATHS`` is the one list of them. ``tests/web/test_access_log.py`` walks the app's
routes and fails on a route with a path parameter that is neither under one of these nor known
not to be a secret, so a new secret route cannot be left out unnoticed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from icn_graph.notifications.account_mail import CONFIRM_PATH
from icn_graph.notifications.invitation_mail import PATH as INVITATION_PATH
from icn_graph.notifications.manage_page import PATH as MANAGE_EMAIL_PATH
from icn_graph.notifications.sign_in_mail import PATH as SIGN_IN_PATH
from icn_graph.notifications.unsubscribe_page import PATH as UNSUBSCRIBE_PATH
from icn_graph.services.calendar_feeds import FEED_PATH
from icn_graph.web.data_views import PUBLIC_PATH as PUBLIC_DATA_VIEW_PATH

ACCESS_LOGGER = "uvicorn.access"
# Route templates whose last segment is a secret; a route may go on below one
# (``/calendar/{secret}/mine.ics``).
SECRET_PATHS = (
    FEED_PATH,
    PUBLIC_DATA_VIEW_PATH,  # the segment is <token>.<format>: all of it is written <secret>
    SIGN_IN_PATH,
    INVITATION_PATH,
    CONFIRM_PATH,
    UNSUBSCRIBE_PATH,
    MANAGE_EMAIL_PATH,
)
REDACTED = "<secret>"
# uvicorn logs (client, method, path with query string, HTTP version, status).
PATH_ARG = 2


def secret_segments(templates: Iterable[str]) -> re.Pattern[str]:
    """A path's secret segment under any of ``templates``: group 1 is what comes before it."""
    prefixes = []
    for template in templates:
        prefix, _, last = template.rpartition("/")
        if "{" in prefix or not re.fullmatch(r"\{\w+\}", last):
            raise ValueError(f"{template!r}: only its last segment may be a parameter")
        prefixes.append(re.escape(prefix))
    # The whole segment: an unsubscribe token has dots in it, a public link an extension.
    return re.compile(rf"^({'|'.join(prefixes)})/[^/?#]+")


SECRET_SEGMENT = secret_segments(SECRET_PATHS)


def redact(path: str) -> str:
    """``path`` (with its query string) with a secret segment written ``<secret>``."""
    return SECRET_SEGMENT.sub(lambda found: f"{found[1]}/{REDACTED}", path, count=1)


class RedactPathSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) <= PATH_ARG:
            return True
        path = args[PATH_ARG]
        if isinstance(path, str):
            redacted = redact(path)
            if redacted != path:
                record.args = (*args[:PATH_ARG], redacted, *args[PATH_ARG + 1 :])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger (once); after uvicorn configures logging."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(known, RedactPathSecrets) for known in logger.filters):
        logger.addFilter(RedactPathSecrets())
