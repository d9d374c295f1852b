"""``icn-graph worker``: sweeps leftover events, composes due mail and sends it, every tick."""

from icn_graph.notifications.worker.loop import TickResult, Worker, run_until_signalled

__all__ = ["TickResult", "Worker", "run_until_signalled"]
