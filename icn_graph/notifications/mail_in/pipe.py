"""``icn-graph mail-in`` on stdin: one message from an MTA's pipe transport, and its exit code.

Exit codes (sysexits.h), which is all an MTA reads:

- ``EX_OK`` (0): handled. Posted, ignored (an auto-reply, a bounce, a duplicate) or refused (a
  verified sender gets our own mail saying why). The MTA considers the message delivered, and
  sends no bounce: a bounce would go to the envelope sender, who may be forged (backscatter).
- ``EX_TEMPFAIL`` (75): nothing was recorded and the failure may pass (the database is down,
  the configuration is broken). The MTA keeps the message and tries again later (Postfix, by
  default, for up to 5 days), then bounces it.
"""

from __future__ import annotations

from typing import BinaryIO

from icn_graph.notifications.mail_in.listener import hard_limit

EX_OK = 0
EX_TEMPFAIL = 75
_CHUNK = 1 << 16


def read_message(stream: BinaryIO, max_bytes: int) -> tuple[bytes, int]:
    """The message's first bytes (up to the hard limit) and its whole size: the rest of an
    oversize message is read and dropped (an MTA whose pipe is not drained sees a failure)."""
    keep = hard_limit(max_bytes)
    kept = bytearray()
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if len(kept) < keep:
            kept += chunk[: keep - len(kept)]
    return bytes(kept), size
