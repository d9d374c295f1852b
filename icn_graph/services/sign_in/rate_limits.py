"""Rate limits on asking for sign-in links and on signing in, per email and per client address
(the ``limits`` library, moving windows, in this process's memory).

Each API process counts on its own: with N processes behind a load balancer the effective
limit is up to N times the setting.
"""

from __future__ import annotations

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from icn_graph.errors import ErrorCode, ServiceError


class RateLimited(ServiceError):
    code = ErrorCode.RATE_LIMITED


TOO_MANY = (
    "Too many sign-in attempts from here or for this email; wait a few minutes and try again."
)


class SignInLimits:
    """``check_*`` raise :class:`RateLimited` (nothing is done) once a limit is reached."""

    def __init__(self, per_email: str, per_address: str) -> None:
        self._per_email: list[RateLimitItem] = parse_many(per_email)
        self._per_address: list[RateLimitItem] = parse_many(per_address)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def check_request(self, email_key: str, address: str) -> None:
        """One more sign-in link asked for ``email_key`` from ``address``."""
        await self._take(self._per_address, "address", address)
        await self._take(self._per_email, "email", email_key)

    async def check_sign_in(self, address: str) -> None:
        """One more use of a sign-in link from ``address``."""
        await self._take(self._per_address, "address", address)

    async def _take(self, items: list[RateLimitItem], scope: str, key: str) -> None:
        for item in items:
            if not await self._limiter.hit(item, "sign-in", scope, key):
                raise RateLimited(TOO_MANY)
