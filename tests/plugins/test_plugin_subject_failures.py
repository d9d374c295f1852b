"""A plugin's subject type that fails does not stop anyone else's mail: a ``describe`` that
raises leaves its subjects reading as removed (logged naming the plugin), and an ``app_path``
that would not format with the global ID stops start-up naming the plugin."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.ids import to_global_id
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.plugin_api import SubjectDescription, SubjectType, hookimpl
from icn_graph.plugins.manager import PluginStartupError
from icn_graph.testing import make_person
from tests.mail_helpers import T0, mail_settings, make_goal, notify
from tests.smtp_server import SmtpServer


async def describe_or_fail(session: object, pks: Sequence[int]) -> dict[int, SubjectDescription]:
    raise RuntimeError("the plugin's own bug")


class Brittle:
    """A plugin whose subject type cannot describe its rows."""

    @staticmethod
    @hookimpl
    def register_subject_types() -> list[SubjectType]:
        return [SubjectType("IcnBrittleThing", "brittle thing", describe_or_fail)]


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-brittle", Brittle)]


async def test_a_subject_type_whose_describe_raises_does_not_stop_other_peoples_mail(
    db: Database, settings: Settings, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    settings = mail_settings(settings, smtp_host="127.0.0.1", smtp_port=smtp.port)
    owner = await make_person(db, display_name="Sam Carter")
    goal_reader = await make_person(db, display_name="Maria Lopez")
    thing_reader = await make_person(db, display_name="Priya Raman")
    goal = await make_goal(db, owner, title="Reduce steroid use")
    await notify(db, goal_reader, to_global_id("Goal", goal.id), actor=owner)
    thing_id = to_global_id("IcnBrittleThing", 7)
    await notify(db, thing_reader, thing_id, actor=owner)

    assert await compose_due_mail(db, settings, now=T0) == 2
    transport = SmtpTransport(settings)
    try:
        assert await send_due_mail(db, settings, transport, now=T0, worker_id="t") == 2
    finally:
        await transport.close()

    by_recipient = {tuple(r.rcpt_tos): r.message for r in smtp.received}
    assert set(by_recipient) == {(goal_reader.email,), (thing_reader.email,)}
    assert by_recipient[(goal_reader.email,)]["Subject"] == "[Test Network] Reduce steroid use"
    # The failing plugin's subject reads as removed, named by its kind.
    thing_mail = by_recipient[(thing_reader.email,)]
    text_part = thing_mail.get_body(("plain",))
    assert text_part is not None
    text = text_part.get_content()
    assert "Something that was removed" in text
    assert "brittle thing" in text
    failures = [r for r in caplog.records if "describing IcnBrittleThing" in r.getMessage()]
    assert failures, caplog.text
    assert "plugin 'icn-brittle'" in failures[0].getMessage()
    assert failures[0].exc_info is not None


@pytest.mark.parametrize(
    ("app_path", "problem"),
    [
        ("/notes/{id}?tab={tab}", "may use only {id}"),
        ("/notes/{id}/{0}", "may use only {id}"),
        ("/notes/{id", "must be a path starting with /"),
        ("/notes/{id}}x{", "may use only {id}"),
    ],
)
def test_an_app_path_that_does_not_format_with_the_id_stops_start_up_naming_the_plugin(
    app_path: str, problem: str
) -> None:
    class BadPath:
        @staticmethod
        @hookimpl
        def register_subject_types() -> list[SubjectType]:
            return [SubjectType("IcnNote", "note", describe_or_fail, app_path=app_path)]

    with pytest.raises(PluginStartupError) as raised:
        load_plugins(
            Settings(_env_file=None),  # type: ignore[call-arg]
            extra=[("icn-bad-path", BadPath)],
            discover=False,
        )
    message = str(raised.value)
    assert "plugin 'icn-bad-path'" in message
    assert "IcnNote" in message
    assert problem in message
    assert repr(app_path) in message
