"""``/sign-in/<token>``: the page a mailed sign-in link opens.

``GET`` only shows a "Sign in" button and changes nothing: mail scanners fetch links, so only
the button's ``POST`` uses the link (once). After it, with ``ICN_SIGN_IN_REDIRECT_URL`` set the
browser is sent there with the session token in the URL fragment (``#token=icn_...``: a fragment
never reaches a server or a Referer); without it the page shows the token once, to paste into
the explorer's headers. An unknown, used or expired link gets one and the same answer (400).
Pages are never cached, send no Referer, and allow no script, frame or outside resource.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from icn_graph.config import Settings
from icn_graph.models import Person
from icn_graph.notifications.sign_in_mail import PATH
from icn_graph.services.sign_in.links import LINK_REFUSED, LinkRefused, sign_in
from icn_graph.services.sign_in.rate_limits import RateLimited, SignInLimits

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST"]

_PAGES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
)
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def headers(settings: Settings) -> dict[str, str]:
    """The page's headers. The button's form may go to this server and, when the answer redirects
    to ICN_SIGN_IN_REDIRECT_URL, on to that origin (browsers apply form-action to redirects)."""
    form_action = "'self'"
    if settings.sign_in_redirect_url:
        target = urlsplit(settings.sign_in_redirect_url)
        form_action += f" {target.scheme}://{target.netloc}"
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return {**HEADERS, "Content-Security-Policy": policy}


def _page(
    request: Request, status_code: int, title: str, message: str, **parts: object
) -> Response:
    settings: Settings = request.app.state.settings
    context = {"confirm": False, "token": None, **parts}
    body = _PAGES.get_template("sign_in.html").render(
        title=title,
        message=message,
        network_name=settings.network_name,
        action=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status_code, headers=headers(settings))


async def sign_in_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if request.method != "POST":
        return _page(
            request,
            200,
            f"Sign in to {settings.network_name}",
            "Press the button to sign in on this device.",
            confirm=True,
        )
    limits: SignInLimits | None = request.app.state.sign_in_limits
    db = request.app.state.db
    try:
        if limits is not None:
            client = request.client
            await limits.check_sign_in(client.host if client is not None else "unknown")
        issued = await sign_in(
            db,
            request.path_params["token"],
            now=request.app.state.clock(),
            user_agent=request.headers.get("user-agent", ""),
            session_days=settings.session_days,
        )
        async with db.session() as session:
            person = await session.get(Person, issued.person_id)
    except RateLimited as problem:
        return _page(request, 429, "Please wait", problem.message)
    except LinkRefused:
        return _page(request, 400, "This link does not work", LINK_REFUSED)
    except (SQLAlchemyError, OSError) as error:
        log.error("cannot sign in: database unavailable: %s", error)
        return _page(request, 503, "Please try again", "The service is busy; try again shortly.")
    if settings.sign_in_redirect_url:
        target = f"{settings.sign_in_redirect_url}#token={quote(issued.secret, safe='')}"
        return RedirectResponse(target, status_code=303, headers=headers(settings))
    name = person.display_name if person is not None else ""
    return _page(
        request,
        200,
        "You are signed in",
        f"Welcome, {name}.",
        token=issued.secret,
        explorer_url=settings.public_url.rstrip("/") + "/graphql",
        session_days=settings.session_days,
    )


__all__ = ["METHODS", "PATH", "sign_in_endpoint"]
