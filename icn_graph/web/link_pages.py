"""The pages mailed links open: sign in, accept an invitation, confirm a new email.

``GET`` only shows a button and changes nothing: mail scanners fetch links, so only the button's
``POST`` uses the link (once). A link that opens a session ends the same way everywhere: with
``ICN_SIGN_IN_REDIRECT_URL`` set the browser is sent there with the session token in the URL
fragment (``#token=icn_...``: a fragment never reaches a server or a Referer); without it the page
shows the token once, to paste into the explorer's headers. Pages are never cached, send no
Referer, and allow no script, frame or outside resource.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from icn_graph.config import Settings

METHODS = ["GET", "HEAD", "POST"]
BUSY = "The service is busy; try again shortly."

_PAGES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
)
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
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
    context = {"token": None, "quote": None, **parts}
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
