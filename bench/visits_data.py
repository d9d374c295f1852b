"""Synthetic registry visits for the benchmarks, from the demo's simulation.

- ``visits_frame``: an in-memory visits DataFrame with the dtypes every measure computes from
  (``icn_graph.reports.measures.frames``), patient keys as the stored keyed hashes;
- ``write_visits_csv``: a center's import file of exactly ``rows`` visits, generated and written
  in chunks, so the file is never held in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from icn_graph.demo.visit_simulation import (
    DIAGNOSIS_VALUES,
    FLAG_COLUMNS,
    PGA_VALUES,
    CenterCourse,
    SimulatedVisits,
    simulate,
)
from icn_graph.reports.measures.frames import DIAGNOSIS_CATEGORIES, PGA_CATEGORIES
from icn_graph.services.registry.patient_keys import PatientKeyHasher

CSV_HEADER = ("patient_key", "visit_date", "pga", "diagnosis", *FLAG_COLUMNS)
SECRET = "bench-patient-key-secret"  # noqa: S105
PATIENTS_PER_CHUNK = 5_000
SHIFT_SHARE = 0.1


def courses(centers: int, start: date, rng: np.random.Generator) -> list[CenterCourse]:
    """``centers`` centers joining over the first two years, a tenth of them with a QI push."""
    joined = [start + timedelta(days=int(day)) for day in rng.integers(0, 730, centers)]
    pushed = rng.random(centers) < SHIFT_SHARE
    return [
        CenterCourse(
            joined_on=joined_on,
            size=float(rng.lognormal(0.0, 0.5)),
            offset=float(rng.normal(0.0, 0.03)),
            planning_from=joined_on + timedelta(days=int(rng.integers(180, 1500))),
            push_on=joined_on + timedelta(days=int(rng.integers(540, 2000))) if push else None,
        )
        for joined_on, push in zip(joined, pushed, strict=True)
    ]


def span(years: int, end: date) -> tuple[date, date]:
    return end.replace(year=end.year - years) + timedelta(days=1), end


def visits_frame(
    centers: int, patients: int, years: int, seed: int, *, end: date = date(2024, 12, 31)
) -> pd.DataFrame:
    """About ``patients`` patients' visits at ``centers`` centers over ``years`` years."""
    rng = np.random.default_rng(seed)
    start, end = span(years, end)
    visits = simulate(courses(centers, start, rng), patients, start, end, rng)
    center_ids = visits.center + 1
    hashers = [PatientKeyHasher(SECRET, center_id) for center_id in range(1, centers + 1)]
    first_visit = np.r_[True, visits.patient[1:] != visits.patient[:-1]]
    keys = [
        hashers[center](f"P{patient:07d}")
        for center, patient in zip(
            visits.center[first_visit].tolist(), visits.patient[first_visit].tolist(), strict=True
        )
    ]
    patient_codes = np.cumsum(first_visit) - 1
    return pd.DataFrame(
        {
            "center_id": center_ids.astype(np.int64),
            "patient_key": pd.Categorical.from_codes(patient_codes, categories=pd.Index(keys)),
            "visit_date": visits.visit_date.astype("datetime64[ns]"),
            "pga": pd.Categorical.from_codes(visits.pga, categories=pd.Index(PGA_CATEGORIES)),
            "diagnosis": pd.Categorical.from_codes(
                visits.diagnosis, categories=pd.Index(DIAGNOSIS_CATEGORIES)
            ),
            **{name: _nullable_boolean(visits, name) for name in FLAG_COLUMNS},
        }
    )


def _nullable_boolean(visits: SimulatedVisits, name: str) -> pd.arrays.BooleanArray:
    codes = visits.flags[name]
    return pd.arrays.BooleanArray(codes == 1, codes < 0)


def _csv_chunks(rows: int, years: int, seed: int, end: date) -> Iterator[list[tuple[str, ...]]]:
    """Rows of one center's file, chunk by chunk, ``rows`` in all; raw keys unique per patient."""
    rng = np.random.default_rng(seed)
    start, end = span(years, end)
    center = courses(1, start, rng)
    text = {
        "pga": np.array(PGA_VALUES, dtype=object),
        "diagnosis": np.array(DIAGNOSIS_VALUES, dtype=object),
        "flag": np.array(["false", "true", ""], dtype=object),  # codes 0, 1, -1
    }
    written = first_patient = 0
    while written < rows:
        visits = simulate(center, PATIENTS_PER_CHUNK, start, end, rng, first_patient=first_patient)
        first_patient += PATIENTS_PER_CHUNK
        take = min(len(visits), rows - written)
        written += take
        keys = np.char.add("P", np.char.zfill(visits.patient[:take].astype(str), 8))
        columns = [
            keys.tolist(),
            np.datetime_as_string(visits.visit_date[:take], unit="D").tolist(),
            text["pga"][visits.pga[:take]].tolist(),
            text["diagnosis"][visits.diagnosis[:take]].tolist(),
            *(text["flag"][visits.flags[name][:take]].tolist() for name in FLAG_COLUMNS),
        ]
        yield list(zip(*columns, strict=True))


def write_visits_csv(
    path: Path, rows: int, *, years: int = 10, seed: int = 2014, end: date = date(2024, 12, 31)
) -> None:
    """Write a center's import file of exactly ``rows`` visits to ``path``, chunk by chunk."""
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(CSV_HEADER)
        for chunk in _csv_chunks(rows, years, seed, end):
            writer.writerows(chunk)
