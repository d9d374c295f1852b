"""The SMTP server of the mail tests lives in ``icn_graph.testing`` (plugins test their mail with
it too); the suite's modules import it from here."""

from __future__ import annotations

from icn_graph.testing import STALL, Received, SmtpServer, free_port

__all__ = ["STALL", "Received", "SmtpServer", "free_port"]
