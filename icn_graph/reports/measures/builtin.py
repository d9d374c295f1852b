"""Core's measures: remission, steroid-free remission, sustained remission, pre-visit planning.

The three remission measures share one denominator: the patients seen in the 12 months ending
with the month (the month and the 11 before it). A patient's "latest visit" at a month is their
last visit on or before the month's end; several visits in one month: the latest date wins.

Stored visits are unique per center, patient and date. A DataFrame given to ``compute`` by
other code may hold two rows for one patient and date; they then count as the row less
favourable to remission: the more severe PGA, and among equally severe ones the row on steroids
or with unknown steroid status (see ``PatientMonths``). Sustained remission counts distinct
dates, any non-quiescent row of a date making that date non-quiescent.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from icn_graph.lazy import lazy_module
from icn_graph.reports.measures.monthly import PatientMonths, empty_frame, visit_share
from icn_graph.reports.measures.registry import CORE, Direction, Measure, MeasureRegistry

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "ACTIVE_MONTHS",
    "BUILTIN_MEASURES",
    "REMISSION_FAMILY",
    "SUSTAINED_LOOKBACK_MONTHS",
    "pre_visit_planning_rate",
    "remission_rate",
    "steroid_free_remission",
    "sustained_remission",
]

REMISSION_FAMILY = "remission"
"""The remission measures share their denominator; steroid-free and sustained remission are
nested in remission (a patient every one of whose recent visits is quiescent has a quiescent
latest visit), so their differences are counts too (see the disclosure policy)."""

ACTIVE_MONTHS = 12
"""A patient counts in a month's denominator when seen in that month or the 11 before it."""

SUSTAINED_LOOKBACK_MONTHS = 12
"""Default lookback of sustained remission: the month and the 11 before it."""

_ONE_VISIT_PER_DATE = (
    " A patient has one visit per date: importing the same date again replaces it."
)

_DENOMINATOR = (
    "Denominator: patients with at least one visit in the 12 months ending with the month (the "
    "month and the 11 before it). A patient's latest visit is their last visit on or before the "
    "end of the month; with several visits in a month, the latest date wins."
)


def _latest_visit_measure(visits: pd.DataFrame, *, steroid_free: bool) -> pd.DataFrame:
    if visits.empty:
        return empty_frame()
    records = PatientMonths.of(visits)
    ends = records.active_until(ACTIVE_MONTHS)
    counted = records.steroid_free if steroid_free else records.quiescent
    spans = records.spans
    return spans.frame(
        spans.count_intervals(records.center[counted], records.month[counted], ends[counted]),
        spans.count_intervals(records.center, records.month, ends),
    )


def remission_rate(visits: pd.DataFrame) -> pd.DataFrame:
    return _latest_visit_measure(visits, steroid_free=False)


def steroid_free_remission(visits: pd.DataFrame) -> pd.DataFrame:
    return _latest_visit_measure(visits, steroid_free=True)


def sustained_remission(
    visits: pd.DataFrame, lookback_months: int = SUSTAINED_LOOKBACK_MONTHS
) -> pd.DataFrame:
    """Numerator at month M: patients of the denominator with at least two visits (distinct
    dates) in the ``lookback_months`` months ending with M, every one of them QUIESCENT."""
    if lookback_months < 1:
        raise ValueError(f"lookback_months must be at least 1, not {lookback_months}")
    if visits.empty:
        return empty_frame()
    records = PatientMonths.of(visits)
    index = np.arange(len(records.month))
    # The patient's latest month (up to this record) with a visit that was not QUIESCENT.
    last_active_at = np.maximum.accumulate(np.where(records.any_active, index, -1))
    has_active = last_active_at >= records.patient_start
    last_active = np.where(has_active, records.month[np.maximum(last_active_at, 0)], -records.FAR)
    # The month of the second-latest visit: this month when it holds two, else the previous one.
    second_latest = np.where(records.visit_days >= 2, records.month, records.previous_month)
    starts = np.maximum(records.month, last_active + lookback_months)
    ends = np.minimum(records.active_until(ACTIVE_MONTHS), second_latest + lookback_months)
    spans = records.spans
    return spans.frame(
        spans.count_intervals(records.center, starts, ends),
        spans.count_intervals(records.center, records.month, records.active_until(ACTIVE_MONTHS)),
    )


def pre_visit_planning_rate(visits: pd.DataFrame) -> pd.DataFrame:
    return visit_share(visits, "pre_visit_planning")


BUILTIN_MEASURES: tuple[Measure, ...] = (
    Measure(
        key="remission_rate",
        title="Remission rate",
        definition=(
            "Share of active patients in remission. "
            + _DENOMINATOR
            + " Numerator: those patients whose latest visit's Physician Global Assessment is "
            "QUIESCENT." + _ONE_VISIT_PER_DATE
        ),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=remission_rate,
        window_months=ACTIVE_MONTHS,
        family=REMISSION_FAMILY,
    ),
    Measure(
        key="steroid_free_remission",
        title="Steroid-free remission",
        definition=(
            "Share of active patients in remission without steroids. "
            + _DENOMINATOR
            + " Numerator: those patients whose latest visit's Physician Global Assessment is "
            "QUIESCENT and who were recorded as not on steroids at that visit; a visit with "
            "unknown steroid status does not count as steroid-free." + _ONE_VISIT_PER_DATE
        ),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=steroid_free_remission,
        window_months=ACTIVE_MONTHS,
        family=REMISSION_FAMILY,
        nested_in="remission_rate",
    ),
    Measure(
        key="sustained_remission",
        title="Sustained remission",
        definition=(
            "Share of active patients in sustained remission. "
            + _DENOMINATOR
            + f" Numerator: those patients with at least two visits (on different dates) in the "
            f"{SUSTAINED_LOOKBACK_MONTHS} months ending with the month, every one of them with a "
            "QUIESCENT Physician Global Assessment."
        ),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=partial(sustained_remission, lookback_months=SUSTAINED_LOOKBACK_MONTHS),
        window_months=max(ACTIVE_MONTHS, SUSTAINED_LOOKBACK_MONTHS),
        family=REMISSION_FAMILY,
        nested_in="remission_rate",
    ),
    Measure(
        key="pre_visit_planning_rate",
        title="Pre-visit planning",
        definition=(
            "Share of visits prepared with pre-visit planning. Denominator: visits in the month "
            "whose pre-visit planning field is filled in (blank ones are left out). Numerator: "
            "those visits with pre-visit planning done."
        ),
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=pre_visit_planning_rate,
        window_months=1,
    ),
)


def core_registry() -> MeasureRegistry:
    """Core's measures alone (no plugins): tools and tests that need no plugin host."""
    return MeasureRegistry([(CORE, BUILTIN_MEASURES)])
