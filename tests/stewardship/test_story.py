"""The issue's story, end to end through the HTTP API: a parent partner asks for the network's
remission data for her Spring 2014 Learning Session talk; the network's data manager proposes a
run chart, she answers "no, let's try it this way", a funnel plot of eight centers follows and
she takes it ("yes, that will have the most impact"); five centers consent, two decline, one
asks to be shown unnamed; the view is published with a public link that an anonymous viewer
opens (PNG, SVG, Vega-Lite, CSV); a center revokes after the session and disappears from the
next read; the link is revoked, a second one expires, the request expires. Every step's mail is
read in a real SMTP server, and the audit log is read back as staff and as centers' QI leads.

The routes read the wall clock (no clock is injected over HTTP), so where the story waits for
an expiry the test moves the stored expiry into the past: the one thing a later clock changes.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.ids import parse_global_id, to_global_id
from icn_graph.models import Center, NetworkRole, PersonKind
from icn_graph.models.stewardship import DataRequest, DataViewLink
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail, make_center
from tests.stewardship.view_helpers import MONTHS, counts_of, store_counts
from tests.stewardship.workflow_helpers import (
    ACCEPT,
    COMMENT,
    DECIDE,
    PROPOSE,
    REJECT,
    REQUEST_DATA,
    REVOKE,
    Member,
    member,
    ok,
)

PURPOSE = "Spring 2014 Learning Session talk"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FILES = ("png", "svg", "vl.json", "csv")
CHANNELS = {"png": "PNG", "svg": "SVG", "vl.json": "VEGA_LITE", "csv": "CSV"}

CENTER_NAMES = (
    # In the funnel plot: five consent, two decline, one asks to be shown unnamed.
    "Cincinnati Children's",
    "Nationwide Children's",
    "Seattle Children's",
    "Texas Children's",
    "Lurie Children's",
    "Johns Hopkins Pediatric IBD",
    "Stanford Pediatric GI",
    "Mass General for Children",
    # With data, in no view: four, so the network total minus the centers shown never pins
    # down one to three centers (the unnamed-remainder rule).
    "Children's Mercy Kansas City",
    "Boston Pediatric IBD Center",
    "Nemours Children's",
    "Riley Children's",
)
CONSENTING = range(0, 5)
DECLINING = (5, 6)
UNNAMED = 7
IN_VIEW = range(0, 8)
QI_LEADS = (
    "Dr. Avery Chen",
    "Dr. Blake Osei",
    "Dr. Carmen Ruiz",
    "Dr. Dev Patel",
    "Dr. Elena Novak",
    "Dr. Femi Adeyemi",
    "Dr. Grace Liu",
    "Dr. Hugo Martin",
    "Dr. Ines Silva",
    "Dr. Jonah Berg",
    "Dr. Kofi Mensah",
    "Dr. Lena Park",
)


@pytest.fixture
def settings(migrated_url: str, smtp: SmtpServer) -> Settings:
    """Mail to the test server, at once, at any hour, for partners too."""
    base = Settings(database_url=migrated_url, network_name="Test Network", _env_file=None)  # type: ignore[arg-type,call-arg]
    return smtp.settings_for(base).model_copy(
        update={
            "notify_partner_delivery": "IMMEDIATE",
            "notify_care_team_delivery": "IMMEDIATE",
            "notify_quiet_hours": "",
        }
    )


# -- the people and the network --------------------------------------------------------------


@dataclass
class Network:
    centers: list[Center]
    qi_leads: list[Member]
    """The QI lead of each center, in the order of ``centers``."""
    parent: Member
    data_manager: Member
    staff: Member
    clinician: Member
    """A member of a center in no view: reads published views like any member."""
    letters: dict[int, str] = field(default_factory=dict)
    """The funnel view's letter of each center, by index in ``centers``."""

    def gid(self, index: int) -> str:
        return to_global_id("Center", self.centers[index].id)

    def name(self, index: int) -> str:
        return self.centers[index].name


