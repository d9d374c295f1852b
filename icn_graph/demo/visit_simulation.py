"""Synthetic registry visits, simulated column-wise with numpy (no Python loop over patients).

Each center has a ``CenterCourse``: when it joined, how big its panel is, how far it sits from
the network, and — for a few — the month of a QI push that shifts its remission up at once.
Patients enter care (those already in care at joining within its first four months, new ones
any time after) and leave it (to adult care, a move: an exponential stay of ``MEAN_STAY_YEARS``);
in between they are seen every three to four months. At each visit the chance that the Physician
Global Assessment is quiescent follows the network's improvement curve, the center's course and
a patient effect (some children stay well, some flare). Steroid use falls and pre-visit
planning, growth and nutrition assessment rise as the network's QI work spreads.

The same ``numpy.random.Generator`` state always gives the same visits. Used by the demo
(``icn_graph.demo.visits``) and by the benchmarks in ``bench/``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from icn_graph.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = lazy_module("numpy")


PGA_VALUES = ("QUIESCENT", "MILD", "MODERATE", "SEVERE")
DIAGNOSIS_VALUES = ("CROHNS", "UC", "IBDU")
FLAG_COLUMNS = ("on_steroids", "pre_visit_planning", "growth_assessed", "nutrition_assessed")
MISSING = -1
"""A flag code for a process field left blank (stored as NULL)."""

MEAN_STAY_YEARS = 4.0
ALREADY_IN_CARE_DAYS = 120
"""Patients in care when their center joins are first seen within this many days."""
MIN_GAP_DAYS = 45
GAP_SHAPE, GAP_SCALE = 3.0, 20.0
"""Days between visits: MIN_GAP_DAYS + Gamma(shape, scale), about 105 days (3.5 months)."""

REMISSION_FROM, REMISSION_TO = 0.60, 0.83
"""The network's improvement curve: a logistic rise between these quiescent shares."""
CATCH_UP_YEARS = 1.0
"""A center starts where the network started and catches up with it at this time scale."""
BEFORE_PUSH, AFTER_PUSH = 0.52, 0.05
"""A shift center: flat at BEFORE_PUSH until its QI push, then AFTER_PUSH above the network."""
PATIENT_SPREAD = 1.0
"""Standard deviation of the patient effect on the log-odds of a quiescent visit."""

DIAGNOSIS_MIX = (0.62, 0.28, 0.10)
ACTIVE_PGA_MIX = (0.55, 0.33, 0.12)
"""MILD, MODERATE, SEVERE among visits that are not quiescent."""
FLAG_MISSING_SHARE = 0.03

_DAYS_PER_YEAR = 365.25


def _epoch() -> np.datetime64:
    return np.datetime64("1970-01-01", "D")


@dataclass(frozen=True)
class CenterCourse:
    joined_on: date
    size: float
    """Relative size of the panel (patients in care at any time)."""
    offset: float
    """The center's distance from the network's quiescent share."""
    planning_from: date
    """Around when pre-visit planning takes off at the center."""
    push_on: date | None = None
    """A shift center's QI push; ``None`` for a center that follows the network."""


@dataclass(frozen=True)
class SimulatedVisits:
    """One entry per visit, sorted by patient then date; codes index the ``*_VALUES`` tuples."""

    center: npt.NDArray[np.int64]
    """Position of the visit's center in the courses."""
    patient: npt.NDArray[np.int64]
    """The patient's number, unique across all centers, from 0."""
    visit_date: npt.NDArray[np.datetime64]
    pga: npt.NDArray[np.int8]
    diagnosis: npt.NDArray[np.int8]
    flags: dict[str, npt.NDArray[np.int8]]
    """Per ``FLAG_COLUMNS`` name: 1 true, 0 false, ``MISSING``."""

    def __len__(self) -> int:
        return len(self.visit_date)

    def only(self, keep: npt.NDArray[np.bool_]) -> SimulatedVisits:
        """The visits where ``keep`` is true."""
        return SimulatedVisits(
            center=self.center[keep],
            patient=self.patient[keep],
            visit_date=self.visit_date[keep],
            pga=self.pga[keep],
            diagnosis=self.diagnosis[keep],
            flags={name: flag[keep] for name, flag in self.flags.items()},
        )


def _day(value: date) -> int:
    return int((np.datetime64(value, "D") - _epoch()).astype(np.int64))


