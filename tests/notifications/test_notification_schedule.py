"""plan_email: immediate batching, digests and quiet hours in the recipient's own time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from icn_graph.notifications.models import DeliveryMode, EmailStatus
from icn_graph.notifications.schedule import EffectivePreferences, EmailPlan, plan_email

LA = ZoneInfo("America/Los_Angeles")
BATCH = 120.0

PREFS = EffectivePreferences(
    delivery=DeliveryMode.IMMEDIATE,
    digest_hour=7,
    digest_weekday=0,
    quiet_hours_start=time(22),
    quiet_hours_end=time(7),
    overrides={},
    timezone="America/Los_Angeles",
)


def la(
    year: int, month: int, day: int, hour: int, minute: int, second: int = 0, *, fold: int = 0
) -> datetime:
    """A wall-clock time in Los Angeles (``fold=1``: a repeated time's second pass)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LA, fold=fold)


def plan(created: datetime, **changes: Any) -> EmailPlan:
    """The plan for a check-in made at ``created`` for PREFS with ``changes``."""
    return plan_email(
        event_type="goal.checked_in",
        created_at=created.astimezone(UTC),
        prefs=replace(PREFS, **changes),
        batch_seconds=BATCH,
    )


def due_local(result: EmailPlan) -> datetime:
    assert result.status is EmailStatus.PENDING
    assert result.due_at is not None
    assert result.due_at.utcoffset() == timedelta(0)
    return result.due_at.astimezone(LA)


# -- immediate ------------------------------------------------------------------------------


def test_immediate_mail_waits_the_batching_delay() -> None:
    result = plan(la(2026, 6, 10, 14, 0))
    assert result.delivery is DeliveryMode.IMMEDIATE
    assert due_local(result) == la(2026, 6, 10, 14, 2)


def test_a_time_given_in_another_zone_keeps_its_instant() -> None:
    """An aware ``created_at`` in any zone is the same instant; only a naive one is read as UTC."""
    created = la(2026, 6, 10, 14, 0)
    in_tokyo = plan_email(
        event_type="goal.checked_in",
        created_at=created.astimezone(ZoneInfo("Asia/Tokyo")),
        prefs=PREFS,
        batch_seconds=BATCH,
    )
    naive_utc = plan_email(
        event_type="goal.checked_in",
        created_at=created.astimezone(UTC).replace(tzinfo=None),
        prefs=PREFS,
        batch_seconds=BATCH,
    )
    assert due_local(in_tokyo) == due_local(naive_utc) == la(2026, 6, 10, 14, 2)


def test_immediate_mail_late_at_night_waits_for_the_end_of_quiet_hours_next_morning() -> None:
    assert due_local(plan(la(2026, 6, 10, 23, 30))) == la(2026, 6, 11, 7, 0)


def test_immediate_mail_after_midnight_waits_until_seven_the_same_morning() -> None:
    assert due_local(plan(la(2026, 6, 11, 4, 0))) == la(2026, 6, 11, 7, 0)


def test_the_batching_delay_can_carry_mail_into_quiet_hours() -> None:
    assert due_local(plan(la(2026, 6, 10, 21, 59))) == la(2026, 6, 11, 7, 0)


def test_mail_due_exactly_when_quiet_hours_end_is_not_held() -> None:
    assert due_local(plan(la(2026, 6, 11, 6, 58))) == la(2026, 6, 11, 7, 0)


def test_mail_due_exactly_when_quiet_hours_start_is_held() -> None:
    assert due_local(plan(la(2026, 6, 10, 21, 58))) == la(2026, 6, 11, 7, 0)


def test_quiet_hours_within_one_day() -> None:
    lunch = {"quiet_hours_start": time(12), "quiet_hours_end": time(13, 30)}
    assert due_local(plan(la(2026, 6, 10, 12, 15), **lunch)) == la(2026, 6, 10, 13, 30)
    assert due_local(plan(la(2026, 6, 10, 11, 0), **lunch)) == la(2026, 6, 10, 11, 2)
    assert due_local(plan(la(2026, 6, 10, 23, 0), **lunch)) == la(2026, 6, 10, 23, 2)


def test_no_quiet_hours_means_mail_at_any_hour() -> None:
    night = plan(la(2026, 6, 10, 3, 0), quiet_hours_start=None, quiet_hours_end=None)
    assert due_local(night) == la(2026, 6, 10, 3, 2)


def test_quiet_hours_are_the_recipients_own() -> None:
    # 23:30 in Los Angeles is 07:30 in Paris: a Parisian with the same quiet hours gets it now.
    created = la(2026, 6, 10, 23, 30)
    paris = plan(created, timezone="Europe/Paris")
    assert paris.due_at == created.astimezone(UTC) + timedelta(seconds=BATCH)
    assert due_local(plan(created)) == la(2026, 6, 11, 7, 0)


def test_an_unknown_time_zone_counts_as_utc() -> None:
    created = datetime(2026, 6, 10, 23, 0, tzinfo=UTC)
    result = plan(created, timezone="Mars/Olympus_Mons")
    assert result.due_at == datetime(2026, 6, 11, 7, 0, tzinfo=UTC)


# -- digests --------------------------------------------------------------------------------


def test_daily_digest_goes_at_the_next_digest_hour() -> None:
    daily = {"delivery": DeliveryMode.DAILY_DIGEST}
    result = plan(la(2026, 6, 10, 6, 30), **daily)
    assert result.delivery is DeliveryMode.DAILY_DIGEST
    assert due_local(result) == la(2026, 6, 10, 7, 0)
    assert due_local(plan(la(2026, 6, 10, 9, 0), **daily)) == la(2026, 6, 11, 7, 0)


def test_daily_digest_hour_is_strictly_after_the_notification() -> None:
    daily = {"delivery": DeliveryMode.DAILY_DIGEST}
    assert due_local(plan(la(2026, 6, 10, 7, 0), **daily)) == la(2026, 6, 11, 7, 0)


def test_a_digest_hour_inside_quiet_hours_moves_to_their_end() -> None:
    late = {"delivery": DeliveryMode.DAILY_DIGEST, "digest_hour": 23}
    assert due_local(plan(la(2026, 6, 10, 12, 0), **late)) == la(2026, 6, 11, 7, 0)
    weekly = {"delivery": DeliveryMode.WEEKLY_DIGEST, "digest_hour": 5, "digest_weekday": 2}
    # Wednesday 05:00 is quiet: the digest goes at 07:00 that Wednesday.
    assert due_local(plan(la(2026, 6, 8, 12, 0), **weekly)) == la(2026, 6, 10, 7, 0)


def test_weekly_digest_goes_on_the_digest_weekday() -> None:
    weekly = {"delivery": DeliveryMode.WEEKLY_DIGEST}
    wednesday = la(2026, 6, 10, 12, 0)
    assert due_local(plan(wednesday, **weekly)) == la(2026, 6, 15, 7, 0)  # Monday
    assert due_local(plan(la(2026, 6, 15, 6, 59), **weekly)) == la(2026, 6, 15, 7, 0)
    assert due_local(plan(la(2026, 6, 15, 7, 0), **weekly)) == la(2026, 6, 22, 7, 0)
    sunday = {"delivery": DeliveryMode.WEEKLY_DIGEST, "digest_weekday": 6, "digest_hour": 18}
    assert due_local(plan(wednesday, **sunday)) == la(2026, 6, 14, 18, 0)


# -- off and overrides ----------------------------------------------------------------------


def test_delivery_off_plans_no_mail() -> None:
    result = plan(la(2026, 6, 10, 12, 0), delivery=DeliveryMode.OFF)
    assert result == EmailPlan(delivery=DeliveryMode.OFF, status=EmailStatus.NONE, due_at=None)


def test_an_override_can_turn_one_event_type_off() -> None:
    prefs = replace(PREFS, overrides={"goal.checked_in": DeliveryMode.OFF})
    created = la(2026, 6, 10, 12, 0).astimezone(UTC)
    muted = plan_email(
        event_type="goal.checked_in", created_at=created, prefs=prefs, batch_seconds=BATCH
    )
    assert muted.status is EmailStatus.NONE
    assert muted.due_at is None
    other = plan_email(
        event_type="goal.created", created_at=created, prefs=prefs, batch_seconds=BATCH
    )
    assert other.status is EmailStatus.PENDING
    assert other.due_at == created + timedelta(seconds=BATCH)


def test_an_override_can_switch_an_event_type_to_a_digest() -> None:
    result = plan(la(2026, 6, 10, 12, 0), overrides={"goal.checked_in": DeliveryMode.DAILY_DIGEST})
    assert result.delivery is DeliveryMode.DAILY_DIGEST
    assert due_local(result) == la(2026, 6, 11, 7, 0)


def test_an_override_can_switch_a_digest_reader_to_immediate_mail() -> None:
    prefs = replace(
        PREFS,
        delivery=DeliveryMode.WEEKLY_DIGEST,
        overrides={"agenda_item.assigned": DeliveryMode.IMMEDIATE},
    )
    created = la(2026, 6, 10, 12, 0).astimezone(UTC)
    result = plan_email(
        event_type="agenda_item.assigned", created_at=created, prefs=prefs, batch_seconds=BATCH
    )
    assert result.delivery is DeliveryMode.IMMEDIATE
    assert result.due_at == created + timedelta(seconds=BATCH)


# -- daylight saving time in America/Los_Angeles (2026: March 8 and November 1) ------------------


def test_spring_forward_digest_keeps_the_local_hour() -> None:
    daily = {"delivery": DeliveryMode.DAILY_DIGEST}
    before = plan(la(2026, 3, 7, 12, 0), **daily)
    after = plan(la(2026, 3, 8, 12, 0), **daily)
    assert before.due_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)  # 07:00 PDT
    assert after.due_at == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)
    assert plan(la(2026, 3, 6, 12, 0), **daily).due_at == datetime(2026, 3, 7, 15, 0, tzinfo=UTC)


