"""Vectorized building blocks for monthly measures: month indexes, center spans, intervals.

Months are integers (months since January 1970, numpy's ``datetime64[M]``). Every center owns a
block of consecutive positions on one flat month axis, from its first visit month through its
last. A measure describes each patient's contribution as half-open month intervals
``[start, end)`` on that axis and :meth:`CenterSpans.count_intervals` adds them all up at once
with a difference array and a cumulative sum: no Python loop over months, patients or centers.

:class:`PatientMonths` reduces the visits to one record per center, patient and month (the
month's latest visit), which the patient-level measures share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from icn_graph.lazy import lazy_module
from icn_graph.models.visits import PhysicianGlobalAssessment

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "OUTPUT_COLUMNS",
    "CenterSpans",
    "PatientMonths",
    "empty_frame",
    "flag",
    "month_index",
    "pga_severity",
    "to_month_starts",
    "visit_share",
]

OUTPUT_COLUMNS = ("center_id", "month", "numerator", "denominator")

IntArray: TypeAlias = "npt.NDArray[np.int64]"
BoolArray: TypeAlias = "npt.NDArray[np.bool_]"

_SEVERITY = {member.value: rank for rank, member in enumerate(PhysicianGlobalAssessment)}
_UNKNOWN_SEVERITY = len(_SEVERITY)  # a missing or unknown PGA ranks worst


def month_index(dates: pd.Series) -> IntArray:
    """Months since January 1970 of a datetime64 Series (any resolution), as int64."""
    return np.asarray(dates.to_numpy().astype("datetime64[M]").astype(np.int64))


def _codes(values: pd.Series) -> IntArray:
    """Integer codes for a Series' values: category codes, or factorized values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.cat.codes, dtype=np.int64)
    codes, _ = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64)


def pga_severity(pga: pd.Series) -> IntArray:
    """0 (QUIESCENT) to 3 (SEVERE) per visit; 4 for a missing or unknown value."""
    categorical = pga if isinstance(pga.dtype, pd.CategoricalDtype) else pga.astype("category")
    table = np.array(
        [_SEVERITY.get(str(category), _UNKNOWN_SEVERITY) for category in categorical.cat.categories]
        + [_UNKNOWN_SEVERITY],
        dtype=np.int64,
    )
    codes = np.asarray(categorical.cat.codes, dtype=np.int64)  # -1 (missing) picks the last entry
    return table[codes]


def flag(values: pd.Series, *, missing: bool) -> BoolArray:
    """A nullable boolean column as a numpy bool array, ``missing`` standing in for NA."""
    return np.asarray(values.astype("boolean").fillna(missing), dtype=np.bool_)


def to_month_starts(months: IntArray) -> npt.NDArray[np.datetime64]:
    return months.astype("datetime64[M]").astype("datetime64[ns]")


@dataclass(frozen=True)
class CenterSpans:
    """Each center's month block on the flat axis. Index ``i`` is the i-th center by id."""

    center_ids: IntArray
    first: IntArray  # first visit month
    last: IntArray  # last visit month
    offset: IntArray  # where the center's block starts on the flat axis
    size: int  # total months of all blocks

    @classmethod
    def of(cls, center_index: IntArray, months: IntArray, center_ids: IntArray) -> CenterSpans:
        """Spans from visits' center indexes (into ``center_ids``) and months."""
        count = len(center_ids)
        first = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
        last = np.full(count, np.iinfo(np.int64).min, dtype=np.int64)
        np.minimum.at(first, center_index, months)
        np.maximum.at(last, center_index, months)
        lengths = last - first + 1
        offset = np.zeros(count, dtype=np.int64)
        np.cumsum(lengths[:-1], out=offset[1:])
        return cls(center_ids, first, last, offset, int(lengths.sum()))

    def position(self, center_index: IntArray, months: IntArray) -> IntArray:
        """Flat positions of (center, month) pairs, clipped to the center's block end."""
        clipped = np.minimum(months, self.last[center_index] + 1)
        return np.asarray(self.offset[center_index] + clipped - self.first[center_index])

    def count_intervals(self, center_index: IntArray, starts: IntArray, ends: IntArray) -> IntArray:
        """How many of the half-open month intervals ``[start, end)`` cover each position.

        Intervals are clipped to their center's block; empty ones (``end <= start``) count for
        nothing.
        """
        keep = ends > starts
        center_index, starts, ends = center_index[keep], starts[keep], ends[keep]
        opened = np.bincount(self.position(center_index, starts), minlength=self.size + 1)
        closed = np.bincount(self.position(center_index, ends), minlength=self.size + 1)
        return np.asarray(np.cumsum(opened - closed)[: self.size], dtype=np.int64)

    def count_at(self, center_index: IntArray, months: IntArray) -> IntArray:
        """How many of the given (center, month) points fall on each position."""
        counted = np.bincount(self.position(center_index, months), minlength=self.size)
        return np.asarray(counted[: self.size], dtype=np.int64)

    def frame(self, numerator: IntArray, denominator: IntArray) -> pd.DataFrame:
        """The measure's output: one row per position, in center then month order."""
        lengths = self.last - self.first + 1
        center = np.repeat(np.arange(len(self.center_ids)), lengths)
        months = self.first[center] + np.arange(self.size) - self.offset[center]
        return pd.DataFrame(
            {
                "center_id": self.center_ids[center].astype(np.int64),
                "month": to_month_starts(months),
                "numerator": numerator.astype(np.int64),
                "denominator": denominator.astype(np.int64),
            }
        )


