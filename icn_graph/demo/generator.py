"""A seeded, reproducible demo network: centers, care teams, partners and network staff.

Everything is drawn from one ``random.Random(seed)`` in a fixed order and every date is relative
to fixed calendar dates, so a seed always yields the same network.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icn_graph.demo import names
from icn_graph.demo.names import City, NamePattern
from icn_graph.demo.personas import (
    CLINICIAN_EMAIL,
    CLINICIAN_NAME,
    PARENT_EMAIL,
    PARENT_NAME,
    STAFF_EMAIL,
    STAFF_NAME,
)
from icn_graph.models import CenterRole, CenterStatus, NetworkRole, PersonKind

DEFAULT_SEED = 2014
CENTER_COUNT = 65
CANADA_CENTERS = 3
UK_CENTERS = 2
INACTIVE_CENTERS = 4
TEAM_SIZE = (6, 12)
PARENT_PARTNERS = 90
PATIENT_PARTNERS = 60
LINKED_PARTNERS = 100
NETWORK_STAFF = 6
NETWORK_DATA_MANAGERS = 3

FIRST_JOINED = date(2007, 1, 1)
LAST_JOINED = date(2024, 12, 31)
LAST_SINCE = date(2025, 6, 30)

PARTNER_DOMAIN = "partners.example.org"
NETWORK_DOMAIN = "network.example.org"

_EXTRA_TEAM_ROLES: tuple[CenterRole, ...] = (
    CenterRole.CLINICIAN,
    CenterRole.NURSE,
    CenterRole.DIETITIAN,
    CenterRole.SOCIAL_WORKER,
    CenterRole.PSYCHOLOGIST,
    CenterRole.DATA_MANAGER,
)
_EXTRA_TEAM_WEIGHTS: tuple[int, ...] = (5, 5, 2, 2, 2, 1)


@dataclass(frozen=True)
class DemoCenter:
    name: str
    short_code: str
    city: str
    region: str
    country: str
    timezone: str
    joined_on: date
    status: CenterStatus
    created_at: datetime

    @property
    def domain(self) -> str:
        return f"{self.short_code.lower()}.example.org"


@dataclass(frozen=True)
class DemoPerson:
    display_name: str
    email: str
    kind: PersonKind
    timezone: str
    network_role: NetworkRole
    created_at: datetime


@dataclass(frozen=True)
class DemoMembership:
    """A person on a center's team, by position in ``DemoNetwork.people`` and ``.centers``."""

    person: int
    center: int
    role: CenterRole
    since: date
    created_at: datetime


@dataclass(frozen=True)
class DemoNetwork:
    seed: int
    centers: tuple[DemoCenter, ...]
    people: tuple[DemoPerson, ...]
    memberships: tuple[DemoMembership, ...]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def _abbreviation(landmark: str) -> str:
    words = landmark.replace(".", "").replace("'s", "").split()
    return "".join(word[0] for word in words).upper() if len(words) > 1 else words[0][:3].upper()


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _moment_on(rng: random.Random, day: date) -> datetime:
    """A working-hours instant on ``day`` (UTC, so it reads as a US morning or afternoon)."""
    return datetime.combine(
        day, time(hour=rng.randint(13, 22), minute=rng.randint(0, 59)), tzinfo=UTC
    )