def test_spring_forward_quiet_hours_end_at_seven_daylight_time() -> None:
    night = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)  # 01:00 PST, an hour before the jump
    assert plan(night).due_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)


def test_a_digest_hour_skipped_by_spring_forward_goes_when_the_clock_jumps_past_it() -> None:
    at_two = {"delivery": DeliveryMode.DAILY_DIGEST, "digest_hour": 2, "quiet_hours_start": None}
    result = plan(la(2026, 3, 7, 12, 0), **at_two)
    assert result.due_at == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # 03:00 PDT
    assert due_local(result) == la(2026, 3, 8, 3, 0)


def test_fall_back_digest_keeps_the_local_hour() -> None:
    daily = {"delivery": DeliveryMode.DAILY_DIGEST}
    result = plan(la(2026, 10, 31, 12, 0), **daily)
    assert result.due_at == datetime(2026, 11, 1, 15, 0, tzinfo=UTC)  # 07:00 PST
    assert due_local(result) == la(2026, 11, 1, 7, 0)


def test_quiet_hours_ending_in_the_repeated_hour_end_on_its_second_pass() -> None:
    prefs = {"quiet_hours_start": time(22), "quiet_hours_end": time(1, 30)}
    first_pass = la(2026, 11, 1, 1, 10)  # 01:10 PDT
    assert plan(first_pass, **prefs).due_at == la(2026, 11, 1, 1, 30).astimezone(UTC)
    second_pass = la(2026, 11, 1, 1, 15, fold=1)  # 01:15 PST, an hour later
    assert plan(second_pass, **prefs).due_at == la(2026, 11, 1, 1, 30, fold=1).astimezone(UTC)


