"""The root ``Query`` and ``Mutation`` types."""

from __future__ import annotations

import strawberry

from icn_graph.schema.centers import Center, CenterMutations, resolve_centers
from icn_graph.schema.connections import Connection
from icn_graph.schema.context import Info
from icn_graph.schema.memberships import MembershipMutations
from icn_graph.schema.network import Network
from icn_graph.schema.nodes import resolve_node, resolve_nodes
from icn_graph.schema.people import Person, PersonMutations, resolve_people
from icn_graph.schema.relay import Node


@strawberry.type
class Query:
    node: Node | None = strawberry.field(
        resolver=resolve_node, description="Any object, by its global ID."
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=resolve_nodes,
        description="Several objects by global ID (at most 100); an unknown ID gives null.",
    )
    centers: Connection[Center] = strawberry.field(
        resolver=resolve_centers,
        description="Care centers, a page at a time (`first` at most 100). Members only.",
    )
    people: Connection[Person] = strawberry.field(
        resolver=resolve_people,
        description="The directory, a page at a time (`first` at most 100). Members only.",
    )

    @strawberry.field(description="The network this server serves.")
    def network(self, info: Info) -> Network:
        return Network(name=info.context.settings.network_name)

    @strawberry.field(description="The person making the request, or null when anonymous.")
    async def viewer(self, info: Info) -> Person | None:
        person_id = info.context.viewer.person_id
        if person_id is None:
            return None
        person = await info.context.loaders.person.load(person_id)
        return Person.from_model(person) if person else None


@strawberry.type
class Mutation(CenterMutations, PersonMutations, MembershipMutations):
    pass
