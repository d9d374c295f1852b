"""Mutation inputs name IDs one way (issue 15): `id` for the object the mutation acts on,
`<typeName>Id` (or `<typeName>Ids`) for any other object; in core's schema and with the
first-party plugins."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator

import graphql
import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLSchema,
    get_named_type,
)

from icn_graph.config import Settings
from icn_graph.host import core_schema, load_plugins
from icn_graph.schema import build_schema

CONTRIB_PLUGINS = [
    ("icn-codesign", importlib.import_module("icn_codesign.plugin")),
    ("icn-kudos", importlib.import_module("icn_kudos.plugin")),
    ("icn-panels", importlib.import_module("icn_panels.plugin")),
]

# The renames of issue 15, listed for front-end developers in docs/api.md ("Breaking changes").
RENAMED = {
    ("UpdateGoalInput", "goalId"): "id",
    ("CheckInGoalInput", "goalId"): "id",
    ("CloseGoalInput", "goalId"): "id",
    ("ArchiveGoalInput", "goalId"): "id",
    ("UpdateKeyResultInput", "keyResultId"): "id",
    ("AcceptDataViewInput", "viewId"): "id",
    ("RejectDataViewInput", "viewId"): "id",
    ("DeclineDataRequestInput", "requestId"): "id",
    ("WithdrawDataRequestInput", "requestId"): "id",
    ("CommentOnDataRequestInput", "requestId"): "dataRequestId",
    ("ProposeDataViewInput", "requestId"): "dataRequestId",
    ("CreateDataViewLinkInput", "viewId"): "dataViewId",
    ("DecideConsentInput", "viewId"): "dataViewId",
    ("EditMessageInput", "messageId"): "id",
    ("HideMessageInput", "messageId"): "id",
    ("LeaveThreadInput", "threadId"): "id",
    ("MarkThreadReadInput", "threadId"): "id",
    ("AgreeToRevisionInput", "revisionId"): "id",
    ("FinaliseDraftInput", "draftId"): "id",
    ("FinaliseDraftInput", "revisionId"): "draftRevisionId",
    ("RecordDecisionInput", "revisionId"): "draftRevisionId",
    ("RecordDecisionInput", "messageIds"): "threadMessageIds",
}

# IDs named for the role of an object that may be of more than one type, or of a Person in a
# role a mutation sets beside another Person (a stage's owner and coach).
ROLE_NAMES = {
    "subjectId": "any followable or discussable Node",
    "ownerId": "a Center or a Person",
    "recipientId": "a Person or a Center",
    "coachId": "a Person coaching a proposal's stage (icn-panels' assignStage)",
}

# A mutation named `<verb><Preposition><Type>` (assignToAgendaItem, inviteToThread) acts on
# something else than the Type it names: it takes the Type as `<type>Id`.
PREPOSITIONS = ("To", "From", "On", "For", "With")


def _core() -> GraphQLSchema:
    return core_schema()._schema


def _with_contrib_plugins() -> GraphQLSchema:
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=CONTRIB_PLUGINS,
        discover=False,
    )
    return build_schema(host.schema_contributions())._schema


BUILDS = pytest.mark.parametrize(
    "build", [_core, _with_contrib_plugins], ids=["core", "with-contrib-plugins"]
)


def mutation_inputs(schema: GraphQLSchema) -> Iterator[tuple[str, GraphQLInputObjectType]]:
    """Each mutation's name with every input type it takes, nested ones included."""
    assert schema.mutation_type is not None
    for name, field in schema.mutation_type.fields.items():
        pending = [get_named_type(argument.type) for argument in field.args.values()]
        seen: set[str] = set()
        while pending:
            named = pending.pop()
            if not isinstance(named, GraphQLInputObjectType) or named.name in seen:
                continue
            seen.add(named.name)
            yield name, named
            pending.extend(get_named_type(f.type) for f in named.fields.values())


def id_names_breaking_the_rule(schema: GraphQLSchema) -> Iterator[str]:
    type_names = set(schema.type_map)
    for mutation, input_type in mutation_inputs(schema):
        for field_name, input_field in input_type.fields.items():
            where = f"{mutation}: {input_type.name}.{field_name}"
            if (input_type.name, field_name) in RENAMED:
                yield f"{where} was renamed {RENAMED[input_type.name, field_name]}"
            if field_name == "id":
                if str(input_field.type) != "ID!":
                    yield f"{where} is {input_field.type}, not ID!"
                continue
            match = re.fullmatch(r"([a-z]\w*?)Ids?", field_name)
            if match is None or field_name in ROLE_NAMES:
                continue
            type_name = match.group(1)[0].upper() + match.group(1)[1:]
            if type_name not in type_names:
                yield f"{where} names no type ({type_name}): use <typeName>Id"
            acted_on = mutation.endswith(type_name) and not mutation[: -len(type_name)].endswith(
                PREPOSITIONS
            )
            if (
                acted_on
                and field_name.endswith("Id")
                and isinstance(input_field.type, GraphQLNonNull)
            ):
                yield f"{where} is what {mutation} acts on: name it id"


@BUILDS
def test_mutation_inputs_name_ids_by_the_rule(build: Callable[[], GraphQLSchema]) -> None:
    broken = list(id_names_breaking_the_rule(build()))
    assert not broken, "\n".join(broken)


def test_the_check_sees_each_kind_of_misnamed_id() -> None:
    schema = graphql.build_schema(
        """
        type Goal { id: ID! }
        type AgendaItem { id: ID! }
        type Query { goal: Goal }
        input UpdateGoalInput { goalId: ID! }
        input CloseGoalInput { id: ID }
        input AcceptDataViewInput { viewId: ID! }
        input AssignToAgendaItemInput { agendaItemId: ID! }
        type Mutation {
          updateGoal(input: UpdateGoalInput!): Goal
          closeGoal(input: CloseGoalInput!): Goal
          acceptDataView(input: AcceptDataViewInput!): Goal
          assignToAgendaItem(input: AssignToAgendaItemInput!): Goal
        }
        """
    )
    assert sorted(id_names_breaking_the_rule(schema)) == [
        "acceptDataView: AcceptDataViewInput.viewId is what acceptDataView acts on: name it id",
        "acceptDataView: AcceptDataViewInput.viewId names no type (View): use <typeName>Id",
        "acceptDataView: AcceptDataViewInput.viewId was renamed id",
        "closeGoal: CloseGoalInput.id is ID, not ID!",
        "updateGoal: UpdateGoalInput.goalId is what updateGoal acts on: name it id",
        "updateGoal: UpdateGoalInput.goalId was renamed id",
    ]
