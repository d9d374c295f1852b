"""Calendar feed secrets kept out of uvicorn's access log.

A feed's secret is its URL path, and calendar apps fetch it every few minutes for as long as the
feed lives: every access log line would otherwise hold a working address. The path's secret is
written as ``<secret>``; nothing else in the line changes.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
FEED_SECRET = re.compile(r"^/calendar/[^/?#]+")
REDACTED = "/calendar/<secret>"
# uvicorn logs (client, method, path with query string, HTTP version, status).
PATH_ARG = 2


class RedactFeedSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple) or len(args) <= PATH_ARG:
            return True
        path = args[PATH_ARG]
        if isinstance(path, str):
            redacted = FEED_SECRET.sub(REDACTED, path)
            if redacted != path:
                record.args = (*args[:PATH_ARG], redacted, *args[PATH_ARG + 1 :])
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access logger (once); after uvicorn configures logging."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(known, RedactFeedSecrets) for known in logger.filters):
        logger.addFilter(RedactFeedSecrets())
