"""Measures: monthly numerators and denominators per center, computed from registry visits.

- ``registry``: :class:`Measure`, :class:`Direction`, :class:`MeasureRegistry` (core's and
  plugins' measures by key);
- ``builtin``: core's measures (remission, steroid-free and sustained remission, pre-visit
  planning);
- ``monthly``: vectorized building blocks for writing measures (``visit_share``,
  ``PatientMonths``, ``CenterSpans``);
- ``frames``: ``load_visits_frame``, the visits DataFrame every measure computes from.

Storing and reading the computed values is a service: ``icn_graph.services.reports``.
"""

from icn_graph.reports.measures.registry import (
    Direction,
    Measure,
    MeasureConflict,
    MeasureRegistry,
)

__all__ = ["Direction", "Measure", "MeasureConflict", "MeasureRegistry"]
