"""Who may do what: every mutation against every kind of caller, plus the read rules and tokens.

The mutation table is the specification: a denied call must answer with the right error code
and leave every table exactly as it was; an allowed call must really write.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.models import (
    ApiToken,
    CalendarFeed,
    Center,
    CenterRole,
    Invitation,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
    SignInLink,
    TokenKind,
)
from icn_graph.schema.relay import to_global_id
from icn_graph.services.accounts.email_changes import start_change
from icn_graph.services.sign_in.links import request_link
from icn_graph.services.tokens import hash_token, issue_token
from icn_graph.testing import snapshot
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for

# --------------------------------------------------------------------------------------------
# The world every mutation case runs in
# --------------------------------------------------------------------------------------------

GARBAGE_TOKEN = "icn_this-token-was-never-issued-by-anyone"


@dataclass(frozen=True)
class World:
    center_a: Center
    center_b: Center
    newcomer: Person  # on no team: the person addMembership adds
    bystander_a: Membership  # removeMembership's target on center A
    bystander_b: Membership  # removeMembership's target on center B
    tokens: dict[str, str | None]
    newcomer_link: str  # a sign-in link the newcomer was mailed: signIn's input
    newcomer_session: ApiToken  # revokeSession's target: none of the actors' own
    newcomer_personal_token: ApiToken  # revokePersonalAccessToken's target
    invitation_a: Invitation  # revokeInvitation's target on center A (sent by staff)
    invitation_b: Invitation  # revokeInvitation's target on center B
    invitation_link: str  # an invitation to center A for a new email: acceptInvitation's input
    newcomer_email_change: str  # a mailed email-change link's secret: confirmEmailChange's input
    retired: Person  # deactivated: reactivatePerson's target
    newcomer_feed: CalendarFeed  # revokeCalendarFeed's target: none of the actors' own
    people: dict[str, Person]  # the actors, by token key


@dataclass(frozen=True)
class Actor:
    token_key: str | None
    on_center_b: bool = False  # act on center B instead of the actor's own center A


ACTORS: dict[str, Actor] = {
    "anonymous": Actor(None),
    "garbage-token": Actor("garbage"),
    "member-clinician": Actor("clinician"),
    "parent-partner": Actor("partner"),
    "qi-lead-on-own-center": Actor("qi_lead"),
    "qi-lead-on-other-center": Actor("qi_lead", on_center_b=True),
    "data-manager": Actor("data_manager"),
    "staff": Actor("staff"),
    "admin": Actor("admin"),
    # The clinician again, with a session (from a mailed link) or a personal access token.
    "clinician-by-session": Actor("clinician_session"),
    "clinician-by-personal-token": Actor("clinician_personal"),
}

MUTATIONS = [
    "createCenter",
    "updateCenter",
    "createPerson",
    "addMembership",
    "removeMembership",
    "requestSignIn",
    "signIn",
    "createPersonalAccessToken",
    "revokeSession",
    "revokePersonalAccessToken",
    "signOutEverywhere",
    "createCalendarFeed",
    "revokeCalendarFeed",
    "invitePerson",
    "revokeInvitation",
    "acceptInvitation",
    "updateViewer",
    "confirmEmailChange",
    "updatePerson",
    "deactivatePerson",
    "reactivatePerson",
]
# Signing in (by a mailed link or an invitation) is what a caller without a working token does,
# and a mailed email-change link is proof enough: open to everyone.
OPEN_TO_ALL = ("requestSignIn", "signIn", "acceptInvitation", "confirmEmailChange")
# Any member, for themself.
EVERY_MEMBER = (
    "createPersonalAccessToken",
    "createCalendarFeed",
    "updateViewer",
    "signOutEverywhere",
)
# A token that may expire cannot leave behind one that does not, and a stolen one cannot sign
# its owner out: these come from a session (or a CLI token).
MADE_FROM_A_SESSION = ("createPersonalAccessToken", "createCalendarFeed", "signOutEverywhere")
# Someone else's token: staff may revoke it; for anyone else it does not exist.
OTHERS_TOKENS = ("revokeSession", "revokePersonalAccessToken")
# Someone else's calendar feed, named by their person ID: staff may revoke it; FORBIDDEN for
# anyone else (whether they have one is not looked up).
# What a center's QI lead may do on that center's team (staff on every team).
TEAM_MUTATIONS = ("addMembership", "removeMembership", "invitePerson", "revokeInvitation")
# Objects only their managers see: for anyone else they do not exist.
INVISIBLE_TO_OTHERS = (*OTHERS_TOKENS, "revokeInvitation")

ALLOWED = "allowed"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
NOT_FOUND = "NOT_FOUND"


def expected_outcome(mutation: str, actor: str) -> str:
    """The authorization rules, written out independently of the services."""
    if mutation in OPEN_TO_ALL:
        return ALLOWED
    if actor in ("anonymous", "garbage-token"):
        return UNAUTHENTICATED
    # A token that may expire cannot make one that does not: tokens come from a session.
    if actor == "clinician-by-personal-token" and mutation in MADE_FROM_A_SESSION:
        return FORBIDDEN
    if actor in ("staff", "admin") or mutation in EVERY_MEMBER:
        return ALLOWED
    if actor == "qi-lead-on-own-center" and mutation in TEAM_MUTATIONS:
        return ALLOWED
    if mutation in INVISIBLE_TO_OTHERS:
        return NOT_FOUND
    return FORBIDDEN


CASES = [
    pytest.param(mutation, actor, expected_outcome(mutation, actor), id=f"{mutation}-{actor}")
    for mutation in MUTATIONS
    for actor in ACTORS
]


async def build_world(db: Database) -> World:
    center_a = await make_center(db, name="Alpha Children's", short_code="ALPHA")
    center_b = await make_center(db, name="Beta Children's", short_code="BETA")
    clinician = await make_person(db, PersonKind.CLINICIAN, center=center_a)
    partner = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center_a, role=CenterRole.PARENT_PARTNER
    )
    qi_lead = await make_person(db, PersonKind.QI_LEAD, center=center_a, role=CenterRole.QI_LEAD)
    data_manager = await make_person(
        db,
        PersonKind.DATA_MANAGER,
        network_role=NetworkRole.DATA_MANAGER,
        center=center_a,
        role=CenterRole.DATA_MANAGER,
    )
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    admin = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.ADMIN)
    newcomer = await make_person(db, PersonKind.NURSE)
    retired = await make_person(db, PersonKind.NURSE, deactivated_at=datetime.now(UTC))
    nurse_a = await make_person(db, PersonKind.NURSE, center=center_a)
    nurse_b = await make_person(db, PersonKind.NURSE, center=center_b)
    async with db.session() as session:
        bystander_a = (
            await session.scalars(select(Membership).where(Membership.person_id == nurse_a.id))
        ).one()
        bystander_b = (
            await session.scalars(select(Membership).where(Membership.person_id == nurse_b.id))
        ).one()
    tokens: dict[str, str | None] = {"garbage": GARBAGE_TOKEN}
    people = {
        "clinician": clinician,
        "partner": partner,
        "qi_lead": qi_lead,
        "data_manager": data_manager,
        "staff": staff,
        "admin": admin,
    }
    for key, person in people.items():
        tokens[key] = await token_for(db, person)
    for kind in (TokenKind.SESSION, TokenKind.PERSONAL):
        key = f"clinician_{kind.value.lower()}"
        tokens[key] = await token_of_kind(db, clinician, kind)
        people[key] = clinician
    link = await request_link(db, newcomer.email, now=datetime.now(UTC))
    assert link is not None
    later = datetime.now(UTC) + timedelta(days=30)
    session_row = ApiToken(
        person_id=newcomer.id,
        token_hash="0" * 64,
        label="session",
        kind=TokenKind.SESSION,
        expires_at=later,
    )
    personal_row = ApiToken(
        person_id=newcomer.id, token_hash="1" * 64, label="script", kind=TokenKind.PERSONAL
    )
    feed_row = CalendarFeed(person_id=newcomer.id, token_hash="2" * 64)
    invitation_link = "icninv_matrix-" + "k" * 30
    invitations = [
        Invitation(
            email=email,
            email_key=email,
            display_name="Invited Person",
            center_id=center.id,
            role=CenterRole.NURSE,
            invited_by_id=staff.id,
            token_hash=hash_token(secret),
            expires_at=later,
        )
        for email, center, secret in (
            ("pending.a@example.org", center_a, "icninv_a-" + "a" * 30),
            ("pending.b@example.org", center_b, "icninv_b-" + "b" * 30),
            ("invited.person@example.org", center_a, invitation_link),
        )
    ]
    async with db.transaction() as session:
        session.add_all([session_row, personal_row, feed_row, *invitations])
        stored = await session.get(Person, newcomer.id)
        assert stored is not None
        change = await start_change(
            session, stored, "newcomer.new@example.org", now=datetime.now(UTC)
        )
    return World(
        center_a,
        center_b,
        newcomer,
        bystander_a,
        bystander_b,
        tokens,
        link.secret,
        session_row,
        personal_row,
        invitations[0],
        invitations[1],
        invitation_link,
        change.secret,
        retired,
        feed_row,
        people,
    )


async def token_of_kind(db: Database, person: Person, kind: TokenKind) -> str:
    """A live token of ``kind`` for ``person``, as a sign-in or createPersonalAccessToken
    makes one (an hour left: the personal one's expiry must not be escapable)."""
    secret = f"icn_matrix-{kind.value.lower()}-{person.id}-" + "x" * 20
    now = datetime.now(UTC)
    async with db.transaction() as session:
        session.add(
            ApiToken(
                person_id=person.id,
                token_hash=hash_token(secret),
                label=kind.value.lower(),
                kind=kind,
                created_at=now,
                last_used_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
    return secret


async def count(db: Database, model: type[Base]) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


@dataclass(frozen=True)
class Call:
    query: str
    variables: dict[str, Any]


def build_call(mutation: str, world: World, on_center_b: bool) -> Call:
    center = world.center_b if on_center_b else world.center_a
    bystander = world.bystander_b if on_center_b else world.bystander_a
    center_id = to_global_id("Center", center.id)
    if mutation == "createCenter":
        return Call(
            "mutation($input: CreateCenterInput!) { createCenter(input: $input) {"
            " center { name shortCode } userErrors { field code message } } }",
            {
                "input": {
                    "name": "Gamma Hospital",
                    "shortCode": "GAMMA",
                    "city": "Dayton",
                    "region": "Midwest",
                    "country": "US",
                    "joinedOn": "2024-05-01",
                }
            },
        )
    if mutation == "updateCenter":
        return Call(
            "mutation($input: UpdateCenterInput!) { updateCenter(input: $input) {"
            " center { id name } userErrors { field code message } } }",
            {"input": {"id": center_id, "name": "Renamed Center"}},
        )
    if mutation == "createPerson":
        return Call(
            "mutation($input: CreatePersonInput!) { createPerson(input: $input) {"
            " person { displayName email networkRole } userErrors { field code message } } }",
            {
                "input": {
                    "displayName": "Fresh Person",
                    "email": "fresh.person@example.org",
                    "kind": "CLINICIAN",
                }
            },
        )
    if mutation == "addMembership":
        return Call(
            "mutation($input: AddMembershipInput!) { addMembership(input: $input) {"
            " membership { role center { id } person { id } }"
            " userErrors { field code message } } }",
            {
                "input": {
                    "personId": to_global_id("Person", world.newcomer.id),
                    "centerId": center_id,
                    "role": "NURSE",
                    "since": "2024-01-15",
                }
            },
        )
    if mutation == "requestSignIn":
        return Call(
            "mutation($input: RequestSignInInput!) { requestSignIn(input: $input) {"
            " message userErrors { field code message } } }",
            {"input": {"email": world.newcomer.email}},
        )
    if mutation == "signIn":
        return Call(
            "mutation($input: SignInInput!) { signIn(input: $input) {"
            " token person { id } userErrors { field code message } } }",
            {"input": {"token": world.newcomer_link}},
        )
    if mutation == "createPersonalAccessToken":
        return Call(
            "mutation($input: CreatePersonalAccessTokenInput!) {"
            " createPersonalAccessToken(input: $input) {"
            " token personalAccessToken { name } userErrors { field code message } } }",
            {"input": {"name": "matrix"}},
        )
    if mutation == "signOutEverywhere":
        return Call(
            "mutation($input: SignOutEverywhereInput!) { signOutEverywhere(input: $input) {"
            " revokedSessions revokedPersonalAccessTokens calendarFeedRevoked"
            " userErrors { field code message } } }",
            {"input": {"keepCurrentSession": True}},
        )
    if mutation == "createCalendarFeed":
        return Call(
            "mutation { createCalendarFeed {"
            " mineUrl baseUrl calendarFeed { id } userErrors { field code message } } }",
            {},
        )
    if mutation == "revokeCalendarFeed":
        return Call(
            "mutation($input: RevokeCalendarFeedInput) { revokeCalendarFeed(input: $input) {"
            " revokedCalendarFeedId userErrors { field code message } } }",
            {"input": {"personId": to_global_id("Person", world.newcomer.id)}},
        )
    if mutation == "revokeSession":
        return Call(
            "mutation($input: RevokeSessionInput!) { revokeSession(input: $input) {"
            " revokedSessionId userErrors { field code message } } }",
            {"input": {"id": to_global_id("Session", world.newcomer_session.id)}},
        )
    if mutation == "revokePersonalAccessToken":
        return Call(
            "mutation($input: RevokePersonalAccessTokenInput!) {"
            " revokePersonalAccessToken(input: $input) {"
            " revokedPersonalAccessTokenId userErrors { field code message } } }",
            {
                "input": {
                    "id": to_global_id("PersonalAccessToken", world.newcomer_personal_token.id)
                }
            },
        )
    if mutation == "invitePerson":
        return Call(
            "mutation($input: InvitePersonInput!) { invitePerson(input: $input) {"
            " invitation { email role state center { id } } userErrors { field code message } } }",
            {
                "input": {
                    "email": "Fresh.Invitee@example.org",
                    "displayName": "Fresh Invitee",
                    "centerId": center_id,
                    "role": "PARENT_PARTNER",
                    "message": "Welcome to the team.",
                }
            },
        )
    if mutation == "revokeInvitation":
        invitation = world.invitation_b if on_center_b else world.invitation_a
        return Call(
            "mutation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) {"
            " invitation { id state } userErrors { field code message } } }",
            {"input": {"id": to_global_id("Invitation", invitation.id)}},
        )
    if mutation == "acceptInvitation":
        return Call(
            "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) {"
            " token person { displayName kind } membership { role center { id } }"
            " userErrors { field code message } } }",
            {"input": {"token": world.invitation_link}},
        )
    newcomer_id = to_global_id("Person", world.newcomer.id)
    if mutation == "updateViewer":
        return Call(
            "mutation($input: UpdateViewerInput!) { updateViewer(input: $input) {"
            " person { id displayName pronouns } pendingEmail"
            " userErrors { field code message } } }",
            {"input": {"displayName": "Matrix Name", "pronouns": "they/them"}},
        )
    if mutation == "confirmEmailChange":
        return Call(
            "mutation($input: ConfirmEmailChangeInput!) { confirmEmailChange(input: $input) {"
            " person { id } userErrors { field code message } } }",
            {"input": {"token": world.newcomer_email_change}},
        )
    if mutation == "updatePerson":
        return Call(
            "mutation($input: UpdatePersonInput!) { updatePerson(input: $input) {"
            " person { id displayName } userErrors { field code message } } }",
            {"input": {"id": newcomer_id, "displayName": "Renamed Newcomer"}},
        )
    if mutation == "deactivatePerson":
        return Call(
            "mutation($input: DeactivatePersonInput!) { deactivatePerson(input: $input) {"
            " person { id deactivatedAt } userErrors { field code message } } }",
            {"input": {"id": newcomer_id, "reason": "matrix"}},
        )
    if mutation == "reactivatePerson":
        return Call(
            "mutation($input: ReactivatePersonInput!) { reactivatePerson(input: $input) {"
            " person { id deactivatedAt } userErrors { field code message } } }",
            {"input": {"id": to_global_id("Person", world.retired.id)}},
        )
    assert mutation == "removeMembership"
    return Call(
        "mutation($input: RemoveMembershipInput!) { removeMembership(input: $input) {"
        " removedMembershipId userErrors { field code message } } }",
        {"input": {"id": to_global_id("Membership", bystander.id)}},
    )


async def assert_written(
    db: Database, mutation: str, world: World, who: Actor, data: dict[str, Any]
) -> None:
    """The allowed call answered with its result and really changed the database."""
    payload = data[mutation]
    assert payload["userErrors"] == []
    on_center_b = who.on_center_b
    center = world.center_b if on_center_b else world.center_a
    async with db.session() as session:
        if mutation in ACCOUNT_MUTATIONS:
            await _assert_account_written(session, mutation, world, who, payload)
        elif mutation == "createCenter":
            assert payload["center"] == {"name": "Gamma Hospital", "shortCode": "GAMMA"}
            names = set(await session.scalars(select(Center.name)))
            assert names == {"Alpha Children's", "Beta Children's", "Gamma Hospital"}
        elif mutation == "updateCenter":
            assert payload["center"]["name"] == "Renamed Center"
            stored = await session.get(Center, center.id)
            assert stored is not None
            assert stored.name == "Renamed Center"
        elif mutation == "createPerson":
            assert payload["person"] == {
                "displayName": "Fresh Person",
                "email": "fresh.person@example.org",
                "networkRole": "MEMBER",
            }
            email_keys = set(await session.scalars(select(Person.email_key)))
            assert "fresh.person@example.org" in email_keys
        elif mutation == "addMembership":
            assert payload["membership"]["role"] == "NURSE"
            assert payload["membership"]["center"]["id"] == to_global_id("Center", center.id)
            rows = (
                await session.scalars(
                    select(Membership).where(Membership.person_id == world.newcomer.id)
                )
            ).all()
            assert [(row.center_id, row.role) for row in rows] == [(center.id, CenterRole.NURSE)]
        elif mutation == "requestSignIn":
            assert payload["message"].startswith("If an account has this email")
            links = await session.scalars(
                select(SignInLink).where(SignInLink.person_id == world.newcomer.id)
            )
            assert len(links.all()) == 2  # the world's, and this one
        elif mutation == "signIn":
            assert payload["person"] == {"id": to_global_id("Person", world.newcomer.id)}
            minted = await session.scalars(
                select(ApiToken).where(ApiToken.token_hash == hash_token(payload["token"]))
            )
            assert minted.one().kind is TokenKind.SESSION
        elif mutation == "createPersonalAccessToken":
            assert payload["personalAccessToken"] == {"name": "matrix"}
            minted = await session.scalars(
                select(ApiToken).where(ApiToken.token_hash == hash_token(payload["token"]))
            )
            assert minted.one().kind is TokenKind.PERSONAL
        elif mutation == "invitePerson":
            assert payload["invitation"] == {
                "email": "Fresh.Invitee@example.org",
                "role": "PARENT_PARTNER",
                "state": "PENDING",
                "center": {"id": to_global_id("Center", center.id)},
            }
            sent = await session.scalars(
                select(Invitation).where(Invitation.email_key == "fresh.invitee@example.org")
            )
            assert [row.center_id for row in sent] == [center.id]
        elif mutation == "revokeInvitation":
            withdrawn, kept = (
                (world.invitation_b, world.invitation_a)
                if on_center_b
                else (world.invitation_a, world.invitation_b)
            )
            assert payload["invitation"] == {
                "id": to_global_id("Invitation", withdrawn.id),
                "state": "REVOKED",
            }
            revoked = await session.get(Invitation, withdrawn.id)
            untouched = await session.get(Invitation, kept.id)
            assert revoked is not None
            assert revoked.revoked_at is not None
            assert untouched is not None
            assert untouched.revoked_at is None
        elif mutation == "acceptInvitation":
            assert payload["person"] == {"displayName": "Invited Person", "kind": "NURSE"}
            center_a_id = to_global_id("Center", world.center_a.id)
            assert payload["membership"] == {"role": "NURSE", "center": {"id": center_a_id}}
            joined = (
                await session.scalars(
                    select(Person).where(Person.email_key == "invited.person@example.org")
                )
            ).one()
            minted = await session.scalars(
                select(ApiToken).where(ApiToken.token_hash == hash_token(payload["token"]))
            )
            assert minted.one().person_id == joined.id
        elif mutation == "signOutEverywhere":
            assert who.token_key is not None
            actor = world.people[who.token_key]
            used = hash_token(world.tokens[who.token_key] or "")
            own_tokens = await session.scalars(
                select(ApiToken).where(ApiToken.person_id == actor.id)
            )
            # Every session and personal access token but the one used is revoked; CLI
            # tokens (the operator's) stay.
            for own in own_tokens:
                ended = own.kind is not TokenKind.CLI and own.token_hash != used
                assert (own.revoked_at is not None) == ended, own.kind
        elif mutation == "createCalendarFeed":
            assert payload["mineUrl"] == payload["baseUrl"] + "/mine.ics"
            secret = payload["baseUrl"].rsplit("/", 1)[1]
            minted = await session.scalars(
                select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(secret))
            )
            assert who.token_key is not None
            assert minted.one().person_id == world.people[who.token_key].id
        elif mutation == "revokeCalendarFeed":
            assert payload["revokedCalendarFeedId"] == to_global_id(
                "CalendarFeed", world.newcomer_feed.id
            )
            feed = await session.get(CalendarFeed, world.newcomer_feed.id)
            assert feed is not None
            assert feed.revoked_at is not None
        elif mutation in OTHERS_TOKENS:
            target = (
                world.newcomer_session
                if mutation == "revokeSession"
                else world.newcomer_personal_token
            )
            row = await session.get(ApiToken, target.id)
            assert row is not None
            assert row.revoked_at is not None
        else:
            bystander = world.bystander_b if on_center_b else world.bystander_a
            assert payload["removedMembershipId"] == to_global_id("Membership", bystander.id)
            assert await session.get(Membership, bystander.id) is None
            other = world.bystander_a if on_center_b else world.bystander_b
            assert await session.get(Membership, other.id) is not None


ACCOUNT_MUTATIONS = (
    "updateViewer",
    "confirmEmailChange",
    "updatePerson",
    "deactivatePerson",
    "reactivatePerson",
)


async def _assert_account_written(
    session: AsyncSession, mutation: str, world: World, who: Actor, payload: dict[str, Any]
) -> None:
    newcomer = await session.get(Person, world.newcomer.id)
    assert newcomer is not None
    if mutation == "updateViewer":
        assert who.token_key is not None
        actor = world.people[who.token_key]
        assert payload["person"] == {
            "id": to_global_id("Person", actor.id),
            "displayName": "Matrix Name",
            "pronouns": "they/them",
        }
        stored = await session.get(Person, actor.id)
        assert stored is not None
        assert (stored.display_name, stored.pronouns) == ("Matrix Name", "they/them")
    elif mutation == "confirmEmailChange":
        assert payload["person"] == {"id": to_global_id("Person", newcomer.id)}
        assert newcomer.email_key == "newcomer.new@example.org"
    elif mutation == "updatePerson":
        assert payload["person"]["displayName"] == "Renamed Newcomer"
        assert newcomer.display_name == "Renamed Newcomer"
    elif mutation == "deactivatePerson":
        assert payload["person"]["deactivatedAt"] is not None
        assert newcomer.deactivated_at is not None
        tokens = await session.scalars(select(ApiToken).where(ApiToken.person_id == newcomer.id))
        assert all(token.revoked_at is not None for token in tokens)
        feed = await session.get(CalendarFeed, world.newcomer_feed.id)
        assert feed is not None
        assert feed.revoked_at is not None
    else:
        assert payload["person"]["deactivatedAt"] is None
        retired = await session.get(Person, world.retired.id)
        assert retired is not None
        assert retired.deactivated_at is None


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mutation", "actor", "expected"), CASES)
async def test_mutation_authorization(
    db: Database, client: GraphQLClient, mutation: str, actor: str, expected: str
) -> None:
    world = await build_world(db)
    who = ACTORS[actor]
    token = world.tokens[who.token_key] if who.token_key else None
    call = build_call(mutation, world, who.on_center_b)
    before = await snapshot(db)

    body = await client.execute(call.query, call.variables, token=token)

    if expected == ALLOWED:
        assert "errors" not in body, body["errors"]
        await assert_written(db, mutation, world, who, body["data"])
        return
    assert error_codes(body) == [expected], body
    assert body["data"] is None
    error = body["errors"][0]
    assert error["path"] == [mutation]
    if actor == "garbage-token":
        assert "invalid or has been revoked" in error["message"]
    elif actor == "anonymous":
        assert "Sign in" in error["message"]
    elif mutation in MADE_FROM_A_SESSION:
        assert "signed-in session" in error["message"]
    elif mutation == "revokeCalendarFeed":
        assert error["message"] == "Only network staff can revoke another person's calendar feed."
    # Nothing was written, anywhere.
    assert await snapshot(db) == before


def test_the_table_covers_every_mutation_and_role() -> None:
    """Guard the table itself: 21 mutations x 11 callers, with the expected number allowed."""
    assert len(CASES) == 231
    outcomes = [case.values[2] for case in CASES]
    # Directory, invitations and accounts: staff and admin everywhere, QI lead four times;
    # signing in, accepting an invitation and confirming an email: everyone; a personal access
    # token, a calendar feed, one's own profile and signing out everywhere: every member (a
    # personal access token's own profile only); someone else's token or calendar feed: staff
    # and admin.
    assert outcomes.count(ALLOWED) == (10 * 2 + 4) + 4 * 11 + 4 * 9 - 3 + 3 * 2
    assert outcomes.count(UNAUTHENTICATED) == 17 * 2
    # Others' sessions and tokens for the seven other members' tokens; invitations for six (the
    # center's own QI lead may withdraw them).
    assert outcomes.count(NOT_FOUND) == 2 * 7 + 6


# --------------------------------------------------------------------------------------------
# Only an admin can create an admin
# --------------------------------------------------------------------------------------------

CREATE_ADMIN = (
    "mutation($input: CreatePersonInput!) { createPerson(input: $input) {"
    " person { displayName networkRole } userErrors { field code message } } }"
)
ADMIN_INPUT = {
    "input": {
        "displayName": "New Admin",
        "email": "new.admin@example.org",
        "kind": "STAFF",
        "networkRole": "ADMIN",
    }
}


async def test_staff_cannot_create_an_admin(db: Database, client: GraphQLClient) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    before = await snapshot(db)
    data = await client.data(CREATE_ADMIN, ADMIN_INPUT, token=token)
    assert data["createPerson"] == {
        "person": None,
        "userErrors": [
            {
                "field": "networkRole",
                "code": "INVALID",
                "message": "Only an admin can create another admin.",
            }
        ],
    }
    assert await snapshot(db) == before


async def test_admin_role_refusal_comes_with_every_other_field_error(
    db: Database, client: GraphQLClient
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    bad = {"input": ADMIN_INPUT["input"] | {"email": "not-an-email", "timezone": "Mars/Base"}}
    data = await client.data(CREATE_ADMIN, bad, token=token)
    fields = [error["field"] for error in data["createPerson"]["userErrors"]]
    assert fields == ["networkRole", "email", "timezone"]


async def test_admin_can_create_an_admin(db: Database, client: GraphQLClient) -> None:
    admin = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.ADMIN)
    token = await token_for(db, admin)
    data = await client.data(CREATE_ADMIN, ADMIN_INPUT, token=token)
    assert data["createPerson"] == {
        "person": {"displayName": "New Admin", "networkRole": "ADMIN"},
        "userErrors": [],
    }
    async with db.session() as session:
        stored = (
            await session.scalars(select(Person).where(Person.email_key == "new.admin@example.org"))
        ).one()
    assert stored.network_role is NetworkRole.ADMIN


async def test_staff_can_still_create_staff(db: Database, client: GraphQLClient) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    variables = {"input": ADMIN_INPUT["input"] | {"networkRole": "STAFF"}}
    data = await client.data(CREATE_ADMIN, variables, token=token)
    assert data["createPerson"]["person"] == {"displayName": "New Admin", "networkRole": "STAFF"}
    assert await count(db, Person) == 2


# --------------------------------------------------------------------------------------------
# Read rules
# --------------------------------------------------------------------------------------------


async def test_anonymous_sees_the_network_name(db: Database, client: GraphQLClient) -> None:
    data = await client.data("{ network { name } viewer { person { id } } }")
    assert data == {"network": {"name": "Test Network"}, "viewer": None}


@pytest.mark.parametrize(
    ("query", "path"),
    [
        pytest.param("{ network { centerCount } }", ["network", "centerCount"], id="centerCount"),
        pytest.param(
            "{ network { partnerCount } }", ["network", "partnerCount"], id="partnerCount"
        ),
        pytest.param("{ centers { totalCount } }", ["centers"], id="centers"),
        pytest.param("{ people { totalCount } }", ["people"], id="people"),
        pytest.param('{ node(id: "CENTER") { id } }', ["node"], id="node"),
        pytest.param('{ nodes(ids: ["CENTER"]) { id } }', ["nodes"], id="nodes"),
    ],
)
@pytest.mark.parametrize("token", [None, GARBAGE_TOKEN], ids=["anonymous", "garbage-token"])
async def test_anonymous_reads_are_refused(
    db: Database, client: GraphQLClient, query: str, path: list[str], token: str | None
) -> None:
    center = await make_center(db)
    await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    body = await client.execute(
        query.replace("CENTER", to_global_id("Center", center.id)), token=token
    )
    assert error_codes(body) == ["UNAUTHENTICATED"], body
    assert body["errors"][0]["path"] == path
    # Nothing about the network leaked into the data.
    assert "Center" not in str(body.get("data"))


async def test_members_read_what_anonymous_cannot(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db, name="Alpha Children's")
    partner = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center, role=CenterRole.PARENT_PARTNER
    )
    token = await token_for(db, partner)
    center_id = to_global_id("Center", center.id)
    data = await client.data(
        "query($id: ID!) { network { name centerCount partnerCount } centers { totalCount }"
        " people { totalCount } node(id: $id) { ... on Center { name } } }",
        {"id": center_id},
        token=token,
    )
    assert data == {
        "network": {"name": "Test Network", "centerCount": 1, "partnerCount": 1},
        "centers": {"totalCount": 1},
        "people": {"totalCount": 1},
        "node": {"name": "Alpha Children's"},
    }


async def test_viewer_is_the_token_holder(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    person = await make_person(
        db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD, display_name="Quinn Lead"
    )
    await make_person(db, PersonKind.NURSE, display_name="Someone Else")
    token = await token_for(db, person)
    data = await client.data("{ viewer { person { id displayName networkRole } } }", token=token)
    assert data["viewer"]["person"] == {
        "id": to_global_id("Person", person.id),
        "displayName": "Quinn Lead",
        "networkRole": "MEMBER",
    }
    assert (await client.data("{ viewer { person { id } } }"))["viewer"] is None


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(f"Bearer {GARBAGE_TOKEN}", id="unknown-token"),
        pytest.param("Basic dXNlcjpwYXNz", id="wrong-scheme"),
        pytest.param("Bearer " + "x" * 500, id="oversized-token"),
    ],
)
async def test_bad_credentials_say_the_token_is_invalid(
    db: Database, client: GraphQLClient, header: str
) -> None:
    response = await client.http.post(
        "/graphql",
        json={"query": "{ viewer { person { id } } centers { totalCount } }"},
        headers={"Authorization": header},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    # Every field says so, ``viewer`` included: a bad token is not "signed out".
    assert error_codes(body) == ["UNAUTHENTICATED", "UNAUTHENTICATED"]
    assert sorted(error["path"][0] for error in body["errors"]) == ["centers", "viewer"]
    assert {error["message"] for error in body["errors"]} == {
        "The API token is invalid or has been revoked."
    }


async def test_a_revoked_token_is_rejected(db: Database, client: GraphQLClient) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    query = "{ viewer { person { displayName } } centers { totalCount } }"
    assert (await client.data(query, token=token))["centers"] == {"totalCount": 0}

    async with db.transaction() as session:
        await session.execute(update(ApiToken).values(revoked_at=datetime.now(UTC)))

    body = await client.execute(query, token=token)
    assert error_codes(body) == ["UNAUTHENTICATED", "UNAUTHENTICATED"]
    assert body["errors"][0]["message"] == "The API token is invalid or has been revoked."
    # ``viewer`` alone is an error too, not a signed-out null.
    body = await client.execute("{ viewer { person { id } } }", token=token)
    assert body["data"] == {"viewer": None}
    assert error_codes(body) == ["UNAUTHENTICATED"]
    # The revoked token can no longer write either.
    before = await snapshot(db)
    body = await client.execute(
        'mutation { createPerson(input: {displayName: "X", email: "x@example.org",'
        " kind: CLINICIAN}) { person { id } } }",
        token=token,
    )
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert await snapshot(db) == before


async def test_revoking_one_token_leaves_the_others(db: Database, client: GraphQLClient) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    kept, revoked = await token_for(db, staff), await token_for(db, staff)
    async with db.transaction() as session:
        await session.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == hashlib.sha256(revoked.encode()).hexdigest())
            .values(revoked_at=datetime.now(UTC))
        )
    assert (await client.data("{ viewer { person { id } } }", token=kept))["viewer"] is not None
    body = await client.execute("{ viewer { person { id } } }", token=revoked)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_tokens_are_stored_only_as_sha256_hashes(db: Database, client: GraphQLClient) -> None:
    await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF, email="s@example.org")
    issued = await issue_token(db, "s@example.org", label="laptop")
    secret = issued.secret
    assert len(secret) >= 40

    async with db.session() as session:
        stored = (await session.scalars(select(ApiToken))).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.label == "laptop"
    # No column of any row holds the secret, or a recognisable piece of it.
    everything = repr(await snapshot(db))
    assert secret not in everything
    assert secret[len("icn_") :][:16] not in everything

    # And the hash alone is not a credential: only the secret authenticates.
    assert (await client.data("{ viewer { person { id } } }", token=secret))["viewer"] is not None
    by_hash = await client.execute("{ viewer { person { id } } }", token=stored.token_hash)
    assert error_codes(by_hash) == ["UNAUTHENTICATED"]
