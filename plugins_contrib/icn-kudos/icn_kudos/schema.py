"""GraphQL: the Kudos type, the ``kudos`` listing, ``giveKudos``, and ``Goal.kudosCount``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from icn_graph.plugin_api import (
    USER_ERRORS_DESCRIPTION,
    AfterArgument,
    BadInput,
    Connection,
    FirstArgument,
    GoalType,
    Info,
    InputArgument,
    PersonType,
    UserError,
    attempt,
    connection_from_page,
    expect_global_id,
    fetch_node,
    parse_global_id,
    to_global_id,
)
from icn_kudos import services
from icn_kudos.models import Kudos as KudosRow


@strawberry.type(description="Thanks from one member to another person or a center.")
class Kudos:
    id: strawberry.ID = strawberry.field(
        description="This kudos's ID, so client caches keep one copy of it."
    )
    message: str = strawberry.field(description="The thanks, in the sender's words.")
    created_at: datetime = strawberry.field(description="When it was given (UTC).")
    recipient_id: strawberry.ID = strawberry.field(description="A Person or Center ID.")
    goal_id: strawberry.ID | None = strawberry.field(description="The goal it is for, if any.")
    from_person_pk: strawberry.Private[int | None]
    goal_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: KudosRow) -> Kudos:
        recipient = (
            to_global_id("Person", row.to_person_id)
            if row.to_person_id is not None
            else to_global_id("Center", row.to_center_id or 0)
        )
        return cls(
            id=to_global_id("Kudos", row.id),
            message=row.message,
            created_at=row.created_at,
            recipient_id=recipient,
            goal_id=to_global_id("Goal", row.goal_id) if row.goal_id is not None else None,
            from_person_pk=row.from_person_id,
            goal_pk=row.goal_id,
        )

    @strawberry.field(description="Who sent it; null when the network sent it (a goal reached).")
    async def sender(self, info: Info) -> PersonType | None:
        if self.from_person_pk is None:
            return None
        person = await info.context.loaders.person.load(self.from_person_pk)
        return PersonType.from_model(person) if person else None

    @strawberry.field(
        description="The goal it is for (`goalId`); null if none, or if the viewer may not see "
        "the goal."
    )
    async def goal(self, info: Info) -> GoalType | None:
        return await _goal(info, self.goal_pk)


async def _goal(info: Info, pk: int | None) -> GoalType | None:
    found = await fetch_node(info, "Goal", pk) if pk is not None else None
    return found if isinstance(found, GoalType) else None


def _recipient(value: str, field: str) -> services.Recipient:
    type_name, pk = parse_global_id(value, field=field)
    if type_name not in {"Person", "Center"}:
        raise BadInput(f"{field}: expected the ID of a Person or a Center.", field=field)
    return services.Recipient(type_name, pk)


@strawberry.type
class KudosQuery:
    @strawberry.field(description="Kudos, newest first; only those for `recipientId` if given.")
    async def kudos(
        self,
        info: Info,
        first: FirstArgument = 20,
        after: AfterArgument = None,
        recipient_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only kudos for this person or center."),
        ] = None,
    ) -> Connection[Kudos] | None:
        recipient = _recipient(recipient_id, "recipientId") if recipient_id else None
        page = await services.list_kudos(
            info.context.db, info.context.viewer, recipient=recipient, first=first, after=after
        )
        return connection_from_page(page, Kudos.from_row)


@strawberry.input(description="Kudos to give, and to whom.")
class GiveKudosInput:
    recipient_id: strawberry.ID = strawberry.field(description="A Person or Center ID.")
    message: str = strawberry.field(
        description="The thanks; at most 280 characters (the plugin's max_length setting)."
    )
    goal_id: strawberry.ID | None = strawberry.field(
        default=None, description="The goal the kudos is for, if any."
    )


@strawberry.type(description="What `giveKudos` did.")
class GiveKudosPayload:
    kudos: Kudos | None = strawberry.field(description="The kudos given; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(
        description="The goal the kudos is for, with its `kudosCount` counting it; null if "
        "none, or if refused."
    )
    async def goal(self, info: Info) -> GoalType | None:
        return await _goal(info, self.kudos.goal_pk if self.kudos else None)


@strawberry.type
class KudosMutation:
    @strawberry.mutation(description="Thank a person or a whole center team.")
    async def give_kudos(
        self, info: Info, input: InputArgument[GiveKudosInput]
    ) -> GiveKudosPayload:
        recipient = _recipient(input.recipient_id, "recipientId")
        goal = expect_global_id(input.goal_id, "Goal", field="goalId") if input.goal_id else None
        row, errors = await attempt(
            services.give_kudos(
                info.context.db, info.context.viewer, recipient, input.message, goal=goal
            )
        )
        if row is not None and row.goal_id is not None:
            _kudos_counts(info).clear_all()  # counted again, with the new kudos
        return GiveKudosPayload(kudos=Kudos.from_row(row) if row else None, user_errors=errors)


def _kudos_counts(info: Info) -> DataLoader[int, int]:
    """This request's kudos count of each goal: one query for every goal in the response."""
    return info.context.loaders.get("icn-kudos.count_by_goal", services.count_by_goal)


@strawberry.type
class GoalKudos:
    """Fields icn-kudos adds to core's ``Goal``; ``root`` is the goal."""

    @strawberry.field(description="How many kudos the goal got (icn-kudos).")
    async def kudos_count(self, root: GoalType, info: Info) -> int | None:
        info.context.viewer.require_member()
        return await _kudos_counts(info).load(root.pk)
