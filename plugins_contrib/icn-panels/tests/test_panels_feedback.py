"""Feedback on a Learning Session through the HTTP API: who answers (and when), revising, bad
input naming its field with nothing written, results per role with groups under 5 hidden and
complementary suppression, comments for staff only, and statements that do not grow with the
number of answers."""

from __future__ import annotations

import asyncio
from typing import Any

from panels_helpers import CREATE_SESSION, USER_ERRORS, Member, icn_plugins, member
from sqlalchemy import text

from icn_graph.plugin_api import Database, NetworkRole, PersonKind, to_global_id, utcnow
from icn_graph.testing import GraphQLClient, StatementCounter, single_error, snapshot

__all__ = ["icn_plugins"]

ANSWER = f"""mutation($input: AnswerFeedbackInput!) {{
  answerFeedback(input: $input) {{
    feedback {{ role belonging needsMet sharedGoals influence comment
                ratings {{ agendaItem {{ title }} score }} }}
    learningSession {{ id viewerFeedback {{ belonging }} }}
    {USER_ERRORS} }} }}"""

GROUP = "role suppressed reason count mean distribution"
RESULTS = f"""query($id: ID!) {{ node(id: $id) {{ ... on LearningSession {{
  viewerCanAnswerFeedback
  viewerFeedback {{ belonging needsMet sharedGoals influence comment ratings {{ score }} }}
  feedback {{
    minAnswers
    community {{ item statement overall {{ {GROUP} }} byRole {{ {GROUP} }} }}
    agendaItems {{ agendaItem {{ title }} overall {{ {GROUP} }} byRole {{ {GROUP} }} }}
    comments
  }} }} }} }}"""

ADD_ITEM = f"""mutation($input: AddAgendaItemInput!) {{
  addAgendaItem(input: $input) {{ agendaItem {{ id }} {USER_ERRORS} }} }}"""

SCORES = {"belonging": 4, "needsMet": 3, "sharedGoals": 5, "influence": 2}