@pytest.mark.parametrize("delivery", [DeliveryMode.IMMEDIATE, DeliveryMode.DAILY_DIGEST])
def test_no_mail_is_ever_due_inside_quiet_hours_all_year(delivery: DeliveryMode) -> None:
    """Every 37 minutes through 2026 in Los Angeles: due times are never quiet and never early."""
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2027, 1, 1, tzinfo=UTC)
    checked = 0
    while moment < end:
        result = plan(moment, delivery=delivery)
        due = result.due_at
        assert due is not None
        local = due.astimezone(LA)
        assert time(7) <= local.time() < time(22), (moment, local)
        assert due >= moment + timedelta(seconds=BATCH) or delivery is DeliveryMode.DAILY_DIGEST
        assert due > moment
        if delivery is DeliveryMode.DAILY_DIGEST:
            assert (local.hour, local.minute) == (7, 0)
            assert due - moment <= timedelta(hours=25)
        else:
            assert due - moment <= timedelta(hours=10)
        moment += timedelta(minutes=37)
        checked += 1
    assert checked > 14_000


# -- the edges of a daytime quiet window -----------------------------------------------------

LUNCH = {"quiet_hours_start": time(12), "quiet_hours_end": time(13)}


def test_mail_due_exactly_when_a_daytime_quiet_window_starts_is_held() -> None:
    assert due_local(plan(la(2026, 6, 10, 11, 58), **LUNCH)) == la(2026, 6, 10, 13, 0)


