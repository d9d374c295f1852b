"""Mailing invitations: "You are invited to join <center>'s care team as <role> on <network>",
who sent it (in the body only), their message, the link and when it stops working.

Sent like sign-in links (:mod:`icn_graph.notifications.sign_in_mail`): at once, from a
background task, never queued with the secret. The inviter's message and the names are input
from people: the HTML part escapes them and the headers keep them on one line.
"""

from __future__ import annotations

from icn_graph.config import Settings
from icn_graph.notifications.sign_in_mail import SignInMail, link_message
from icn_graph.services.invitations.inviting import IssuedInvitation
from icn_graph.services.invitations.words import role_in_words

PATH = "/invitation/{token}"


def invitation_url(settings: Settings, secret: str) -> str:
    return settings.public_url.rstrip("/") + PATH.format(token=secret)


def invitation_subject(settings: Settings, issued: IssuedInvitation) -> str:
    """Names the center, role and network, never the inviter: a display name is whatever its
    owner chose ("Network Security"), and the subject comes from the network's address."""
    role = role_in_words(issued.invitation.role)
    return (
        f"You are invited to join {issued.center_name}'s care team as {role} on "
        f"{settings.network_name}"
    )


def invited_by(issued: IssuedInvitation) -> str:
    """Who sent it, in the body: the name they chose, marked as theirs."""
    if not issued.inviter_name:
        return ""
    return f'The invitation was sent by a member who calls themself "{issued.inviter_name}".'


def invitation_message(settings: Settings, issued: IssuedInvitation) -> str:
    invitation = issued.invitation
    context: dict[str, object] = {
        "name": invitation.display_name,
        "invitation": invitation_subject(settings, issued),
        "inviter": issued.inviter_name,
        "invited_by": invited_by(issued),
        "center": issued.center_name,
        "network_name": settings.network_name,
        "message_lines": invitation.message.splitlines(),
        "url": invitation_url(settings, issued.secret),
        "expires": invitation.expires_at.strftime("%Y-%m-%d %H:%M"),
    }
    return link_message(
        settings,
        to=(invitation.display_name, invitation.email),
        subject=invitation_subject(settings, issued),
        template="invitation",
        context=context,
    )


def mail_invitation(mail: SignInMail, issued: IssuedInvitation) -> None:
    """Send the invitation now, from a task of its own."""
    settings = mail.settings
    mail.send_message(
        issued.invitation.email, lambda: invitation_message(settings, issued), "invitation"
    )
