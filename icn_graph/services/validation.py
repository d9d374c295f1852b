"""Field checks that collect every problem in an input, so one round trip reports them all."""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.services.locales import normalize_locale

_EMAIL = re.compile(
    r"^[^@\s<>\"'(),;:\\\[\]]+@[^@\s<>\"'(),;:\\\[\]]+\.(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]+)$"
)
# C0 and C1 controls and the Unicode line and paragraph separators: each can start a new line
# where a one-line title is shown (a mail's text part, a heading), forging what follows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, less line feeds and tabs: what multi-line text (Markdown) may not contain.
_CONTROL_IN_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Bidirectional marks, embeddings, overrides and isolates: they reorder what follows them on
# screen, so a title could read differently from what it is (mail subjects, the app, explorer).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


class Checker:
    """Accumulates ``UserError``s; ``raise_if_any`` stops the service before it writes."""

    def __init__(self) -> None:
        self.errors: list[UserError] = []

    def add(self, field: str, message: str, code: UserErrorCode = UserErrorCode.INVALID) -> None:
        self.errors.append(UserError(field=field, message=message, code=code))

    def text(
        self,
        field: str,
        value: str,
        *,
        max_length: int,
        label: str,
        multiline: bool = False,
        required: bool = True,
    ) -> str:
        """``value`` trimmed; records REQUIRED (unless not ``required``: blank is then ""),
        TOO_LONG or INVALID (control characters, bidirectional overrides). ``multiline`` text
        (Markdown, a message) keeps its line breaks, made ``\\n``, and tabs."""
        if multiline:
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        cleaned = value.strip()
        control = _CONTROL_IN_LINES if multiline else _CONTROL
        if not cleaned:
            if required:
                self.add(field, f"{label} is required.", UserErrorCode.REQUIRED)
        elif len(cleaned) > max_length:
            self.add(
                field,
                f"{label} must be at most {max_length} characters (got {len(cleaned)}).",
                UserErrorCode.TOO_LONG,
            )
        elif control.search(cleaned):
            self.add(field, f"{label} must not contain control characters.")
        elif _BIDI.search(cleaned):
            self.add(
                field,
                f"{label} must not contain text-direction control characters "
                "(U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069).",
            )
        return cleaned

    def email(self, field: str, value: str) -> str:
        """An address mail can reach: ASCII only, since mail to any other needs SMTPUTF8 at
        every hop (a domain with accents is given in its xn-- form)."""
        cleaned = value.strip()
        if not cleaned:
            self.add(field, "Email is required.", UserErrorCode.REQUIRED)
        elif len(cleaned) > 254 or _CONTROL.search(cleaned):
            self.add(field, f"'{cleaned[:80]}' is not a valid email address.")
        elif not cleaned.isascii():
            self.add(
                field,
                f"'{cleaned[:80]}' has letters outside ASCII, which mail from this network "
                "cannot reach. Give an ASCII address (a domain with accents in its xn-- form).",
            )
        elif not _EMAIL.match(cleaned):
            self.add(field, f"'{cleaned[:80]}' is not a valid email address.")
        return cleaned

    def timezone(self, field: str, value: str) -> str:
        cleaned = value.strip()
        if cleaned not in _known_timezones():
            self.add(
                field,
                f"'{cleaned[:64]}' is not an IANA time zone (for example America/New_York).",
            )
        else:
            ZoneInfo(cleaned)
        return cleaned

    def locale(self, field: str, value: str) -> str:
        """A BCP 47 tag of :mod:`icn_graph.services.locales`'s subset, in its canonical case."""
        cleaned = normalize_locale(value)
        if cleaned is None:
            self.add(
                field,
                f"'{value.strip()[:40]}' is not a language tag this network knows: a two-letter "
                "ISO 639-1 language, optionally with a script and a region (en, en-US, fr-CA, "
                "zh-Hant-TW).",
            )
            return value.strip()
        return cleaned

    def country(self, field: str, value: str) -> str:
        cleaned = value.strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", cleaned):
            self.add(field, f"'{value[:20]}' is not a two-letter ISO 3166 country code (e.g. US).")
        return cleaned

    def short_code(self, field: str, value: str) -> str:
        cleaned = value.strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9-]{1,15}", cleaned):
            self.add(
                field,
                "Short code must be 2-16 letters, digits or dashes (for example CCHMC).",
            )
        return cleaned

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)