def test_mail_due_exactly_when_a_daytime_quiet_window_ends_goes_then() -> None:
    # Not held for a day: 13:00 is the first minute after the window.
    assert due_local(plan(la(2026, 6, 10, 12, 58), **LUNCH)) == la(2026, 6, 10, 13, 0)


def test_mail_due_just_before_a_daytime_quiet_window_goes_at_once() -> None:
    assert due_local(plan(la(2026, 6, 10, 11, 57, 59), **LUNCH)) == la(2026, 6, 10, 11, 59, 59)


def test_a_digest_hour_in_the_evening_counts_from_the_readers_own_date() -> None:
    # 20:00 on 10 June in Los Angeles is already 11 June in UTC: the digest still goes at 21:00
    # on the 10th, the reader's own evening.
    evening = {"delivery": DeliveryMode.DAILY_DIGEST, "digest_hour": 21}
    assert due_local(plan(la(2026, 6, 10, 20, 0), **evening)) == la(2026, 6, 10, 21, 0)


def test_quiet_hours_need_both_ends() -> None:
    assert due_local(plan(la(2026, 6, 10, 23, 0), quiet_hours_end=None)) == la(2026, 6, 10, 23, 2)
    assert due_local(plan(la(2026, 6, 10, 23, 0), quiet_hours_start=None)) == la(2026, 6, 10, 23, 2)


def test_the_due_time_is_in_utc() -> None:
    result = plan(la(2026, 6, 10, 14, 0))
    assert result.due_at is not None
    assert result.due_at.tzinfo is UTC


def test_the_creation_time_may_be_in_any_zone_or_naive_utc() -> None:
    digest = replace(PREFS, delivery=DeliveryMode.DAILY_DIGEST, digest_hour=21)
    created = la(2026, 6, 10, 20, 0)
    expected = la(2026, 6, 10, 21, 0)
    for given in (created, created.astimezone(UTC), created.astimezone(UTC).replace(tzinfo=None)):
        result = plan_email(
            event_type="goal.checked_in",
            created_at=given,
            prefs=digest,
            batch_seconds=BATCH,
        )
        assert due_local(result) == expected, given
    quiet = plan_email(
        event_type="goal.checked_in",
        created_at=la(2026, 6, 10, 23, 0).astimezone(UTC).replace(tzinfo=None),
        prefs=PREFS,
        batch_seconds=BATCH,
    )
    assert due_local(quiet) == la(2026, 6, 11, 7, 0)
