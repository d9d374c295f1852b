"""``/manage-email/<token>``: the "manage your email" page every notification mail links to.

Server-rendered (Jinja2, autoescaped), no front-end, no sign-in: the signed link is the key (see
``mail.manage_tokens``). ``GET`` only shows the person's choices: mail scanners fetch links, so a
GET never changes anything. ``POST`` changes them, and only with the form's CSRF token: none, a
forged or an expired one is a 403 and changes nothing. A refused field re-renders the form (400)
with a message naming it, and nothing is written. A bad link (or one for an account that is gone)
is a 400, an expired one a 410, a database that is down a 503: never a 500.
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
from icn_graph.errors import BadInput, InvalidInput, NotFound, UserError
from icn_graph.notifications.mail.manage_tokens import (
    ExpiredLink,
    ManageLink,
    form_token_valid,
    invalid_link,
    link_person,
    make_form_token,
    read_link_token,
)
from icn_graph.notifications.mail.render import local_time
from icn_graph.notifications.manage import (
    LEVEL_FIELD,
    ManageView,
    apply_manage_form,
    form_values,
    manage_view,
    person_email_key,
)
from icn_graph.notifications.models import DeliveryMode, FollowLevel
from icn_graph.notifications.reply_handlers import reply_handlers

log = logging.getLogger(__name__)

PATH = "/manage-email/{token}"
METHODS = ["GET", "HEAD", "POST"]
# A form has a handful of fields and one per followed subject: anything larger is not ours.
MAX_FORM_FIELDS = 1000

_PAGES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
)
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
}
DELIVERY_LABELS = {
    DeliveryMode.IMMEDIATE: "Right away (a burst of activity comes as one email)",
    DeliveryMode.DAILY_DIGEST: "A daily digest",
    DeliveryMode.WEEKLY_DIGEST: "A weekly digest",
    DeliveryMode.OFF: "No email (notifications stay in the app)",
}
LEVEL_LABELS = {
    FollowLevel.WATCHING: "Everything, including what it contains",
    FollowLevel.NORMAL: "Changes to it",
    FollowLevel.MUTED: "Nothing (muted)",
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _message_page(request: Request, status_code: int, title: str, message: str) -> Response:
    settings: Settings = request.app.state.settings
    body = _PAGES.get_template("manage_email.html").render(
        title=title, message=message, view=None, network_name=settings.network_name
    )
    return HTMLResponse(body, status_code=status_code, headers=_HEADERS)


def _form_page(
    request: Request,
    status_code: int,
    link: ManageLink,
    view: ManageView,
    *,
    message: str = "",
    errors: list[UserError] | None = None,
    values: dict[str, str] | None = None,
    now: datetime,
) -> Response:
    settings: Settings = request.app.state.settings
    secret = settings.secret_key.get_secret_value()
    shown = form_values(view) | (values or {})
    body = _PAGES.get_template("manage_email.html").render(
        title="Your email from " + settings.network_name,
        message=message,
        view=view,
        values=shown,
        errors=errors or [],
        error_fields={error.field for error in errors or []},
        csrf_token=make_form_token(secret, link, now=now),
        action=request.url.path,
        network_name=settings.network_name,
        local_now=local_time(now, view.timezone),
        deliveries=DELIVERY_LABELS,
        replies_by_email=bool(settings.mail_reply_domain) and bool(reply_handlers()),
        levels=LEVEL_LABELS,
        level_field=LEVEL_FIELD,
        weekdays=WEEKDAYS,
    )
    return HTMLResponse(body, status_code=status_code, headers=_HEADERS)


async def _link(request: Request, now: datetime) -> ManageLink:
    settings: Settings = request.app.state.settings
    token = request.path_params["token"]
    try:
        email_key = await person_email_key(request.app.state.db, link_person(token))
    except NotFound:
        # Said like a forged link: which account ids exist is nobody's business.
        raise invalid_link() from None
    secret = settings.secret_key.get_secret_value()
    return read_link_token(secret, token, email_key, now=now, days=settings.manage_link_days)


async def manage_email_endpoint(request: Request) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    now = datetime.now(UTC)
    try:
        link = await _link(request, now)
        if request.method != "POST":
            view = await manage_view(db, settings, link.person_id)
            return _form_page(request, 200, link, view, now=now)
        return await _post(request, link, now)
    except ExpiredLink as problem:
        return _message_page(request, 410, "This link has expired", problem.message)
    except BadInput as problem:
        return _message_page(request, 400, "This link does not work", problem.message)
    except NotFound as problem:
        return _message_page(request, 404, "No such account", problem.message)
    except (SQLAlchemyError, OSError) as error:
        log_unavailable(log, "serve the manage-email page", error)
        return _message_page(
            request, 503, "Please try again", "The service is busy; try again shortly."
        )


async def _post(request: Request, link: ManageLink, now: datetime) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    secret = settings.secret_key.get_secret_value()
    try:
        submitted = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    except Exception:  # a body that is not a form (or too large a one): nothing to apply
        view = await manage_view(db, settings, link.person_id)
        message = "The form could not be read; nothing was changed. Please try again."
        return _form_page(request, 400, link, view, message=message, now=now)
    form = {name: value for name, value in submitted.items() if isinstance(value, str)}
    if not form_token_valid(secret, link, form.get("csrfToken", ""), now=now):
        view = await manage_view(db, settings, link.person_id)
        message = (
            "Nothing was changed: this form had expired or did not come from this page. "
            "Your current choices are shown again; make your changes and save once more."
        )
        return _form_page(request, 403, link, view, message=message, now=now)
    try:
        view = await apply_manage_form(db, settings, link.person_id, form, now=now)
    except InvalidInput as problem:
        view = await manage_view(db, settings, link.person_id)
        values = {name: value for name, value in form.items() if name != "csrfToken"}
        message = "Nothing was changed. Please correct the fields below."
        return _form_page(
            request, 400, link, view, message=message, errors=problem.errors, values=values, now=now
        )
    return _form_page(
        request, 200, link, view, message="Saved. Your choices apply from now on.", now=now
    )
