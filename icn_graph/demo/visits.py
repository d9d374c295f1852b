"""Demo registry visits: the story's 20,000 patients, January 2007 to February 2014, and the
years since, up to the last complete month before the demo's ``today``.

The history runs from the day the first demo center joined the network (``FIRST_JOINED``) to the
last complete month before the story's "today" (``AS_OF``, 14 March 2014, on the eve of the
Spring 2014 Learning Session). A center contributes visits from the day it joined. Network
remission rises from about 55 % to about 78 % (as ImproveCareNow's did), and ``SHIFT_CENTERS``
early centers step up after a QI push following a Learning Session, so their run charts show a
shift. Every choice of the history comes from ``context.rng("visits")``, and it is the same
whatever the demo's ``today``.

After it (``continue_visits``, drawn from ``context.rng("visits-present")``) the patients still
in care keep being seen, newcomers arrive at each center's rate, the centers that join later
start with their panels, and remission keeps rising slowly with some noise, month by month up to
the last complete month before ``context.today``.

Visits are stored as the importer stores them (patient keys as the keyed hash of a center-local
key) with bulk inserts — COPY on PostgreSQL — and then every measure is computed for every center.
``context.visit_scale`` scales the number of patients (tests that need no visits use a small one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import DEV_PATIENT_KEY_SECRET
from icn_graph.demo.context import DemoContext
from icn_graph.demo.generator import FIRST_JOINED
from icn_graph.demo.goal_planner import AS_OF
from icn_graph.demo.present import last_day_of_previous_month
from icn_graph.demo.visit_simulation import (
    DIAGNOSIS_VALUES,
    FLAG_COLUMNS,
    MISSING,
    PGA_VALUES,
    CenterCourse,
    SimulatedVisits,
    continue_visits,
    simulate,
)
from icn_graph.lazy import lazy_module
from icn_graph.models import CenterStatus, Visit
from icn_graph.services.registry.patient_keys import PatientKeyHasher

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")

__all__ = [
    "FIRST_VISIT",
    "LAST_VISIT",
    "PATIENTS",
    "DemoVisitPlan",
    "contribute",
    "last_visit",
    "plan_visits",
]

PATIENTS = 20_000
FIRST_VISIT = FIRST_JOINED
LAST_VISIT = last_day_of_previous_month(AS_OF)
"""The history's last visit day; visits go on after it up to ``last_visit(today)``."""
SHIFT_CENTERS = 4
PUSH_MONTHS = (date(2009, 11, 1), date(2010, 5, 1), date(2010, 11, 1), date(2011, 5, 1))
"""The months after the (fictional) Learning Sessions of 2009 to 2011 when shift centers pushed."""
PUSH_EARLIEST_JOIN = date(2008, 8, 1)
PLANNING_SPREADS_FROM = date(2008, 6, 1)
"""Pre-visit planning takes off at each center at some point in the 2.5 years after this."""
PATIENT_KEY_SECRET = DEV_PATIENT_KEY_SECRET
"""Demo patients are synthetic: their keys are hashed with the development secret."""
INSERT_BATCH = 50_000

_COLUMNS = (
    "center_id",
    "patient_key",
    "visit_date",
    "pga",
    "diagnosis",
    *FLAG_COLUMNS,
    "created_at",
)


@dataclass(frozen=True)
class DemoVisitPlan:
    """The centers' courses, by position in ``context.network.centers``."""

    courses: tuple[CenterCourse, ...]
    shift_centers: tuple[int, ...]
    """Positions of the centers with a QI push (``courses[i].push_on``)."""


def plan_visits(context: DemoContext) -> DemoVisitPlan:
    """Each center's course: its size, its distance from the network, when pre-visit planning
    takes off there and, for ``SHIFT_CENTERS`` early centers, the month of its QI push."""
    rng = context.rng("visits")
    centers = context.network.centers
    # Early centers other than the anchor, with well over a year of data before their push.
    early = [i for i, c in enumerate(centers) if i > 0 and c.joined_on < PUSH_EARLIEST_JOIN]
    shift = sorted(rng.sample(early, min(SHIFT_CENTERS, len(early))))
    pushes = dict(zip(shift, PUSH_MONTHS, strict=False))
    courses = []
    for index, center in enumerate(centers):
        size = 2.5 if index == 0 else rng.lognormvariate(0.0, 0.5)
        offset = rng.gauss(0.0, 0.03)
        push_on = pushes.get(index)
        start = max(center.joined_on, PLANNING_SPREADS_FROM)
        planning_from = push_on or start + timedelta(days=rng.randint(0, 900))
        courses.append(CenterCourse(center.joined_on, size, offset, planning_from, push_on))
    return DemoVisitPlan(courses=tuple(courses), shift_centers=tuple(shift))


