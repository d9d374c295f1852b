"""Preferences: defaults by kind (configurable), a person's own choices, and
viewer.notificationPreferences / updateNotificationPreferences over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from pydantic import ValidationError

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import NetworkRole, Person, PersonKind
from icn_graph.notifications.models import DeliveryMode, EmailStatus, Notification
from icn_graph.notifications.preferences import effective_preferences
from icn_graph.notifications.schedule import plan_email
from icn_graph.testing import snapshot
from tests.helpers import GraphQLClient, StatementCounter, error_codes, make_person, token_for
from tests.notification_factories import add_notification

PREFERENCES = """
{
  viewer {
    notificationPreferences {
      delivery digestHour digestWeekday quietHoursStart quietHoursEnd timezone isDefault
      overrides { eventType delivery }
    }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) {
    preferences {
      delivery digestHour digestWeekday quietHoursStart quietHoursEnd isDefault
      overrides { eventType delivery }
    }
    userErrors { field message code }
  }
}
"""


def configured(settings: Settings, **values: Any) -> Settings:
    return settings.model_copy(update=values)


async def test_defaults_depend_on_the_persons_kind(db: Database, settings: Settings) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER, timezone="America/Los_Angeles")
    patient = await make_person(db, PersonKind.PATIENT_PARTNER)
    nurse = await make_person(db, PersonKind.NURSE)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    async with db.session() as session:
        found = await effective_preferences(
            session, [parent.id, patient.id, nurse.id, staff.id, 999_999], settings
        )
    assert set(found) == {parent.id, patient.id, nurse.id, staff.id}
    assert {person: prefs.delivery for person, prefs in found.items()} == {
        parent.id: DeliveryMode.DAILY_DIGEST,
        patient.id: DeliveryMode.DAILY_DIGEST,
        nurse.id: DeliveryMode.IMMEDIATE,
        staff.id: DeliveryMode.IMMEDIATE,
    }
    prefs = found[parent.id]
    assert (prefs.digest_hour, prefs.digest_weekday) == (7, 0)
    assert (prefs.quiet_hours_start, prefs.quiet_hours_end) == (time(22), time(7))
    assert prefs.timezone == "America/Los_Angeles"
    assert prefs.overrides == {}
    assert prefs.is_default


async def test_the_defaults_are_configurable(db: Database, settings: Settings) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    clinician = await make_person(db, PersonKind.CLINICIAN)
    custom = configured(
        settings,
        notify_partner_delivery="WEEKLY_DIGEST",
        notify_care_team_delivery="DAILY_DIGEST",
        notify_digest_hour=18,
        notify_digest_weekday=4,
        notify_quiet_hours="",
    )
    async with db.session() as session:
        found = await effective_preferences(session, [parent.id, clinician.id], custom)
    assert found[parent.id].delivery is DeliveryMode.WEEKLY_DIGEST
    assert found[clinician.id].delivery is DeliveryMode.DAILY_DIGEST
    assert (found[parent.id].digest_hour, found[parent.id].digest_weekday) == (18, 4)
    assert found[parent.id].quiet_hours_start is None
    assert found[parent.id].quiet_hours_end is None


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ICN_NOTIFY_PARTNER_DELIVERY", "OFF")
    monkeypatch.setenv("ICN_NOTIFY_QUIET_HOURS", "21:30-06:45")
    loaded = Settings(_env_file=None)  # type: ignore[call-arg]
    assert loaded.notify_partner_delivery == "OFF"
    assert loaded.notify_quiet_hours == "21:30-06:45"
    for name, bad in [
        ("ICN_NOTIFY_QUIET_HOURS", "25:00-07:00"),
        ("ICN_NOTIFY_QUIET_HOURS", "22:00"),
        ("ICN_NOTIFY_PARTNER_DELIVERY", "HOURLY"),
        ("ICN_NOTIFY_DIGEST_HOUR", "24"),
    ]:
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValidationError):
            Settings(_env_file=None)  # type: ignore[call-arg]
        monkeypatch.delenv(name)


async def test_preferences_of_many_people_take_two_queries(
    db: Database, settings: Settings, statements: StatementCounter
) -> None:
    people = [await make_person(db, PersonKind.CLINICIAN) for _ in range(30)]
    statements.reset()
    async with db.session() as session:
        found = await effective_preferences(session, [p.id for p in people], settings)
    assert len(found) == 30
    assert statements.count == 2


async def test_a_partner_sees_their_defaults(db: Database, client: GraphQLClient) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER, timezone="America/Los_Angeles")
    data = await client.data(PREFERENCES, token=await token_for(db, parent))
    assert data["viewer"]["notificationPreferences"] == {
        "delivery": "DAILY_DIGEST",
        "digestHour": 7,
        "digestWeekday": 0,
        "quietHoursStart": "22:00",
        "quietHoursEnd": "07:00",
        "timezone": "America/Los_Angeles",
        "isDefault": True,
        "overrides": [],
    }


async def test_updates_keep_what_was_not_given(
    db: Database, client: GraphQLClient, settings: Settings
) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER, timezone="America/Los_Angeles")
    token = await token_for(db, parent)
    data = await client.data(
        UPDATE,
        {
            "input": {
                "digestHour": 20,
                "overrides": [
                    {"eventType": "goal.checked_in", "delivery": "OFF"},
                    {"eventType": "agenda_item.assigned", "delivery": "IMMEDIATE"},
                ],
            }
        },
        token=token,
    )
    assert data["updateNotificationPreferences"] == {
        "preferences": {
            "delivery": "DAILY_DIGEST",
            "digestHour": 20,
            "digestWeekday": 0,
            "quietHoursStart": "22:00",
            "quietHoursEnd": "07:00",
            "isDefault": False,
            "overrides": [
                {"eventType": "agenda_item.assigned", "delivery": "IMMEDIATE"},
                {"eventType": "goal.checked_in", "delivery": "OFF"},
            ],
        },
        "userErrors": [],
    }
    data = await client.data(
        UPDATE,
        {"input": {"delivery": "WEEKLY_DIGEST", "digestWeekday": 5, "quietHoursStart": "23:15"}},
        token=token,
    )
    # Only one end of the quiet hours: refused, nothing else changed either.
    assert [e["field"] for e in data["updateNotificationPreferences"]["userErrors"]] == [
        "quietHoursEnd"
    ]
    data = await client.data(
        UPDATE,
        {"input": {"delivery": "WEEKLY_DIGEST", "quietHoursStart": None, "quietHoursEnd": None}},
        token=token,
    )
    prefs = data["updateNotificationPreferences"]["preferences"]
    assert (prefs["delivery"], prefs["digestHour"]) == ("WEEKLY_DIGEST", 20)
    assert (prefs["quietHoursStart"], prefs["quietHoursEnd"]) == (None, None)
    assert len(prefs["overrides"]) == 2

    read_back = await client.data(PREFERENCES, token=token)
    assert read_back["viewer"]["notificationPreferences"]["delivery"] == "WEEKLY_DIGEST"

    # What the fan-out reads: the stored choices, and the plans they make.
    async with db.session() as session:
        stored = (await effective_preferences(session, [parent.id], settings))[parent.id]
    created = datetime(2026, 6, 10, 19, 0, tzinfo=UTC)
    muted = plan_email(
        event_type="goal.checked_in", created_at=created, prefs=stored, batch_seconds=120
    )
    assert muted.status is EmailStatus.NONE
    assigned = plan_email(
        event_type="agenda_item.assigned", created_at=created, prefs=stored, batch_seconds=120
    )
    assert assigned.delivery is DeliveryMode.IMMEDIATE
    weekly = plan_email(
        event_type="goal.created", created_at=created, prefs=stored, batch_seconds=120
    )
    # Monday (the refused request changed no weekday) June 15th, 20:00 in Los Angeles.
    assert weekly.due_at == datetime(2026, 6, 16, 3, 0, tzinfo=UTC)

    cleared = await client.data(UPDATE, {"input": {"overrides": []}}, token=token)
    assert cleared["updateNotificationPreferences"]["preferences"]["overrides"] == []


async def test_quiet_hours_can_be_set_across_midnight_or_within_a_day(
    db: Database, client: GraphQLClient
) -> None:
    nurse = await make_person(db, PersonKind.NURSE)
    token = await token_for(db, nurse)
    for start, end in [("21:30", "06:00"), ("12:00", "13:00")]:
        data = await client.data(
            UPDATE, {"input": {"quietHoursStart": start, "quietHoursEnd": end}}, token=token
        )
        prefs = data["updateNotificationPreferences"]["preferences"]
        assert (prefs["quietHoursStart"], prefs["quietHoursEnd"]) == (start, end)
        assert prefs["delivery"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("given", "fields"),
    [
        ({"digestHour": 24}, ["digestHour"]),
        ({"digestHour": -1}, ["digestHour"]),
        ({"digestWeekday": 7}, ["digestWeekday"]),
        ({"quietHoursStart": "22:00"}, ["quietHoursEnd"]),
        ({"quietHoursEnd": "07:00"}, ["quietHoursStart"]),
        ({"quietHoursStart": "22:00", "quietHoursEnd": None}, ["quietHoursEnd"]),
        (
            {"quietHoursStart": "10pm", "quietHoursEnd": "24:00"},
            ["quietHoursStart", "quietHoursEnd"],
        ),
        ({"quietHoursStart": "22:00", "quietHoursEnd": "22:00"}, ["quietHoursEnd"]),
        (
            {"overrides": [{"eventType": "Goal Checked In", "delivery": "OFF"}]},
            ["overrides[0].eventType"],
        ),
        (
            {
                "overrides": [
                    {"eventType": "goal.checked_in", "delivery": "OFF"},
                    {"eventType": "goal.checked_in", "delivery": "IMMEDIATE"},
                ]
            },
            ["overrides[1].eventType"],
        ),
        ({"digestHour": 99, "digestWeekday": 9}, ["digestHour", "digestWeekday"]),
    ],
)
async def test_refused_preferences_name_the_field_and_change_nothing(
    db: Database, client: GraphQLClient, given: dict[str, Any], fields: list[str]
) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    token = await token_for(db, parent)
    before = await snapshot(db)
    data = await client.data(UPDATE, {"input": given | {"delivery": "OFF"}}, token=token)
    payload = data["updateNotificationPreferences"]
    assert payload["preferences"] is None
    assert [e["field"] for e in payload["userErrors"]] == fields
    assert await snapshot(db) == before


async def test_an_unknown_delivery_is_refused_naming_the_field(
    db: Database, client: GraphQLClient
) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    token = await token_for(db, parent)
    for given, field in [
        ({"delivery": "HOURLY"}, "at .delivery: Value 'HOURLY'"),
        (
            {"overrides": [{"eventType": "goal.created", "delivery": "SOMETIMES"}]},
            "at .overrides[0].delivery: Value 'SOMETIMES'",
        ),
    ]:
        body = await client.execute(UPDATE, {"input": given}, token=token)
        assert body.get("data") is None  # refused before anything ran
        assert field in body["errors"][0]["message"]
    unchanged = await client.data(PREFERENCES, token=token)
    assert unchanged["viewer"]["notificationPreferences"]["isDefault"] is True


async def test_anonymous_callers_have_no_preferences(client: GraphQLClient) -> None:
    body = await client.execute(UPDATE, {"input": {"delivery": "OFF"}})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def pending_digest(db: Database, person: Person, created: datetime) -> Notification:
    return await add_notification(
        db,
        person,
        to_global_id("Goal", 1),
        created_at=created,
        dispatched=False,
        delivery=DeliveryMode.DAILY_DIGEST,
        email_due_at=datetime(2026, 6, 11, 14, 0, tzinfo=UTC),  # 07:00 in Los Angeles
    )


async def reloaded(db: Database, row: Notification) -> Notification:
    async with db.session() as session:
        found = await session.get(Notification, row.id)
    assert found is not None
    return found


async def test_mail_not_composed_yet_follows_new_choices_at_once(
    db: Database, client: GraphQLClient
) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER, timezone="America/Los_Angeles")
    token = await token_for(db, parent)
    created = datetime(2026, 6, 10, 19, 0, tzinfo=UTC)  # noon in Los Angeles
    digest, composed = (
        await pending_digest(db, parent, created),
        await pending_digest(db, parent, created),
    )
    async with db.transaction() as session:
        queued = await session.get(Notification, composed.id)
        assert queued is not None
        queued.email_status = EmailStatus.QUEUED

    await client.data(UPDATE, {"input": {"digestHour": 18}}, token=token)
    moved = await reloaded(db, digest)
    assert moved.email_due_at == datetime(2026, 6, 11, 1, 0, tzinfo=UTC)  # 18:00 that day
    assert moved.email_status is EmailStatus.PENDING

    await client.data(UPDATE, {"input": {"delivery": "OFF"}}, token=token)
    cancelled = await reloaded(db, digest)
    assert (cancelled.delivery, cancelled.email_status) == (DeliveryMode.OFF, EmailStatus.NONE)
    assert cancelled.email_due_at is None
    assert (await reloaded(db, composed)).email_status is EmailStatus.QUEUED

    # Turning mail back on mails what comes next, not what was cancelled.
    await client.data(UPDATE, {"input": {"delivery": "IMMEDIATE"}}, token=token)
    assert (await reloaded(db, digest)).email_status is EmailStatus.NONE


async def test_the_update_returns_the_viewer_with_its_new_preferences(
    db: Database, client: GraphQLClient
) -> None:
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    token = await token_for(db, parent)
    query = """
    mutation Update($input: UpdateNotificationPreferencesInput!) {
      updateNotificationPreferences(input: $input) {
        viewer { id notificationPreferences { digestHour } }
        userErrors { field }
      }
    }
    """

    data = await client.data(query, {"input": {"digestHour": 6}}, token=token)

    # The preferences live under the Viewer in a client cache: it gets them back by its id.
    assert data["updateNotificationPreferences"] == {
        "viewer": {
            "id": to_global_id("Person", parent.id),
            "notificationPreferences": {"digestHour": 6},
        },
        "userErrors": [],
    }
