"""``@mentions`` in a message: ``@Full Name`` or ``@email@example.org``.

Both work the same typed in the app or in a reply by mail. A name matches the longest display
name, case-insensitively, of someone who may see the thread, followed by anything but a letter or
digit (``@Jamie Lee, thanks`` mentions Jamie Lee; ``@Jamie`` mentions a Jamie only if one person
who may see the thread is called exactly that). An address matches that person's email. Anyone
else, and anyone the thread is closed to, is not mentioned: the text stays as written and nobody
is told, so a mention never reveals a thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.audience import can_see_clause
from icn_codesign.models import Thread
from icn_graph.plugin_api import Person

# An @ that starts a word (not the middle of an address), and what follows it.
_AT = re.compile(r"(?<![\w.+-])@(?=\w)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_FIRST_WORD = re.compile(r"[^\W_]+")
FOLLOWING = 80  # characters after an @ a name may take
MAX_MENTIONS = 20  # @s looked at in one message
MAX_CANDIDATES = 200


def _candidates_after(text: str) -> list[str]:
    """What follows each @ that starts a word (at most MAX_MENTIONS)."""
    return [text[m.end() : m.end() + FOLLOWING] for m in _AT.finditer(text)][:MAX_MENTIONS]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ends_word(following: str, length: int) -> bool:
    return length == len(following) or not following[length].isalnum()


async def mentioned_people(session: AsyncSession, thread: Thread, text: str) -> list[int]:
    """The people ``text`` mentions who may see ``thread``, in order of first mention: one
    query."""
    afters = _candidates_after(text)
    if not afters:
        return []
    emails = {m.group(0).lower() for after in afters if (m := _EMAIL.match(after))}
    words = {m.group(0).lower() for after in afters if (m := _FIRST_WORD.match(after))}
    rules = [
        func.lower(Person.display_name).like(f"{_escape_like(w)}%", escape="\\") for w in words
    ]
    if emails:
        rules.append(Person.email_key.in_(sorted(emails)))
    if not rules:
        return []
    rows = (
        await session.execute(
            select(Person.id, Person.display_name, Person.email_key)
            .where(or_(*rules), can_see_clause(thread))
            .order_by(Person.id)
            .limit(MAX_CANDIDATES)
        )
    ).all()
    found: list[int] = []
    for after in afters:
        person = _match(after, rows)
        if person is not None and person not in found:
            found.append(person)
    return found


def _match(after: str, people: Sequence[tuple[int, str, str]]) -> int | None:
    email = _EMAIL.match(after)
    if email is not None:
        for person_id, _name, email_key in people:
            if email_key == email.group(0).lower():
                return person_id
    lowered = after.lower()
    best: tuple[int, int] | None = None  # (length, person id)
    for person_id, name, _email in people:
        candidate = name.strip().lower()
        if (
            candidate
            and lowered.startswith(candidate)
            and _ends_word(after, len(candidate))
            and (best is None or len(candidate) > best[0])
        ):
            best = (len(candidate), person_id)
    return best[1] if best is not None else None
