"""Scheduling through the HTTP API: a prepped proposal becomes an agenda item through core's
agenda service, its confirmed presenters on it, ``AgendaItem.proposal`` pointing back; core's
conflicts (room, presenter double-booked) refused with their field and nothing written; who may
schedule; the agenda with its proposals costs the same statements for 3 items as for 12."""

from __future__ import annotations

from typing import Any

from panels_helpers import (
    ADVANCE,
    CONFIRM,
    DECIDE,
    GRANT,
    USER_ERRORS,
    Cast,
    Member,
    accepted,
    cast,
    icn_plugins,
    ok,
    propose,
    session_with_open_call,
)
from sqlalchemy import text
from test_panels_pipeline import outcome, token

from icn_graph.plugin_api import Database
from icn_graph.testing import GraphQLClient, StatementCounter

__all__ = ["icn_plugins"]

SCHEDULE = f"""mutation($input: ScheduleProposalInput!) {{
  scheduleProposal(input: $input) {{
    proposal {{ id viewerCanSchedule agendaItem {{ id }} }}
    agendaItem {{ id title kind room localStartsAt
                 people {{ part person {{ displayName kind }} }}
                 proposal {{ id title }} }}
    {USER_ERRORS} }} }}"""

AGENDA = """query($id: ID!) { node(id: $id) { ... on LearningSession {
  agenda { id title people { part person { displayName } } proposal { id title } } } } }"""

REMOVE = f"""mutation($input: RemoveAgendaItemInput!) {{
  removeAgendaItem(input: $input) {{ removedAgendaItemId {USER_ERRORS} }} }}"""

CAN = """query($id: ID!) { node(id: $id) { ... on Proposal { viewerCanSchedule } } }"""

EVENTS = "SELECT type FROM events WHERE type LIKE 'proposal.scheduled' OR type LIKE 'agenda_item.%'"


async def prepped(
    client: GraphQLClient, people: Cast, session: str, *, title: str = "A parent panel"
) -> str:
    """The parent's panel, presented by the parent and the clinician (confirmed), accepted with
    coaching, its stages done up to PREPPED."""
    presenters = [people.parent, people.clinician]
    proposal = await propose(client, people.parent, session, presenters=presenters, title=title)
    decision = {"id": proposal, "decision": "ACCEPT_WITH_COACHING"}
    await ok(client, DECIDE, "decideProposal", people.staff, **decision)
    await ok(client, CONFIRM, "confirmPresenter", people.clinician, proposalId=proposal)
    for _ in range(3):  # OUTLINE, COACHED, PREPPED
        await ok(
            client, ADVANCE, "advanceStage", people.staff, proposalId=proposal, evidence="draft"
        )
    return proposal


def slot(proposal: str, start: str, end: str, room: str = "Grand Ballroom") -> dict[str, Any]:
    return {"id": proposal, "startsAt": start, "endsAt": end, "room": room}


async def agenda(client: GraphQLClient, session: str, who: Member) -> list[dict[str, Any]]:
    data = await client.data(AGENDA, {"id": session}, token=who.token)
    items: list[dict[str, Any]] = data["node"]["agenda"]
    return items


async def test_a_prepped_proposal_goes_on_the_agenda_with_its_presenters(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2027)
    proposal = await prepped(client, people, session)
    data = await client.data(CAN, {"id": proposal}, token=people.staff.token)
    assert data["node"]["viewerCanSchedule"] is True
    payload = await ok(
        client,
        SCHEDULE,
        "scheduleProposal",
        people.staff,
        **slot(proposal, "2027-04-10T10:00:00", "2027-04-10T11:00:00"),
    )
    item = payload["agendaItem"]
    assert item["title"] == "A parent panel"
    assert item["kind"] == "PANEL"
    assert item["room"] == "Grand Ballroom"
    assert item["localStartsAt"] == "2027-04-10T10:00:00-05:00"
    assert item["people"] == [
        {"part": "PANELIST", "person": {"displayName": "Jamie Rivera", "kind": "PARENT_PARTNER"}},
        {"part": "PANELIST", "person": {"displayName": "Dr. Sami Reyes", "kind": "CLINICIAN"}},
    ]
    assert item["proposal"] == {"id": proposal, "title": "A parent panel"}
    assert payload["proposal"]["agendaItem"] == {"id": item["id"]}
    assert payload["proposal"]["viewerCanSchedule"] is False
    # Core's events and the plugin's, in the one transaction.
    async with db.session() as session_:
        types = sorted((await session_.execute(text(EVENTS))).scalars())
    assert types == [
        "agenda_item.added",
        "agenda_item.assigned",
        "agenda_item.assigned",
        "proposal.scheduled",
    ]
    # Every member reads the agenda; the proposal shows to those who may see it.
    [seen] = await agenda(client, session, people.parent)
    assert seen["proposal"] == {"id": proposal, "title": "A parent panel"}
    [seen] = await agenda(client, session, people.outsider)
    assert seen["title"] == "A parent panel"
    assert seen["proposal"] is None

    # Scheduling twice is refused: staff move the agenda item instead.
    body = await client.execute(
        SCHEDULE,
        {"input": slot(proposal, "2027-04-11T10:00:00", "2027-04-11T11:00:00")},
        token=people.staff.token,
    )
    assert outcome(body, "scheduleProposal") == "userErrors:id:CONFLICT"

    # Its agenda item removed, the link clears and it may be scheduled again.
    await ok(client, REMOVE, "removeAgendaItem", people.staff, id=item["id"])
    data = await client.data(CAN, {"id": proposal}, token=people.staff.token)
    assert data["node"]["viewerCanSchedule"] is True
    again = slot(proposal, "2027-04-11T10:00:00", "2027-04-11T11:00:00")
    payload = await ok(client, SCHEDULE, "scheduleProposal", people.staff, **again)
    assert payload["proposal"]["agendaItem"] == {"id": payload["agendaItem"]["id"]}


