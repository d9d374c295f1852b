"""Per-plugin settings from ``ICN_PLUGIN_<NAME>_<KEY>`` environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

SECRET_WORDS = frozenset({"SECRET", "PASSWORD", "TOKEN", "KEY", "CREDENTIAL", "CREDENTIALS"})
REDACTED = "**********"


def env_name(plugin: str) -> str:
    """The variable prefix for a plugin: ``icn-kudos`` → ``ICN_PLUGIN_ICN_KUDOS_``."""
    return "ICN_PLUGIN_" + re.sub(r"[^A-Z0-9]", "_", plugin.upper()) + "_"


def plugin_settings(plugin: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The plugin's settings, keys lower-cased.

    For ``icn-kudos``, ``ICN_PLUGIN_ICN_KUDOS_MAX_LENGTH`` → ``max_length``. Read from the
    environment, then from ``.env`` in the working directory (the environment wins), like core's.
    """
    prefix = env_name(plugin)
    source = {**_dotenv(), **os.environ} if environ is None else environ
    return {
        name[len(prefix) :].lower(): value
        for name, value in source.items()
        if name.startswith(prefix) and len(name) > len(prefix)
    }


def _dotenv() -> dict[str, str]:
    path = Path(".env")
    if not path.is_file():
        return {}
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def is_secret(key: str) -> bool:
    """``api_key``, ``smtp_password``: yes. ``monkey_count``: no (whole words only)."""
    words = set(re.split(r"[^A-Z0-9]+", key.upper()))
    return not words.isdisjoint(SECRET_WORDS)


def redacted(settings: Mapping[str, str]) -> dict[str, str]:
    return {key: REDACTED if is_secret(key) else value for key, value in settings.items()}


def name_list(value: str) -> frozenset[str]:
    """``"a, b"`` → ``{"a", "b"}`` (for ICN_PLUGINS / ICN_DISABLED_PLUGINS)."""
    return frozenset(part.strip() for part in value.split(",") if part.strip())
