"""``load_visits_frame``: registry visits as the DataFrame every measure computes from.

Columns and dtypes (the contract of ``Measure.compute``): ``center_id`` int64, ``patient_key``
category, ``visit_date`` datetime64[ns], ``pga`` and ``diagnosis`` categories of the enum
values, and the process fields ``on_steroids``, ``pre_visit_planning``, ``growth_assessed``,
``nutrition_assessed`` as nullable ``boolean`` (blank: NA). Patient keys are the stored keyed
hashes; the frame stays in the process that computes the measures.

One query, in the caller's session (and so its transaction). The database does the cheap
conversions (dates to day numbers, enums to category codes, booleans to 0/1) so that no Python
object is made per value except the patient keys. On PostgreSQL the rows arrive as one
``COPY ... TO STDOUT`` CSV stream parsed by pandas' C reader; elsewhere they are streamed in
partitions and turned into columns partition by partition.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, Select, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from icn_graph.lazy import lazy_module
from icn_graph.models.visits import Diagnosis, PhysicianGlobalAssessment, Visit

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "BOOLEAN_COLUMNS",
    "DIAGNOSIS_CATEGORIES",
    "PGA_CATEGORIES",
    "empty_visits_frame",
    "load_visits_frame",
]

PARTITION_ROWS = 50_000
PGA_CATEGORIES = tuple(member.value for member in PhysicianGlobalAssessment)
DIAGNOSIS_CATEGORIES = tuple(member.value for member in Diagnosis)
BOOLEAN_COLUMNS = ("on_steroids", "pre_visit_planning", "growth_assessed", "nutrition_assessed")
_COLUMNS = ("center_id", "patient_key", "day", "pga", "diagnosis", *BOOLEAN_COLUMNS)
_UNIX_EPOCH_JULIAN_DAY = 2440587.5
_CSV_DTYPES: dict[str, Any] = {
    "center_id": "int64",
    "patient_key": object,
    "day": "int64",
    "pga": "int8",
    "diagnosis": "int8",
    **dict.fromkeys(BOOLEAN_COLUMNS, "Int8"),
}


async def load_visits_frame(
    session: AsyncSession, center_ids: Collection[int] | None, *, since: date | None = None
) -> pd.DataFrame:
    """The visits of ``center_ids`` (``None``: every center), in no particular order; only
    those on or after ``since`` when given."""
    if center_ids is not None and not center_ids:
        return empty_visits_frame()
    await session.flush()  # the caller's pending visits belong in the frame
    connection = await session.connection()
    statement = _statement(connection.dialect.name, center_ids)
    if since is not None:
        statement = statement.where(Visit.visit_date >= since)
    if connection.dialect.name == "postgresql":
        return await _copy_postgresql(connection, statement)
    return await _stream(connection, statement)


def _statement(dialect: str, center_ids: Collection[int] | None) -> Select[Any]:
    day: ColumnElement[Any]
    if dialect == "postgresql":
        day = Visit.visit_date - literal("1970-01-01").cast(Visit.visit_date.type)
    else:
        day = cast(func.julianday(Visit.visit_date) - _UNIX_EPOCH_JULIAN_DAY, Integer)
    statement = select(
        Visit.center_id,
        Visit.patient_key,
        day,
        _code(Visit.pga, PGA_CATEGORIES),
        _code(Visit.diagnosis, DIAGNOSIS_CATEGORIES),
        *(cast(getattr(Visit, name), Integer) for name in BOOLEAN_COLUMNS),
    )
    if center_ids is not None:
        statement = statement.where(Visit.center_id.in_(sorted(set(center_ids))))
    return statement


def _code(column: Any, categories: Sequence[str]) -> ColumnElement[Any]:
    """The position of the enum value in ``categories``, -1 for anything else."""
    return case(
        {category: code for code, category in enumerate(categories)},
        value=cast(column, Visit.patient_key.type),
        else_=-1,
    )


async def _copy_postgresql(connection: AsyncConnection, statement: Select[Any]) -> pd.DataFrame:
    # Literal binds are only center ids (integers), a date and constants of this module.
    sql = str(statement.compile(connection.engine, compile_kwargs={"literal_binds": True}))
    driver: Any = (await connection.get_raw_connection()).driver_connection  # asyncpg's
    buffer = io.BytesIO()

    async def write(chunk: bytes) -> None:
        buffer.write(chunk)

    await driver.copy_from_query(sql, output=write, format="csv")
    if not buffer.tell():
        return empty_visits_frame()
    buffer.seek(0)
    raw = pd.read_csv(
        buffer,
        header=None,
        names=list(_COLUMNS),
        dtype=_CSV_DTYPES,
        keep_default_na=False,
        na_values={name: [""] for name in BOOLEAN_COLUMNS},
    )
    return _frame({name: raw[name] for name in _COLUMNS})


async def _stream(connection: AsyncConnection, statement: Select[Any]) -> pd.DataFrame:
    parts: list[list[Any]] = [[] for _ in _COLUMNS]
    result = await connection.stream(statement.execution_options(yield_per=PARTITION_ROWS))
    async for partition in result.partitions():
        for part, values in zip(parts, zip(*partition, strict=True), strict=True):
            part.append(values)
    if not parts[0]:
        return empty_visits_frame()
    return _frame(
        {
            name: [value for chunk in chunks for value in chunk]
            for name, chunks in zip(_COLUMNS, parts, strict=True)
        }
    )


def _frame(columns: dict[str, Any]) -> pd.DataFrame:
    """The contract's frame from raw columns: ids, keys, day numbers, codes and 0/1/blank."""
    days = np.asarray(columns["day"], dtype=np.int64)
    return pd.DataFrame(
        {
            "center_id": np.asarray(columns["center_id"], dtype=np.int64),
            "patient_key": pd.Categorical(np.asarray(columns["patient_key"], dtype=object)),
            "visit_date": days.astype("datetime64[D]").astype("datetime64[ns]"),
            "pga": pd.Categorical.from_codes(
                np.asarray(columns["pga"], dtype=np.int8), categories=pd.Index(PGA_CATEGORIES)
            ),
            "diagnosis": pd.Categorical.from_codes(
                np.asarray(columns["diagnosis"], dtype=np.int8),
                categories=pd.Index(DIAGNOSIS_CATEGORIES),
            ),
            **{
                name: pd.array(columns[name], dtype="Int8").astype("boolean")
                for name in BOOLEAN_COLUMNS
            },
        }
    )


def empty_visits_frame() -> pd.DataFrame:
    """A frame with no visits and the contract's columns and dtypes."""
    frame = _frame({name: [] for name in _COLUMNS})
    frame["patient_key"] = frame["patient_key"].astype("category")
    return frame
