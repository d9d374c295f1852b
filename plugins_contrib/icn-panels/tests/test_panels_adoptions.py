"""Call to action → 90-day goals through the HTTP API: a delivered proposal's call to action is
read by every member (never its reviews), adopted by a center's QI lead (or staff) as a real
core goal, prefilled and linked back, or by a partner as their own goal; refusals name their
field; ``Proposal.adoptions`` shows how the goals are doing in a fixed number of statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from icn_panels.adoption_reading import AdoptionStatus, GoalState, summarise
from icn_panels.adoptions import AdoptionRequest, adopt_call_to_action
from panels_helpers import (
    ADVANCE,
    GRANT,
    USER_ERRORS,
    Cast,
    Member,
    cast,
    icn_plugins,
    member,
    ok,
    propose,
    session_with_open_call,
)
from sqlalchemy import text
from test_panels_mail import PREFERENCES, mail_by_recipient
from test_panels_pipeline import outcome, token
from test_panels_scheduling import prepped

from icn_graph.plugin_api import (
    Database,
    GoalStatus,
    NetworkRole,
    PersonKind,
    PluginHost,
    Settings,
    Viewer,
    parse_global_id,
    to_global_id,
    utcnow,
)
from icn_graph.testing import (
    GraphQLClient,
    SmtpServer,
    StatementCounter,
    deliver_mail,
    make_center,
)

__all__ = ["icn_plugins"]

CALL = "Every center asks one family to join its QI team within 90 days."

ADOPT = f"""mutation($input: AdoptCallToActionInput!) {{
  adoptCallToAction(input: $input) {{
    proposal {{ id adoptions {{ center {{ name }} partner {{ displayName }} status }} }}
    goal {{ id title aim startsOn dueOn kind status adoptedFrom {{ id title callToAction }} }}
    {USER_ERRORS} }} }}"""

UPDATE = f"""mutation($input: UpdateCallToActionInput!) {{
  updateCallToAction(input: $input) {{ proposal {{ id callToAction }} {USER_ERRORS} }} }}"""

OFFER = """query($id: ID!) { node(id: $id) { ... on Proposal {
  viewerCanAdopt viewerAdoptableCenters { name } } } }"""

PUBLIC = """query($id: ID!) { node(id: $id) { ... on Proposal {
  id title kind abstract objectives callToAction intendedAudience decisionReason decidedAt
  stages { stage } currentStage { stage } reviews { score comment } viewerCanSeeReviews
  viewerCanReview presenters { consent person { displayName } }
  adoptions { center { name } goal { title } status } } } }"""

SESSION_PROPOSALS = """query($id: ID!) { node(id: $id) { ... on LearningSession {
  proposals(first: 100) { id reviews { score } viewerCanSeeReviews } } } }"""

REVIEW_NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on ProposalReview { score } } }"""

CHECK_IN = f"""mutation($input: CheckInGoalInput!) {{
  checkInGoal(input: $input) {{ goal {{ status }} {USER_ERRORS} }} }}"""

CLOSE = f"""mutation($input: CloseGoalInput!) {{
  closeGoal(input: $input) {{ goal {{ status }} {USER_ERRORS} }} }}"""

PAGE = """query($id: ID!) { node(id: $id) { ... on Proposal {
  title callToAction viewerCanAdopt viewerAdoptableCenters { name }
  adoptions { adoptedAt status center { name } partner { displayName }
              adoptedBy { displayName } goal { title dueOn adoptedFrom { title } } } } } }"""


def pk_of(global_id: str) -> tuple[str, int]:
    return parse_global_id(global_id)


async def center_of(db: Database, who: Member) -> int:
    async with db.session() as session:
        found = await session.scalar(
            text("SELECT center_id FROM memberships WHERE person_id = :p"),
            {"p": who.person.id},
        )
    assert found is not None
    return int(found)


async def set_call_to_action(
    client: GraphQLClient, people: Cast, proposal: str, call: str | None
) -> None:
    if call is not None:
        await ok(
            client,
            UPDATE,
            "updateCallToAction",
            people.staff,
            proposalId=proposal,
            callToAction=call,
        )