async def network(db: Database) -> Network:
    centers = [await make_center(db, name=name) for name in CENTER_NAMES]
    await store_counts(
        db,
        [
            (center, month, *counts_of(index, offset))
            for index, center in enumerate(centers)
            for offset, month in enumerate(MONTHS)
        ],
    )
    qi_leads = [
        await member(db, name, PersonKind.QI_LEAD, center=center)
        for name, center in zip(QI_LEADS, centers, strict=True)
    ]
    return Network(
        centers=centers,
        qi_leads=qi_leads,
        parent=await member(db, "Dana Whitfield", PersonKind.PARENT_PARTNER),
        data_manager=await member(
            db, "Nia Okafor", PersonKind.DATA_MANAGER, network_role=NetworkRole.DATA_MANAGER
        ),
        staff=await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF),
        clinician=await member(db, "Priya Clinician", PersonKind.CLINICIAN, center=centers[9]),
    )


# -- mail -------------------------------------------------------------------------------------


class Inbox:
    """What the SMTP server received since the last look: the plain-text bodies by recipient."""

    def __init__(
        self, db: Database, settings: Settings, plugins: PluginHost, smtp: SmtpServer
    ) -> None:
        self.db, self.settings, self.plugins, self.smtp = db, settings, plugins, smtp
        self.seen = 0
        self.clock = datetime.now(UTC)

    async def new(self) -> dict[str, str]:
        """One worker tick later: each recipient's new mail (subjects and bodies, joined)."""
        self.clock += timedelta(minutes=10)
        await deliver_mail(self.db, self.settings, self.plugins, now=self.clock)
        received = self.smtp.received[self.seen :]
        self.seen += len(received)
        found: dict[str, list[str]] = defaultdict(list)
        for item in received:
            message = item.message
            for address in item.rcpt_tos:
                found[address].append(f"{message['Subject']}\n{plain(message)}")
        return {address: "\n".join(texts) for address, texts in found.items()}


def plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content()).replace("\r\n", "\n")


def addresses(*people: Member) -> set[str]:
    return {who.person.email for who in people}


# -- GraphQL documents ------------------------------------------------------------------------

VIEW_AS_SEEN = """
query($id: ID!) {
  node(id: $id) {
    ... on DataView {
      status isPublished viewerCanReadRendering notRenderedReason
      centers { letter center { id name } decision { decision } }
      rendering { funnel { points { label kind numerator denominator } unplaced } }
    }
  }
}
"""

PUBLISH = """
mutation($input: PublishDataViewInput!) {
  publishDataView(input: $input) {
    view { id isPublished } dataRequest { state } link { id active } linkUrl
    linkFiles { png svg vegaLite csv }
    userErrors { field message code }
  }
}
"""

CREATE_LINK = """
mutation($input: CreateDataViewLinkInput!) {
  createDataViewLink(input: $input) {
    link { id expiresAt active } url files { png svg vegaLite csv }
    userErrors { field message code }
  }
}
"""

REVOKE_LINK = """
mutation($input: RevokeDataViewLinkInput!) {
  revokeDataViewLink(input: $input) { link { id active revokedAt } userErrors { field code } }
}
"""

READS = """
query($centerId: ID) {
  identifiedReads(centerId: $centerId, first: 100) {
    totalCount
    nodes {
      channel subject measureKey linkId viewId reader { displayName }
      centers { center { id } consentId }
    }
  }
}
"""

LINKS = "query($id: ID!) { node(id: $id) { ... on DataView { links { id active revokedAt } } } }"

NOTIFICATIONS = "{ viewer { notifications(first: 50) { nodes { type actor { displayName } } } } }"

CENTER_READS = """
query($id: ID!) {
  node(id: $id) {
    ... on Center { viewerCanSeeIdentifiedReads identifiedReads(first: 100) { totalCount } }
  }
}
"""


# -- reading files ----------------------------------------------------------------------------


