"""Signing in: ``requestSignIn`` and ``signIn``; sessions and personal access tokens, with
``viewer.sessions`` and ``viewer.personalAccessTokens``."""

from __future__ import annotations

from datetime import datetime

import strawberry

from icn_graph.models import ApiToken, TokenKind
from icn_graph.notifications.realtime.revocations import announce_revocation
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.payload_viewer import ViewerRef, payload_viewer
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.people import Person
from icn_graph.schema.relay import expect_global_id, to_global_id
from icn_graph.services.sign_in import links, tokens_of
from icn_graph.services.sign_in.devices import describe_device
from icn_graph.services.validation import Checker


def sign_in_requested(minutes: int) -> str:
    return (
        "If an account has this email, a sign-in link is on its way to it. The link works once, "
        f"for {links.minutes_phrase(minutes)}."
    )


@strawberry.type(description="A signed-in browser or app: a session token from `signIn`.")
class Session:
    id: strawberry.ID = strawberry.field(
        description="Opaque and stable; pass it to `revokeSession`."
    )
    device: str = strawberry.field(description="What signed in, from its User-Agent.")
    created_at: datetime = strawberry.field(description="When it signed in.")
    last_used_at: datetime | None = strawberry.field(
        description="Its last use, to within ICN_TOKEN_TOUCH_SECONDS."
    )
    expires_at: datetime | None = strawberry.field(
        description="When it ends unless used again (each use extends it)."
    )
    current: bool = strawberry.field(description="Whether this request came with it.")

    @classmethod
    def from_model(cls, token: ApiToken, current_token_id: int | None) -> Session:
        return cls(
            id=to_global_id("Session", token.id),
            device=describe_device(token.user_agent),
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            current=token.id == current_token_id,
        )


@strawberry.type(description="A token for scripts, made with `createPersonalAccessToken`.")
class PersonalAccessToken:
    id: strawberry.ID = strawberry.field(
        description="Opaque and stable; pass it to `revokePersonalAccessToken`."
    )
    name: str = strawberry.field(description="What it is for, as its owner named it.")
    created_at: datetime = strawberry.field(description="When it was made.")
    last_used_at: datetime | None = strawberry.field(
        description="Its last use, to within ICN_TOKEN_TOUCH_SECONDS; null if never used."
    )
    expires_at: datetime | None = strawberry.field(description="Null: it does not expire.")
    read_only: bool = strawberry.field(
        description="Refused on every mutation but the public ones (`requestSignIn`, `signIn`, "
        "`acceptInvitation`, `confirmEmailChange`), which act as nobody."
    )

    @classmethod
    def from_model(cls, token: ApiToken) -> PersonalAccessToken:
        return cls(
            id=to_global_id("PersonalAccessToken", token.id),
            name=token.label,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            read_only=token.read_only,
        )


async def viewer_sessions(info: Info) -> list[Session]:
    context = info.context
    rows = await tokens_of.live_tokens(
        context.db, context.viewer, TokenKind.SESSION, context.clock()
    )
    return [Session.from_model(row, context.viewer.token_id) for row in rows]


async def viewer_personal_access_tokens(info: Info) -> list[PersonalAccessToken]:
    context = info.context
    rows = await tokens_of.live_tokens(
        context.db, context.viewer, TokenKind.PERSONAL, context.clock()
    )
    return [PersonalAccessToken.from_model(row) for row in rows]


@strawberry.input(description="Who wants a sign-in link.")
class RequestSignInInput:
    email: str = strawberry.field(
        description="The account's email, in any letter case; a malformed one is a userError."
    )


@strawberry.type(
    description="The same answer whether or not the email belongs to anyone: nothing tells "
    "who has an account."
)
class RequestSignInPayload:
    message: str | None = strawberry.field(
        description="What to tell the person: check their mail; the link works once, for "
        "ICN_SIGN_IN_LINK_MINUTES (15 minutes unless the server says fewer). Null when the email "
        "was refused (see `userErrors`): nothing is on its way."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="The sign-in link being used.")
class SignInInput:
    token: str = strawberry.field(description="The secret of a mailed sign-in link.")


@strawberry.type(description="What `signIn` did: the new session and who it is for.")
class SignInPayload:
    token: str | None = strawberry.field(
        description="The session token, shown once: send it as `Authorization: Bearer ...`."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the session ends unless used again (each use extends it)."
    )
    person: Person | None = strawberry.field(description="Who signed in.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A session to end.")
class RevokeSessionInput:
    id: strawberry.ID = strawberry.field(description="The session's `id` (`viewer.sessions`).")