def empty_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "center_id": np.array([], dtype=np.int64),
            "month": np.array([], dtype="datetime64[ns]"),
            "numerator": np.array([], dtype=np.int64),
            "denominator": np.array([], dtype=np.int64),
        }
    )


def _centers(visits: pd.DataFrame) -> tuple[IntArray, IntArray]:
    """Sorted distinct center ids, and each visit's index into them."""
    ids = np.asarray(visits["center_id"], dtype=np.int64)
    low, high = int(ids.min()), int(ids.max())
    if high - low > 4 * len(ids) + 1_000_000:
        center_ids, center_index = np.unique(ids, return_inverse=True)
        return center_ids, np.asarray(center_index, dtype=np.int64).ravel()
    # Ids are dense enough for a lookup table: linear time, no sort.
    present = np.bincount(ids - low) > 0
    lookup = np.cumsum(present) - 1
    return np.flatnonzero(present) + low, lookup[ids - low]


def _days(dates: pd.Series) -> IntArray:
    """Days since 1970-01-01 of a datetime64 Series (any resolution)."""
    return np.asarray(dates.to_numpy().astype("datetime64[D]").view(np.int64))


def _months_of_days(days: IntArray) -> IntArray:
    """Months since January 1970 of day numbers, through a table over the days' range."""
    low = int(days.min(initial=0))
    span = np.arange(low, int(days.max(initial=0)) + 1, dtype=np.int64)
    table = span.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.asarray(table[days - low])