async def get(client: GraphQLClient, path: str, who: Member | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {who.token}"} if who else {}
    return await client.http.get(path, headers=headers)


def path_of(url: str) -> str:
    """The path of a URL the API hands out (under the configured public URL)."""
    return httpx.URL(url).raw_path.decode()


@dataclass(frozen=True)
class Slide:
    """The four files of a view as one reader got them."""

    png: bytes
    svg: str
    spec: str
    csv: str
    rows: dict[str, str]
    """The funnel CSV's kind of each label (center name, "Center X" or "Network")."""
    numbers: dict[str, tuple[int, int]]

    def mentions(self, name: str) -> bool:
        """Whether any file names ``name`` (as is, or escaped for SVG or JSON)."""
        forms = {name, html.escape(name), html.escape(name, quote=False), json.dumps(name)[1:-1]}
        return any(form in text for form in forms for text in (self.svg, self.spec, self.csv))

    def draws(self, name: str) -> bool:
        """Whether the SVG draws ``name``."""
        return any(form in self.svg for form in (name, html.escape(name)))


async def slide(client: GraphQLClient, root: str, who: Member | None = None) -> Slide:
    """``root`` + each extension, read by ``who`` (anonymous without)."""
    bodies: dict[str, httpx.Response] = {}
    for extension in FILES:
        response = await get(client, f"{root}.{extension}", who)
        assert response.status_code == 200, (extension, response.text)
        assert response.headers["cache-control"] == "no-store"
        bodies[extension] = response
    assert bodies["png"].content[:8] == PNG_SIGNATURE
    spec = bodies["vl.json"].json()
    assert spec["$schema"].endswith("vega-lite/v5.json")
    table = list(csv.DictReader(io.StringIO(bodies["csv"].text)))
    return Slide(
        png=bodies["png"].content,
        svg=bodies["svg"].text,
        spec=json.dumps(spec, ensure_ascii=False),
        csv=bodies["csv"].text,
        rows={row["center"]: row["kind"] for row in table},
        numbers={row["center"]: (int(row["numerator"]), int(row["denominator"])) for row in table},
    )


def seeded_sums(index: int) -> tuple[int, int]:
    """Center ``index``'s numerator and denominator summed over the view's three months."""
    cells = [counts_of(index, offset) for offset in range(len(MONTHS))]
    return sum(n for n, _ in cells), sum(d for _, d in cells)


def expect_slide(found: Slide, story: Network, named: set[int], blinded: set[int]) -> None:
    """Exactly ``named`` by name, ``blinded`` by letter, nothing else of any center."""
    expected = {"Network": "NETWORK"}
    expected |= {story.name(i): "NAMED" for i in named}
    expected |= {f"Center {story.letters[i]}": "BLINDED" for i in blinded}
    assert found.rows == expected
    for index in named:
        assert found.numbers[story.name(index)] == seeded_sums(index)
        assert story.name(index) in found.spec
        assert found.draws(story.name(index))
    for index in range(len(story.centers)):
        if index not in named:
            assert not found.mentions(story.name(index)), story.name(index)
    for index in blinded:
        assert f"Center {story.letters[index]}" in found.spec
        assert found.draws(f"Center {story.letters[index]}")


# -- moving time: the routes read the wall clock ------------------------------------------------


async def link_expires_now(db: Database, link_gid: str) -> None:
    """The link's hour has passed: its stored expiry is moved just before now."""
    _, link_id = parse_global_id(link_gid, field="id")
    async with db.transaction() as session:
        await session.execute(
            update(DataViewLink)
            .where(DataViewLink.id == link_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


async def request_expires(db: Database, request_gid: str) -> None:
    """The request's last day has passed."""
    _, request_id = parse_global_id(request_gid, field="id")
    async with db.transaction() as session:
        await session.execute(
            update(DataRequest)
            .where(DataRequest.id == request_id)
            .values(expires_on=utcnow().date() - timedelta(days=1))
        )


# -- the story --------------------------------------------------------------------------------


async def test_a_parent_asks_centers_consent_and_the_public_slide_follows_their_consent(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    story = await network(db)
    inbox = Inbox(db, settings, plugin_host, smtp)
    parent, dm, leads = story.parent, story.data_manager, story.qi_leads

    # 1. Dana asks for the network's remission data for her talk; the data manager hears of it.
    request = (
        await ok(
            client,
            REQUEST_DATA,
            parent,
            {
                "purpose": PURPOSE,
                "audience": "PUBLIC",
                "measureKeys": ["remission_rate"],
                "periodStart": "2014-01-01",
                "periodEnd": "2014-03-01",
                "presentation": "One slide in my talk to parents: how our kids are doing.",
                "expiresOn": (utcnow().date() + timedelta(days=180)).isoformat(),
            },
        )
    )["dataRequest"]
    assert request["state"] == "SUBMITTED"
    mail = await inbox.new()
    assert set(mail) == addresses(dm)
    assert f"[Test Network] {PURPOSE}" in mail[dm.person.email]
    assert "Dana Whitfield asked to use network data" in mail[dm.person.email]
    assert "a public presentation" in mail[dm.person.email]
    assert "One slide in my talk to parents" in mail[dm.person.email]

    # 2. The data manager comments and proposes a first view: the network's run chart.
    await ok(
        client,
        COMMENT,
        dm,
        {
            "dataRequestId": request["id"],
            "body": "Happy to help. A run chart of the network first?",
        },
    )
    mail = await inbox.new()
    assert set(mail) == addresses(parent)
    assert "A run chart of the network first?" in mail[parent.person.email]

    first = await ok(
        client,
        PROPOSE,
        dm,
        {
            "dataRequestId": request["id"],
            "measureKey": "remission_rate",
            "chart": "RUN_CHART",
            "periodStart": "2014-01-01",
            "periodEnd": "2014-03-01",
            "note": "The network's remission rate, month by month.",
        },
    )
    assert first["dataRequest"]["state"] == "PROPOSED"
    assert first["view"]["centers"] == []
    mail = await inbox.new()
    assert set(mail) == addresses(parent)
    assert "proposed a view (version 1)" in mail[parent.person.email]
    assert "a run chart of remission rate" in mail[parent.person.email]

    # 3. "No, let's try it this way."
    rejected = await ok(
        client,
        REJECT,
        parent,
        {
            "id": first["view"]["id"],
            "response": "No, let's try it this way: parents want to see every center in it.",
        },
    )
    assert rejected["view"]["status"] == "REJECTED"
    assert rejected["dataRequest"]["state"] == "IN_DISCUSSION"
    mail = await inbox.new()
    assert set(mail) == addresses(dm)
    assert "rejected version 1 of the view" in mail[dm.person.email]
    assert "parents want to see every center in it" in mail[dm.person.email]

    # 4. A funnel plot of eight centers, the others blinded.
    proposed = await ok(
        client,
        PROPOSE,
        dm,
        {
            "dataRequestId": request["id"],
            "measureKey": "remission_rate",
            "chart": "FUNNEL",
            "periodStart": "2014-01-01",
            "periodEnd": "2014-03-01",
            "centerIds": [story.gid(i) for i in IN_VIEW],
            "others": "BLINDED",
            "note": "Each center against the network's rate; those who agree are named.",
        },
    )
    view_id = proposed["view"]["id"]
    assert proposed["dataRequest"]["state"] == "PROPOSED"
    letters = {row["center"]["name"]: row["letter"] for row in proposed["view"]["centers"]}
    story.letters = {i: letters[story.name(i)] for i in IN_VIEW}
    assert sorted(story.letters.values()) == list("ABCDEFGH")
    mail = await inbox.new()
    assert set(mail) == addresses(parent)
    assert "proposed a view (version 2)" in mail[parent.person.email]
    assert "a funnel plot of remission rate" in mail[parent.person.email]
    # The mail says nothing of which centers are in it.
    assert not any(name in mail[parent.person.email] for name in CENTER_NAMES)

    # Her preview: no center has answered, so none is named; all eight are blinded.
    preview = (await client.data(VIEW_AS_SEEN, {"id": view_id}, token=parent.token))["node"]
    points = preview["rendering"]["funnel"]["points"]
    assert {(p["label"], p["kind"]) for p in points} == {
        (f"Center {story.letters[i]}", "BLINDED") for i in IN_VIEW
    }

    # 5. "Yes, that will have the most impact": she says so and accepts; each center is asked.
    await ok(
        client,
        COMMENT,
        parent,
        {"dataRequestId": request["id"], "body": "Yes, that will have the most impact."},
    )
    mail = await inbox.new()
    assert set(mail) == addresses(dm)
    assert "Yes, that will have the most impact." in mail[dm.person.email]

    accepted = await ok(client, ACCEPT, parent, {"id": view_id})
    assert accepted["dataRequest"]["state"] == "AWAITING_CENTERS"
    mail = await inbox.new()
    asked = [leads[i] for i in IN_VIEW]
    assert set(mail) == addresses(dm, *asked)  # not the QI leads of centers outside the view
    for lead in asked:
        body = mail[lead.person.email]
        assert "accepted version 2 of the view" in body
        assert "whether it may be named" in body
        assert not any(name in body for name in CENTER_NAMES), body

    # A declining center's QI lead sees its own row of the view, nothing of the others.
    own = (await client.data(VIEW_AS_SEEN, {"id": view_id}, token=leads[5].token))["node"]
    assert [row["center"]["name"] for row in own["centers"]] == [story.name(5)]

    # 6. The centers answer; Dana hears of each consent, and no one else does. Of a decline or
    # an unnamed answer she hears nothing: told which center gave it, and when, she would tie
    # it to the blinded series it adds to the view.
    consents: dict[int, str] = {}
    answers = [(i, "CONSENT") for i in CONSENTING]
    answers += [(i, "DECLINE") for i in DECLINING] + [(UNNAMED, "UNNAMED")]
    for step, (index, decision) in enumerate(answers):
        decided = await ok(
            client,
            DECIDE,
            leads[index],
            {
                "dataViewId": view_id,
                "centerId": story.gid(index),
                "decision": decision,
                "note": f"Answer of {story.name(index)}.",
            },
        )
        consents[index] = decided["consent"]["id"]
        mail = await inbox.new()
        last = step == len(answers) - 1
        told = decision == "CONSENT"
        if not last:
            assert decided["view"]["dataRequest"]["state"] == "AWAITING_CENTERS"
            assert set(mail) == (addresses(parent) if told else set())
        else:
            # Every center has answered: the request is approved, and every participant hears
            # that, but only Dana hears what this center (or any other) decided.
            assert decided["view"]["dataRequest"]["state"] == "APPROVED"
            assert set(mail) == addresses(parent, dm, *asked)
            for who in (dm, *asked):
                body = mail[who.person.email]
                assert "Every center has answered" in body
                assert "declined" not in body
                assert "unnamed" not in body
                assert "consented" not in body
                assert not any(name in body for name in CENTER_NAMES)
        said = mail.get(parent.person.email, "")
        if told:
            assert f"{story.name(index)} consented to be named for '{PURPOSE}'" in said
            assert f"Answer of {story.name(index)}." in said
        else:
            assert story.name(index) not in said

    # In the app too, another center's QI lead learns nothing of who answered what, nor (by
    # the approval's actor) which other center answered last.
    notified = await client.data(NOTIFICATIONS, token=leads[1].token)
    assert [(n["type"], n["actor"]) for n in notified["viewer"]["notifications"]["nodes"]] == [
        ("data_request.approved", None),
        ("data_view.accepted", {"displayName": "Dana Whitfield"}),
    ]

    # 7. The data manager publishes and gets the public link, once; the followers are told it
    # is published, and no mail carries the link.
    published = await ok(client, PUBLISH, dm, {"id": view_id})
    assert published["dataRequest"]["state"] == "APPROVED"
    assert published["view"]["isPublished"] is True
    assert published["link"]["active"] is True
    link_root = path_of(published["linkUrl"]).removesuffix(".png")
    assert link_root.startswith("/data-views/public/")
    assert {key: path_of(url) for key, url in published["linkFiles"].items()} == {
        "png": f"{link_root}.png",
        "svg": f"{link_root}.svg",
        "vegaLite": f"{link_root}.vl.json",
        "csv": f"{link_root}.csv",
    }
    mail = await inbox.new()
    assert set(mail) == addresses(parent, *asked)
    for body in mail.values():
        assert "anyone holding its public link can now open it" in body
        assert "/data-views/public/" not in body
    await ok(
        client,
        COMMENT,
        dm,
        {"dataRequestId": request["id"], "body": "Published: the slide is ready for the talk."},
    )
    mail = await inbox.new()
    assert set(mail) == addresses(parent, *asked)
    for body in mail.values():
        assert "Nia Okafor commented on the data request" in body
        assert "Published: the slide is ready for the talk." in body
        assert not any(name in body for name in CENTER_NAMES)

    # 8. At the talk: anyone with the link, without signing in, sees the five consenting
    # centers by name and the other three as letters; the four outside the view not at all.
    named, blinded = set(CONSENTING), {*DECLINING, UNNAMED}
    at_the_talk = await slide(client, link_root)
    expect_slide(at_the_talk, story, named, blinded)
    (tmp_path_factory.getbasetemp() / "story-funnel.png").write_bytes(at_the_talk.png)

    # Signed in, a member of a center outside the view reads the very same slide.
    view_root = f"/data-views/{view_id}"
    signed_in = await slide(client, view_root, story.clinician)
    assert (signed_in.png, signed_in.svg, signed_in.spec, signed_in.csv) == (
        at_the_talk.png,
        at_the_talk.svg,
        at_the_talk.spec,
        at_the_talk.csv,
    )
    # So does a declining center's QI lead: their own center too only as its letter.
    declined_own = await get(client, f"{view_root}.csv", leads[5])
    assert declined_own.status_code == 200
    assert declined_own.text == at_the_talk.csv

    # 9. After the session Cincinnati revokes: the very next anonymous read shows it only inside
    # the network total.
    revoked = await ok(
        client,
        REVOKE,
        leads[0],
        {"id": consents[0], "reason": "Named inside the network only, please."},
    )
    assert revoked["consent"]["revokedAt"] is not None
    mail = await inbox.new()
    assert set(mail) == addresses(parent)
    assert f"{story.name(0)} revoked its consent for '{PURPOSE}'" in mail[parent.person.email]
    assert "Named inside the network only, please." in mail[parent.person.email]

    after_revocation = await get(client, f"{link_root}.csv")
    assert after_revocation.status_code == 200
    table = {
        row["center"]: row["kind"] for row in csv.DictReader(io.StringIO(after_revocation.text))
    }
    assert story.name(0) not in after_revocation.text
    # Once named, never blinded: its letter would be matched to the name readers saw before.
    assert f"Center {story.letters[0]}" not in table
    expect_slide(await slide(client, link_root), story, named - {0}, blinded)

    # 10. Dana revokes the talk's link: from then on it is the 404 of a made-up token.
    made_up = await get(client, "/data-views/public/never-issued.csv")
    assert made_up.status_code == 404
    assert made_up.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    gone = await ok(client, REVOKE_LINK, parent, {"id": published["link"]["id"]})
    assert gone["link"]["active"] is False
    for extension in FILES:
        response = await get(client, f"{link_root}.{extension}")
        assert (response.status_code, response.json()) == (404, made_up.json())
        assert response.headers["cache-control"] == "no-store"

    # 11. A second link, for the session's recording page, for an hour; a past expiry is refused.
    past = (utcnow() - timedelta(minutes=5)).isoformat()
    refused = await client.data(
        CREATE_LINK, {"input": {"dataViewId": view_id, "expiresAt": past}}, token=parent.token
    )
    assert [(e["field"], e["code"]) for e in refused["createDataViewLink"]["userErrors"]] == [
        ("expiresAt", "INVALID")
    ]
    in_an_hour = (utcnow() + timedelta(hours=1)).isoformat()
    second = await ok(client, CREATE_LINK, parent, {"dataViewId": view_id, "expiresAt": in_an_hour})
    second_root = path_of(second["url"]).removesuffix(".png")
    assert second_root != link_root
    assert (await get(client, f"{second_root}.csv")).status_code == 200
    await link_expires_now(db, second["link"]["id"])
    for extension in FILES:
        response = await get(client, f"{second_root}.{extension}")
        assert (response.status_code, response.json()) == (404, made_up.json())

    # 12. The request expires: the view stops rendering, for members and through any link.
    third = await ok(client, CREATE_LINK, dm, {"dataViewId": view_id})
    third_root = path_of(third["url"]).removesuffix(".png")
    assert (await get(client, f"{third_root}.csv")).status_code == 200
    links = (await client.data(LINKS, {"id": view_id}, token=parent.token))["node"]["links"]
    assert [(link["id"], link["active"], link["revokedAt"] is not None) for link in links] == [
        (third["link"]["id"], True, False),
        (second["link"]["id"], False, False),
        (published["link"]["id"], False, True),
    ]
    assert (await client.data(LINKS, {"id": view_id}, token=leads[1].token))["node"] == {
        "links": None
    }
    await request_expires(db, request["id"])
    response = await get(client, f"{third_root}.png")
    assert (response.status_code, response.json()) == (404, made_up.json())
    for who in (parent, dm, leads[1]):  # may know of the view: told why
        response = await get(client, f"{view_root}.csv", who)
        assert response.status_code == 403
        assert "expired" in response.json()["errors"][0]["message"]
    response = await get(client, f"{view_root}.csv", story.clinician)  # may not: no such view
    assert response.status_code == 404
    expired = (await client.data(VIEW_AS_SEEN, {"id": view_id}, token=parent.token))["node"]
    assert expired["rendering"] is None
    assert expired["isPublished"] is False
    assert "expired" in expired["notRenderedReason"]
    assert await inbox.new() == {}
    # No mail ever carried a public link, nor went to anyone outside the request.
    assert not any(b"/data-views/public/" in item.raw for item in smtp.received)
    mailed = {address for item in smtp.received for address in item.rcpt_tos}
    assert mailed == addresses(parent, dm, *asked)

    # 13. The audit log, as staff: every read that named a center, each with its consents.
    await check_audit(client, story, consents, view_id, published, second, third)


async def check_audit(
    client: GraphQLClient,
    story: Network,
    consents: dict[int, str],
    view_id: str,
    published: dict[str, Any],
    second: dict[str, Any],
    third: dict[str, Any],
) -> None:
    leads = story.qi_leads
    reads = (await client.data(READS, {}, token=story.staff.token))["identifiedReads"]
    nodes = list(reversed(reads["nodes"]))  # oldest first

    def shown(*indexes: int) -> list[tuple[str, str]]:
        return sorted((story.gid(i), consents[i]) for i in indexes)

    def row(node: dict[str, Any]) -> tuple[Any, ...]:
        reader = node["reader"]["displayName"] if node["reader"] else None
        centers = sorted((c["center"]["id"], c["consentId"]) for c in node["centers"])
        return (node["channel"], node["linkId"], reader, centers)

    link, second_link, third_link = (
        published["link"]["id"],
        second["link"]["id"],
        third["link"]["id"],
    )
    everyone = shown(*CONSENTING)
    after = shown(1, 2, 3, 4)
    assert [node["subject"] for node in nodes] == ["DATA_VIEW"] * len(nodes)
    assert {node["viewId"] for node in nodes} == {view_id}
    assert {node["measureKey"] for node in nodes} == {"remission_rate"}
    expected = [
        *[(CHANNELS[e], link, None, everyone) for e in FILES],  # at the talk
        *[(CHANNELS[e], None, "Priya Clinician", everyone) for e in FILES],
        ("CSV", None, QI_LEADS[5], everyone),
        ("CSV", link, None, after),  # the next read after the revocation
        *[(CHANNELS[e], link, None, after) for e in FILES],
        ("CSV", second_link, None, after),
        ("CSV", third_link, None, after),
    ]
    assert [row(node) for node in nodes] == expected
    assert reads["totalCount"] == len(expected)

    # A consenting center's QI lead sees the reads of their center, listing only their center.
    lead = leads[2]
    theirs = (await client.data(READS, {}, token=lead.token))["identifiedReads"]
    assert theirs["totalCount"] == len(expected)
    for node in theirs["nodes"]:
        assert [c["center"]["id"] for c in node["centers"]] == [story.gid(2)]
        assert node["centers"][0]["consentId"] == consents[2]
    # Cincinnati's lead sees the reads from before the revocation, and not one after.
    revoked = (await client.data(READS, {}, token=leads[0].token))["identifiedReads"]
    assert revoked["totalCount"] == 9
    # The reads of another center's data are not theirs to see.
    other = await client.execute(READS, {"centerId": story.gid(3)}, token=lead.token)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    center = (await client.data(CENTER_READS, {"id": story.gid(3)}, token=lead.token))["node"]
    assert center == {"viewerCanSeeIdentifiedReads": False, "identifiedReads": None}
    own = (await client.data(CENTER_READS, {"id": story.gid(2)}, token=lead.token))["node"]
    assert own == {
        "viewerCanSeeIdentifiedReads": True,
        "identifiedReads": {"totalCount": len(expected)},
    }
    # A declining center was never shown by name: its QI lead finds no read of it.
    declined = (await client.data(READS, {}, token=leads[5].token))["identifiedReads"]
    assert declined == {"totalCount": 0, "nodes": []}