async def make_session(
    client: GraphQLClient, staff: Member, year: int, season: str = "SPRING"
) -> str:
    data = await client.data(
        CREATE_SESSION,
        {
            "input": {
                "season": season,
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
    return session


async def add_item(
    client: GraphQLClient,
    staff: Member,
    session: str,
    title: str,
    kind: str = "PANEL",
    hour: int = 9,
) -> str:
    year = 2014
    data = await client.data(
        ADD_ITEM,
        {
            "input": {
                "learningSessionId": session,
                "title": title,
                "kind": kind,
                "startsAt": f"{year}-04-10T{hour:02d}:00",
                "endsAt": f"{year}-04-10T{hour:02d}:45",
            }
        },
        token=staff.token,
    )
    payload = data["addAgendaItem"]
    assert payload["userErrors"] == [], payload
    item: str = payload["agendaItem"]["id"]
    return item


async def answer(client: GraphQLClient, who: Member, session: str, **fields: Any) -> dict[str, Any]:
    variables = {"input": {"learningSessionId": session, **SCORES, **fields}}
    data = await client.data(ANSWER, variables, token=who.token)
    payload: dict[str, Any] = data["answerFeedback"]
    return payload


async def results(client: GraphQLClient, who: Member, session: str) -> dict[str, Any]:
    data = await client.data(RESULTS, {"id": session}, token=who.token)
    found: dict[str, Any] = data["node"]
    return found


def by_role(group: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {cell["role"]: cell for cell in group}


async def crowd(db: Database, kind: PersonKind, n: int, **fields: Any) -> list[Member]:
    return [await member(db, f"{kind.value.title()} {i}", kind, **fields) for i in range(n)]


async def test_who_may_answer_and_when(db: Database, client: GraphQLClient) -> None:
    staff = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    clinician = await member(db, "Dr. Sami Reyes", PersonKind.CLINICIAN)
    parent = await member(db, "Jamie Rivera", PersonKind.PARENT_PARTNER)
    data_manager = await member(
        db, "Dana Data", PersonKind.DATA_MANAGER, network_role=NetworkRole.DATA_MANAGER
    )
    past = await make_session(client, staff, 2014)
    future = await make_session(client, staff, utcnow().year + 1)

    # Anonymous: UNAUTHENTICATED, nothing written (nor can they reach a session's results).
    before = await snapshot(db)
    body = await client.execute(ANSWER, {"input": {"learningSessionId": past, **SCORES}})
    assert single_error(body)["extensions"]["code"] == "UNAUTHENTICATED"
    body = await client.execute(RESULTS, {"id": past})
    assert single_error(body)["extensions"]["code"] == "UNAUTHENTICATED"
    assert await snapshot(db) == before

    expected_roles = {
        staff.person.id: "NETWORK_STAFF",
        clinician.person.id: "CARE_TEAM",
        parent.person.id: "PARENT_PARTNER",
        data_manager.person.id: "CARE_TEAM",
    }
    for who in (staff, clinician, parent, data_manager):
        page = await results(client, who, past)
        assert page["viewerCanAnswerFeedback"] is True
        assert page["viewerFeedback"] is None
        payload = await answer(client, who, past, comment=f"From {who.person.display_name}")
        assert payload["userErrors"] == []
        assert payload["feedback"]["role"] == expected_roles[who.person.id]
        assert payload["learningSession"] == {"id": past, "viewerFeedback": {"belonging": 4}}

        # Before the session's first day: refused on learningSessionId, nothing written.
        assert (await results(client, who, future))["viewerCanAnswerFeedback"] is False
        before = await snapshot(db)
        refused = await answer(client, who, future)
        assert refused["feedback"] is None
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
            ("learningSessionId", "CONFLICT")
        ]
        assert await snapshot(db) == before

    # An unknown session is refused on its field.
    missing = to_global_id("LearningSession", 999999)
    refused = await answer(client, clinician, missing)
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("learningSessionId", "NOT_FOUND")
    ]


async def test_answering_again_revises_one_answer_and_tells_nobody(
    db: Database, client: GraphQLClient
) -> None:
    staff = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    parent = await member(db, "Jamie Rivera", PersonKind.PARENT_PARTNER)
    session = await make_session(client, staff, 2014)
    panel = await add_item(client, staff, session, "A parent panel", hour=9)
    plenary = await add_item(client, staff, session, "Opening plenary", kind="PLENARY", hour=8)

    first = await answer(
        client,
        parent,
        session,
        ratings=[{"agendaItemId": panel, "score": 5}, {"agendaItemId": plenary, "score": 3}],
        comment="More time for questions, please.",
    )
    assert first["userErrors"] == []
    assert first["feedback"]["ratings"] == [
        {"agendaItem": {"title": "Opening plenary"}, "score": 3},
        {"agendaItem": {"title": "A parent panel"}, "score": 5},
    ]
    second = await answer(
        client, parent, session, belonging=5, ratings=[{"agendaItemId": panel, "score": 4}]
    )
    assert second["userErrors"] == []
    mine = (await results(client, parent, session))["viewerFeedback"]
    assert mine == {
        "belonging": 5,
        "needsMet": 3,
        "sharedGoals": 5,
        "influence": 2,
        "comment": "",
        "ratings": [{"score": 4}],
    }
    async with db.session() as s:
        answers = (await s.execute(text("SELECT count(*) FROM panels_feedback"))).scalar()
        ratings = (await s.execute(text("SELECT count(*) FROM panels_feedback_ratings"))).scalar()
        events = (
            await s.execute(
                text(
                    "SELECT type, actor_id, payload FROM events "
                    "WHERE type = 'feedback.answered' ORDER BY id"
                )
            )
        ).all()
        notified = (
            await s.execute(
                text(
                    "SELECT count(*) FROM notifications n JOIN events e ON e.id = n.event_id "
                    "WHERE e.type = 'feedback.answered'"
                )
            )
        ).scalar()
    assert (answers, ratings) == (1, 1)
    assert [(kind, actor) for kind, actor, _ in events] == [("feedback.answered", parent.id)] * 2
    # The event says that someone answered, never what: no scores, no comment.
    assert "questions" not in str(events[0][2])
    assert "belonging" not in str(events[0][2])
    assert notified == 0


async def test_two_answers_at_once_are_one_answer(db: Database, client: GraphQLClient) -> None:
    staff = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    parent = await member(db, "Jamie Rivera", PersonKind.PARENT_PARTNER)
    session = await make_session(client, staff, 2014)
    first, second = await asyncio.gather(
        answer(client, parent, session, belonging=2), answer(client, parent, session, belonging=5)
    )
    assert first["userErrors"] == second["userErrors"] == []
    async with db.session() as reading:
        rows = await reading.scalar(text("SELECT count(*) FROM panels_feedback"))
    assert rows == 1


async def test_a_flood_of_ratings_is_refused_whole(db: Database, client: GraphQLClient) -> None:
    staff = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    session = await make_session(client, staff, 2014)
    item = await add_item(client, staff, session, "A parent panel")
    flood = [{"agendaItemId": item, "score": 5}] * 101
    before = await snapshot(db)
    refused = await answer(client, staff, session, ratings=flood)
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("ratings", "TOO_LONG")]
    assert await snapshot(db) == before


async def test_bad_input_names_its_field_and_writes_nothing(
    db: Database, client: GraphQLClient
) -> None:
    staff = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    clinician = await member(db, "Dr. Sami Reyes", PersonKind.CLINICIAN)
    session = await make_session(client, staff, 2014)
    other = await make_session(client, staff, 2014, season="FALL")
    panel = await add_item(client, staff, session, "A parent panel")
    lunch = await add_item(client, staff, session, "Lunch", kind="BREAK", hour=12)
    elsewhere = await add_item(client, staff, other, "Fall plenary")
    await answer(client, clinician, session, ratings=[{"agendaItemId": panel, "score": 4}])
    before = await snapshot(db)

    refused = await answer(
        client,
        clinician,
        session,
        belonging=0,
        needsMet=6,
        sharedGoals=-1,
        influence=5,
        ratings=[
            {"agendaItemId": panel, "score": 9},
            {"agendaItemId": to_global_id("AgendaItem", 999999), "score": 3},
            {"agendaItemId": elsewhere, "score": 3},
            {"agendaItemId": lunch, "score": 3},
            {"agendaItemId": panel, "score": 2},
        ],
        comment="x" * 2001,
    )
    assert refused["feedback"] is None
    assert sorted((e["field"], e["code"]) for e in refused["userErrors"]) == sorted(
        [
            ("belonging", "INVALID"),
            ("needsMet", "INVALID"),
            ("sharedGoals", "INVALID"),
            ("ratings[0].score", "INVALID"),
            ("ratings[1].agendaItemId", "NOT_FOUND"),
            ("ratings[2].agendaItemId", "INVALID"),
            ("ratings[3].agendaItemId", "INVALID"),
            ("ratings[4].agendaItemId", "INVALID"),
            ("comment", "TOO_LONG"),
        ]
    )
    messages = {e["field"]: e["message"] for e in refused["userErrors"]}
    assert "another Learning Session" in messages["ratings[2].agendaItemId"]
    assert "break" in messages["ratings[3].agendaItemId"]
    assert "more than once" in messages["ratings[4].agendaItemId"]
    # Not an agenda item's ID at all: a BAD_USER_INPUT error naming the field.
    body = await client.execute(
        ANSWER,
        {
            "input": {
                "learningSessionId": session,
                **SCORES,
                "ratings": [{"agendaItemId": clinician.id, "score": 3}],
            }
        },
        token=clinician.token,
    )
    error = single_error(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "ratings[0].agendaItemId" in error["message"]
    assert await snapshot(db) == before


async def test_a_group_of_4_is_hidden_and_of_5_shown(db: Database, client: GraphQLClient) -> None:
    staff = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    session = await make_session(client, staff, 2014)
    panel = await add_item(client, staff, session, "A parent panel")
    clinicians = await crowd(db, PersonKind.CLINICIAN, 5)
    for n, who in enumerate(clinicians[:4]):
        await answer(
            client, who, session, belonging=n + 1, ratings=[{"agendaItemId": panel, "score": 4}]
        )

    four = (await results(client, staff, session))["feedback"]
    assert four["minAnswers"] == 5
    [belonging, *_] = four["community"]
    assert belonging["item"] == "BELONGING"
    assert belonging["statement"] == "I feel I belong in this network."
    for cell in [belonging["overall"], by_role(belonging["byRole"])["CARE_TEAM"]]:
        assert cell["suppressed"] is True
        assert cell["reason"].startswith("Fewer than 5 answers")
        assert (cell["count"], cell["mean"], cell["distribution"]) == (None, None, None)
    # Groups without answers are shown as such: they tell nothing about anyone.
    assert by_role(belonging["byRole"])["PARENT_PARTNER"] == {
        "role": "PARENT_PARTNER",
        "suppressed": False,
        "reason": None,
        "count": 0,
        "mean": None,
        "distribution": [0, 0, 0, 0, 0],
    }
    [rated] = four["agendaItems"]
    assert rated["agendaItem"] == {"title": "A parent panel"}
    assert rated["overall"]["suppressed"] is True

    await answer(
        client, clinicians[4], session, belonging=5, ratings=[{"agendaItemId": panel, "score": 2}]
    )
    five = (await results(client, clinicians[0], session))["feedback"]
    belonging = five["community"][0]
    expected = {"count": 5, "mean": 3.0, "distribution": [1, 1, 1, 1, 1], "suppressed": False}
    assert {k: belonging["overall"][k] for k in expected} == expected
    care = by_role(belonging["byRole"])["CARE_TEAM"]
    assert {k: care[k] for k in expected} == expected
    [rated] = five["agendaItems"]
    assert rated["overall"]["count"] == 5
    assert rated["overall"]["mean"] == 3.6
    assert rated["overall"]["distribution"] == [0, 1, 0, 4, 0]


def derivable(table: dict[str, Any]) -> None:
    """What the union of every role's view allows: with the overall shown, overall minus the
    shown groups is the hidden groups together; it must be none, or at least 5 answers over at
    least two groups."""
    overall = table["overall"]
    if overall["suppressed"]:
        return
    shown = [cell for cell in table["byRole"] if not cell["suppressed"]]
    hidden = [cell for cell in table["byRole"] if cell["suppressed"]]
    residual = overall["count"] - sum(cell["count"] for cell in shown)
    assert residual == 0 or (residual >= 5 and len(hidden) >= 2), table
    for cell in shown:
        assert cell["count"] == 0 or cell["count"] >= 5, table


async def test_a_hidden_group_cannot_be_worked_out_from_the_others(
    db: Database, client: GraphQLClient
) -> None:
    staff_member = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    session = await make_session(client, staff_member, 2014)
    panel = await add_item(client, staff_member, session, "A parent panel")
    staff = await crowd(db, PersonKind.STAFF, 5, network_role=NetworkRole.STAFF)
    clinicians = await crowd(db, PersonKind.CLINICIAN, 7)
    parents = await crowd(db, PersonKind.PARENT_PARTNER, 2)
    rating = [{"agendaItemId": panel, "score": 3}]
    raters = staff[:3] + clinicians[:6]
    for who in staff + clinicians:
        ratings = rating if who in raters else []
        await answer(
            client, who, session, ratings=ratings, comment=f"I am {who.person.display_name}"
        )
    for who in parents:
        await answer(
            client,
            who,
            session,
            influence=5,
            ratings=[{"agendaItemId": panel, "score": 5}],
            comment="We had a say this time.",
        )

    for viewer in (staff_member, parents[0], clinicians[0]):
        feedback = (await results(client, viewer, session))["feedback"]
        for table in feedback["community"]:
            derivable(table)
            cells = by_role(table["byRole"])
            # Parents (2) hidden; staff (5, the smallest group left) hidden with them, so the
            # overall (14) less care teams (7) is 7 answers over two groups.
            assert cells["PARENT_PARTNER"]["reason"].startswith("Fewer than 5")
            assert cells["NETWORK_STAFF"]["suppressed"] is True
            assert cells["NETWORK_STAFF"]["reason"].startswith("Hidden as well")
            assert cells["CARE_TEAM"]["count"] == 7
            assert table["overall"]["count"] == 14
        # The panel's ratings: staff 3 and parents 2 (both hidden, 5 together), care teams 6.
        [rated] = feedback["agendaItems"]
        derivable(rated)
        cells = by_role(rated["byRole"])
        assert cells["NETWORK_STAFF"]["suppressed"]
        assert cells["PARENT_PARTNER"]["suppressed"]
        assert (cells["CARE_TEAM"]["count"], rated["overall"]["count"]) == (6, 11)
        if viewer is staff_member:
            comments = feedback["comments"]
            assert len(comments) == 14
            assert comments == sorted(comments)
        else:
            assert feedback["comments"] is None

    # Without the overall, exactly one hidden group with the others shown: e.g. only
    # clinicians (7) and two parents: parents hidden, and clinicians hidden as well.
    other = await make_session(client, staff_member, 2015)
    for who in clinicians + parents:
        await answer(client, who, other)
    table = (await results(client, clinicians[0], other))["feedback"]["community"][0]
    derivable(table)
    cells = by_role(table["byRole"])
    assert cells["CARE_TEAM"]["suppressed"]
    assert cells["PARENT_PARTNER"]["suppressed"]
    assert table["overall"]["count"] == 9


async def test_results_cost_the_same_statements_for_5_or_50_answers(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    big = 50
    staff = await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    session = await make_session(client, staff, 2014)
    items = [await add_item(client, staff, session, f"Item {n}", hour=8 + n) for n in range(3)]
    kinds = [PersonKind.CLINICIAN, PersonKind.PARENT_PARTNER, PersonKind.PATIENT_PARTNER]
    people = [await member(db, f"Answerer {n}", kinds[n % 3]) for n in range(big)]

    async def page() -> int:
        statements.reset()
        found = await results(client, staff, session)
        assert found["feedback"]["community"]
        assert len(found["feedback"]["agendaItems"]) == 3
        return statements.count

    async def add(who: Member, n: int) -> None:
        ratings = [{"agendaItemId": item, "score": 1 + (n + i) % 5} for i, item in enumerate(items)]
        payload = await answer(client, who, session, ratings=ratings, comment=f"Comment {n}")
        assert payload["userErrors"] == []

    for n, who in enumerate(people[:5]):
        await add(who, n)
    five = await page()
    for n, who in enumerate(people[5:], start=5):
        await add(who, n)
    many = await page()
    assert many == five, statements.statements
    found = await results(client, staff, session)
    assert found["feedback"]["community"][0]["overall"]["count"] == big
    assert len(found["feedback"]["comments"]) == big
    # The viewer, the session, results (poll, ratings, agenda, comments), the viewer's answer.
    assert five <= 7, statements.statements