def visit_share(visits: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per center and month: visits with ``column`` recorded (denominator) and true (numerator).

    Each visit row counts once; visits whose ``column`` is blank are left out of both. Months
    of the center's span without such visits have denominator 0.
    """
    if visits.empty:
        return empty_frame()
    center_ids, center_index = _centers(visits)
    months = _months_of_days(_days(visits["visit_date"]))
    spans = CenterSpans.of(center_index, months, center_ids)
    values = visits[column].astype("boolean")
    recorded = np.asarray(values.notna(), dtype=np.bool_)
    done = flag(values, missing=False)
    return spans.frame(
        spans.count_at(center_index[done], months[done]),
        spans.count_at(center_index[recorded], months[recorded]),
    )


@dataclass(frozen=True)
class PatientMonths:
    """One record per center, patient and month with a visit, sorted by center, patient, month.

    The record stands for the month's latest visit (latest date). Two rows for the same patient
    and date (the database never holds them; a DataFrame might) are resolved against remission:
    the most severe PGA wins, and among equally severe ones a row on steroids or of unknown
    steroid status wins.
    """

    spans: CenterSpans
    center: IntArray  # index into spans.center_ids
    month: IntArray
    next_month: IntArray  # the patient's next record's month, or a far-future month
    previous_month: IntArray  # the patient's previous record's month, or a far-past month
    patient_start: IntArray  # index of the patient's first record
    quiescent: BoolArray  # the latest visit's PGA is QUIESCENT
    steroid_free: BoolArray  # ... and the patient is recorded as not on steroids
    visit_days: IntArray  # distinct visit dates in the month
    any_active: BoolArray  # some visit in the month is not QUIESCENT

    FAR = 1 << 40  # months: beyond any real date in both directions

    @classmethod
    def of(cls, visits: pd.DataFrame) -> PatientMonths:
        center_ids, center = _centers(visits)
        patient = _codes(visits["patient_key"])
        days = _days(visits["visit_date"])
        severity = pga_severity(visits["pga"])
        on_steroids = flag(visits["on_steroids"], missing=True)
        # Within one date, the row least favourable to remission sorts last.
        tie_rank = severity * 2 + on_steroids
        center, patient, days, tie_rank = _sorted(center, patient, days, tie_rank)
        severity, on_steroids = tie_rank >> 1, (tie_rank & 1).astype(np.bool_)
        months = _months_of_days(days)

        new_patient = np.empty(len(center), dtype=np.bool_)
        new_patient[0] = True
        np.not_equal(center[1:], center[:-1], out=new_patient[1:])
        new_patient[1:] |= patient[1:] != patient[:-1]
        new_month = new_patient.copy()
        new_month[1:] |= months[1:] != months[:-1]
        new_day = new_month.copy()
        new_day[1:] |= days[1:] != days[:-1]

        firsts = np.flatnonzero(new_month)  # first row of each record
        lasts = np.r_[firsts[1:] - 1, len(center) - 1]  # its latest visit
        active_rows = np.cumsum(severity > 0)
        day_rows = np.cumsum(new_day)
        before = firsts - 1
        active_before = np.where(before >= 0, active_rows[np.maximum(before, 0)], 0)
        days_before = np.where(before >= 0, day_rows[np.maximum(before, 0)], 0)

        record_center = center[firsts]
        record_month = months[firsts]
        first_of_patient = new_patient[firsts]
        record_index = np.arange(len(firsts))
        patient_start = np.maximum.accumulate(np.where(first_of_patient, record_index, 0))
        next_same = np.r_[~first_of_patient[1:], False]
        next_month = np.where(next_same, np.r_[record_month[1:], 0], cls.FAR)
        previous_month = np.where(first_of_patient, -cls.FAR, np.r_[0, record_month[:-1]])
        latest_quiescent = severity[lasts] == 0
        return cls(
            spans=CenterSpans.of(record_center, record_month, center_ids),
            center=record_center,
            month=record_month,
            next_month=next_month,
            previous_month=previous_month,
            patient_start=patient_start,
            quiescent=latest_quiescent,
            steroid_free=latest_quiescent & ~on_steroids[lasts],
            visit_days=day_rows[lasts] - days_before,
            any_active=np.asarray(active_rows[lasts] > active_before, dtype=np.bool_),
        )

    def active_until(self, months_active: int) -> IntArray:
        """End (exclusive) of the months each record is the patient's latest visit in a
        ``months_active``-month window: until the next record or ``months_active`` months."""
        return np.minimum(self.next_month, self.month + months_active)


def _sorted(
    center: IntArray, patient: IntArray, days: IntArray, tie: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The four columns sorted together by center, patient, date and tie rank.

    When they fit in 63 bits they are packed into one int64 per row, sorted as values and
    unpacked (faster than an argsort and four gathers); otherwise a lexsort orders them.
    """
    lowest = [0, int(patient.min()), int(days.min()), 0]
    keys = [key - low for key, low in zip([center, patient, days, tie], lowest, strict=True)]
    widths = [max(int(key.max()), 1).bit_length() for key in keys]
    if sum(widths) > 63:
        order = np.lexsort((tie, days, patient, center))
        return center[order], patient[order], days[order], tie[order]
    packed = np.zeros(len(center), dtype=np.int64)
    for key, width in zip(keys, widths, strict=True):
        packed <<= width
        packed |= key
    packed.sort()
    unpacked: list[IntArray] = []
    for low, width in zip(reversed(lowest), reversed(widths), strict=True):
        unpacked.append((packed & ((1 << width) - 1)) + low)
        packed >>= width
    sorted_tie, sorted_days, sorted_patient, sorted_center = unpacked
    return sorted_center, sorted_patient, sorted_days, sorted_tie
