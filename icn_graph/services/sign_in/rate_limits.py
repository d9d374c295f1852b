"""Rate limits on asking for sign-in links, on signing in and on asking for a new email (the
``limits`` library, moving windows, in this process's memory).

All of them count the caller, never the person asked about, so that nobody can use up someone
else's allowance: per client address, per email asked for from one client address, and (for
``updateViewer``'s email changes) per signed-in requester. Invitations are counted per inviter
and per email address invited, and only once sent. Past one, RATE_LIMITED and nothing is
done. What lands in a person's inbox is bounded elsewhere, by the database: a person holds at
most ``ICN_SIGN_IN_LIVE_LINKS`` working sign-in links at once (:mod:`links`), and a request past
that sends nothing because they already have working links; nobody can lock them out, since the
links an attacker makes them hold are theirs to use.

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


TOO_MANY_INVITATIONS = (
    "Too many invitations from you, or to this email; wait a while and try again."
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
    """``check_*`` raise :class:`RateLimited` (nothing is done) once a limit is reached."""

    def __init__(
        self,
        per_email: str,
        per_address: str,
        *,
        invitations_per_inviter: str,
        invitations_per_email: str,
    ) -> None:
        self._per_email: list[RateLimitItem] = parse_many(per_email)
        self._per_address: list[RateLimitItem] = parse_many(per_address)
        self._per_inviter: list[RateLimitItem] = parse_many(invitations_per_inviter)
        self._per_invitee: list[RateLimitItem] = parse_many(invitations_per_email)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def check_request(self, email_key: str, address: str) -> None:
        """One more link asked for ``email_key`` from ``address``: this client's limits."""
        client = client_key(address)
        await self._take(self._per_address, "address", client)
        await self._take(self._per_email, "email", email_key, client)

    async def check_sign_in(self, address: str) -> None:
        """One more use of a link from ``address``."""
        await self._take(self._per_address, "address", client_key(address))

    async def check_email_change(self, person_id: int, address: str) -> None:
        """One more email change asked for by ``person_id`` from ``address`` (each mails the
        address given): this client's limit and the requester's, never the address's."""
        await self._take(self._per_address, "address", client_key(address))
        await self._take(self._per_email, "email-change", str(person_id))

    async def check_invitation(self, inviter_id: int, email_key: str) -> None:
        """Whether ``inviter_id`` may send one more invitation to ``email_key`` (nothing is
        counted: :meth:`count_invitation` does, once it is sent)."""
        for items, identifiers in self._invitation_keys(inviter_id, email_key):
            for item in items:
                if not await self._limiter.test(item, "invitation", *identifiers):
                    raise RateLimited(TOO_MANY_INVITATIONS)

    async def count_invitation(self, inviter_id: int, email_key: str) -> None:
        """One more invitation sent by ``inviter_id`` to ``email_key``."""
        for items, identifiers in self._invitation_keys(inviter_id, email_key):
            for item in items:
                await self._limiter.hit(item, "invitation", *identifiers)

    def _invitation_keys(
        self, inviter_id: int, email_key: str
    ) -> list[tuple[list[RateLimitItem], tuple[str, ...]]]:
        return [
            (self._per_inviter, ("inviter", str(inviter_id))),
            (self._per_invitee, ("email", email_key)),
        ]

    async def _take(self, items: list[RateLimitItem], *identifiers: str) -> None:
        for item in items:
            if not await self._limiter.hit(item, "sign-in", *identifiers):
                raise RateLimited(TOO_MANY)