def _sigmoid(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _logit(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.log(p / (1.0 - p))


def patients_per_center(
    courses: Sequence[CenterCourse], patients: int, end: date, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """How many patients each center sees in all: its panel plus those who enter later."""
    days_in = np.array([_day(end) - _day(course.joined_on) for course in courses])
    sizes = np.array([course.size for course in courses]) * (days_in >= 0)
    weights = sizes * (1.0 + np.maximum(days_in, 0) / _DAYS_PER_YEAR / MEAN_STAY_YEARS)
    return rng.multinomial(patients, weights / weights.sum()).astype(np.int64)


def simulate(
    courses: Sequence[CenterCourse],
    patients: int,
    start: date,
    end: date,
    rng: np.random.Generator,
    *,
    first_patient: int = 0,
) -> SimulatedVisits:
    """About ``patients`` patients' visits from ``start`` to ``end`` (both included).

    A center that joined before ``start`` is treated as joining on ``start``; one that joins
    after ``end`` gets no patients. Patient numbers start at ``first_patient``.
    """
    first_day, last_day = _day(start), _day(end)
    joined = np.array([min(max(_day(c.joined_on), first_day), last_day + 1) for c in courses])
    counts = patients_per_center(courses, patients, end, rng)
    counts[joined > last_day] = 0
    center = np.repeat(np.arange(len(courses), dtype=np.int64), counts)
    count = len(center)

    years_in = (last_day - joined[center]) / _DAYS_PER_YEAR
    already_in_care = rng.random(count) < 1.0 / (1.0 + years_in / MEAN_STAY_YEARS)
    in_network = last_day - joined[center] + 1
    span = np.where(already_in_care, np.minimum(ALREADY_IN_CARE_DAYS, in_network), in_network)
    entry = joined[center] + (rng.random(count) * span).astype(np.int64)
    leave = entry + rng.exponential(MEAN_STAY_YEARS * _DAYS_PER_YEAR, count).astype(np.int64)
    leave = np.minimum(leave, last_day)
    diagnosis = rng.choice(len(DIAGNOSIS_VALUES), size=count, p=DIAGNOSIS_MIX).astype(np.int8)
    patient_effect = rng.normal(0.0, PATIENT_SPREAD, count)

    owner, days = _seen_days(entry, leave, first_day, last_day, rng)
    visit_center = center[owner]
    quiescent_share = _remission_share(courses, visit_center, days, first_day, last_day)
    progress = np.clip((days - first_day) / max(1, last_day - first_day), 0.0, 1.0)
    return _visits(
        courses,
        _Seen(visit_center, owner, days, diagnosis, patient_effect, first_patient),
        quiescent_share,
        progress,
        rng,
    )


@dataclass(frozen=True)
class _Seen:
    """Who is seen when: one entry per visit (``owner`` indexes the per-patient arrays)."""

    center: npt.NDArray[np.int64]
    owner: npt.NDArray[np.int64]
    days: npt.NDArray[np.int64]
    diagnosis: npt.NDArray[np.int8]
    patient_effect: npt.NDArray[np.float64]
    first_patient: int


def _seen_days(
    entry: npt.NDArray[np.int64],
    leave: npt.NDArray[np.int64],
    first_day: int,
    last_day: int,
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each patient's visit days from ``entry`` to ``leave``: (patient index, day) per visit."""
    count = len(entry)
    most = (last_day - first_day) // MIN_GAP_DAYS + 1
    gaps = MIN_GAP_DAYS + rng.gamma(GAP_SHAPE, GAP_SCALE, (count, most - 1)).astype(np.int64)
    offsets = np.concatenate([np.zeros((count, 1), np.int64), np.cumsum(gaps, axis=1)], axis=1)
    days_matrix = entry[:, None] + offsets
    seen = days_matrix <= leave[:, None]
    per_patient = seen.sum(axis=1)
    days = days_matrix[seen]
    owner = np.repeat(np.arange(count, dtype=np.int64), per_patient)
    return owner, days


def _visits(
    courses: Sequence[CenterCourse],
    seen: _Seen,
    quiescent_share: npt.NDArray[np.float64],
    progress: npt.NDArray[np.float64],
    rng: np.random.Generator,
) -> SimulatedVisits:
    """The clinical content of the visits ``seen``: PGA from ``quiescent_share`` and the
    patient effect, process flags improving with ``progress`` (0 to 1 along the network's QI
    work)."""
    days, owner, visit_center = seen.days, seen.owner, seen.center
    # The patient effect spreads patients apart; widening the log-odds keeps the average share.
    widened = _logit(quiescent_share) * math.sqrt(1.0 + math.pi * PATIENT_SPREAD**2 / 8.0)
    quiescent = rng.random(len(days)) < _sigmoid(widened + seen.patient_effect[owner])
    active_pga = 1 + rng.choice(len(ACTIVE_PGA_MIX), size=len(days), p=ACTIVE_PGA_MIX)
    pga = np.where(quiescent, 0, active_pga).astype(np.int8)

    planning_from = np.array([_day(course.planning_from) for course in courses])
    since_planning = (days - planning_from[visit_center]) / (0.35 * _DAYS_PER_YEAR)
    planning = 0.06 + 0.84 * _sigmoid(since_planning)
    chances = {
        "on_steroids": np.where(quiescent, 0.10 - 0.06 * progress, 0.42 - 0.14 * progress),
        "pre_visit_planning": planning,
        "growth_assessed": 0.70 + 0.22 * progress,
        "nutrition_assessed": 0.55 + 0.33 * progress,
    }
    flags = {}
    for name in FLAG_COLUMNS:
        flag = (rng.random(len(days)) < chances[name]).astype(np.int8)
        flag[rng.random(len(days)) < FLAG_MISSING_SHARE] = MISSING
        flags[name] = flag
    return SimulatedVisits(
        center=visit_center,
        patient=owner + seen.first_patient,
        visit_date=_epoch() + days.astype("timedelta64[D]"),
        pga=pga,
        diagnosis=seen.diagnosis[owner],
        flags=flags,
    )


def network_remission_share(
    days: npt.NDArray[np.int64], first_day: int, last_day: int
) -> npt.NDArray[np.float64]:
    """The network's improvement curve: the quiescent share on each day."""
    years = (last_day - first_day) / _DAYS_PER_YEAR
    middle = (first_day + last_day) / 2
    width = max(years, 1.0) / 7.0 * _DAYS_PER_YEAR
    rise = REMISSION_TO - REMISSION_FROM
    return REMISSION_FROM + rise * _sigmoid((days - middle) / width)


def _remission_share(
    courses: Sequence[CenterCourse],
    center: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    first_day: int,
    last_day: int,
) -> npt.NDArray[np.float64]:
    network = network_remission_share(days, first_day, last_day)
    joined = np.array([_day(course.joined_on) for course in courses])[center]
    offset = np.array([course.offset for course in courses])[center]
    behind = np.exp(-np.maximum(days - joined, 0) / (CATCH_UP_YEARS * _DAYS_PER_YEAR))
    share = network - (network - REMISSION_FROM) * behind + offset
    never = np.iinfo(np.int64).max
    push = np.array([never if c.push_on is None else _day(c.push_on) for c in courses])[center]
    shifted = push != never
    share = np.where(shifted & (days < push), BEFORE_PUSH + offset, share)
    share = np.where(shifted & (days >= push), network + offset + AFTER_PUSH, share)
    return np.clip(share, 0.05, 0.97)


STILL_IN_CARE_DAYS = 150
"""A patient of the history seen within this many days of its end is still in care after it."""
PRESENT_RISE = 0.04
PRESENT_YEARS = 8.0
"""After the history, the network keeps improving: PRESENT_RISE more over about this many years."""
WOBBLE_DAYS, WOBBLE_SPREAD, WOBBLE_MEMORY = 91, 0.012, 0.6
"""Quarter to quarter, the network's share wobbles around its course (an AR(1) of this spread)."""


def _last_of_each(patient: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Index of each patient's last visit (visits sorted by patient then date)."""
    return (
        np.append(np.flatnonzero(np.diff(patient)), len(patient) - 1) if len(patient) else patient
    )


def continue_visits(
    courses: Sequence[CenterCourse],
    history: SimulatedVisits,
    history_span: tuple[date, date],
    end: date,
    rng: np.random.Generator,
) -> SimulatedVisits:
    """The visits after ``history`` (simulated over ``history_span``) up to ``end``.

    Patients still in care at the history's end keep being seen (their number and diagnosis
    kept, a new remaining stay); each center takes in new patients at the rate its history
    shows, and a center joining after the history starts with a panel of that size. Remission
    goes on from where the history's curve ended, slowly rising, with a quarterly wobble.
    """
    first_day, start_day, last_day = _day(history_span[0]), _day(history_span[1]), _day(end)
    hist_days = (history.visit_date - _epoch()).astype(np.int64)
    last = _last_of_each(history.patient)
    staying = last[hist_days[last] >= start_day - STILL_IN_CARE_DAYS]
    stay_days = MEAN_STAY_YEARS * _DAYS_PER_YEAR

    # Each center's intake per day, from its history (patients first seen after joining).
    joined = np.array([_day(course.joined_on) for course in courses])
    sizes = np.array([course.size for course in courses])
    first = np.r_[0, last[:-1] + 1] if len(last) else last
    first_center = history.center[first]
    entered_late = hist_days[first] > joined[first_center] + ALREADY_IN_CARE_DAYS
    intake = np.bincount(first_center[entered_late], minlength=len(courses)).astype(float)
    intake_from = np.maximum(joined, first_day) + ALREADY_IN_CARE_DAYS
    rate = intake / np.maximum(start_day - intake_from, 1)
    known = (joined < start_day - 365) & (rate > 0)
    per_size = rate[known].sum() / sizes[known].sum() if known.any() else 0.0
    rate = np.where(joined <= start_day - 365, rate, sizes * per_size)

    # Who is in care after the history: those staying, newcomers, new centers' panels.
    opens = np.maximum(joined, start_day + 1)
    newcomers = rng.poisson(rate * np.maximum(last_day - opens + 1, 0))
    panels = np.where(joined > start_day, rng.poisson(rate * stay_days), 0)
    panels[joined > last_day] = 0
    new_center = np.concatenate(
        [np.repeat(np.arange(len(courses)), newcomers), np.repeat(np.arange(len(courses)), panels)]
    ).astype(np.int64)
    fresh = len(new_center)
    span = np.where(
        np.arange(fresh) < newcomers.sum(),
        last_day - opens[new_center] + 1,
        np.minimum(ALREADY_IN_CARE_DAYS, last_day - opens[new_center] + 1),
    )
    new_entry = opens[new_center] + (rng.random(fresh) * span).astype(np.int64)
    next_visit = hist_days[staying] + MIN_GAP_DAYS
    next_visit += rng.gamma(GAP_SHAPE, GAP_SCALE, len(staying)).astype(np.int64)
    overdue = next_visit <= start_day
    next_visit[overdue] = start_day + 1 + rng.integers(0, 60, int(overdue.sum()))

    center = np.concatenate([history.center[staying], new_center])
    entry = np.concatenate([next_visit, new_entry])
    leave = entry + rng.exponential(stay_days, len(entry)).astype(np.int64)
    leave[: len(staying)] = start_day + rng.exponential(stay_days, len(staying)).astype(np.int64)
    leave = np.minimum(leave, last_day)
    new_diagnosis = rng.choice(len(DIAGNOSIS_VALUES), size=fresh, p=DIAGNOSIS_MIX)
    diagnosis = np.concatenate([history.diagnosis[staying], new_diagnosis.astype(np.int8)])
    patient_effect = rng.normal(0.0, PATIENT_SPREAD, len(entry))
    next_number = int(history.patient.max(initial=-1)) + 1
    numbers = np.concatenate([history.patient[staying], next_number + np.arange(fresh)])

    owner, days = _seen_days(entry, leave, start_day, last_day, rng)
    visit_center = center[owner]
    share = _present_share(courses, visit_center, days, first_day, start_day)
    quarters = max(last_day - start_day, 0) // WOBBLE_DAYS + 1
    wobble = np.zeros(quarters)
    for quarter, step in enumerate(rng.normal(0.0, WOBBLE_SPREAD, quarters)):
        wobble[quarter] = (WOBBLE_MEMORY * wobble[quarter - 1] if quarter else 0.0) + step
    share = np.clip(share + wobble[(days - start_day) // WOBBLE_DAYS], 0.05, 0.97)
    seen = _Seen(visit_center, owner, days, diagnosis, patient_effect, 0)
    visits = _visits(courses, seen, share, np.ones(len(days)), rng)
    return SimulatedVisits(
        center=visits.center,
        patient=numbers[owner],
        visit_date=visits.visit_date,
        pga=visits.pga,
        diagnosis=visits.diagnosis,
        flags=visits.flags,
    )


def _present_share(
    courses: Sequence[CenterCourse],
    center: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    first_day: int,
    history_day: int,
) -> npt.NDArray[np.float64]:
    """Where the history's curve ended, rising by ``PRESENT_RISE`` over the years after it; a
    center that joins later catches up from where the network started; shift centers stay
    ahead."""
    ended = float(network_remission_share(np.array([history_day]), first_day, history_day)[0])
    years = (days - history_day) / _DAYS_PER_YEAR
    network = ended + PRESENT_RISE * (1.0 - np.exp(-years / (PRESENT_YEARS / 3.0)))
    joined = np.array([_day(course.joined_on) for course in courses])[center]
    offset = np.array([course.offset for course in courses])[center]
    behind = np.exp(-np.maximum(days - joined, 0) / (CATCH_UP_YEARS * _DAYS_PER_YEAR))
    pushed = np.array([course.push_on is not None for course in courses])[center]
    share: npt.NDArray[np.float64] = network - (network - REMISSION_FROM) * behind + offset
    return np.clip(share + AFTER_PUSH * pushed, 0.05, 0.97)