def simulate_demo_visits(context: DemoContext, plan: DemoVisitPlan) -> SimulatedVisits:
    seed = context.rng("visits-simulation").getrandbits(64)
    patients = max(1, round(PATIENTS * context.visit_scale))
    return simulate(plan.courses, patients, FIRST_VISIT, LAST_VISIT, np.random.default_rng(seed))


def last_visit(today: date) -> date:
    """The last day with visits in a demo loaded on ``today``: the end of the month before."""
    return last_day_of_previous_month(today)


def simulate_present_visits(
    context: DemoContext, plan: DemoVisitPlan, history: SimulatedVisits
) -> SimulatedVisits:
    """The visits after the history, up to ``last_visit(context.today)``."""
    seed = context.rng("visits-present").getrandbits(64)
    end = last_visit(context.today)
    rng = np.random.default_rng(seed)
    visits = continue_visits(plan.courses, history, (FIRST_VISIT, LAST_VISIT), end, rng)
    # Inactive centers left the network: their registry stops with the history.
    active = np.array([c.status is CenterStatus.ACTIVE for c in context.network.centers])
    return visits.only(active[visits.center])


def _rows(context: DemoContext, visits: SimulatedVisits, sqlite: bool) -> list[tuple[Any, ...]]:
    """Rows in ``_COLUMNS`` order, as the importer would store them."""
    center_ids = np.array(context.center_ids, dtype=np.int64)[visits.center].tolist()
    hashers: dict[int, PatientKeyHasher] = {}
    keys: dict[int, str] = {}
    patient_keys = []
    for center_id, patient in zip(center_ids, visits.patient.tolist(), strict=True):
        key = keys.get(patient)
        if key is None:
            hasher = hashers.get(center_id)
            if hasher is None:
                hasher = hashers[center_id] = PatientKeyHasher(PATIENT_KEY_SECRET, center_id)
            key = keys[patient] = hasher(f"P{patient + 1:06d}")
        patient_keys.append(key)
    days: list[date] = visits.visit_date.tolist()
    pga = np.array(PGA_VALUES, dtype=object)[visits.pga].tolist()
    diagnosis = np.array(DIAGNOSIS_VALUES, dtype=object)[visits.diagnosis].tolist()
    flag_values = np.empty(3, dtype=object)
    flag_values[[0, 1, MISSING]] = [False, True, None]
    flags = [flag_values[visits.flags[name]].tolist() for name in FLAG_COLUMNS]
    entered = {day: _entered_at(day, sqlite) for day in set(days)}
    visit_dates: list[Any] = [day.isoformat() for day in days] if sqlite else days
    return list(
        zip(
            center_ids,
            patient_keys,
            visit_dates,
            pga,
            diagnosis,
            *flags,
            [entered[day] for day in days],
            strict=True,
        )
    )


def _entered_at(day: date, sqlite: bool) -> Any:
    """The registry entry the day after the visit, as stored (SQLite: naive UTC text)."""
    moment = datetime.combine(day + timedelta(days=1), time(15), UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else moment


async def _insert(session: AsyncSession, rows: list[tuple[Any, ...]]) -> None:
    table = Visit.__table__
    assert isinstance(table, Table)
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # COPY on the session's own connection, inside the demo's transaction (begun by the
        # loader's inserts), so a failure later still rolls the visits back.
        raw = await connection.get_raw_connection()
        await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
            table.name, records=rows, columns=list(_COLUMNS)
        )
        return
    # Values are given as SQLite stores them, so the driver takes them as they are.
    placeholders = ", ".join("?" for _ in _COLUMNS)
    statement = f"INSERT INTO {table.name} ({', '.join(_COLUMNS)}) VALUES ({placeholders})"  # noqa: S608
    for first in range(0, len(rows), INSERT_BATCH):
        await connection.exec_driver_sql(statement, rows[first : first + INSERT_BATCH])


async def contribute(session: AsyncSession, context: DemoContext) -> None:
    plan = plan_visits(context)
    history = simulate_demo_visits(context, plan)
    present = simulate_present_visits(context, plan, history)
    sqlite = (await session.connection()).dialect.name == "sqlite"
    await _insert(session, _rows(context, history, sqlite))
    await _insert(session, _rows(context, present, sqlite))
