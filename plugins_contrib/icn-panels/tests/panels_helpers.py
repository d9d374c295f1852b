"""People, a Learning Session with an open call, and GraphQL documents the plugin's tests share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import icn_codesign.plugin
import icn_panels.plugin
import pytest

from icn_graph.plugin_api import (
    CenterRole,
    Database,
    NetworkRole,
    Person,
    PersonKind,
    to_global_id,
    utcnow,
)
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for

USER_ERRORS = "userErrors { field message code }"

CREATE_SESSION = """mutation($input: CreateLearningSessionInput!) {
  createLearningSession(input: $input) { learningSession { id } userErrors { field message } } }"""

OPEN_CALL = f"""mutation($input: OpenCallForProposalsInput!) {{
  openCallForProposals(input: $input) {{
    callForProposals {{ opensAt closesAt isOpen }} learningSession {{ id }} {USER_ERRORS} }} }}"""

GRANT = f"""mutation($input: GrantReviewerRoleInput!) {{
  grantReviewerRole(input: $input) {{ reviewer {{ displayName }} {USER_ERRORS} }} }}"""

SUBMIT = f"""mutation($input: SubmitProposalInput!) {{
  submitProposal(input: $input) {{
    proposal {{ id title kind status presenters {{ person {{ displayName }} consent }} }}
    {USER_ERRORS} }} }}"""

CONFIRM = f"""mutation($input: ConfirmPresenterInput!) {{
  confirmPresenter(input: $input) {{ proposal {{ id }} {USER_ERRORS} }} }}"""

REVIEW = f"""mutation($input: ReviewProposalInput!) {{
  reviewProposal(input: $input) {{ review {{ id score comment }} {USER_ERRORS} }} }}"""

DECIDE = f"""mutation($input: DecideProposalInput!) {{
  decideProposal(input: $input) {{ proposal {{ id status decisionReason }} {USER_ERRORS} }} }}"""


@dataclass
class Member:
    person: Person
    token: str

    @property
    def id(self) -> str:
        return to_global_id("Person", self.person.id)


@dataclass
class Cast:
    """The people of an authorization matrix around one Learning Session's proposals."""

    staff: Member
    committee: Member  # a clinician granted the reviewer role for the session
    qi_lead: Member
    clinician: Member
    parent: Member  # a parent partner: the proposer
    outsider: Member  # a clinician of another center, not involved


async def member(db: Database, name: str, kind: PersonKind, **fields: Any) -> Member:
    person = await make_person(db, kind, display_name=name, **fields)
    return Member(person, await token_for(db, person))


async def cast(db: Database) -> Cast:
    center = await make_center(db, name="Cincinnati Children's")
    other = await make_center(db, name="Seattle Children's")
    return Cast(
        staff=await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF),
        committee=await member(db, "Dr. Beth Cole", PersonKind.CLINICIAN, center=center),
        qi_lead=await member(
            db, "Jennie Quinn", PersonKind.CLINICIAN, center=center, role=CenterRole.QI_LEAD
        ),
        clinician=await member(db, "Dr. Sami Reyes", PersonKind.CLINICIAN, center=center),
        parent=await member(
            db,
            "Jamie Rivera",
            PersonKind.PARENT_PARTNER,
            center=center,
            role=CenterRole.PARENT_PARTNER,
        ),
        outsider=await member(db, "Dr. Lee Park", PersonKind.CLINICIAN, center=other),
    )


async def ok(client: GraphQLClient, query: str, field: str, who: Member, **input: Any) -> Any:
    """The payload of mutation ``field``; fails on userErrors or errors."""
    data = await client.data(query, {"input": input}, token=who.token)
    payload = data[field]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def session_with_open_call(client: GraphQLClient, staff: Member, year: int = 2014) -> str:
    data = await client.data(
        CREATE_SESSION,
        {
            "input": {
                "season": "SPRING",
                "year": year,
                "startsOn": f"{year}-04-10",
                "endsOn": f"{year}-04-12",
                "venue": "Hyatt Regency Chicago",
                "timezone": "America/Chicago",
            }
        },
        token=staff.token,
    )
    session: str = data["createLearningSession"]["learningSession"]["id"]
    now = utcnow()
    await ok(
        client,
        OPEN_CALL,
        "openCallForProposals",
        staff,
        learningSessionId=session,
        opensAt=(now - timedelta(days=1)).isoformat(),
        closesAt=(now + timedelta(days=30)).isoformat(),
    )
    return session


async def propose(
    client: GraphQLClient,
    who: Member,
    session: str,
    *,
    presenters: Sequence[Member] = (),
    **fields: Any,
) -> str:
    payload = await ok(
        client,
        SUBMIT,
        "submitProposal",
        who,
        learningSessionId=session,
        title=fields.pop("title", "Engaging families in QI: a parent panel"),
        kind=fields.pop("kind", "PANEL"),
        abstract=fields.pop("abstract", "How centers can better engage families in QI work."),
        personIds=[p.id for p in presenters],
        **fields,
    )
    proposal: str = payload["proposal"]["id"]
    return proposal


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    """icn_graph's fixtures (``db``, ``client``, ...) with the plugin and icn-codesign, which it
    needs: import it into each test module (a conftest.py here would clash with the other
    plugins' for mypy)."""
    return [("icn-codesign", icn_codesign.plugin), ("icn-panels", icn_panels.plugin)]


STAGE_FIELDS = (
    "stage dueOn daysLate isOverdue evidence rehearsalOn owner { displayName } "
    "coach { displayName }"
)

ADVANCE = f"""mutation($input: AdvanceStageInput!) {{
  advanceStage(input: $input) {{
    proposal {{ id viewerCanAdvanceStage currentStage {{ {STAGE_FIELDS} }}
                stages {{ {STAGE_FIELDS} completedAt }} }}
    {USER_ERRORS} }} }}"""

ASSIGN = f"""mutation($input: AssignStageInput!) {{
  assignStage(input: $input) {{ proposal {{ id stages {{ {STAGE_FIELDS} }} }} {USER_ERRORS} }} }}"""


async def accepted(
    client: GraphQLClient, people: Cast, session: str, *, title: str = "A parent panel"
) -> str:
    """A proposal of the parent's, with the clinician presenting, accepted with coaching by
    staff (who coach it)."""
    proposal = await propose(
        client, people.parent, session, presenters=[people.clinician], title=title
    )
    await ok(
        client,
        DECIDE,
        "decideProposal",
        people.staff,
        id=proposal,
        decision="ACCEPT_WITH_COACHING",
    )
    return proposal


INVITE = f"""mutation($input: InvitePanelistInput!) {{
  invitePanelist(input: $input) {{
    invitation {{ id role state message person {{ displayName }} partnerRole viewerCanRespond }}
    proposal {{ id }}
    {USER_ERRORS} }} }}"""

RESPOND = f"""mutation($input: RespondToInvitationInput!) {{
  respondToInvitation(input: $input) {{
    invitation {{ id role state reason viewerCanRespond }} proposal {{ id }}
    {USER_ERRORS} }} }}"""
