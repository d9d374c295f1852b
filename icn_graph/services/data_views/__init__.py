"""Data views as they are shown: the read side of data stewardship.

``showing`` (the read-time consent rule), ``rendering`` (a view's series or funnel from
published cells), ``view_access`` and ``links`` (who reads, signed in or through a public
link), ``view_reads`` (a read with its audit row), ``view_charts`` and ``view_files`` (Vega-Lite,
PNG, SVG, CSV), ``publish`` (``publishDataView``), ``comparison`` (the center-comparison
funnel for stewards).

Its own package, beside ``services.stewardship`` (requests, views, consents) and
``services.reports`` (the published table, charts), because it builds on both while
``services.reports`` records its identified reads through ``services.stewardship.read_audit``:
inside ``services.stewardship`` it would close an import cycle.
"""
