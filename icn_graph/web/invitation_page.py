"""``/invitation/<token>``: the page a mailed invitation opens (the rules of every mailed-link
page are in :mod:`icn_graph.web.link_pages`). ``GET`` shows who invited you to what, with a
button; its ``POST`` accepts (the account, the membership, a session) and ends like signing in;
for an email that already has an account it adds the membership and asks the person to sign in
as usual (no session).
An unknown, used, expired or withdrawn link gets one and the same answer (400)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from icn_graph.config import Settings
from icn_graph.models import Center, Person
from icn_graph.notifications.invitation_mail import PATH
from icn_graph.services.invitations.accepting import accept_invitation, preview_invitation
from icn_graph.services.invitations.links import INVITATION_REFUSED, InvitationRefused
from icn_graph.services.invitations.words import role_in_words
from icn_graph.web.link_pages import (
    METHODS,
    check_rate,
    link_endpoint,
    origin_of,
    page,
    signed_in,
)

REFUSED_TITLE = "This invitation does not work"


@link_endpoint("answer an invitation")
async def invitation_endpoint(request: Request) -> Response:
    try:
        if request.method != "POST":
            return await _show(request)
        return await _accept(request)
    except InvitationRefused:
        return page(request, 400, REFUSED_TITLE, INVITATION_REFUSED)


async def _show(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    preview = await preview_invitation(
        request.app.state.db, request.path_params["token"], now=request.app.state.clock()
    )
    who = f"{preview.inviter_name} invited you" if preview.inviter_name else "You are invited"
    text = (
        f"Hello {preview.display_name}: {who} to join {preview.center_name}'s care team as "
        f"{role_in_words(preview.role)} on {settings.network_name}. The invitation works "
        f"until {preview.expires_at:%Y-%m-%d %H:%M} (UTC)."
    )
    return page(
        request,
        200,
        f"Join {preview.center_name}",
        text,
        button=f"Join {preview.center_name}",
        quote=preview.message or None,
    )


async def _accept(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    db = request.app.state.db
    await check_rate(request)
    accepted = await accept_invitation(
        db,
        request.path_params["token"],
        now=request.app.state.clock(),
        user_agent=request.headers.get("user-agent", ""),
        session_days=settings.session_days,
    )
    async with db.session() as session:
        person = await session.get(Person, accepted.person_id)
        center = await session.get(Center, accepted.center_id)
    name = person.display_name if person is not None else ""
    team = f" to {center.name}'s team" if center is not None else ""
    if accepted.session is None:
        return _joined(request, settings, name, center.name if center is not None else "")
    return signed_in(request, accepted.session.secret, f"Welcome{team}, {name}.")


def _joined(request: Request, settings: Settings, name: str, center_name: str) -> Response:
    """An existing account joined: no session; it signs in as usual."""
    app = origin_of(settings.sign_in_redirect_url) if settings.sign_in_redirect_url else None
    sign_in_url = app or settings.public_url.rstrip("/") + "/graphql"
    where = "the app" if app else "the explorer (requestSignIn)"
    text = (
        f"{name}, you are now on {center_name}'s care team. This email already has an account, "
        "so the invitation does not sign you in: sign in as usual, with a sign-in link mailed "
        f"to this address from {where}."
    )
    return page(
        request,
        200,
        f"You joined {center_name}",
        text,
        link_url=sign_in_url,
        link_text="Sign in",
    )


__all__ = ["METHODS", "PATH", "invitation_endpoint"]
