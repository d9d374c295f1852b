"""A real SMTP server (aiosmtpd) on loopback for the mail tests: it records what it accepts and
can answer from a script.

    with SmtpServer() as smtp:
        smtp.data_script.extend(["451 4.3.0 Try again later"])   # then 250 for the rest
        smtp.refuse["gone@example.org"] = "550 5.1.1 No such user"
        ...
        [message] = smtp.messages  # email.message.EmailMessage, parsed with the email package

``"stall"`` in ``data_script`` makes the server sit on that DATA (never answering) until
:meth:`release` or the server stops: the worker's kill test uses it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

STALL = "stall"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    data_script: deque[str] = field(default_factory=deque)
    refuse: dict[str, str] = field(default_factory=dict)
    connections: int = 0
    data_started: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        answer = self.refuse.get(address.lower())
        if answer is not None:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            answer = self.data_script.popleft() if self.data_script else "250 Message accepted"
        if answer == STALL:
            self.data_started.set()
            # A thread-safe wait that leaves the server's loop free for other connections.
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait)
            return "451 4.3.0 Stalled, try again"
        if answer.startswith("250"):
            with self.lock:
                self.received.append(
                    Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
                )
        return answer


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.handler = _Handler()
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.released.set()
        self.controller.stop()

    @property
    def data_script(self) -> deque[str]:
        return self.handler.data_script

    @property
    def refuse(self) -> dict[str, str]:
        return self.handler.refuse

    @property
    def connections(self) -> int:
        return self.handler.connections

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def messages(self) -> list[EmailMessage]:
        return [received.message for received in self.received]

    def release(self) -> None:
        self.handler.released.set()

    def settings_env(self) -> dict[str, str]:
        return {
            "ICN_SMTP_HOST": "127.0.0.1",
            "ICN_SMTP_PORT": str(self.port),
            "ICN_SMTP_TLS": "none",
        }
