"""Refusing to run beyond this machine with the development secrets anyone can read.

``ICN_SECRET_KEY`` signs unsubscribe and "manage your email" links and
``ICN_PATIENT_KEY_SECRET`` keys stored patient hashes. Their defaults are in the source, so with
them anyone can forge a link that changes a person's mail settings. On a laptop (bound to
loopback, mail linking back to loopback) they only earn a warning; a server reachable from
elsewhere, or whose mail links point elsewhere, does not start with them.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from icn_graph.config import DEV_PATIENT_KEY_SECRET, DEV_SECRET_KEY, Settings
from icn_graph.errors import StartupError


def default_secrets(settings: Settings) -> list[str]:
    """The ICN_* secrets still at their development defaults (or empty)."""
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


def check_secrets(settings: Settings, *, bind_host: str | None = None) -> str | None:
    """A warning to print while the defaults are only used locally; raises beyond that."""
    defaults = default_secrets(settings)
    if not defaults:
        return None
    names = " and ".join(defaults)
    verb = "have" if len(defaults) > 1 else "has"
    local = is_loopback(urlsplit(settings.public_url).hostname or "")
    if bind_host is not None:
        local = local and is_loopback(bind_host)
    if not local:
        raise StartupError(
            f"{names} still {verb} the development default, which anyone can read in the source: "
            "with it anyone could forge links that change people's mail settings. Set it to a "
            "long random value (`python -c 'import secrets; print(secrets.token_urlsafe(48))'`) "
            "before serving beyond this machine"
        )
    return f"{names} {verb} the development default: fine on this machine, never in production"
