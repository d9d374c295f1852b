"""Who is asking: the person behind a request and what they may do."""

from __future__ import annotations

from dataclasses import dataclass, field

from icn_graph.errors import Forbidden, Unauthenticated
from icn_graph.models import CenterRole, NetworkRole, TokenKind

STAFF_ROLES = frozenset({NetworkRole.ADMIN, NetworkRole.STAFF})
REJECTED_TOKEN = "The API token is invalid or has been revoked."  # noqa: S105 (a message)


@dataclass(frozen=True)
class Viewer:
    """The caller of one request. Anonymous when ``person_id`` is None."""

    person_id: int | None = None
    network_role: NetworkRole | None = None
    center_roles: dict[int, CenterRole] = field(default_factory=dict)
    # Set when a bearer token was sent but matched nothing, so the error can say so.
    rejected_token: bool = False
    # The token the request came with (its row id): which session is the current one.
    token_id: int | None = None
    # A read-only personal access token: every mutation is refused.
    read_only: bool = False
    # The kind of that token (a session, a personal access token, a CLI token).
    token_kind: TokenKind | None = None

    @classmethod
    def anonymous(cls, *, rejected_token: bool = False) -> Viewer:
        return cls(rejected_token=rejected_token)

    @property
    def is_authenticated(self) -> bool:
        return self.person_id is not None

    @property
    def is_staff(self) -> bool:
        """Network staff and admins: they manage centers, people and memberships."""
        return self.network_role in STAFF_ROLES

    @property
    def center_ids(self) -> frozenset[int]:
        return frozenset(self.center_roles)

    def leads(self, center_id: int) -> bool:
        return self.center_roles.get(center_id) is CenterRole.QI_LEAD

    def require_member(self) -> int:
        """The viewer's person id; anonymous callers get UNAUTHENTICATED."""
        if self.person_id is None:
            if self.rejected_token:
                raise Unauthenticated(REJECTED_TOKEN)
            raise Unauthenticated("Sign in with an API token (Authorization: Bearer ...).")
        return self.person_id

    def require_staff(self, action: str) -> None:
        self.require_member()
        if not self.is_staff:
            raise Forbidden(f"Only network staff can {action}.")
