"""Outcome reports as a service: stored monthly measure values, refreshed from registry visits."""

from icn_graph.services.reports.measure_store import (
    MeasureComputationError,
    MonthlyCount,
    RefreshSummary,
    load_monthly_counts,
    refresh_center_measures,
    refresh_measures,
)

__all__ = [
    "MeasureComputationError",
    "MonthlyCount",
    "RefreshSummary",
    "load_monthly_counts",
    "refresh_center_measures",
    "refresh_measures",
]
