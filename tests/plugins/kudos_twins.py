"""Types for test_type_name_conflicts: two plugins' ``Kudos``, and types named like core's.

Module level, so Strawberry resolves their annotations.
"""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.type(name="Kudos")
class FirstKudos:
    message: str


@strawberry.type(name="Kudos")
class SecondKudos:
    text: str


@strawberry.type
class FirstQuery:
    first_kudos: FirstKudos | None = None


@strawberry.type
class SecondQuery:
    second_kudos: SecondKudos | None = None


@strawberry.type
class ReaderQuery:
    read_kudos: FirstKudos | None = None


@strawberry.type(name="Goal")
class ImpostorGoal:
    title: str


@strawberry.type
class ImpostorQuery:
    my_goal: ImpostorGoal | None = None


@strawberry.enum(name="GoalStatus")
class MyStatus(Enum):
    FINE = "FINE"


@strawberry.type
class StatusQuery:
    my_status: MyStatus | None = None