async def test_conflicts_and_unprepped_are_refused_naming_the_field(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2027)
    first = await prepped(client, people, session, title="First panel")
    second = await prepped(client, people, session, title="Second panel")
    await ok(
        client,
        SCHEDULE,
        "scheduleProposal",
        people.staff,
        **slot(first, "2027-04-10T10:00:00", "2027-04-10T11:00:00"),
    )
    before = await agenda(client, session, people.staff)

    refusals = [
        # The room is taken at that time.
        ("room:CONFLICT", slot(second, "2027-04-10T10:30:00", "2027-04-10T11:30:00")),
        # Another room, but its presenters are on the first panel then: one error each.
        (
            "startsAt:CONFLICT",
            slot(second, "2027-04-10T10:30:00", "2027-04-10T11:30:00", "Salon A"),
        ),
        # Outside the session's days.
        ("startsAt:CONFLICT", slot(second, "2027-05-01T10:00:00", "2027-05-01T11:00:00")),
        ("endsAt:INVALID", slot(second, "2027-04-11T10:00:00", "2027-04-11T09:00:00")),
        ("room:TOO_LONG", slot(second, "2027-04-11T10:00:00", "2027-04-11T11:00:00", "x" * 101)),
    ]
    for want, step in refusals:
        body = await client.execute(SCHEDULE, {"input": step}, token=people.staff.token)
        payload = body["data"]["scheduleProposal"]
        got = [f"{e['field']}:{e['code']}" for e in payload["userErrors"]]
        assert want in got, (want, body)
        assert payload["agendaItem"] is None
        assert payload["proposal"] is None
    assert await agenda(client, session, people.staff) == before  # nothing written
    double_booked = refusals[1][1]
    body = await client.execute(SCHEDULE, {"input": double_booked}, token=people.staff.token)
    messages = [e["message"] for e in body["data"]["scheduleProposal"]["userErrors"]]
    assert len(messages) == 2, messages
    assert all("'First panel'" in m for m in messages), messages

    # Not prepped: accepted, its outline not done.
    early = await accepted(client, people, session, title="Still an outline")
    body = await client.execute(
        SCHEDULE,
        {"input": slot(early, "2027-04-11T10:00:00", "2027-04-11T11:00:00")},
        token=people.staff.token,
    )
    assert outcome(body, "scheduleProposal") == "userErrors:id:CONFLICT"
    data = await client.data(CAN, {"id": early}, token=people.staff.token)
    assert data["node"]["viewerCanSchedule"] is False
    body = await client.execute(
        SCHEDULE,
        {"input": slot("nonsense", "2027-04-11T10:00:00", "2027-04-11T11:00:00")},
        token=people.staff.token,
    )
    assert body["errors"][0]["extensions"]["field"] == "id", body

    # Once the clash is gone (another time, another room), it goes on.
    payload = await ok(
        client,
        SCHEDULE,
        "scheduleProposal",
        people.staff,
        **slot(second, "2027-04-10T11:00:00", "2027-04-10T12:00:00", "Salon A"),
    )
    assert payload["agendaItem"]["proposal"]["title"] == "Second panel"


async def test_only_staff_schedule(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2027)
    proposal = await prepped(client, people, session)
    grant = {"learningSessionId": session, "personId": people.committee.id}
    await ok(client, GRANT, "grantReviewerRole", people.staff, **grant)
    step = slot(proposal, "2027-04-10T10:00:00", "2027-04-10T11:00:00")
    refused = {
        "committee": "FORBIDDEN",  # sees the session's proposals, may not schedule
        "qi_lead": "NOT_FOUND",
        "parent": "FORBIDDEN",  # the proposer
        "clinician": "FORBIDDEN",  # a presenter
        "outsider": "NOT_FOUND",
        "anonymous": "UNAUTHENTICATED",
    }
    for role, want in refused.items():
        body = await client.execute(SCHEDULE, {"input": step}, token=token(people, role))
        assert outcome(body, "scheduleProposal") == want, (role, body)
        seen = await client.execute(CAN, {"id": proposal}, token=token(people, role))
        node = (seen.get("data") or {}).get("node")
        assert node is None or node["viewerCanSchedule"] is False, (role, seen)
    assert await agenda(client, session, people.staff) == []
    body = await client.execute(SCHEDULE, {"input": step}, token=people.staff.token)
    assert outcome(body, "scheduleProposal") == "ok", body


async def test_the_agenda_with_its_proposals_costs_the_same_for_3_or_12(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2027)

    async def add(n: int) -> None:
        proposal = await prepped(client, people, session, title=f"Panel {n}")
        hour = 8 + n % 10
        day = 10 + n // 10
        await ok(
            client,
            SCHEDULE,
            "scheduleProposal",
            people.staff,
            **slot(proposal, f"2027-04-{day}T{hour:02}:00:00", f"2027-04-{day}T{hour:02}:50:00"),
        )

    async def page() -> int:
        statements.reset()
        items = await agenda(client, session, people.staff)
        assert all(item["proposal"]["title"] == item["title"] for item in items)
        return statements.count

    for n in range(3):
        await add(n)
    three = await page()
    for n in range(3, 12):
        await add(n)
    twelve = await page()
    assert twelve == three, statements.statements
    print("statements for the agenda with its proposals:", three)
