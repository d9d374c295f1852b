"""Line diffs between two revisions of a draft, with difflib: hunks of added, removed and
context lines (three lines of context, as ``diff -u``), and the same as unified diff text."""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass

CONTEXT = 3


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


def diff(old_text: str, new_text: str, *, old_label: str, new_label: str) -> Diff:
    """The line diff from ``old_text`` to ``new_text``; labels name them in the text form."""
    old, new = old_text.splitlines(), new_text.splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    hunks = tuple(_hunk(old, new, group) for group in matcher.get_grouped_opcodes(CONTEXT))
    text = "\n".join(
        difflib.unified_diff(old, new, fromfile=old_label, tofile=new_label, lineterm="")
    )
    return Diff(hunks, text)
