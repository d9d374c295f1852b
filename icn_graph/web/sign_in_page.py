"""``/sign-in/<token>``: the page a mailed sign-in link opens (the rules of every mailed-link
page are in :mod:`icn_graph.web.link_pages`). An unknown, used or expired link gets one and the
same answer (400)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from icn_graph.config import Settings
from icn_graph.models import Person
from icn_graph.notifications.sign_in_mail import PATH
from icn_graph.services.sign_in.links import LinkRefused, sign_in
from icn_graph.web.link_pages import METHODS, check_rate, link_endpoint, page, signed_in


@link_endpoint("sign in")
async def sign_in_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if request.method != "POST":
        return page(
            request,
            200,
            f"Sign in to {settings.network_name}",
            "Press the button to sign in on this device.",
            button="Sign in",
        )
    db = request.app.state.db
    await check_rate(request)
    try:
        issued = await sign_in(
            db,
            request.path_params["token"],
            now=request.app.state.clock(),
            user_agent=request.headers.get("user-agent", ""),
            session_days=settings.session_days,
            link_minutes=settings.sign_in_link_minutes,
        )
    except LinkRefused as refused:
        return page(request, 400, "This link does not work", refused.message)
    async with db.session() as session:
        person = await session.get(Person, issued.person_id)
    name = person.display_name if person is not None else ""
    return signed_in(request, issued.secret, f"Welcome, {name}.")


__all__ = ["METHODS", "PATH", "sign_in_endpoint"]
