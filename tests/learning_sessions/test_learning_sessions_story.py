"""The issue's "Done when" story, end to end through the API: a staff member creates the Spring
2014 Learning Session, adds a 60-minute parent panel with two parent panelists and a clinician
moderator, is told of the conflict when double-booking a panelist, registers attendees and reads
the attendance mix; a parent registers herself and adds the agenda to her calendar."""

from __future__ import annotations

from icalendar import Calendar

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, NetworkRole, PersonKind
from icn_graph.schema.relay import to_global_id
from tests.helpers import GraphQLClient, make_center, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import (
    ADD_ITEM,
    ASSIGN,
    CREATE_SESSION,
    REGISTER,
)


async def test_staff_plan_the_spring_2014_parent_panel(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db, name="Cincinnati Children's Hospital", short_code="CIN-CH")
    staff = await make_person(
        db, PersonKind.STAFF, network_role=NetworkRole.STAFF, display_name="Jordan Avery"
    )
    priya = await make_person(db, PersonKind.CLINICIAN, center=center, display_name="Priya Raman")
    dana = await make_person(
        db,
        PersonKind.PARENT_PARTNER,
        center=center,
        role=CenterRole.PARENT_PARTNER,
        display_name="Dana Whitfield",
    )
    justin = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Justin Mercer")
    attendees = [
        await make_person(db, kind)
        for kind in (
            PersonKind.CLINICIAN,
            PersonKind.NURSE,
            PersonKind.DIETITIAN,
            PersonKind.QI_LEAD,
            PersonKind.DATA_MANAGER,
            PersonKind.PATIENT_PARTNER,
        )
    ]
    token = await token_for(db, staff)

    # 1. Create the session.
    created = await client.data(
        CREATE_SESSION,
        {
            "input": {
                "season": "SPRING",
                "year": 2014,
                "startsOn": "2014-04-03",
                "endsOn": "2014-04-05",
                "venue": "Hilton Cincinnati Netherland Plaza",
                "timezone": "America/New_York",
                "objectives": ["Show how centers can engage families in QI work."],
                "priorities": ["Family engagement"],
            }
        },
        token=token,
    )
    assert created["createLearningSession"]["userErrors"] == []
    session_id = created["createLearningSession"]["learningSession"]["id"]

    # 2. A 60-minute parent panel, and a workshop at the same time in another room.
    def item(title: str, kind: str, room: str) -> dict[str, object]:
        return {
            "input": {
                "learningSessionId": session_id,
                "title": title,
                "kind": kind,
                "startsAt": "2014-04-04T10:00",
                "endsAt": "2014-04-04T11:00",
                "room": room,
            }
        }

    panel = await client.data(
        ADD_ITEM, item("Parents as partners", "PANEL", "Hall of Mirrors"), token=token
    )
    assert panel["addAgendaItem"]["userErrors"] == []
    panel_item = panel["addAgendaItem"]["agendaItem"]
    assert panel_item["durationMinutes"] == 60
    workshop = await client.data(
        ADD_ITEM, item("Co-design workshop", "WORKSHOP", "Salon A"), token=token
    )
    workshop_id = workshop["addAgendaItem"]["agendaItem"]["id"]

    # 3. Two parent panelists and a clinician moderator.
    for person, part in ((dana, "PANELIST"), (justin, "PANELIST"), (priya, "MODERATOR")):
        assigned = await client.data(
            ASSIGN,
            {
                "input": {
                    "agendaItemId": panel_item["id"],
                    "personId": to_global_id("Person", person.id),
                    "part": part,
                }
            },
            token=token,
        )
        assert assigned["assignToAgendaItem"]["userErrors"] == []
    assert assigned["assignToAgendaItem"]["agendaItem"]["people"] == [
        {"part": "MODERATOR", "person": {"displayName": "Priya Raman"}},
        {"part": "PANELIST", "person": {"displayName": "Dana Whitfield"}},
        {"part": "PANELIST", "person": {"displayName": "Justin Mercer"}},
    ]

    # 4. Double-booking a panelist is a CONFLICT naming the panel.
    clash = await client.data(
        ASSIGN,
        {
            "input": {
                "agendaItemId": workshop_id,
                "personId": to_global_id("Person", dana.id),
                "part": "FACILITATOR",
            }
        },
        token=token,
    )
    assert clash["assignToAgendaItem"] == {
        "agendaItem": None,
        "userErrors": [
            {
                "field": "personId",
                "message": "Dana Whitfield is already on 'Parents as partners' 10:00\u201311:00.",
                "code": "CONFLICT",
            }
        ],
    }

    # 5. Register attendees (staff register others; Dana registers herself).
    for person in (*attendees, priya):
        registered = await client.data(
            REGISTER,
            {
                "input": {
                    "learningSessionId": session_id,
                    "personId": to_global_id("Person", person.id),
                    "part": "SPEAKER" if person is priya else "ATTENDEE",
                }
            },
            token=token,
        )
        assert registered["register"]["userErrors"] == []
    dana_token = await token_for(db, dana)
    mine = await client.data(
        REGISTER, {"input": {"learningSessionId": session_id}}, token=dana_token
    )
    assert mine["register"]["registration"]["person"]["id"] == to_global_id("Person", dana.id)

    # 6. The attendance mix.
    data = await client.data(
        """query($id: ID!) { node(id: $id) { ... on LearningSession {
            title agenda { title people { part } }
            attendanceMix { registered attended byKind { label registered } }
        } } }""",
        {"id": session_id},
        token=token,
    )
    mix = data["node"]["attendanceMix"]
    assert (mix["registered"], mix["attended"]) == (8, 0)
    counts = {row["label"]: row["registered"] for row in mix["byKind"] if row["registered"]}
    assert counts == {
        "Patients": 1,
        "Parents": 1,
        "Physicians": 2,
        "Dietitians": 1,
        "Nurses": 1,
        "QI leads": 1,
        "Data managers": 1,
    }

    # 7. Dana adds the agenda to her calendar: the panel is at 10:00 Eastern, 14:00Z.
    response = await client.http.get(
        f"/learning-sessions/{session_id}/agenda.ics",
        headers={"Authorization": f"Bearer {dana_token}"},
    )
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}
    start = events["Parents as partners"].decoded("DTSTART")
    assert start.isoformat() == "2014-04-04T10:00:00-04:00"
