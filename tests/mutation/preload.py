"""Loaded into the mutation fork server (``pytest -p tests.mutation.preload``, see pyproject's
[tool.mutmut]): imports what every pytest session of a mutant would import first, core's
internal plugins, so each forked mutant starts with them in memory instead of importing them."""

from __future__ import annotations

import importlib

from icn_graph.builtin import BUILTIN_PLUGINS

for _name in BUILTIN_PLUGINS:
    importlib.import_module(_name)