@strawberry.type(description="What `revokeSession` did.")
class RevokeSessionPayload:
    revoked_session_id: strawberry.ID | None = strawberry.field(
        description="The ID of the session ended, to drop it from client caches."
    )
    viewer: ViewerRef | None = strawberry.field(
        description="You, with `sessions` as they are now (for client caches)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A new personal access token.")
class CreatePersonalAccessTokenInput:
    name: str = strawberry.field(description="What the token is for (at most 100 characters).")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When it stops working (at most a year ahead); null: never."
    )
    read_only: bool = strawberry.field(
        default=False,
        description="Refuse every mutation but the public ones, which act as nobody.",
    )


@strawberry.type(description="What `createPersonalAccessToken` did, with its secret, once.")
class CreatePersonalAccessTokenPayload:
    personal_access_token: PersonalAccessToken | None = strawberry.field(
        description="The new token (without its secret); null if refused."
    )
    token: str | None = strawberry.field(
        description="The secret, shown once: only its hash is stored."
    )
    viewer: ViewerRef | None = strawberry.field(
        default=None,
        description="You, with `personalAccessTokens` as they are now (for client caches); null "
        "if refused.",
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A personal access token to revoke.")
class RevokePersonalAccessTokenInput:
    id: strawberry.ID = strawberry.field(
        description="The token's `id` (`viewer.personalAccessTokens`)."
    )


@strawberry.type(description="What `revokePersonalAccessToken` did.")
class RevokePersonalAccessTokenPayload:
    revoked_personal_access_token_id: strawberry.ID | None = strawberry.field(
        description="The ID of the token revoked, to drop it from client caches."
    )
    viewer: ViewerRef | None = strawberry.field(
        description="You, with `personalAccessTokens` as they are now (for client caches)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="How far to sign out.")
class SignOutEverywhereInput:
    keep_current_session: bool = strawberry.field(
        default=True,
        description="Keep the session this request came with (default); false ends it too.",
    )


@strawberry.type(description="What `signOutEverywhere` ended.")
class SignOutEverywherePayload:
    revoked_sessions: int = strawberry.field(description="How many sessions were ended.")
    revoked_personal_access_tokens: int = strawberry.field(
        description="How many personal access tokens were revoked."
    )
    calendar_feed_revoked: bool = strawberry.field(
        description="Whether a calendar feed was revoked (make a new one with "
        "`createCalendarFeed`)."
    )
    viewer: ViewerRef | None = strawberry.field(
        description="You, with `sessions`, `personalAccessTokens`, `calendarFeed` and "
        "`pendingEmail` as they are now (for client caches)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _checked_email(email: str) -> str:
    check = Checker()
    cleaned = check.email("email", email)
    check.raise_if_any()
    return cleaned


async def _request(info: Info, email: str) -> None:
    """Checks what needs no database, then answers: the lookup, the link and the mail run
    after, in the mailer's task, so the answer takes as long for any email."""
    context = info.context
    cleaned = _checked_email(email)
    key = links.email_key(cleaned)
    if context.sign_in_limits is not None:
        await context.sign_in_limits.check_request(key, context.client_address)
    if context.sign_in_mail is not None:
        context.sign_in_mail.send_sign_in_link(context.db, cleaned, now=context.clock())


@strawberry.type
class SignInMutations:
    @strawberry.mutation(
        description="Mail a sign-in link to this email, if it belongs to someone. The answer is "
        "the same either way, and comes before the email is looked up. Rate limited per client "
        "address and per email from one client address (RATE_LIMITED). When the person already "
        "holds ICN_SIGN_IN_LIVE_LINKS working links (whoever asked for them), the answer is the "
        "same and nothing is sent."
    )
    async def request_sign_in(
        self, info: Info, input: InputArgument[RequestSignInInput]
    ) -> RequestSignInPayload:
        _, errors = await attempt(_request(info, input.email))
        if errors:
            return RequestSignInPayload(message=None, user_errors=errors)
        minutes = info.context.settings.sign_in_link_minutes
        return RequestSignInPayload(message=sign_in_requested(minutes), user_errors=[])

    @strawberry.mutation(
        description="Use a mailed sign-in link's token (once) and get a session token. An "
        "unknown, used or expired token gets one and the same userError. Rate limited per "
        "client address (RATE_LIMITED)."
    )
    async def sign_in(self, info: Info, input: InputArgument[SignInInput]) -> SignInPayload:
        context = info.context
        if context.sign_in_limits is not None:
            await context.sign_in_limits.check_sign_in(context.client_address)
        issued, errors = await attempt(
            links.sign_in(
                context.db,
                input.token,
                now=context.clock(),
                user_agent=context.user_agent,
                session_days=context.settings.session_days,
                link_minutes=context.settings.sign_in_link_minutes,
            )
        )
        if issued is None:
            return SignInPayload(token=None, expires_at=None, person=None, user_errors=errors)
        person = await context.loaders.person.load(issued.person_id)
        return SignInPayload(
            token=issued.secret,
            expires_at=issued.expires_at,
            person=Person.from_model(person) if person is not None else None,
            user_errors=[],
        )

    @strawberry.mutation(
        description="End a session at once: its token stops working, and so do the personal "
        "access tokens and the calendar feed made with it. The session's owner or network "
        "staff; for anyone else the session does not exist (NOT_FOUND). To end them all, "
        "`signOutEverywhere`."
    )
    async def revoke_session(
        self, info: Info, input: InputArgument[RevokeSessionInput]
    ) -> RevokeSessionPayload:
        context = info.context
        context.viewer.require_member()
        pk = expect_global_id(input.id, "Session", field="id")
        token = await tokens_of.revoke_token(
            context.db, context.viewer, pk, TokenKind.SESSION, now=context.clock()
        )
        await announce_revocation(context.db, token.person_id)
        return RevokeSessionPayload(
            revoked_session_id=to_global_id("Session", token.id),
            viewer=payload_viewer(info),
            user_errors=[],
        )

    @strawberry.mutation(
        description="For a session you fear was stolen: end every other session of yours (or "
        "all of them), revoke every personal access token and your calendar feed, and withdraw "
        "a pending email change, at once (open websockets close). From a signed-in session or a "
        "CLI token; a personal access token is FORBIDDEN."
    )
    async def sign_out_everywhere(
        self, info: Info, input: InputArgument[SignOutEverywhereInput]
    ) -> SignOutEverywherePayload:
        context = info.context
        person_id = context.viewer.require_member()
        done = await tokens_of.sign_out_everywhere(
            context.db, context.viewer, keep_current=input.keep_current_session, now=context.clock()
        )
        await announce_revocation(context.db, person_id)
        return SignOutEverywherePayload(
            revoked_sessions=done.sessions,
            revoked_personal_access_tokens=done.personal_access_tokens,
            calendar_feed_revoked=done.calendar_feed,
            viewer=payload_viewer(info),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Make a personal access token for scripts; its secret is in the answer, "
        "once. A read-only token is refused on every mutation (FORBIDDEN) but the public ones "
        "(`requestSignIn`, `signIn`, `acceptInvitation`, `confirmEmailChange`). Made from a "
        "session (or a CLI token): a personal access token cannot make another (FORBIDDEN). "
        f"A person may have at most {tokens_of.MAX_LIVE_PERSONAL_TOKENS} live ones: past that, "
        "a userError on `name` (CONFLICT)."
    )
    async def create_personal_access_token(
        self, info: Info, input: InputArgument[CreatePersonalAccessTokenInput]
    ) -> CreatePersonalAccessTokenPayload:
        context = info.context
        draft = tokens_of.PersonalTokenDraft(
            name=input.name, expires_at=input.expires_at, read_only=input.read_only
        )
        made, errors = await attempt(
            tokens_of.create_personal_token(context.db, context.viewer, draft, now=context.clock())
        )
        if made is None:
            return CreatePersonalAccessTokenPayload(
                personal_access_token=None, token=None, user_errors=errors
            )
        token, secret = made
        return CreatePersonalAccessTokenPayload(
            personal_access_token=PersonalAccessToken.from_model(token),
            token=secret,
            viewer=payload_viewer(info),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Revoke a personal access token at once. Its owner or network staff; for "
        "anyone else it does not exist (NOT_FOUND)."
    )
    async def revoke_personal_access_token(
        self, info: Info, input: InputArgument[RevokePersonalAccessTokenInput]
    ) -> RevokePersonalAccessTokenPayload:
        context = info.context
        context.viewer.require_member()
        pk = expect_global_id(input.id, "PersonalAccessToken", field="id")
        token = await tokens_of.revoke_token(
            context.db, context.viewer, pk, TokenKind.PERSONAL, now=context.clock()
        )
        await announce_revocation(context.db, token.person_id)
        return RevokePersonalAccessTokenPayload(
            revoked_personal_access_token_id=to_global_id("PersonalAccessToken", token.id),
            viewer=payload_viewer(info),
            user_errors=[],
        )


__all__ = ["PersonalAccessToken", "Session", "SignInMutations"]
