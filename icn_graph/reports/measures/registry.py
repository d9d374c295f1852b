"""The measures registry: what each measure means, and the function that computes it.

A :class:`Measure` turns a visits DataFrame (see :mod:`icn_graph.reports.measures.frames`) into
monthly numerators and denominators per center. Core's measures live in
:mod:`icn_graph.reports.measures.builtin`; plugins add theirs through the ``register_measures``
hook. :meth:`MeasureRegistry.load` gathers both and refuses two measures with one key.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from icn_graph.errors import NotFound, StartupError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CORE", "Direction", "Measure", "MeasureConflict", "MeasureRegistry"]

CORE = "core"
"""The owner named for core's built-in measures."""

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""Measure keys: lower-case snake case, at most 64 characters (``measure_values.measure_key``)."""


class Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "HIGHER_IS_BETTER"
    LOWER_IS_BETTER = "LOWER_IS_BETTER"


@dataclass(frozen=True)
class Measure:
    """One outcome or process measure.

    ``compute`` is pure: visits DataFrame in, DataFrame with ``center_id``, ``month`` (first day
    of the month), ``numerator`` and ``denominator`` out, one row per center and month from the
    center's first visit month through its last.

    ``window_months`` says how far back a month's value looks: it depends only on the visits of
    the month and the ``window_months - 1`` months before it (12 for a measure over the patients
    seen in the last 12 months, 1 for one over the month's visits). An import then recomputes
    only the months it can change. ``None`` (the default, always safe): a month's value may
    depend on any earlier visit, so an import recomputes the center's every month.

    ``family`` names the measures that share this one's denominator (the same patients or
    visits, center by center and month by month); ``nested_in`` the key of a measure of the same
    family whose numerator contains this one's (steroid-free remission is nested in remission).
    The disclosure policy suppresses a family's cells together and never publishes two measures
    whose difference would reveal a count from 1 to 10; the refresh refuses values that break
    what a measure declares. ``None``: a family of its own.
    """

    key: str
    title: str
    definition: str
    unit: str
    direction: Direction
    compute: Callable[[pd.DataFrame], pd.DataFrame]
    window_months: int | None = None
    family: str | None = None
    nested_in: str | None = None

    @property
    def family_key(self) -> str:
        """The family this measure's cells are published with: ``family``, else its own key."""
        return self.family or self.key


class MeasureConflict(StartupError):
    """Two owners define a measure with the same key; the message names both."""


class MeasureSource(Protocol):
    """Where measures come from: the plugin host (its ``register_measures`` results)."""

    def measures(self) -> Sequence[tuple[str, Sequence[object]]]: ...


class MeasureRegistry:
    """Every measure known to this process, by key, in registration order."""

    def __init__(self, owned: Iterable[tuple[str, Sequence[Measure]]]) -> None:
        self._measures: dict[str, Measure] = {}
        self._owners: dict[str, str] = {}
        for owner, measures in owned:
            for measure in measures:
                self._add(owner, measure)
        for measure in self._measures.values():
            self._check_nesting(measure)

    @classmethod
    def load(cls, source: MeasureSource) -> MeasureRegistry:
        """Every plugin's measures (``register_measures``; core's come from its
        ``core.reports`` internal plugin), in plugin order."""
        owned: list[tuple[str, Sequence[Measure]]] = []
        for owner, measures in source.measures():
            if not all(isinstance(measure, Measure) for measure in measures):
                raise StartupError(
                    f"plugin '{owner}': register_measures must return a list of Measure"
                )
            owned.append((CORE if owner.startswith("core.") else owner, measures))  # type: ignore[arg-type]
        return cls(owned)

    def _add(self, owner: str, measure: Measure) -> None:
        if not KEY_PATTERN.fullmatch(measure.key):
            raise StartupError(
                f"plugin '{owner}': measure key '{measure.key}' must be lower-case letters, "
                "digits and underscores, starting with a letter, at most 64 characters"
            )
        if measure.window_months is not None and not (
            isinstance(measure.window_months, int) and measure.window_months >= 1
        ):
            raise StartupError(
                f"plugin '{owner}': measure '{measure.key}' has window_months "
                f"{measure.window_months!r}; it must be a whole number of months, at least 1, "
                "or None"
            )
        if measure.key in self._owners:
            raise MeasureConflict(
                f"measure '{measure.key}' is defined by both '{self._owners[measure.key]}' and "
                f"'{owner}'; rename one, or disable one of the plugins (ICN_DISABLED_PLUGINS)"
            )
        self._measures[measure.key] = measure
        self._owners[measure.key] = owner

    def _check_nesting(self, measure: Measure) -> None:
        """``nested_in`` names another measure of the same family, and nesting has no cycle."""
        if measure.family is not None and not KEY_PATTERN.fullmatch(measure.family):
            raise StartupError(
                f"plugin '{self._owners[measure.key]}': measure '{measure.key}' names family "
                f"'{measure.family}'; a family is written like a measure key"
            )
        if measure.nested_in is None:
            return
        owner = self._owners[measure.key]
        outer = self._measures.get(measure.nested_in)
        if outer is None or outer.key == measure.key:
            raise StartupError(
                f"plugin '{owner}': measure '{measure.key}' is nested in '{measure.nested_in}', "
                "which is not another registered measure"
            )
        if measure.family is None or outer.family != measure.family:
            raise StartupError(
                f"plugin '{owner}': measure '{measure.key}' is nested in '{outer.key}' but they "
                "do not declare the same family (a nested measure shares the denominator)"
            )
        seen = {measure.key}
        step: Measure | None = outer
        while step is not None:
            if step.key in seen:
                raise StartupError(f"plugin '{owner}': measure '{measure.key}' is nested in itself")
            seen.add(step.key)
            step = self._measures.get(step.nested_in) if step.nested_in is not None else None

    def family(self, key: str) -> list[Measure]:
        """The measures published with ``key`` (its family, in registration order)."""
        family_key = self.get(key).family_key
        return [m for m in self._measures.values() if m.family_key == family_key]

    def get(self, key: str) -> Measure:
        measure = self._measures.get(key)
        if measure is None:
            known = ", ".join(self._measures) or "none"
            raise NotFound(f"No measure '{key}'; known measures: {known}.", field="measure")
        return measure

    def owner(self, key: str) -> str:
        """The plugin that registered ``key`` (``core`` for the built-in measures)."""
        self.get(key)
        return self._owners[key]

    def all(self) -> list[Measure]:
        return list(self._measures.values())

    def keys(self) -> list[str]:
        return list(self._measures)

    def __contains__(self, key: object) -> bool:
        return key in self._measures

    def __len__(self) -> int:
        return len(self._measures)
