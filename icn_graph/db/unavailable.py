"""How a route says it could not answer because the database did not: in the log, once."""

from __future__ import annotations

import logging

from icn_graph.db.busy import BUSY, POOL_ADVICE, UNAVAILABLE, no_connection_free
from icn_graph.db.database import current_read_unit


def log_unavailable(log: logging.Logger, doing: str, error: BaseException) -> str:
    """An ERROR naming what failed (``"cannot <doing>: database unavailable: <error>"``), or
    only DEBUG when the read lost its connection and the request will run again on a fresh one
    (``web.route_reads`` logs that as a WARNING, and a retry that answers is no error), or a
    WARNING naming the setting to raise when the pool had no connection free. Returns what to
    tell the client (``db.busy``)."""
    if no_connection_free(error):
        log.warning("cannot %s: %s; %s", doing, error, POOL_ADVICE)
        return BUSY
    unit = current_read_unit()
    retried = unit is not None and unit.runs_again_if_lost and unit.may_run_again
    level = logging.DEBUG if retried else logging.ERROR
    log.log(level, "cannot %s: database unavailable: %s", doing, error)
    return UNAVAILABLE
