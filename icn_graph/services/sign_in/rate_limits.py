"""Rate limits on asking for sign-in links and on signing in (the ``limits`` library, moving
windows, in this process's memory).

Two are visible (RATE_LIMITED, nothing done): per client address, and per email asked for from
one client address. A third is silent: an email is mailed at most so many links, whoever asks;
past it, the request is answered as usual and nothing is sent. Were that limit visible (or were
the per-email limit counted across every client), anyone could lock a person out by asking for
their links a few times, and would learn that someone else was asking. The silent cap bounds what
lands in the person's inbox.

A client is its IPv4 address, or its IPv6 address's /64: one subscriber is given at least a
/64, and each of its addresses would otherwise count anew.

Each API process counts on its own: with N processes behind a load balancer the effective
limit is up to N times the setting.
"""

from __future__ import annotations

import ipaddress

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from icn_graph.errors import ErrorCode, ServiceError

IPV6_CLIENT_PREFIX = 64


class RateLimited(ServiceError):
    code = ErrorCode.RATE_LIMITED


TOO_MANY = (
    "Too many sign-in attempts from here or for this email; wait a few minutes and try again."
)


def client_key(address: str) -> str:
    """Who one client is, for counting: an IPv4 address (IPv4-mapped IPv6 included) as is, an
    IPv6 address as its /64; anything else (``unknown``) unchanged."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        network = ipaddress.IPv6Network((int(ip), IPV6_CLIENT_PREFIX), strict=False)
        return str(network)
    return str(ip)


class SignInLimits:
    """``check_*`` raise :class:`RateLimited` (nothing is done) once a limit is reached;
    :meth:`may_mail` says whether an email's silent cap has room."""

    def __init__(self, per_email: str, per_address: str, mail_per_email: str) -> None:
        self._per_email: list[RateLimitItem] = parse_many(per_email)
        self._per_address: list[RateLimitItem] = parse_many(per_address)
        self._mail_per_email: list[RateLimitItem] = parse_many(mail_per_email)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def check_request(self, email_key: str, address: str) -> None:
        """One more link asked for ``email_key`` from ``address``: this client's limits."""
        client = client_key(address)
        await self._take(self._per_address, "address", client)
        await self._take(self._per_email, "email", email_key, client)

    async def check_sign_in(self, address: str) -> None:
        """One more use of a link from ``address``."""
        await self._take(self._per_address, "address", client_key(address))

    async def may_mail(self, email_key: str) -> bool:
        """Whether one more mail to ``email_key`` fits under its cap, whoever asks (counted
        when it does)."""
        for item in self._mail_per_email:
            if not await self._limiter.hit(item, "sign-in", "mail", email_key):
                return False
        return True

    async def _take(self, items: list[RateLimitItem], *identifiers: str) -> None:
        for item in items:
            if not await self._limiter.hit(item, "sign-in", *identifiers):
                raise RateLimited(TOO_MANY)
