"""follow, unfollow, viewer.following and Person.following over HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import delete, select

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, Goal, NetworkRole, Person, PersonKind
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason
from icn_graph.testing import snapshot
from tests.goal_helpers import make_center_goal
from tests.helpers import (
    GraphQLClient,
    StatementCounter,
    error_codes,
    make_center,
    make_person,
    token_for,
)

FOLLOW = """
mutation Follow($input: FollowInput!) {
  follow(input: $input) {
    follow { subjectId level reason subject { __typename ... on Goal { title } } }
    userErrors { field message code }
  }
}
"""

UNFOLLOW = """
mutation Unfollow($input: UnfollowInput!) {
  unfollow(input: $input) { subjectId unfollowed userErrors { field code } }
}
"""

MY_FOLLOWING = """
query Mine($first: Int, $after: String) {
  viewer {
    following(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { subjectId level reason subject { id ... on Goal { title } ... on Center { name } } }
    }
  }
}
"""

PERSON_FOLLOWING = """
query Theirs($id: ID!) {
  node(id: $id) {
    ... on Person { displayName following { totalCount nodes { subjectId level } } }
  }
}
"""


@dataclass
class World:
    center: Center
    goal: Goal
    maria: Person
    maria_token: str
    dana: Person
    dana_token: str
    staff_token: str


@pytest.fixture
async def world(db: Database) -> World:
    center = await make_center(db, name="Cincinnati Children's")
    maria = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    dana = await make_person(db, PersonKind.CLINICIAN, center=center)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    goal = await make_center_goal(db, center, dana, "Reduce steroid use")
    return World(
        center=center,
        goal=goal,
        maria=maria,
        maria_token=await token_for(db, maria),
        dana=dana,
        dana_token=await token_for(db, dana),
        staff_token=await token_for(db, staff),
    )


async def follows_of(db: Database, person: Person) -> list[tuple[str, FollowLevel, FollowReason]]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Follow).where(Follow.person_id == person.id).order_by(Follow.id)
        )
        return [(row.subject_id, row.level, row.reason) for row in rows]


async def test_follow_a_goal_then_change_the_level_then_unfollow(
    db: Database, client: GraphQLClient, world: World
) -> None:
    goal_id = to_global_id("Goal", world.goal.id)
    data = await client.data(
        FOLLOW, {"input": {"subjectId": goal_id, "level": "WATCHING"}}, token=world.maria_token
    )
    assert data["follow"] == {
        "follow": {
            "subjectId": goal_id,
            "level": "WATCHING",
            "reason": "MANUAL",
            "subject": {"__typename": "Goal", "title": "Reduce steroid use"},
        },
        "userErrors": [],
    }
    muted = await client.data(
        FOLLOW, {"input": {"subjectId": goal_id, "level": "MUTED"}}, token=world.maria_token
    )
    assert muted["follow"]["follow"]["level"] == "MUTED"
    assert await follows_of(db, world.maria) == [(goal_id, FollowLevel.MUTED, FollowReason.MANUAL)]

    mine = await client.data(MY_FOLLOWING, token=world.maria_token)
    listing = mine["viewer"]["following"]
    assert listing["totalCount"] == 1
    assert listing["nodes"][0]["subject"] == {"id": goal_id, "title": "Reduce steroid use"}

    gone = await client.data(UNFOLLOW, {"input": {"subjectId": goal_id}}, token=world.maria_token)
    assert gone["unfollow"] == {"subjectId": goal_id, "unfollowed": True, "userErrors": []}
    assert await follows_of(db, world.maria) == []
    again = await client.data(UNFOLLOW, {"input": {"subjectId": goal_id}}, token=world.maria_token)
    assert again["unfollow"]["unfollowed"] is False


async def test_the_default_level_is_normal(client: GraphQLClient, world: World) -> None:
    center_id = to_global_id("Center", world.center.id)
    data = await client.data(FOLLOW, {"input": {"subjectId": center_id}}, token=world.dana_token)
    assert data["follow"]["follow"]["level"] == "NORMAL"


async def test_choosing_a_level_takes_over_an_automatic_follow(
    db: Database, client: GraphQLClient, world: World
) -> None:
    goal_id = to_global_id("Goal", world.goal.id)
    async with db.transaction() as session:
        session.add(
            Follow(
                person_id=world.dana.id,
                subject_id=goal_id,
                level=FollowLevel.WATCHING,
                reason=FollowReason.CREATED,
            )
        )
    await client.data(
        FOLLOW, {"input": {"subjectId": goal_id, "level": "MUTED"}}, token=world.dana_token
    )
    assert await follows_of(db, world.dana) == [(goal_id, FollowLevel.MUTED, FollowReason.MANUAL)]


@pytest.mark.parametrize(
    ("subject_id", "code"),
    [
        (to_global_id("Goal", 999_999), "NOT_FOUND"),
        (to_global_id("Spaceship", 1), "NOT_FOUND"),
        ("not-a-global-id", "INVALID"),
        ("", "INVALID"),
    ],
)
async def test_only_existing_subjects_can_be_followed(
    db: Database, client: GraphQLClient, world: World, subject_id: str, code: str
) -> None:
    before = await snapshot(db)
    data = await client.data(FOLLOW, {"input": {"subjectId": subject_id}}, token=world.maria_token)
    assert data["follow"]["follow"] is None
    assert [(e["field"], e["code"]) for e in data["follow"]["userErrors"]] == [("subjectId", code)]
    assert await snapshot(db) == before


async def test_anonymous_callers_cannot_follow(client: GraphQLClient, world: World) -> None:
    goal_id = to_global_id("Goal", world.goal.id)
    body = await client.execute(FOLLOW, {"input": {"subjectId": goal_id}})
    assert error_codes(body) == ["UNAUTHENTICATED"]
    body = await client.execute(UNFOLLOW, {"input": {"subjectId": goal_id}})
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_what_someone_follows_is_for_them_and_staff_only(
    client: GraphQLClient, world: World
) -> None:
    goal_id = to_global_id("Goal", world.goal.id)
    await client.data(FOLLOW, {"input": {"subjectId": goal_id}}, token=world.maria_token)
    maria_id = to_global_id("Person", world.maria.id)

    for token in (world.maria_token, world.staff_token):
        data = await client.data(PERSON_FOLLOWING, {"id": maria_id}, token=token)
        assert data["node"]["following"] == {
            "totalCount": 1,
            "nodes": [{"subjectId": goal_id, "level": "NORMAL"}],
        }

    # A teammate sees Maria, but not what she follows: null with a reason, not an error.
    body = await client.execute(PERSON_FOLLOWING, {"id": maria_id}, token=world.dana_token)
    assert "errors" not in body
    assert body["data"]["node"]["displayName"] == world.maria.display_name
    assert body["data"]["node"]["following"] is None
    can_see = "query($id: ID!) { node(id: $id) { ... on Person { viewerCanSeeFollowing } } }"
    for token, expected in (
        (world.maria_token, True),
        (world.staff_token, True),
        (world.dana_token, False),
    ):
        data = await client.data(can_see, {"id": maria_id}, token=token)
        assert data["node"]["viewerCanSeeFollowing"] is expected


async def test_following_pages_newest_first_at_constant_sql(
    db: Database, client: GraphQLClient, world: World, statements: StatementCounter
) -> None:
    async def count(subjects: int) -> int:
        reader = await make_person(db, PersonKind.CLINICIAN, center=world.center)
        token = await token_for(db, reader)
        followed = []
        for index in range(subjects):
            if index % 2:
                goal = await make_center_goal(db, world.center, world.dana, f"Goal {index}")
                subject_id = to_global_id("Goal", goal.id)
            else:
                subject_id = to_global_id("Center", (await make_center(db)).id)
            await client.data(FOLLOW, {"input": {"subjectId": subject_id}}, token=token)
            followed.append(subject_id)
        statements.reset()
        data = await client.data(MY_FOLLOWING, {"first": 100}, token=token)
        nodes = data["viewer"]["following"]["nodes"]
        assert [node["subjectId"] for node in nodes] == followed[::-1]
        assert all(node["subject"] is not None for node in nodes)
        return statements.count

    assert await count(5) == await count(50)


async def test_following_pages_with_cursors(client: GraphQLClient, world: World) -> None:
    subjects = [to_global_id("Goal", world.goal.id), to_global_id("Center", world.center.id)]
    for subject_id in subjects:
        await client.data(FOLLOW, {"input": {"subjectId": subject_id}}, token=world.maria_token)
    first = await client.data(MY_FOLLOWING, {"first": 1}, token=world.maria_token)
    page = first["viewer"]["following"]
    assert [node["subjectId"] for node in page["nodes"]] == [subjects[1]]
    assert page["pageInfo"]["hasNextPage"] is True
    second = await client.data(
        MY_FOLLOWING, {"first": 1, "after": page["pageInfo"]["endCursor"]}, token=world.maria_token
    )
    assert [node["subjectId"] for node in second["viewer"]["following"]["nodes"]] == [subjects[0]]
    bad = await client.execute(MY_FOLLOWING, {"after": "garbage"}, token=world.maria_token)
    assert error_codes(bad) == ["BAD_USER_INPUT"]


PEOPLE_FOLLOWING = """
query People($first: Int!) {
  people(first: $first, filter: { kind: NURSE }) {
    nodes {
      displayName
      following(first: 2) {
        totalCount
        pageInfo { hasNextPage }
        nodes { level subject { id ... on Goal { title } } }
      }
    }
  }
}
"""


async def test_staff_see_many_peoples_follows_at_constant_sql(
    db: Database, client: GraphQLClient, world: World, statements: StatementCounter
) -> None:
    async def count(people: int) -> int:
        async with db.transaction() as session:
            for _ in range(people):
                nurse = Person(
                    display_name=f"Nurse {world.goal.id}",
                    email=f"nurse-{people}-{_}@example.org",
                    email_key=f"nurse-{people}-{_}@example.org",
                    kind=PersonKind.NURSE,
                )
                session.add(nurse)
                await session.flush()
                session.add_all(
                    Follow(
                        person_id=nurse.id,
                        subject_id=subject,
                        level=FollowLevel.NORMAL,
                        reason=FollowReason.MANUAL,
                    )
                    for subject in (
                        to_global_id("Goal", world.goal.id),
                        to_global_id("Center", world.center.id),
                        to_global_id("Person", world.maria.id),
                    )
                )
        statements.reset()
        data = await client.data(PEOPLE_FOLLOWING, {"first": 100}, token=world.staff_token)
        nodes = data["people"]["nodes"]
        assert len(nodes) == people
        for node in nodes:
            assert node["following"]["totalCount"] == 3
            assert node["following"]["pageInfo"]["hasNextPage"] is True
            assert len(node["following"]["nodes"]) == 2
        return statements.count

    five = await count(5)
    async with db.transaction() as session:
        await session.execute(delete(Follow))
        await session.execute(delete(Person).where(Person.kind == PersonKind.NURSE))
    assert await count(50) == five


FOLLOW_FOR_CACHES = """
mutation Follow($input: FollowInput!) {
  follow(input: $input) {
    follow { subject { id ... on Followable { viewerIsFollowing viewerFollowLevel } } }
    viewer { id following { totalCount nodes { subjectId } } }
  }
}
"""

UNFOLLOW_FOR_CACHES = """
mutation Unfollow($input: UnfollowInput!) {
  unfollow(input: $input) {
    subject { id ... on Followable { viewerIsFollowing viewerFollowLevel } }
    viewer { id following { totalCount } }
  }
}
"""


async def test_follow_and_unfollow_answer_what_a_client_cache_shows(
    client: GraphQLClient, world: World
) -> None:
    """Apollo Client updates the subject and `viewer.following` from the payloads alone."""
    goal_id = to_global_id("Goal", world.goal.id)
    me = to_global_id("Person", world.maria.id)
    followed = await client.data(
        FOLLOW_FOR_CACHES, {"input": {"subjectId": goal_id}}, token=world.maria_token
    )
    assert followed["follow"] == {
        "follow": {
            "subject": {"id": goal_id, "viewerIsFollowing": True, "viewerFollowLevel": "NORMAL"}
        },
        "viewer": {"id": me, "following": {"totalCount": 1, "nodes": [{"subjectId": goal_id}]}},
    }
    gone = await client.data(
        UNFOLLOW_FOR_CACHES, {"input": {"subjectId": goal_id}}, token=world.maria_token
    )
    assert gone["unfollow"] == {
        "subject": {"id": goal_id, "viewerIsFollowing": False, "viewerFollowLevel": None},
        "viewer": {"id": me, "following": {"totalCount": 0}},
    }
