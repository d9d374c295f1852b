"""Refusing to run a real deployment with the development secrets anyone can read.

``ICN_SECRET_KEY`` signs unsubscribe and "manage your email" links and
``ICN_PATIENT_KEY_SECRET`` keys stored patient hashes. Their development values are in the
source: with them anyone could forge a link that changes a person's mail settings, and anyone
with a dump of the database could reverse guessable patient keys. The rule:

- in demo mode (``ICN_DEMO``) they only earn a warning;
- otherwise ``serve`` and ``worker`` refuse to start with them when the database is PostgreSQL
  or the host is not loopback (the address ``serve`` binds to, ``ICN_HOST`` for the worker, or
  the host of ``ICN_PUBLIC_URL`` that mail links point to);
- on a laptop (SQLite, everything on loopback) they earn a warning.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from icn_graph.config import DEV_PATIENT_KEY_SECRET, DEV_SECRET_KEY, Settings
from icn_graph.errors import StartupError


def default_secrets(settings: Settings) -> list[str]:
    """The ICN_* secrets still at their development values (or empty)."""
    found = []
    if settings.secret_key.get_secret_value() in (DEV_SECRET_KEY, ""):
        found.append("ICN_SECRET_KEY")
    if settings.patient_key_secret.get_secret_value() in (DEV_PATIENT_KEY_SECRET, ""):
        found.append("ICN_PATIENT_KEY_SECRET")
    return found


def is_loopback(host: str) -> bool:
    if host in ("localhost", "testserver"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.endswith(".localhost")


def _beyond_this_machine(settings: Settings, bind_host: str | None) -> str | None:
    """Why this deployment is not a laptop's (the database, or a host), or ``None``."""
    if settings.database_url_value.startswith("postgresql"):
        return "the database is PostgreSQL"
    host = bind_host if bind_host is not None else settings.host
    if not is_loopback(host):
        return f"the host {host} is not loopback"
    public = urlsplit(settings.public_url).hostname or ""
    if not is_loopback(public):
        return f"ICN_PUBLIC_URL's host {public} is not loopback"
    return None


def check_secrets(settings: Settings, *, bind_host: str | None = None) -> str | None:
    """A warning to print while the development secrets are used in demo mode or on this
    machine only; raises ``StartupError`` (one line naming the variable) beyond that.

    ``bind_host`` is the address ``serve`` binds to; ``None`` (the worker): ``ICN_HOST``.
    """
    defaults = default_secrets(settings)
    if not defaults:
        return None
    names = " and ".join(defaults)
    verb = "have" if len(defaults) > 1 else "has"
    reason = None if settings.demo else _beyond_this_machine(settings, bind_host)
    if reason is not None:
        raise StartupError(
            f"{names} still {verb} the development value, which anyone can read in the source, "
            f"and {reason}: set {'each' if len(defaults) > 1 else 'it'} to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), or ICN_DEMO=true "
            "for a demo"
        )
    return (
        f"{names} {verb} the development value: "
        "fine for a demo on this machine, never in production"
    )
