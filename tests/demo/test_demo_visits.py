"""The demo's registry visits: the network's remission story, shift signals, realistic visits."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import func, select

from icn_graph.config import DEV_PATIENT_KEY_SECRET, Settings
from icn_graph.db.database import Database
from icn_graph.demo import SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.context import DemoContext
from icn_graph.demo.generator import generate_network
from icn_graph.demo.present import STORY_TODAY
from icn_graph.demo.visit_simulation import (
    DIAGNOSIS_VALUES,
    MISSING,
    SimulatedVisits,
)
from icn_graph.demo.visits import (
    FIRST_VISIT,
    LAST_VISIT,
    PATIENTS,
    plan_visits,
    simulate_demo_visits,
)
from icn_graph.host import core_host, load_plugins
from icn_graph.models import Center, MeasureValue, Visit
from icn_graph.reports.measures.builtin import remission_rate
from icn_graph.reports.measures.frames import load_visits_frame
from icn_graph.reports.run_chart import run_chart
from icn_graph.reports.signals import Rule
from icn_graph.services.registry.patient_keys import patient_key
from tests.reports.test_measures_store import GrowthPlugin


def _context(seed: int = 2014, scale: float = 1.0) -> DemoContext:
    network = generate_network(seed)
    ids = tuple(range(1, len(network.centers) + 1))
    return DemoContext(seed, network, ids, (), {}, visit_scale=scale)


def _simulated(seed: int = 2014, scale: float = 1.0) -> SimulatedVisits:
    context = _context(seed, scale)
    return simulate_demo_visits(context, plan_visits(context))


def _network_rates(values: pd.DataFrame) -> pd.Series:
    totals = values.groupby("month")[["numerator", "denominator"]].sum().sort_index()
    return totals["numerator"] / totals["denominator"]


def _month(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


async def test_the_demo_tells_the_networks_remission_story(db: Database) -> None:
    await load_demo(db, plugins=core_host(), today=STORY_TODAY)
    async with db.session() as session:
        visits = await load_visits_frame(session, None)
        loaded = list(await session.scalars(select(Center)))
        stored = (
            await session.execute(
                select(
                    MeasureValue.center_id,
                    MeasureValue.month,
                    MeasureValue.numerator,
                    MeasureValue.denominator,
                ).where(MeasureValue.measure_key == "remission_rate")
            )
        ).all()
    centers = {center.id: center.joined_on for center in loaded}
    assert 100_000 < len(visits) < 200_000
    assert visits["patient_key"].nunique() == PATIENTS
    assert visits["visit_date"].min() >= pd.Timestamp(FIRST_VISIT)
    assert visits["visit_date"].max() <= pd.Timestamp(LAST_VISIT)
    first_visit = visits.groupby("center_id")["visit_date"].min()
    assert all(first_visit[center] >= pd.Timestamp(centers[center]) for center in first_visit.index)
    assert set(first_visit.index) == {
        center for center, joined in centers.items() if joined <= LAST_VISIT
    }

    values = remission_rate(visits)
    network = _network_rates(values)
    assert network.index[0] == pd.Timestamp("2007-01-01")
    assert network.index[-1] == pd.Timestamp("2014-02-01")
    first_year, last_year = network.iloc[:12].mean(), network.iloc[-12:].mean()
    assert 0.50 <= first_year <= 0.60, first_year
    assert 0.73 <= last_year <= 0.83, last_year

    # The stored monthly values are the measure's, for every center with visits.
    computed = set(
        zip(
            values["center_id"].tolist(),
            values["month"].dt.date.tolist(),
            values["numerator"].tolist(),
            values["denominator"].tolist(),
            strict=True,
        )
    )
    assert {tuple(row) for row in stored} == computed
    shifted = _shift_centers(values, {center.short_code: center.id for center in loaded})
    assert len(shifted) >= 2, shifted


def _shift_centers(values: pd.DataFrame, codes: dict[str, int]) -> list[int]:
    """The demo's shift centers whose run chart, with the months before their QI push as a
    frozen baseline, signals a long run starting around the push, well above the centre line."""
    context = _context()
    plan = plan_visits(context)
    assert len(plan.shift_centers) >= 2
    shifted = []
    for position in plan.shift_centers:
        push_on = plan.courses[position].push_on
        assert push_on is not None
        center_id = codes[context.network.centers[position].short_code]
        series = values[values["center_id"] == center_id].sort_values("month")
        labels = [_month(month) for month in series["month"].dt.date]
        rates = (series["numerator"] / series["denominator"]).to_numpy()
        push_month = labels.index(_month(push_on))
        chart = run_chart(rates, labels=labels, baseline=slice(0, push_month))
        after_push = [
            signal
            for signal in chart.signals
            if signal.rule is Rule.LONG_RUN
            and signal.start_index >= push_month - 3
            and rates[signal.start_index : signal.end_index + 1].mean() > chart.centre + 0.10
        ]
        if after_push:
            shifted.append(position)
    return shifted


async def test_visits_are_stored_as_the_importer_stores_them(db: Database) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    simulated = _simulated(scale=SMALL_VISIT_SCALE)
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(Visit))
        centers = {c.short_code: c.id for c in await session.scalars(select(Center))}
        first = simulated.center[0], simulated.patient[0], simulated.visit_date[0]
        network = generate_network()
        center_id = centers[network.centers[int(first[0])].short_code]
        key = patient_key(DEV_PATIENT_KEY_SECRET, center_id, f"P{int(first[1]) + 1:06d}")
        stored = (
            await session.execute(
                select(Visit.visit_date, Visit.pga).where(
                    Visit.center_id == center_id, Visit.patient_key == key
                )
            )
        ).all()
        patients = await session.scalar(select(func.count(func.distinct(Visit.patient_key))))
    assert count == len(simulated)
    assert patients == round(PATIENTS * SMALL_VISIT_SCALE)
    assert stored
    assert stored[0].visit_date == first[2].astype(date)


def test_same_seed_same_visits_and_another_seed_others() -> None:
    first, again, other = _simulated(scale=0.1), _simulated(scale=0.1), _simulated(7, 0.1)
    assert np.array_equal(first.visit_date, again.visit_date)
    assert np.array_equal(first.pga, again.pga)
    assert all(np.array_equal(first.flags[n], again.flags[n]) for n in first.flags)
    assert len(first) != len(other) or not np.array_equal(first.visit_date, other.visit_date)


def test_visits_look_like_a_registry() -> None:
    visits = _simulated()
    frame = pd.DataFrame(
        {
            "patient": visits.patient,
            "date": visits.visit_date,
            "diagnosis": visits.diagnosis,
            **visits.flags,
        }
    )
    # Seen every three to four months while in care.
    gaps = frame.groupby("patient")["date"].diff().dropna().dt.days
    assert 90 <= gaps.median() <= 120
    # Patients enter and leave care: few are seen over the whole span.
    spans = frame.groupby("patient")["date"].agg(["min", "max"])
    assert (spans["min"] > pd.Timestamp("2008-01-01")).mean() > 0.5
    assert (spans["max"] < pd.Timestamp("2013-01-01")).mean() > 0.2
    # Crohn's disease is the most common diagnosis, then UC, then IBD unclassified.
    mix = frame.drop_duplicates("patient")["diagnosis"].value_counts(normalize=True)
    assert [DIAGNOSIS_VALUES[code] for code in mix.index] == ["CROHNS", "UC", "IBDU"]
    assert 0.55 < mix[0] < 0.70
    # Pre-visit planning spreads and steroid use falls; a few fields are left blank.
    year = frame["date"].dt.year
    for name, direction in (("pre_visit_planning", 1), ("on_steroids", -1)):
        recorded = frame[frame[name] != MISSING]
        share = (recorded[name] == 1).groupby(year[recorded.index]).mean()
        assert direction * (share[2013] - share[2007]) > 0.05, (name, share.to_dict())
    assert 0.01 < (frame["growth_assessed"] == MISSING).mean() < 0.05


async def test_the_demo_computes_plugins_measures_too(db: Database, settings: Settings) -> None:
    host = load_plugins(settings, extra=[("icn-growth", GrowthPlugin())], discover=False)
    await load_demo(db, plugins=host, visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    async with db.session() as session:
        stored = await session.scalar(
            select(func.count())
            .select_from(MeasureValue)
            .where(MeasureValue.measure_key == "growth_assessment_rate")
        )
    assert stored
