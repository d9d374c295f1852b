"""``/confirm-email/<token>``: the page an email change's link opens (the rules of every mailed
link's page are in :mod:`icn_graph.web.link_pages`). An unknown, used or expired link gets one
and the same answer (400); an address someone else took meanwhile, another (409)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from icn_graph.config import Settings
from icn_graph.errors import InvalidInput
from icn_graph.notifications.account_mail import CONFIRM_PATH
from icn_graph.services.accounts.email_changes import EmailChangeRefused, confirm_change
from icn_graph.web.link_pages import METHODS, check_rate, link_endpoint, page

PATH = CONFIRM_PATH


@link_endpoint("confirm an email change")
async def confirm_email_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if request.method != "POST":
        return page(
            request,
            200,
            "Confirm your new email",
            f"Press the button to make this address the email of your {settings.network_name} "
            "account.",
            button="Confirm",
        )
    await check_rate(request)
    try:
        person = await confirm_change(
            request.app.state.db, request.path_params["token"], now=request.app.state.clock()
        )
    except EmailChangeRefused as refused:
        return page(request, 400, "This link does not work", refused.errors[0].message)
    except InvalidInput as refused:  # the address was taken meanwhile
        return page(request, 409, "This address is taken", refused.errors[0].message)
    return page(
        request,
        200,
        "Your email is changed",
        f"{person.display_name}, your {settings.network_name} account's email is now "
        f"{person.email}. Sign-in links and notifications go there from now on.",
    )


__all__ = ["METHODS", "PATH", "confirm_email_endpoint"]
