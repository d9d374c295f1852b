"""Outcome reports. The statistical process control (SPC) core has no dependency on the API or
the database:

- ``icn_graph.reports.run_chart``: ``run_chart`` (median centre line, Anhøj rules),
  ``longest_run_limit``, ``crossings_limit``, ``RunChart``;
- ``icn_graph.reports.p_chart``: ``p_chart`` (p-chart limits, optional Laney p'), ``PChart``;
- ``icn_graph.reports.signals``: ``Signal`` and ``Rule`` (what fired and which points it covers);
- ``icn_graph.reports.funnel``: ``funnel`` (Spiegelhalter's funnel plot of units' proportions
  around a target, 95 % and 99.8 % limits), ``limits``, ``Position``.

Both charts accept a frozen ``baseline`` period (a ``slice``) and optional point ``labels``
(months). Import from the submodules (``from icn_graph.reports.run_chart import run_chart``); the
package does not re-export the functions, whose names would shadow their modules.
"""

MAX_MONTHS = 240
"""The longest series a chart covers (20 years): reports, comparisons and data views."""
