"""Mail about a changed email address, sent at once like sign-in links (``sign_in_mail``).

A person asking for a new address gets two messages: the link that confirms it, to the new
address only (whoever holds that mailbox proves it by using the link), and a notice to the old
address, so a stolen session cannot move an account away unseen. An address another account
has gets a notice instead of the link (nothing changes), so the answer to the requester cannot
tell whether an address has an account. When staff set an address
directly, the old address gets a notice of that.
"""

from __future__ import annotations

from icn_graph.config import Settings
from icn_graph.notifications.sign_in_mail import SignInMail, link_message
from icn_graph.services.accounts.email_changes import EMAIL_CHANGE_HOURS, IssuedEmailChange
from icn_graph.services.accounts.staff_edits import MovedAddress

CONFIRM_PATH = "/confirm-email/{token}"


def confirm_url(settings: Settings, secret: str) -> str:
    return settings.public_url.rstrip("/") + CONFIRM_PATH.format(token=secret)


def confirmation_message(settings: Settings, change: IssuedEmailChange) -> str:
    """To the new address: the link that makes it the account's email."""
    context: dict[str, object] = {
        "name": change.display_name,
        "network_name": settings.network_name,
        "url": confirm_url(settings, change.secret),
        "new_email": change.new_email,
        "expires": change.expires_at.strftime("%Y-%m-%d %H:%M"),
        "hours": EMAIL_CHANGE_HOURS,
    }
    return link_message(
        settings,
        to=(change.display_name, change.new_email),
        subject=f"Confirm your new email for {settings.network_name}",
        template="email_change_confirm",
        context=context,
    )


def address_taken_notice(settings: Settings, change: IssuedEmailChange) -> str:
    """To an address another account already has: someone asked for it; nothing changed. It
    names neither the requester nor their account."""
    context: dict[str, object] = {
        "network_name": settings.network_name,
        "new_email": change.new_email,
    }
    return link_message(
        settings,
        to=("", change.new_email),
        subject=f"Someone asked to use your address on {settings.network_name}",
        template="email_address_taken",
        context=context,
    )


def change_notice(settings: Settings, change: IssuedEmailChange) -> str:
    """To the old address: a change was asked for, and what to do if it was not you."""
    context: dict[str, object] = {
        "name": change.display_name,
        "network_name": settings.network_name,
        "old_email": change.old_email,
        "new_email": change.new_email,
        "hours": EMAIL_CHANGE_HOURS,
    }
    return link_message(
        settings,
        to=(change.display_name, change.old_email),
        subject=f"Your email for {settings.network_name} is being changed",
        template="email_change_notice",
        context=context,
    )


def moved_notice(settings: Settings, moved: MovedAddress) -> str:
    """To the old address: staff changed the account's email."""
    context: dict[str, object] = {
        "name": moved.display_name,
        "network_name": settings.network_name,
        "old_email": moved.old_email,
        "new_email": moved.new_email,
    }
    return link_message(
        settings,
        to=(moved.display_name, moved.old_email),
        subject=f"Your email for {settings.network_name} was changed",
        template="email_moved_notice",
        context=context,
    )


def mail_email_change(mail: SignInMail, change: IssuedEmailChange) -> None:
    settings = mail.settings
    if change.address_taken:
        mail.send_message(
            change.new_email, lambda: address_taken_notice(settings, change), "address taken"
        )
    else:
        mail.send_message(
            change.new_email, lambda: confirmation_message(settings, change), "email confirmation"
        )
    mail.send_message(
        change.old_email, lambda: change_notice(settings, change), "email change notice"
    )


def mail_moved_address(mail: SignInMail, moved: MovedAddress) -> None:
    settings = mail.settings
    mail.send_message(moved.old_email, lambda: moved_notice(settings, moved), "email change notice")
