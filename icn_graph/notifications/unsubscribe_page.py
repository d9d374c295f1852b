"""``/unsubscribe/<token>``: one-click unsubscribe from notification mail (RFC 8058).

``POST`` (what mail clients send for ``List-Unsubscribe-Post``, and the page's button) takes
effect at once and answers 200 with a short confirmation: no cookies, no sign-in, no redirect.
``GET`` only shows what the link would stop and a button: mail scanners fetch links, so a GET
never changes anything. A tampered, truncated or forged token, or one for an address the person
no longer has, is a 400 and changes nothing; an expired one a 410. The confirmation after a POST
links to a fresh "manage your email" page (after "stop all mail" no more mail will bring one).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from icn_graph.config import Settings
from icn_graph.db.unavailable import log_unavailable
from icn_graph.errors import BadInput, NotFound
from icn_graph.notifications.mail.links import MailLinks
from icn_graph.notifications.mail.manage_tokens import make_link_token
from icn_graph.notifications.mail.tokens import ExpiredToken
from icn_graph.notifications.mail.unsubscribe import (
    UnsubscribeTarget,
    unsubscribe,
    unsubscribe_target,
)

log = logging.getLogger(__name__)

PATH = "/unsubscribe/{token}"
METHODS = ["GET", "HEAD", "POST"]

_PAGES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
)
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def _page(
    request: Request,
    status_code: int,
    title: str,
    message: str,
    *,
    confirm: bool = False,
    manage_url: str | None = None,
) -> Response:
    settings = request.app.state.settings
    body = _PAGES.get_template("unsubscribe.html").render(
        title=title,
        message=message,
        confirm=confirm,
        manage_url=manage_url,
        action=request.url.path,
        network_name=settings.network_name,
    )
    return HTMLResponse(body, status_code=status_code, headers=_HEADERS)


def _manage_url(settings: Settings, target: UnsubscribeTarget, now: datetime) -> str:
    """A fresh link to the person's "manage your email" page, bound to their address."""
    token = make_link_token(
        settings.secret_key.get_secret_value(),
        target.scope.person_id,
        target.email_key,
        now=now,
        days=settings.manage_link_days,
    )
    return MailLinks(settings).manage(token)


async def unsubscribe_endpoint(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    token = request.path_params["token"]
    now = datetime.now(UTC)
    try:
        if request.method == "POST":
            target: UnsubscribeTarget = await unsubscribe(db, settings, token, now=now)
            return _page(
                request,
                200,
                "You are unsubscribed",
                f"Done, {target.person_name}. {target.stops}",
                manage_url=_manage_url(settings, target, now),
            )
        target = await unsubscribe_target(db, settings, token, now=now)
    except ExpiredToken as problem:
        return _page(request, 410, "This link has expired", problem.message)
    except BadInput as problem:
        return _page(request, 400, "This link does not work", problem.message)
    except NotFound as problem:
        return _page(request, 404, "Nothing to unsubscribe", problem.message)
    except (SQLAlchemyError, OSError) as error:
        log_unavailable(log, "unsubscribe", error)
        return _page(request, 503, "Please try again", "The service is busy; try again shortly.")
    return _page(
        request,
        200,
        "Unsubscribe?",
        f"{target.person_name}, press the button to unsubscribe. {target.stops}",
        confirm=True,
    )
