"""Line diffs between two revisions of a draft, with difflib: hunks of added, removed and
context lines (three lines of context, as ``diff -u``), and the same as unified diff text.

difflib compares every line with every other in the worst case (a few thousand repeated short
lines took a minute of CPU), so the work is bounded: the lines both texts start and end with
are set aside, and if what remains is more than ``MAX_COMPARISONS`` line pairs it is shown as
replaced whole (a correct diff, if not the smallest).
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass
from typing import Literal

CONTEXT = 3
MAX_COMPARISONS = 2_000_000  # line pairs difflib may compare

Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


class LineKind(enum.StrEnum):
    CONTEXT = "CONTEXT"
    ADDED = "ADDED"
    REMOVED = "REMOVED"


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str
    old_number: int | None  # its line number in the older text (None if added)
    new_number: int | None  # in the newer text (None if removed)


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    lines: tuple[DiffLine, ...]

    @property
    def header(self) -> str:
        old, new = _range(self.old_start, self.old_count), _range(self.new_start, self.new_count)
        return f"@@ -{old} +{new} @@"


@dataclass(frozen=True)
class Diff:
    hunks: tuple[Hunk, ...]
    text: str

    @property
    def added(self) -> int:
        return sum(1 for h in self.hunks for line in h.lines if line.kind == LineKind.ADDED)

    @property
    def removed(self) -> int:
        return sum(1 for h in self.hunks for line in h.lines if line.kind == LineKind.REMOVED)


def _range(start: int, count: int) -> str:
    # As diff -u writes it: an empty range names the line before it.
    if count == 0:
        return f"{start - 1},0"
    return str(start) if count == 1 else f"{start},{count}"


def _hunk(old: list[str], new: list[str], group: list[tuple[str, int, int, int, int]]) -> Hunk:
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            for offset, text in enumerate(old[i1:i2]):
                lines.append(DiffLine(LineKind.CONTEXT, text, i1 + offset + 1, j1 + offset + 1))
            continue
        if tag in {"replace", "delete"}:
            for offset, text in enumerate(old[i1:i2]):
                lines.append(DiffLine(LineKind.REMOVED, text, i1 + offset + 1, None))
        if tag in {"replace", "insert"}:
            for offset, text in enumerate(new[j1:j2]):
                lines.append(DiffLine(LineKind.ADDED, text, None, j1 + offset + 1))
    first, last = group[0], group[-1]
    return Hunk(
        old_start=first[1] + 1,
        old_count=last[2] - first[1],
        new_start=first[3] + 1,
        new_count=last[4] - first[3],
        lines=tuple(lines),
    )


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many lines both texts start with, and then how many they end with."""
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start] == new[start]:
        start += 1
    end = 0
    while end < shortest - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, end


class _Bounded(difflib.SequenceMatcher[str]):
    """A matcher whose opcodes cost at most ``MAX_COMPARISONS`` line comparisons."""

    def __init__(self, old: list[str], new: list[str]) -> None:
        super().__init__(a=old, b=new, autojunk=False)
        self.old, self.new = old, new

    def get_opcodes(self) -> list[Opcode]:
        old, new = self.old, self.new
        start, end = _common_ends(old, new)
        old_stop, new_stop = len(old) - end, len(new) - end
        middle: list[Opcode]
        if (old_stop - start) * (new_stop - start) <= MAX_COMPARISONS:
            exact = difflib.SequenceMatcher(
                a=old[start:old_stop], b=new[start:new_stop], autojunk=False
            )
            middle = [
                (tag, i1 + start, i2 + start, j1 + start, j2 + start)
                for tag, i1, i2, j1, j2 in exact.get_opcodes()
            ]
        else:
            middle = [("replace", start, old_stop, start, new_stop)]
        opcodes: list[Opcode] = []
        for code in [("equal", 0, start, 0, start), *middle]:
            opcodes = _append(opcodes, code)
        return _append(opcodes, ("equal", old_stop, len(old), new_stop, len(new)))


def _append(opcodes: list[Opcode], code: Opcode) -> list[Opcode]:
    """``opcodes`` followed by ``code``: empty ones dropped, adjacent equal ones joined."""
    tag, i1, i2, j1, j2 = code
    if i1 == i2 and j1 == j2:
        return opcodes
    if tag == "equal" and opcodes and opcodes[-1][0] == "equal":
        previous = opcodes[-1]
        return [*opcodes[:-1], ("equal", previous[1], i2, previous[3], j2)]
    return [*opcodes, code]


def _text(hunks: tuple[Hunk, ...], old_label: str, new_label: str) -> str:
    """The hunks as unified diff text (``diff -u``, as ``difflib.unified_diff`` writes it)."""
    if not hunks:
        return ""
    prefix = {LineKind.CONTEXT: " ", LineKind.ADDED: "+", LineKind.REMOVED: "-"}
    lines = [f"--- {old_label}", f"+++ {new_label}"]
    for hunk in hunks:
        lines.append(hunk.header)
        lines.extend(prefix[line.kind] + line.text for line in hunk.lines)
    return "\n".join(lines)


def diff(old_text: str, new_text: str, *, old_label: str, new_label: str) -> Diff:
    """The line diff from ``old_text`` to ``new_text``; labels name them in the text form."""
    old, new = old_text.splitlines(), new_text.splitlines()
    matcher = _Bounded(old, new)
    hunks = tuple(_hunk(old, new, group) for group in matcher.get_grouped_opcodes(CONTEXT))
    return Diff(hunks, _text(hunks, old_label, new_label))
