"""A Hypothesis state machine over one data request: centers consent, answer "unnamed", decline,
revoke; deciders lose and regain their role; the clock moves past consents', links' and the
request's expiry; the view is published, links made and revoked, the request withdrawn; and
people in every role (and anonymous holders of a link) read the view.

Invariants checked after every read, against a model kept by the test itself:
- every center the rendering names (a series or funnel label with its name) holds a CONSENT that
  is valid at that instant: the latest answer of that center for the view, not revoked, not
  expired, with the request neither withdrawn nor expired;
- no center's name appears anywhere else in the rendering (blinded labels are letters);
- the read left exactly one audit row listing every named center outside the reader's own
  centers with the consent it was shown under, or none when there is no such center.

The services are driven directly (the HTTP layer is covered by the story and route tests), so a
thousand runs fit in the suite on SQLite; PostgreSQL runs fewer.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, update

from icn_graph.db.database import Database
from icn_graph.errors import InvalidInput, ServiceError
from icn_graph.models import CenterRole, Membership
from icn_graph.models.stewardship import (
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataRequestState,
    DataViewChart,
    IdentifiedRead,
    IdentifiedReadCenter,
    OthersShown,
)
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.data_views.links import create_link, revoke_link
from icn_graph.services.data_views.publish import publish_view
from icn_graph.services.data_views.rendering import Rendering, SeriesKind
from icn_graph.services.data_views.view_reads import read_public_view, read_views
from icn_graph.services.stewardship.consents import DecisionDraft, decide_consent, revoke_consent
from icn_graph.services.stewardship.requests import RequestDraft, request_data, withdraw_request
from icn_graph.services.stewardship.views import ViewDraft, accept_view, propose_view
from icn_graph.services.viewer import Viewer
from icn_graph.services.viewers import viewers_of
from tests.stewardship.view_helpers import MEASURE, MONTHS, PURPOSE, Network, make_network

T = TypeVar("T")

EXAMPLES = {"sqlite": int(os.environ.get("ICN_CONSENT_EXAMPLES", 1000)), "postgresql": 100}
STEPS = 14
CENTERS = 8
BLINDED_LABEL = re.compile(r"Center [A-Z]+")
REGISTRY = core_registry()


@dataclass
class Answer:
    """The model's record of a center's latest answer for the view."""

    consent_id: int
    decision: ConsentDecision
    expires_on: date
    revoked: bool = False


def today_of(instant: datetime) -> date:
    return instant.astimezone(UTC).date()


def machine_for(
    db: Database, network: Network, loop: asyncio.AbstractEventLoop
) -> type[RuleBasedStateMachine]:
    names = {center.id: center.name for center in network.centers}
    deciders = network.deciders
    viewers: dict[int, Viewer] = {}
    started = datetime.now(UTC)  # every run starts at the same instant, so replays match

    class ConsentMachine(RuleBasedStateMachine):
        def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
            return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

        def viewer(self, person_id: int) -> Viewer:
            if person_id not in viewers:

                async def load() -> Viewer:
                    async with db.session() as session:
                        return (await viewers_of(session, [person_id]))[person_id]

                viewers[person_id] = self.run(load())
            return viewers[person_id]

        def attempt(self, coroutine: Coroutine[Any, Any, T]) -> T | None:
            try:
                return self.run(coroutine)
            except (ServiceError, InvalidInput):
                return None

        @initialize(
            audience=st.sampled_from(DataAudience),
            others=st.sampled_from(OthersShown),
            chart=st.sampled_from([DataViewChart.FUNNEL, DataViewChart.P_CHART]),
            centers=st.lists(
                st.integers(0, CENTERS - 1), min_size=1, max_size=CENTERS, unique=True
            ),
            request_days=st.integers(3, 20),
        )
        def open_request(
            self,
            audience: DataAudience,
            others: OthersShown,
            chart: DataViewChart,
            centers: list[int],
            request_days: int,
        ) -> None:
            self.now = started
            self.answers: dict[int, Answer] = {}
            self.withdrawn = False
            self.published = False
            self.dropped: set[int] = set()
            self.links: list[tuple[str, int]] = []  # (token, link id)
            self.center_ids = [network.centers[index].id for index in centers]
            self.request_expires = today_of(self.now) + timedelta(days=request_days)
            requester = self.viewer(network.requester.id)
            steward = self.viewer(network.steward.id)
            draft = RequestDraft(
                purpose=PURPOSE,
                audience=audience,
                measure_keys=[MEASURE],
                period_start=MONTHS[0],
                period_end=MONTHS[-1],
                presentation="A slide.",
                expires_on=self.request_expires,
            )
            self.request = self.run(request_data(db, requester, draft, measures=REGISTRY))
            view = self.run(
                propose_view(
                    db,
                    steward,
                    ViewDraft(
                        request_id=self.request.id,
                        measure_key=MEASURE,
                        chart=chart,
                        period_start=MONTHS[0],
                        period_end=MONTHS[-1],
                        center_ids=self.center_ids,
                        others=others,
                    ),
                    measures=REGISTRY,
                )
            )
            self.view_id = view.id
            self.run(accept_view(db, requester, view.id))

        def answered(self, index: int) -> int:
            """A center that has answered (its team reads its own center), else any."""
            answered = sorted(self.answers) or self.center_ids
            return answered[index % len(answered)]

        def of_view(self, index: int) -> int:
            """A center of the view (most of the time) or any center of the network."""
            if index < CENTERS:
                return network.centers[index].id
            return self.center_ids[index % len(self.center_ids)]

        @rule(
            index=st.integers(0, 4 * CENTERS),
            decision=st.sampled_from(
                [*ConsentDecision, ConsentDecision.CONSENT, ConsentDecision.CONSENT]
            ),
            days=st.integers(0, 3) | st.integers(0, 21),
        )
        def decide(self, index: int, decision: ConsentDecision, days: int) -> None:
            center_id = self.of_view(index)
            decider = self.viewer(deciders[center_id].id)
            expires_on = today_of(started) + timedelta(days=days)
            draft = DecisionDraft(self.view_id, center_id, decision, expires_on=expires_on)
            consent = self.attempt(decide_consent(db, decider, draft))
            if consent is not None:
                self.answers[center_id] = Answer(consent.id, decision, consent.expires_on)

        @precondition(lambda self: bool(self.answers))
        @rule(index=st.integers(0, 4 * CENTERS))
        def revoke(self, index: int) -> None:
            center_id = self.of_view(index)
            answer = self.answers.get(center_id)
            if answer is None:
                return
            decider = self.viewer(deciders[center_id].id)
            if self.attempt(revoke_consent(db, decider, answer.consent_id)) is not None:
                answer.revoked = True

        @rule(
            index=st.integers(0, CENTERS - 1),
            role=st.sampled_from(
                [CenterRole.QI_LEAD, CenterRole.DATA_MANAGER, CenterRole.CLINICIAN]
            ),
        )
        def change_role(self, index: int, role: CenterRole) -> None:
            center_id = network.centers[index].id

            async def change() -> None:
                async with db.transaction() as session:
                    await session.execute(
                        update(Membership)
                        .where(
                            Membership.person_id == deciders[center_id].id,
                            Membership.center_id == center_id,
                        )
                        .values(role=role)
                    )

            self.run(change())
            viewers.pop(deciders[center_id].id, None)

        @rule(days=st.integers(1, 10))
        def time_passes(self, days: int) -> None:
            self.now += timedelta(days=days)

        @rule(chance=st.integers(0, 7))
        def withdraw(self, chance: int) -> None:
            if chance:  # rarely: nothing shows after it
                return
            requester = self.viewer(network.requester.id)
            if self.attempt(withdraw_request(db, requester, self.request.id)) is not None:
                self.withdrawn = True

        @precondition(lambda self: not self.published)
        @rule(days=st.integers(1, 10))
        def publish(self, days: int) -> None:
            steward = self.viewer(network.steward.id)
            expiry = self.now + timedelta(days=days)
            link_expiry = expiry if self.request.audience is DataAudience.PUBLIC else None
            published = self.attempt(
                publish_view(db, steward, self.view_id, link_expiry, now=self.now)
            )
            self.published = published is not None
            if published is not None and published.link is not None:
                self.links.append((published.link.token, published.link.link.id))

        @precondition(lambda self: self.published and self.request.audience is DataAudience.PUBLIC)
        @rule(days=st.integers(1, 10))
        def make_link(self, days: int) -> None:
            steward = self.viewer(network.steward.id)
            issued = self.attempt(
                create_link(
                    db, steward, self.view_id, self.now + timedelta(days=days), now=self.now
                )
            )
            if issued is not None:
                self.links.append((issued.token, issued.link.id))

        @precondition(lambda self: len(self.dropped) < len(self.links))
        @rule(which=st.integers(0, 3))
        def drop_link(self, which: int) -> None:
            live = [link_id for _, link_id in self.links if link_id not in self.dropped]
            link_id = live[which % len(live)]
            self.dropped.add(link_id)
            self.attempt(revoke_link(db, self.viewer(network.steward.id), link_id, now=self.now))

        @rule(
            reader=st.sampled_from(
                ["requester", "steward", "staff", "decider", "answered", "outsider"]
            ),
            index=st.integers(0, 4 * CENTERS),
        )
        def read(self, reader: str, index: int) -> None:
            person_id = {
                "requester": network.requester.id,
                "steward": network.steward.id,
                "staff": network.staff.id,
                "decider": deciders[self.of_view(index)].id,
                "answered": deciders[self.answered(index)].id,
                "outsider": deciders[network.centers[-1].id].id,
            }[reader]
            viewer = self.viewer(person_id)
            before = self.run(self.last_read_id())
            (found,) = self.run(
                read_views(db, viewer, REGISTRY, [self.view_id], channel="GRAPHQL", now=self.now)
            )
            if isinstance(found, Rendering):
                self.check(found, before, own=viewer.center_ids, reader_id=person_id)
            else:
                assert self.run(self.last_read_id()) == before

        @precondition(lambda self: bool(self.links))
        @rule(which=st.integers(0, 3))
        def read_link(self, which: int) -> None:
            if not self.links:
                return
            token, link_id = self.links[which % len(self.links)]
            before = self.run(self.last_read_id())
            found = self.run(read_public_view(db, REGISTRY, token, channel="PNG", now=self.now))
            if found is not None:
                self.check(found, before, own=frozenset(), link_id=link_id)
            else:
                assert self.run(self.last_read_id()) == before

        def consented(self, center_id: int) -> Answer | None:
            """The center's CONSENT when it is valid now in the model, else ``None``."""
            answer = self.answers.get(center_id)
            today = today_of(self.now)
            if (
                answer is None
                or answer.decision is not ConsentDecision.CONSENT
                or answer.revoked
                or answer.expires_on < today
                or self.withdrawn
                or self.request_expires < today
            ):
                return None
            return answer

        def check(
            self,
            rendering: Rendering,
            before: int,
            *,
            own: frozenset[int],
            reader_id: int | None = None,
            link_id: int | None = None,
        ) -> None:
            labels: list[tuple[str, SeriesKind]] = [(s.label, s.kind) for s in rendering.series]
            if rendering.funnel is not None:
                labels += [(entry.label, entry.kind) for entry in rendering.funnel.entries]
            by_name = {name: center_id for center_id, name in names.items()}
            named = {by_name[label] for label, kind in labels if kind is SeriesKind.NAMED}
            for center_id in named:
                assert self.consented(center_id), f"{names[center_id]} named without consent"
            for label, kind in labels:
                if kind is SeriesKind.BLINDED:
                    assert BLINDED_LABEL.fullmatch(label), label
                if kind is not SeriesKind.NAMED:
                    assert label not in by_name, label
            shown = {center.center_id for center in rendering.named}
            assert named <= shown
            for center_id in shown:
                assert self.consented(center_id), f"{names[center_id]} shown without consent"
            expected = {
                (center_id, self.answers[center_id].consent_id)
                for center_id in shown
                if center_id not in own
            }
            reads = self.run(self.reads_since(before))
            if not expected:
                assert reads == [], reads
                return
            assert len(reads) == 1, reads
            (_, reader, link, centers) = reads[0]
            assert (reader, link) == (reader_id, link_id)
            assert centers == expected

        async def last_read_id(self) -> int:
            async with db.session() as session:
                return int(await session.scalar(select(func.max(IdentifiedRead.id))) or 0)

        async def reads_since(
            self, after: int
        ) -> list[tuple[int, int | None, int | None, set[tuple[int, int | None]]]]:
            async with db.session() as session:
                reads = (
                    await session.execute(
                        select(IdentifiedRead.id, IdentifiedRead.reader_id, IdentifiedRead.link_id)
                        .where(IdentifiedRead.id > after)
                        .order_by(IdentifiedRead.id)
                    )
                ).all()
                rows = (
                    await session.execute(
                        select(
                            IdentifiedReadCenter.read_id,
                            IdentifiedReadCenter.center_id,
                            IdentifiedReadCenter.consent_id,
                        ).where(IdentifiedReadCenter.read_id > after)
                    )
                ).all()
            centers: dict[int, set[tuple[int, int | None]]] = {
                read_id: set() for read_id, *_ in reads
            }
            for read_id, center_id, consent_id in rows:
                centers[read_id].add((center_id, consent_id))
            return [(read_id, reader, link, centers[read_id]) for read_id, reader, link in reads]

        def teardown(self) -> None:
            """Leave the database as every run finds it (Hypothesis replays runs and must see
            the same outcomes): the request closed, every decider back to QI lead."""
            request = getattr(self, "request", None)

            async def reset() -> None:
                async with db.transaction() as session:
                    if request is not None:
                        await session.execute(
                            update(DataRequest)
                            .where(DataRequest.id == request.id)
                            .values(state=DataRequestState.WITHDRAWN)
                        )
                    await session.execute(
                        update(Membership)
                        .where(Membership.person_id.in_([p.id for p in deciders.values()]))
                        .values(role=CenterRole.QI_LEAD)
                    )

            self.run(reset())
            viewers.clear()

    return ConsentMachine


async def test_no_read_names_a_center_without_a_valid_consent_and_every_read_is_audited(
    db: Database,
) -> None:
    network = await make_network(db, CENTERS)
    machine = machine_for(db, network, asyncio.get_running_loop())
    examples = EXAMPLES["sqlite" if db.dialect == "sqlite" else "postgresql"]
    await asyncio.to_thread(
        run_state_machine_as_test,
        machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
