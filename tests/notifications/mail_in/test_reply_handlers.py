"""Who handles replies: the registry built from register_reply_handlers, and what mail gets a
reply address."""

from __future__ import annotations

import types
from collections.abc import Sequence

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.ids import to_global_id
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.reply_address import read_reply_address, reply_address
from icn_graph.notifications.models import DeliveryMode
from icn_graph.notifications.reply_handlers import ReplyHandler, ReplyHandlerRegistry
from icn_graph.plugin_api import hookimpl
from icn_graph.plugins.manager import PluginStartupError
from icn_graph.testing import make_person
from tests.mail_helpers import T0, all_mail, make_goal, notify, parsed
from tests.notifications.mail_in import reply_plugin
from tests.notifications.mail_in.helpers import REPLY_DOMAIN, reply_settings


def plugin(returned: object) -> types.ModuleType:
    module = types.ModuleType("other_replies")

    @hookimpl
    def register_reply_handlers() -> object:
        return returned

    module.register_reply_handlers = register_reply_handlers  # type: ignore[attr-defined]
    return module


def test_two_handlers_for_one_type_stop_start_up_naming_both() -> None:
    other = plugin([ReplyHandler("Goal", reply_plugin.post_check_in)])
    with pytest.raises(PluginStartupError) as error:
        load_plugins(
            Settings(_env_file=None),  # type: ignore[call-arg]
            extra=[("reply-test", reply_plugin), ("other", other)],
            discover=False,
        )
    assert "'reply-test'" in str(error.value)
    assert "'other'" in str(error.value)


@pytest.mark.parametrize("returned", [["Goal"], "Goal"], ids=["a list of names", "a name"])
def test_returning_something_else_stops_start_up(returned: object) -> None:
    with pytest.raises(PluginStartupError, match="register_reply_handlers"):
        load_plugins(
            Settings(_env_file=None),  # type: ignore[call-arg]
            extra=[("other", plugin(returned))],
            discover=False,
        )


def test_an_address_for_a_type_that_no_longer_takes_replies_is_not_genuine() -> None:
    subject = to_global_id("Goal", 7)
    address = reply_address("key", REPLY_DOMAIN, 3, subject)
    with_goals = ReplyHandlerRegistry.build(
        [("t", [ReplyHandler("Goal", reply_plugin.post_check_in)])]
    )
    target = read_reply_address("key", address, REPLY_DOMAIN, with_goals)
    assert target is not None
    assert (target.person_id, target.subject_id) == (3, subject)
    assert read_reply_address("key", address, REPLY_DOMAIN, handlers(["IcnCodesignThread"])) is None


async def test_digests_and_subjects_without_a_handler_get_no_reply_address(
    db: Database, settings: Settings
) -> None:
    settings = reply_settings(settings)
    owner = await make_person(db)
    reader = await make_person(db)
    goal = await make_goal(db, owner)
    await notify(db, reader, to_global_id("Goal", goal.id), delivery=DeliveryMode.DAILY_DIGEST)
    await notify(db, reader, to_global_id("Person", owner.id), event_type="person.created")
    assert await compose_due_mail(db, settings, now=T0) == 2
    for mail in await all_mail(db):
        assert parsed(mail.message)["Reply-To"] is None, mail.kind


def handlers(types_: Sequence[str]) -> ReplyHandlerRegistry:
    return ReplyHandlerRegistry.build(
        [("t", [ReplyHandler(name, reply_plugin.post_check_in) for name in types_])]
    )
