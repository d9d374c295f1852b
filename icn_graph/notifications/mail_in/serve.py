"""Running the SMTP/LMTP listener until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.mail_in.listener import start_listener
from icn_graph.notifications.mail_in.receive import MailReceiver
from icn_graph.plugins.manager import PluginHost


async def serve_until_signalled(
    settings: Settings, plugins: PluginHost, host: str, port: int, *, lmtp: bool
) -> None:
    """Serve with the reply handlers ``plugins`` installed, until a signal stops it."""
    del plugins  # loading them installed their reply handlers, which the receiver reads
    database = Database.from_settings(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    server = await start_listener(MailReceiver(database, settings), host, port, lmtp=lmtp)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()
        await database.dispose()
