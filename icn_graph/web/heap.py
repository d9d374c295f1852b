"""The serving process's garbage collector, set once the app is built.

CPython's cyclic collector walks every tracked object in a full (generation 2) collection. What
start-up made (the schema, SQLAlchemy's metadata, the plugins: about 350,000 objects) lives as
long as the process, yet each full collection walked it again: 13-50 ms as the server started,
and with 1,000 websocket subscribers up to 260 ms, long enough to hold one live event back for
every subscriber (bench/live_fanout.py: one round in five waited 300 ms). Frozen, what exists
once the app is built is never walked again (what the lifespan and requests make still is).
The first generation's threshold is raised too: a request allocates thousands of objects that
die young, and collecting every 700 allocations cost about a sixth of the center page's
throughput (bench/http_center_page.py; docs/operations.md, "Garbage collection").
"""

from __future__ import annotations

import gc

# (generation 0 allocations, generation 1 passes, generation 2 passes): CPython's are (700, 10, 10).
THRESHOLDS = (10_000, 20, 20)


def settle_heap() -> None:
    """Collect once, freeze what is left (start-up's objects) and raise the thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