class _Builder:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.centers: list[DemoCenter] = []
        self.people: list[DemoPerson] = []
        self.memberships: list[DemoMembership] = []
        self._center_names: set[str] = {
            names.ANCHOR_NAME.template.format(city=names.ANCHOR_CITY.name).lower()
        }
        self._email_keys: set[str] = set()

    def build(self) -> DemoNetwork:
        self._add_centers()
        self._add_care_teams()
        self._add_partners()
        self._add_network_people()
        return DemoNetwork(
            seed=self.seed,
            centers=tuple(self.centers),
            people=tuple(self.people),
            memberships=tuple(self.memberships),
        )

    def _center_name(self, city: City, patterns: tuple[NamePattern, ...]) -> tuple[str, str]:
        while True:
            if city.country == "US" and self.rng.random() < 0.15:
                landmark = self.rng.choice(names.LANDMARK_NAMES)
                suffix = self.rng.choice(names.LANDMARK_SUFFIXES)
                name, code = f"{landmark} {suffix}", f"{city.code}-{_abbreviation(landmark)}"
            else:
                pattern = self.rng.choice(patterns)
                name = pattern.template.format(city=city.name)
                code = f"{city.code}-{pattern.suffix}"
            if name.lower() not in self._center_names:
                self._center_names.add(name.lower())
                return name, code

    def _add_centers(self) -> None:
        rng = self.rng
        others = CENTER_COUNT - 1 - CANADA_CENTERS - UK_CENTERS
        picks: list[tuple[City, tuple[NamePattern, ...]]] = [
            *((city, names.US_PATTERNS) for city in rng.sample(names.US_CITIES, others)),
            *((city, names.CA_PATTERNS) for city in rng.sample(names.CA_CITIES, CANADA_CENTERS)),
            *((city, names.GB_PATTERNS) for city in rng.sample(names.GB_CITIES, UK_CENTERS)),
        ]
        second_day = FIRST_JOINED + timedelta(days=1)
        drafts = [
            (_day_between(rng, second_day, LAST_JOINED), city, *self._center_name(city, patterns))
            for city, patterns in picks
        ]
        drafts.sort(key=lambda draft: (draft[0], draft[2]))
        anchor = names.ANCHOR_CITY
        drafts.insert(
            0,
            (
                FIRST_JOINED,
                anchor,
                names.ANCHOR_NAME.template.format(city=anchor.name),
                f"{anchor.code}-{names.ANCHOR_NAME.suffix}",
            ),
        )
        inactive = set(rng.sample(range(1, CENTER_COUNT), INACTIVE_CENTERS))
        for index, (joined_on, city, name, short_code) in enumerate(drafts):
            self.centers.append(
                DemoCenter(
                    name=name,
                    short_code=short_code,
                    city=city.name,
                    region=city.region,
                    country=city.country,
                    timezone=city.timezone,
                    joined_on=joined_on,
                    status=CenterStatus.INACTIVE if index in inactive else CenterStatus.ACTIVE,
                    created_at=_moment_on(rng, joined_on),
                )
            )

    def _random_name(self) -> str:
        return f"{self.rng.choice(names.FIRST_NAMES)} {self.rng.choice(names.LAST_NAMES)}"

    def _person(
        self,
        kind: PersonKind,
        timezone: str,
        created_on: date,
        *,
        domain: str = "",
        display_name: str = "",
        email: str = "",
        network_role: NetworkRole = NetworkRole.MEMBER,
    ) -> int:
        """Append a person and return their index; the email is derived unless given."""
        display_name = display_name or self._random_name()
        if not email:
            first, _, last = display_name.partition(" ")
            email = f"{_slug(first)}.{_slug(last)}{len(self.people) + 1}@{domain}"
        key = email.lower()
        if key in self._email_keys:
            raise RuntimeError(f"demo generator produced a duplicate email: {email}")
        self._email_keys.add(key)
        self.people.append(
            DemoPerson(
                display_name=display_name,
                email=email,
                kind=kind,
                timezone=timezone,
                network_role=network_role,
                created_at=_moment_on(self.rng, created_on),
            )
        )
        return len(self.people) - 1

    def _join(self, person: int, center: int, role: CenterRole) -> None:
        since = self.people[person].created_at.date()
        self.memberships.append(
            DemoMembership(
                person=person,
                center=center,
                role=role,
                since=since,
                created_at=self.people[person].created_at,
            )
        )

    def _add_care_teams(self) -> None:
        rng = self.rng
        for index, center in enumerate(self.centers):
            size = rng.randint(*TEAM_SIZE)
            roles = [CenterRole.QI_LEAD, CenterRole.CLINICIAN, CenterRole.DATA_MANAGER]
            roles += rng.choices(_EXTRA_TEAM_ROLES, weights=_EXTRA_TEAM_WEIGHTS, k=size - 3)
            rng.shuffle(roles)
            persona_pending = index == 0
            for role in roles:
                since = _day_between(rng, center.joined_on, LAST_SINCE)
                persona = persona_pending and role is CenterRole.CLINICIAN
                persona_pending = persona_pending and not persona
                person = self._person(
                    PersonKind(role.value),
                    center.timezone,
                    since,
                    domain=center.domain,
                    display_name=CLINICIAN_NAME if persona else "",
                    email=CLINICIAN_EMAIL if persona else "",
                )
                self._join(person, index, role)

    def _add_partners(self) -> None:
        rng = self.rng
        kinds = [PersonKind.PARENT_PARTNER] * (PARENT_PARTNERS - 1)
        kinds += [PersonKind.PATIENT_PARTNER] * PATIENT_PARTNERS
        rng.shuffle(kinds)
        linked = [True] * (LINKED_PARTNERS - 1) + [False] * (len(kinds) - LINKED_PARTNERS + 1)
        rng.shuffle(linked)
        active = [i for i, c in enumerate(self.centers) if c.status is CenterStatus.ACTIVE]
        anchor = self.centers[0]
        parent = self._person(
            PersonKind.PARENT_PARTNER,
            anchor.timezone,
            _day_between(rng, anchor.joined_on, LAST_SINCE),
            display_name=PARENT_NAME,
            email=PARENT_EMAIL,
        )
        self._join(parent, 0, CenterRole.PARENT_PARTNER)
        for kind, is_linked in zip(kinds, linked, strict=True):
            if is_linked:
                center_index = rng.choice(active)
                center = self.centers[center_index]
                since = _day_between(rng, center.joined_on, LAST_SINCE)
                person = self._person(kind, center.timezone, since, domain=PARTNER_DOMAIN)
                self._join(person, center_index, CenterRole(kind.value))
            else:
                timezone = rng.choice(self.centers).timezone
                joined = _day_between(rng, FIRST_JOINED, LAST_SINCE)
                self._person(kind, timezone, joined, domain=PARTNER_DOMAIN)

    def _add_network_people(self) -> None:
        rng = self.rng
        hub = names.ANCHOR_CITY.timezone
        staff_zones = (hub, hub, hub, names.CHICAGO, names.DENVER, names.LOS_ANGELES)
        self._person(
            PersonKind.STAFF,
            hub,
            _day_between(rng, FIRST_JOINED, LAST_JOINED),
            display_name=STAFF_NAME,
            email=STAFF_EMAIL,
            network_role=NetworkRole.STAFF,
        )
        network: list[tuple[PersonKind, NetworkRole]] = [(PersonKind.STAFF, NetworkRole.ADMIN)]
        network += [(PersonKind.STAFF, NetworkRole.STAFF)] * (NETWORK_STAFF - 1)
        network += [(PersonKind.DATA_MANAGER, NetworkRole.DATA_MANAGER)] * NETWORK_DATA_MANAGERS
        for kind, role in network:
            self._person(
                kind,
                rng.choice(staff_zones),
                _day_between(rng, FIRST_JOINED, LAST_JOINED),
                domain=NETWORK_DOMAIN,
                network_role=role,
            )


def generate_network(seed: int = DEFAULT_SEED) -> DemoNetwork:
    """The demo network for ``seed``: the same seed always gives the same network."""
    return _Builder(seed).build()