async def delivered(
    db: Database,
    client: GraphQLClient,
    people: Cast,
    session: str,
    *,
    title: str = "A parent panel",
    call: str | None = CALL,
) -> str:
    """The parent's panel (the clinician presenting), taken through every stage to DELIVERED,
    with a call to action."""
    proposal = await prepped(client, people, session, title=title)
    await ok(
        client,
        ADVANCE,
        "advanceStage",
        people.staff,
        proposalId=proposal,
        rehearsalOn="2014-04-01",
    )
    await ok(client, ADVANCE, "advanceStage", people.staff, proposalId=proposal)
    await set_call_to_action(client, people, proposal, call)
    return proposal


async def adopt(client: GraphQLClient, who: Member | None, **input: Any) -> dict[str, Any]:
    return await client.execute(ADOPT, {"input": input}, token=who.token if who else None)


async def count(db: Database, table: str) -> int:
    async with db.session() as session:
        return int(await session.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608


async def test_a_qi_lead_adopts_the_call_to_action_as_a_prefilled_center_goal(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    proposal = await delivered(db, client, people, session)
    center = to_global_id("Center", await center_of(db, people.qi_lead))

    payload = await ok(
        client, ADOPT, "adoptCallToAction", people.qi_lead, proposalId=proposal, centerId=center
    )
    goal = payload["goal"]
    today = utcnow().date()
    assert goal["title"] == "A parent panel"
    assert goal["aim"] == CALL
    assert goal["kind"] == "CENTER"
    assert goal["status"] == "ON_TRACK"
    assert goal["startsOn"] == today.isoformat()
    assert goal["dueOn"] == (today + timedelta(days=90)).isoformat()
    assert goal["adoptedFrom"] == {"id": proposal, "title": "A parent panel", "callToAction": CALL}
    assert payload["proposal"]["adoptions"] == [
        {"center": {"name": "Cincinnati Children's"}, "partner": None, "status": "ON_TRACK"}
    ]
    # A real core goal, owned by the center, with core's event and the plugin's, once.
    async with db.session() as db_session:
        owner = await db_session.scalar(
            text("SELECT center_id FROM goals WHERE id = :id"),
            {"id": int(pk_of(goal["id"])[1])},
        )
        kinds = sorted(
            (
                await db_session.execute(
                    text(
                        "SELECT type FROM events WHERE type IN "
                        "('goal.created', 'proposal.call_to_action_adopted')"
                    )
                )
            ).scalars()
        )
    assert owner == await center_of(db, people.qi_lead)
    assert kinds == ["goal.created", "proposal.call_to_action_adopted"]

    # Once per center: refused on centerId, nothing written.
    again = await adopt(client, people.qi_lead, proposalId=proposal, centerId=center)
    assert outcome(again, "adoptCallToAction") == "userErrors:centerId:CONFLICT"
    assert await count(db, "goals") == 1
    assert await count(db, "panels_adoptions") == 1
    offer = await client.data(OFFER, {"id": proposal}, token=people.qi_lead.token)
    assert offer["node"] == {"viewerCanAdopt": False, "viewerAdoptableCenters": []}

    # A partner takes it up as their own goal, overriding the prefill.
    mine = await ok(
        client,
        ADOPT,
        "adoptCallToAction",
        people.parent,
        proposalId=proposal,
        partner=True,
        title="Join our center's QI team",
        description="Come to two QI team meetings.",
        dueOn=(today + timedelta(days=60)).isoformat(),
    )
    assert mine["goal"]["kind"] == "PARTNER"
    assert mine["goal"]["title"] == "Join our center's QI team"
    assert mine["goal"]["aim"] == "Come to two QI team meetings."
    assert mine["goal"]["dueOn"] == (today + timedelta(days=60)).isoformat()
    adoptions = mine["proposal"]["adoptions"]
    assert adoptions[1] == {
        "center": None,
        "partner": {"displayName": "Jamie Rivera"},
        "status": "ON_TRACK",
    }
    again = await adopt(client, people.parent, proposalId=proposal, partner=True)
    assert outcome(again, "adoptCallToAction") == "userErrors:partner:CONFLICT"


# Who may adopt the delivered proposal's call to action for the QI lead's center ("center"),
# for the other center ("other"), or as their own partner goal ("partner").
MATRIX = [
    ("anonymous", "center", "UNAUTHENTICATED"),
    ("outsider", "center", "userErrors:centerId:INVALID"),  # a member of another center
    ("outsider", "other", "userErrors:centerId:INVALID"),  # not its QI lead either
    ("clinician", "center", "userErrors:centerId:INVALID"),  # care team, not its QI lead
    ("clinician", "partner", "userErrors:partner:INVALID"),  # not a partner
    ("parent", "center", "userErrors:centerId:INVALID"),  # a partner of the center
    ("parent", "partner", "ok"),
    ("qi_lead", "other", "userErrors:centerId:INVALID"),
    ("qi_lead", "center", "ok"),
    ("staff", "other", "ok"),
    ("staff", "partner", "userErrors:partner:INVALID"),
]


async def test_who_may_adopt_a_call_to_action(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    proposal = await delivered(db, client, people, session)
    centers = {
        "center": to_global_id("Center", await center_of(db, people.qi_lead)),
        "other": to_global_id("Center", await center_of(db, people.outsider)),
    }
    offers = {}
    for role in ("outsider", "clinician", "parent", "qi_lead", "staff"):
        data = await client.data(OFFER, {"id": proposal}, token=getattr(people, role).token)
        offers[role] = data["node"]
    assert offers["outsider"] == {"viewerCanAdopt": False, "viewerAdoptableCenters": []}
    assert offers["clinician"] == {"viewerCanAdopt": False, "viewerAdoptableCenters": []}
    assert offers["parent"] == {"viewerCanAdopt": True, "viewerAdoptableCenters": []}
    assert offers["qi_lead"] == {
        "viewerCanAdopt": True,
        "viewerAdoptableCenters": [{"name": "Cincinnati Children's"}],
    }
    assert offers["staff"] == {
        "viewerCanAdopt": True,
        "viewerAdoptableCenters": [
            {"name": "Cincinnati Children's"},
            {"name": "Seattle Children's"},
        ],
    }
    found = []
    for role, adopter, _ in MATRIX:
        target: dict[str, Any] = (
            {"partner": True} if adopter == "partner" else {"centerId": centers[adopter]}
        )
        body = await client.execute(
            ADOPT,
            {
                "input": {"proposalId": proposal, **target},
            },
            token=token(people, role),
        )
        found.append((role, adopter, outcome(body, "adoptCallToAction")))
    assert found == MATRIX
    assert await count(db, "panels_adoptions") == 3
    assert await count(db, "goals") == 3
    data = await client.data(OFFER, {"id": proposal}, token=people.staff.token)
    assert data["node"] == {"viewerCanAdopt": False, "viewerAdoptableCenters": []}


async def test_only_a_delivered_proposal_with_a_call_to_action_is_adopted(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    center = to_global_id("Center", await center_of(db, people.qi_lead))
    not_yet = await prepped(client, people, session, title="Still in prep")
    await set_call_to_action(client, people, not_yet, CALL)
    body = await adopt(client, people.qi_lead, proposalId=not_yet, centerId=center)
    # The QI lead is not one of its people: an undelivered proposal does not exist for them.
    assert outcome(body, "adoptCallToAction") == "NOT_FOUND"
    body = await adopt(client, people.staff, proposalId=not_yet, centerId=center)
    assert outcome(body, "adoptCallToAction") == "userErrors:proposalId:CONFLICT"
    silent = await delivered(db, client, people, session, title="No ask", call=None)
    body = await adopt(client, people.qi_lead, proposalId=silent, centerId=center)
    assert outcome(body, "adoptCallToAction") == "userErrors:proposalId:CONFLICT"
    offer = await client.data(OFFER, {"id": silent}, token=people.qi_lead.token)
    assert offer["node"] == {"viewerCanAdopt": False, "viewerAdoptableCenters": []}
    both = await adopt(client, people.staff, proposalId=silent, centerId=center, partner=True)
    # Every refusal at once, each on its field.
    refused = both["data"]["adoptCallToAction"]["userErrors"]
    assert [(e["field"], e["code"]) for e in refused] == [
        ("proposalId", "CONFLICT"),
        ("centerId", "INVALID"),
    ]
    assert await count(db, "goals") == 0
    assert await count(db, "panels_adoptions") == 0


async def test_every_member_reads_a_delivered_proposal_but_never_its_reviews(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    await ok(
        client,
        GRANT,
        "grantReviewerRole",
        people.staff,
        learningSessionId=session,
        personId=people.committee.id,
    )
    proposal = await prepped(client, people, session, title="A reviewed panel")
    async with db.transaction() as db_session:  # a review given before the decision
        await db_session.execute(
            text(
                "INSERT INTO panels_reviews (proposal_id, reviewer_id, score, comment, "
                "created_at, updated_at) VALUES (:p, :r, 2, 'SECRET', :now, :now)"
            ),
            {
                "p": int(pk_of(proposal)[1]),
                "r": people.committee.person.id,
                "now": datetime.now(UTC),
            },
        )
        review_pk = await db_session.scalar(text("SELECT max(id) FROM panels_reviews"))
    review = to_global_id("ProposalReview", int(review_pk or 0))
    before = await client.execute(PUBLIC, {"id": proposal}, token=people.outsider.token)
    assert before["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    await ok(
        client, ADVANCE, "advanceStage", people.staff, proposalId=proposal, rehearsalOn="2014-04-01"
    )
    await ok(client, ADVANCE, "advanceStage", people.staff, proposalId=proposal)
    await set_call_to_action(client, people, proposal, CALL)

    outsider = (await client.data(PUBLIC, {"id": proposal}, token=people.outsider.token))["node"]
    assert outsider["title"] == "A reviewed panel"
    assert outsider["callToAction"] == CALL
    assert outsider["presenters"] == [
        {"consent": "CONFIRMED", "person": {"displayName": "Jamie Rivera"}},
        {"consent": "CONFIRMED", "person": {"displayName": "Dr. Sami Reyes"}},
    ]
    # Only the public parts: the decision, the pipeline's evidence and the reviews stay inside.
    assert outsider["intendedAudience"] == ""
    assert outsider["decisionReason"] is None
    assert outsider["decidedAt"] is None
    assert outsider["stages"] == []
    assert outsider["reviews"] is None
    assert outsider["viewerCanSeeReviews"] is False
    assert outsider["viewerCanReview"] is False
    # Every path to a review: the proposal, the session's proposals, node(s) on the review.
    for who in (people.outsider, people.qi_lead, people.parent, people.clinician):
        seen = (await client.data(PUBLIC, {"id": proposal}, token=who.token))["node"]
        assert seen["reviews"] is None
        assert seen["viewerCanSeeReviews"] is False
        listed = await client.data(SESSION_PROPOSALS, {"id": session}, token=who.token)
        assert [p["reviews"] for p in listed["node"]["proposals"]] == [None]
        nodes = await client.execute(REVIEW_NODES, {"ids": [review]}, token=who.token)
        assert nodes["data"]["nodes"] == [None]
        assert [e["extensions"]["code"] for e in nodes["errors"]] == ["NOT_FOUND"]
    # The committee still reads it, as before.
    committee = await client.data(PUBLIC, {"id": proposal}, token=people.committee.token)
    assert committee["node"]["reviews"] == [{"score": 2, "comment": "SECRET"}]
    anonymous = await client.execute(
        PUBLIC,
        {"id": proposal},
    )
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def state(status: GoalStatus, *, due: int = 60, checked: int | None = 1) -> GoalState:
    now = datetime(2026, 12, 6, 12, tzinfo=UTC)
    return GoalState(
        status=status,
        due_on=now.date() + timedelta(days=due),
        created_at=now - timedelta(days=40),
        latest_check_in_at=None if checked is None else now - timedelta(days=checked),
    )


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        (state(GoalStatus.ON_TRACK), AdoptionStatus.ON_TRACK),
        (state(GoalStatus.AT_RISK), AdoptionStatus.AT_RISK),
        (state(GoalStatus.OFF_TRACK), AdoptionStatus.AT_RISK),
        (state(GoalStatus.DONE, due=-5), AdoptionStatus.DONE),
        (state(GoalStatus.DROPPED), AdoptionStatus.AT_RISK),
        (state(GoalStatus.ON_TRACK, due=-1), AdoptionStatus.AT_RISK),  # past due, still open
        (state(GoalStatus.ON_TRACK, checked=31), AdoptionStatus.AT_RISK),  # gone quiet
        (state(GoalStatus.ON_TRACK, checked=None), AdoptionStatus.AT_RISK),  # none in 40 days
        (state(GoalStatus.ON_TRACK, checked=29), AdoptionStatus.ON_TRACK),
    ],
)
def test_how_an_adopted_goal_is_doing(goal: GoalState, expected: AdoptionStatus) -> None:
    assert summarise(goal, datetime(2026, 12, 6, 12, tzinfo=UTC)) is expected


async def test_the_adoptions_follow_their_goals_check_ins(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    proposal = await delivered(db, client, people, session)
    center = to_global_id("Center", await center_of(db, people.qi_lead))
    payload = await ok(
        client, ADOPT, "adoptCallToAction", people.qi_lead, proposalId=proposal, centerId=center
    )
    goal = payload["goal"]["id"]

    async def statuses() -> list[str]:
        data = await client.data(PUBLIC, {"id": proposal}, token=people.outsider.token)
        return [row["status"] for row in data["node"]["adoptions"]]

    assert await statuses() == ["ON_TRACK"]
    check = {"id": goal, "note": "Two families said no.", "status": "AT_RISK", "confidence": 4}
    await ok(client, CHECK_IN, "checkInGoal", people.qi_lead, **check)
    assert await statuses() == ["AT_RISK"]
    check = {"id": goal, "note": "A mother joined.", "status": "ON_TRACK", "confidence": 8}
    await ok(client, CHECK_IN, "checkInGoal", people.qi_lead, **check)
    assert await statuses() == ["ON_TRACK"]
    close = {"id": goal, "outcome": "DONE", "reflection": "Ask in clinic, in person."}
    await ok(client, CLOSE, "closeGoal", people.qi_lead, **close)
    assert await statuses() == ["DONE"]


async def test_the_panel_page_costs_the_same_for_3_or_30_adoptions(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    proposal = await delivered(db, client, people, session)
    pk = int(pk_of(proposal)[1])
    staff = Viewer(person_id=people.staff.person.id, network_role=NetworkRole.STAFF)

    async def add(n: int) -> None:
        if n % 3 == 2:
            partner = await member(db, f"Parent {n}", PersonKind.PARENT_PARTNER)
            viewer = Viewer(person_id=partner.person.id)
            await adopt_call_to_action(db, viewer, AdoptionRequest(pk, partner=True))
            return
        center = await make_center(db, name=f"Center {n:02d}")
        await adopt_call_to_action(db, staff, AdoptionRequest(pk, center_id=center.id))

    async def page() -> tuple[int, list[dict[str, Any]]]:
        await client.settle()  # the adoptions' events, dispatched before counting
        statements.reset()
        data = await client.data(PAGE, {"id": proposal}, token=people.qi_lead.token)
        return statements.count, data["node"]["adoptions"]

    for n in range(3):
        await add(n)
    three, rows = await page()
    assert len(rows) == 3
    assert rows[0]["goal"]["adoptedFrom"] == {"title": "A parent panel"}
    assert {row["status"] for row in rows} == {"ON_TRACK"}
    for n in range(3, 30):
        await add(n)
    thirty, rows = await page()
    assert len(rows) == 30
    assert sum(row["partner"] is not None for row in rows) == 10
    assert thirty == three, statements.statements
    # The viewer; the proposal, and who may see it; its adoptions with their goals' state; the
    # offer (delivered? taken? the centers the viewer leads, their kind); the goals (core's
    # loader); the adoptions by goal (adoptedFrom) and those proposals; the adopting centers;
    # the people named: 12.
    assert three <= 12, statements.statements


async def test_adoption_refuses_bad_overrides_naming_the_field(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    proposal = await delivered(db, client, people, session)
    center = to_global_id("Center", await center_of(db, people.qi_lead))
    today: date = utcnow().date()
    for field, value, expected in [
        ("title", "x" * 201, "userErrors:title:TOO_LONG"),
        ("description", "y" * 2001, "userErrors:description:TOO_LONG"),
        ("dueOn", today.isoformat(), "userErrors:dueOn:INVALID"),
        ("dueOn", (today + timedelta(days=400)).isoformat(), "userErrors:dueOn:INVALID"),
    ]:
        body = await adopt(
            client, people.qi_lead, proposalId=proposal, centerId=center, **{field: value}
        )
        assert outcome(body, "adoptCallToAction") == expected, (field, body)
    assert await count(db, "goals") == 0


UPDATE_MATRIX = [
    ("anonymous", "UNAUTHENTICATED"),
    ("outsider", "NOT_FOUND"),  # not delivered yet: not theirs to see
    ("clinician", "FORBIDDEN"),  # a presenter
    ("parent", "FORBIDDEN"),  # the proposer
    ("committee", "FORBIDDEN"),
    ("staff", "ok"),
]


async def test_staff_edit_the_call_to_action(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff)
    await ok(
        client,
        GRANT,
        "grantReviewerRole",
        people.staff,
        learningSessionId=session,
        personId=people.committee.id,
    )
    proposal = await prepped(client, people, session)
    found = []
    for role, _ in UPDATE_MATRIX:
        body = await client.execute(
            UPDATE,
            {"input": {"proposalId": proposal, "callToAction": f"{CALL} ({role})"}},
            token=token(people, role),
        )
        found.append((role, outcome(body, "updateCallToAction")))
    assert found == UPDATE_MATRIX
    data = await client.data(PUBLIC, {"id": proposal}, token=people.parent.token)
    assert data["node"]["callToAction"] == f"{CALL} (staff)"
    body = await client.execute(
        UPDATE,
        {"input": {"proposalId": proposal, "callToAction": "x" * 5001}},
        token=people.staff.token,
    )
    assert outcome(body, "updateCallToAction") == "userErrors:callToAction:TOO_LONG"
    submitted = await propose(client, people.parent, session, title="Not decided")
    body = await client.execute(
        UPDATE, {"input": {"proposalId": submitted, "callToAction": CALL}}, token=people.staff.token
    )
    assert outcome(body, "updateCallToAction") == "userErrors:proposalId:CONFLICT"
    cleared = await ok(
        client, UPDATE, "updateCallToAction", people.staff, proposalId=proposal, callToAction=""
    )
    assert cleared["proposal"]["callToAction"] is None
    async with db.session() as db_session:
        recorded = await db_session.scalar(
            text("SELECT count(*) FROM events WHERE type = 'proposal.call_to_action_updated'")
        )
    assert recorded == 2


async def test_the_panel_s_people_hear_that_a_center_took_it_up(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    for who in (people.parent, people.clinician, people.outsider):
        await client.data(PREFERENCES, token=who.token)
    session = await session_with_open_call(client, people.staff)
    proposal = await delivered(db, client, people, session, title="Parents as partners")
    center = to_global_id("Center", await center_of(db, people.qi_lead))
    payload = await ok(
        client, ADOPT, "adoptCallToAction", people.qi_lead, proposalId=proposal, centerId=center
    )
    due = payload["goal"]["dueOn"]
    await client.settle()
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert await deliver_mail(db, settings, plugin_host, now=later) >= 2

    mail = mail_by_recipient(smtp)  # a panel's presenter also hears of its co-design thread
    adopted = (
        "Jennie Quinn adopted the call to action of 'Parents as partners' as a 90-day goal for "
        "Cincinnati Children's"
    )
    for who in (people.parent, people.clinician):  # the proposer and the presenter
        body = mail[who.person.email]
        assert adopted in body, body
        assert f"Goal: Parents as partners (due {due})" in body
    assert people.outsider.person.email not in mail
