"""Jinja2 rendering of notification mail: a plain-text and an HTML part from the same context.

Layouts (``immediate``, ``digest``) are core's. Each notification is rendered by the template
named after its event type (``events/goal.checked_in.txt`` and ``.html``), else by a plugin's
template of that name (``register_mail_templates``), else by ``events/_generic``. HTML is
autoescaped, so text people typed can never become markup; a plugin template that fails falls
back to the generic one rather than holding the mail back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

if TYPE_CHECKING:
    from icn_graph.plugins.manager import PluginHost

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
GENERIC = "events/_generic"


@dataclass(frozen=True)
class AgendaSlot:
    """When and where the agenda item a notification is about is, for its reader."""

    session_title: str
    # In the reader's time zone, named: "Fri 9 Apr 2027, 7:00 AM PDT to 8:00 AM PDT
    # (America/Los_Angeles)".
    when: str
    # The same in the session's time zone when that is another one, else "".
    session_when: str
    where: str  # "Salon D, Hyatt Regency Chicago"; "" when neither is known


@dataclass(frozen=True)
class MailItem:
    """One notification as the templates see it."""

    type: str
    summary: str
    actor_name: str | None
    when: str
    reason: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    # The typed event (a DomainEvent), for templates that read its fields.
    data: Any = None
    # "due on: 2027-03-01 → 2027-04-01", one per field a change event changed.
    changes: Sequence[str] = ()
    # For an event about an agenda item still on the agenda.
    slot: AgendaSlot | None = None


@dataclass(frozen=True)
class MailSection:
    """A subject and its notifications: the whole of an immediate message, a part of a digest."""

    subject_id: str
    title: str
    type_name: str
    url: str
    unsubscribe_url: str
    items: Sequence[MailItem]
    # ``url`` opens the subject in the front-end (ICN_APP_URL), not the API's explorer: only
    # then may a text send people to "the link above" to read more.
    in_app: bool = False


@dataclass(frozen=True)
class MailContext:
    network_name: str
    recipient_name: str
    sections: Sequence[MailSection]
    unsubscribe_url: str
    unsubscribe_all_url: str
    # The person's signed "manage your email" page.
    preferences_url: str
    # Why the person got it, each reason once (e.g. "You follow this goal.").
    reasons: Sequence[str] = ()
    period: str = ""  # "daily" or "weekly" for digests
    # Replying to the message posts the reply (its Reply-To is a signed reply address).
    replies_accepted: bool = False
    # Replies are not read, but mail about some of these subjects would take them if it came
    # right away (a digest of co-design threads): the footer says how.
    replies_right_away: bool = False


@dataclass(frozen=True)
class RenderedMail:
    text: str
    html: str


def local_time(moment: datetime, timezone: str) -> str:
    """``moment`` in ``timezone`` for a reader: ``Tue 3 Mar 2026, 9:05 PM PST``."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return f"{local:%a} {local.day} {local:%b %Y}, {hour}:{local:%M} {meridiem} {local.tzname()}"


class MailRenderer:
    def __init__(self, plugin_folders: Sequence[Path] = ()) -> None:
        plugin_loader = ChoiceLoader([FileSystemLoader(str(folder)) for folder in plugin_folders])
        self.environment = Environment(
            loader=ChoiceLoader(
                [FileSystemLoader(str(TEMPLATES)), PrefixLoader({"plugin": plugin_loader})]
            ),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def render(self, layout: str, context: MailContext) -> RenderedMail:
        try:
            return self._render(layout, context, self._item_templates)
        except TemplateError:
            log.exception("a mail template failed; rendering %s with the generic one", layout)
            return self._render(layout, context, lambda _type, ext: [f"{GENERIC}.{ext}"])

    def _render(
        self,
        layout: str,
        context: MailContext,
        item_templates: Callable[[str, str], list[str]],
    ) -> RenderedMail:
        values = {"mail": context, "item_templates": item_templates}
        text = self.environment.get_template(f"{layout}.txt").render(values)
        html = self.environment.get_template(f"{layout}.html").render(values)
        return RenderedMail(text=text, html=html)

    @staticmethod
    def _item_templates(event_type: str, ext: str) -> list[str]:
        names = [f"events/{event_type}.{ext}", f"plugin/{event_type}.{ext}", f"{GENERIC}.{ext}"]
        # A name with a path separator could reach outside the folders; only the generic fits.
        return names if "/" not in event_type and "\\" not in event_type else names[-1:]


@lru_cache(maxsize=16)
def _renderer(plugin_folders: tuple[Path, ...]) -> MailRenderer:
    return MailRenderer(plugin_folders)


def renderer_for(plugins: PluginHost | None) -> MailRenderer:
    """Core's templates plus the folders plugins register (one compiled set per combination)."""
    folders = tuple(plugins.mail_template_folders()) if plugins is not None else ()
    return _renderer(folders)
