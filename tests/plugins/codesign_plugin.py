# mypy: disable-error-code="untyped-decorator"
"""A small plugin for these tests: co-design notes, each belonging to a center, that people can
follow, and a comment event worded by the plugin.

``IcnCodesignNote`` is a ``Node`` that ``node(id:)`` refetches; its subject type says a note is
seen (and followed) by its center's members and network staff only, is contained by its center
(people watching the center hear about it) and opens at ``/codesign/notes/{id}`` in the app.
Everything comes from ``icn_graph.plugin_api``, as a real plugin's would.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import strawberry
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    Database,
    DomainEvent,
    Info,
    Node,
    SchemaContribution,
    SubjectDescription,
    SubjectRef,
    SubjectType,
    Viewer,
    event_type,
    hookimpl,
    record,
    to_global_id,
)

metadata = MetaData()
notes = Table(
    "test_plugin_codesign_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("center_id", Integer, nullable=False),
    Column("title", String(200), nullable=False),
)


def _may_see(viewer: Viewer, center_id: int) -> bool:
    return viewer.is_staff or center_id in viewer.center_ids


@strawberry.type(description="A co-design note of a center.")
class IcnCodesignNote(Node):
    type_name = "IcnCodesignNote"

    title: str

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[IcnCodesignNote | None]:
        async with info.context.db.session() as session:
            found = await describe_notes(session, pks)
        viewer = info.context.viewer
        return [
            cls(pk=pk, title=found[pk].title)
            if pk in found and _may_see(viewer, found[pk].center_id or 0)
            else None
            for pk in pks
        ]


@event_type("icn_codesign.comment_added", subject="note")
class CommentAdded(DomainEvent):
    """Someone commented on a co-design note."""

    note: SubjectRef
    title: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} commented on the co-design note {title}"


async def describe_notes(
    session: AsyncSession, pks: Sequence[int]
) -> dict[int, SubjectDescription]:
    rows = await session.execute(
        select(notes.c.id, notes.c.center_id, notes.c.title).where(notes.c.id.in_(pks))
    )
    return {
        pk: SubjectDescription(
            title, center_id=center_id, containers=[to_global_id("Center", center_id)]
        )
        for pk, center_id, title in rows
    }


async def visible_notes(
    session: AsyncSession, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    return [pk for pk, note in described.items() if _may_see(viewer, note.center_id or 0)]


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(types=[IcnCodesignNote])


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return [CommentAdded]


@hookimpl
def register_subject_types() -> Sequence[SubjectType]:
    return [
        SubjectType(
            type_name="IcnCodesignNote",
            kind="co-design note",
            describe=describe_notes,
            visible=visible_notes,
            app_path="/codesign/notes/{id}",
        )
    ]


async def create_table(db: Database) -> None:
    """The plugin's table, emptied (a migration would create it in a real plugin)."""
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await connection.execute(notes.delete())


async def add_note(db: Database, center_id: int, title: str) -> int:
    async with db.transaction() as session:
        inserted = notes.insert().values(center_id=center_id, title=title)
        pk: int = (await session.execute(inserted.returning(notes.c.id))).scalar_one()
        return pk


async def comment(db: Database, note_pk: int, *, by: int) -> None:
    """The plugin's action: a comment on a note, recorded with the change's transaction."""
    async with db.transaction() as session:
        title = (
            await session.execute(select(notes.c.title).where(notes.c.id == note_pk))
        ).scalar_one()
        record(
            session,
            CommentAdded(note=SubjectRef("IcnCodesignNote", note_pk), title=title),
            actor_id=by,
        )
