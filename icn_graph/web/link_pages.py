"""The pages mailed links open: sign in, accept an invitation, confirm a new email.

``GET`` only shows a button and changes nothing: mail scanners fetch links, so only the button's
``POST`` uses the link (once). A link that opens a session ends the same way everywhere: with
``ICN_SIGN_IN_REDIRECT_URL`` set the browser is sent there with the session token in the URL
fragment (``#token=icn_...``: a fragment never reaches a server or a Referer); without it the page
shows the token once, to paste into the explorer's headers. Pages are never cached, send no
Referer to other sites, and allow no script, frame or outside resource.

A ``POST`` from another site is refused (403) before the link is looked at: otherwise a page
anywhere could submit a form with its author's own link and sign a visitor in as the author
(login CSRF), whose session a front-end behind ``ICN_SIGN_IN_REDIRECT_URL`` would then keep.
Browsers say where a request comes from in ``Sec-Fetch-Site`` and ``Origin``, which pages cannot
forge; a client that sends neither (curl, a script) is not a browser visitor and is let through.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from icn_graph.config import Settings
from icn_graph.db.unavailable import log_unavailable
from icn_graph.services.sign_in.rate_limits import RateLimited, SignInLimits

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST"]
BUSY = "The service is busy; try again shortly."
CROSS_SITE_TITLE = "Please open the link again"
CROSS_SITE = (
    "This request came from another website, so the link was not used. Open the link from your "
    "email again and press the button on its own page."
)
# Sec-Fetch-Site values of a request this server's own page (or the person, typing) made.
_OWN_FETCHES = frozenset({"same-origin", "none"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

Endpoint = Callable[[Request], Awaitable[Response]]

_PAGES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
)
_HEADERS = {
    "Cache-Control": "no-store",
    # Not no-referrer: under it browsers send the page's own POST with "Origin: null", which
    # cannot be told from a sandboxed page elsewhere. same-origin: no Referer leaves the site.
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def headers(settings: Settings) -> dict[str, str]:
    """A page's headers. Its button's form may go to this server and, when the answer redirects
    to ICN_SIGN_IN_REDIRECT_URL, on to that origin (browsers apply form-action to redirects)."""
    form_action = "'self'"
    if settings.sign_in_redirect_url:
        target = urlsplit(settings.sign_in_redirect_url)
        form_action += f" {target.scheme}://{target.netloc}"
    policy = (
        f"default-src 'none'; style-src 'unsafe-inline'; form-action {form_action}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return {**_HEADERS, "Content-Security-Policy": policy}


def page(
    request: Request,
    status_code: int,
    title: str,
    message: str,
    *,
    button: str | None = None,
    **parts: object,
) -> Response:
    """A page with ``message`` and, with ``button``, the form whose POST uses the link; a
    ``quote`` (someone's words, such as an inviter's message) is shown set apart."""
    settings: Settings = request.app.state.settings
    context = {"token": None, "quote": None, "link_url": None, "link_text": None, **parts}
    body = _PAGES.get_template("link_page.html").render(
        title=title,
        message=message,
        button=button,
        network_name=settings.network_name,
        action=request.url.path,
        **context,
    )
    return HTMLResponse(body, status_code=status_code, headers=headers(settings))


def busy(request: Request) -> Response:
    return page(request, 503, "Please try again", BUSY)


def signed_in(request: Request, session_token: str, message: str) -> Response:
    """Where a link that opened a session ends: the front-end, or the token shown once."""
    settings: Settings = request.app.state.settings
    if settings.sign_in_redirect_url:
        target = f"{settings.sign_in_redirect_url}#token={quote(session_token, safe='')}"
        return RedirectResponse(target, status_code=303, headers=headers(settings))
    return page(
        request,
        200,
        "You are signed in",
        message,
        token=session_token,
        explorer_url=settings.public_url.rstrip("/") + "/graphql",
        session_days=settings.session_days,
    )


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of ``url``, in lower case and without the scheme's default port;
    None for anything else (``null``, a bad port, another scheme)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def from_another_site(request: Request) -> bool:
    """Whether a browser says the request comes from a page of another site: ``Sec-Fetch-Site``
    other than same-origin or none, or an ``Origin`` that is neither ICN_PUBLIC_URL's nor the
    request's own (``Origin: null`` included)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.strip().lower() not in _OWN_FETCHES:
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    settings: Settings = request.app.state.settings
    own = {origin_of(settings.public_url), origin_of(str(request.url))} - {None}
    return origin_of(origin) not in own


async def check_rate(request: Request) -> None:
    """The sign-in limits per client address, before a ``POST`` uses a link (RateLimited)."""
    limits: SignInLimits | None = request.app.state.sign_in_limits
    if limits is not None:
        client = request.client
        await limits.check_sign_in(client.host if client is not None else "unknown")


def link_endpoint(doing: str) -> Callable[[Endpoint], Endpoint]:
    """A mailed link's page: a ``POST`` from another site is refused (403) before it runs, one
    over the rate limit (:func:`check_rate`) gets a 429 page, and a database that is down a 503
    page (logged as "cannot <doing>")."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def checked(request: Request) -> Response:
            if request.method == "POST" and from_another_site(request):
                return page(request, 403, CROSS_SITE_TITLE, CROSS_SITE)
            try:
                return await endpoint(request)
            except RateLimited as problem:
                return page(request, 429, "Please wait", problem.message)
            except (SQLAlchemyError, OSError) as error:
                log_unavailable(log, doing, error)
                return busy(request)

        return checked

    return decorate
