"""What a composed message says and carries: escaping, links, headers, no header injection."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.ids import to_global_id
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.render import MailContext, MailItem, MailRenderer, MailSection
from icn_graph.notifications.mail.tokens import make_token
from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.testing import make_person
from tests.mail_helpers import (
    T0,
    all_mail,
    mail_settings,
    make_check_in,
    make_goal,
    notify,
    parsed,
)

NASTY_NOTE = 'Great week! <script>alert("x")</script> see <a href="https://evil.example">this</a>'


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


async def test_user_text_is_escaped_in_html_and_kept_in_plain_text(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db, display_name="Maria <b>Lopez</b>")
    follower = await make_person(db, display_name="Sam Carter")
    goal = await make_goal(db, owner, 'Steroids <img src=x onerror="alert(1)">')
    check_in = await make_check_in(db, goal, owner, NASTY_NOTE)
    await notify(
        db,
        follower,
        to_global_id("Goal", goal.id),
        actor=owner,
        payload={"checkIn": to_global_id("CheckIn", check_in.id), "status": "ON_TRACK"},
    )
    assert await compose_due_mail(db, settings, now=T0) == 1
    [mail] = await all_mail(db)
    message = parsed(mail.message)
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)

    assert NASTY_NOTE in text  # plain text is not HTML: shown as typed
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert '<a href="https://evil.example">' not in html
    assert "&lt;a href=&#34;https://evil.example&#34;&gt;" in html
    assert "<img" not in html
    assert "<b>Lopez</b>" not in html
    assert "Maria &lt;b&gt;Lopez&lt;/b&gt;" in html


async def test_the_message_links_the_subject_and_says_why_and_how_to_stop(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings)
    owner = await make_person(db)
    follower = await make_person(db)
    goal = await make_goal(db, owner)
    subject = to_global_id("Goal", goal.id)
    await notify(db, follower, subject, actor=owner, reason="You follow this goal.")
    await compose_due_mail(db, settings, now=T0)
    [mail] = await all_mail(db)
    message = parsed(mail.message)
    text, html = parts(message)
    secret = settings.secret_key.get_secret_value()
    subject_token = make_token(secret, follower.id, follower.email_key, subject, now=T0)
    all_token = make_token(secret, follower.id, follower.email_key, None, now=T0)
    one_subject = f"https://icn.example.org/unsubscribe/{subject_token}"
    everything = f"https://icn.example.org/unsubscribe/{all_token}"

    assert f"https://icn.example.org/graphql?explore=%7B%20node%28id%3A%20%22{subject}%22" in text
    assert "Why you got this: You follow this goal." in text
    assert f"Mute this goal (no more mail or app notifications about it): {one_subject}" in text
    assert f"Stop all notification mail from Test Network: {everything}" in text
    assert "Manage your email (immediately, a daily or weekly digest" in text
    assert "https://icn.example.org/manage-email/" in text
    assert f'href="{one_subject}"' in html

    assert message["List-Unsubscribe"] == (
        f"<{one_subject}>, <mailto:unsubscribe@icn.example.org?subject=unsubscribe%20"
        f"{subject_token}>"
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "Test Network notifications <notifications.icn.example.org>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == "ImproveCareNow <notifications@icn.example.org>"
    assert message["To"].addresses[0].addr_spec == follower.email


async def test_line_breaks_in_user_text_never_make_headers(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings, network_name="Net\r\nBcc: spy@evil.example")
    owner = await make_person(db)
    follower = await make_person(db, display_name="Sam\r\nBcc: spy@evil.example")
    goal = await make_goal(db, owner, "Title\r\nBcc: spy@evil.example\nX-Evil: 1")
    await notify(db, follower, to_global_id("Goal", goal.id), actor=owner)
    assert await compose_due_mail(db, settings, now=T0) == 1
    [mail] = await all_mail(db)
    message = parsed(mail.message)
    assert message["Bcc"] is None
    assert message["X-Evil"] is None
    assert message.get_all("Subject") == [
        "[Net Bcc: spy@evil.example] Title Bcc: spy@evil.example X-Evil: 1"
    ]
    assert [a.addr_spec for a in message["To"].addresses] == [follower.email]
    header_block = mail.message.split("\r\n\r\n", 1)[0]
    assert "\r\nBcc:" not in header_block
    assert "\r\nX-Evil:" not in header_block


class KudosTemplates:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def register_mail_templates(self) -> Path:
        return self.folder


def test_plugins_render_their_event_types_but_never_core_ones(
    tmp_path: Path, settings: Settings
) -> None:
    (tmp_path / "kudos.given.txt").write_text("KUDOS {{ item.summary }}\n")
    (tmp_path / "kudos.given.html").write_text("<p>KUDOS {{ item.summary }}</p>\n")
    (tmp_path / "goal.checked_in.txt").write_text("HIJACKED\n")
    (tmp_path / "goal.checked_in.html").write_text("HIJACKED\n")
    host = load_plugins(settings, extra=[("kudos-mail", KudosTemplates(tmp_path))], discover=False)
    assert host.mail_template_folders()[-1] == tmp_path  # after core.notifications' own
    renderer = MailRenderer(host.mail_template_folders())

    def context(event_type: str) -> MailContext:
        item = MailItem(
            type=event_type, summary="Ann <3 Bo", actor_name="Ann", when="now", reason=""
        )
        section = MailSection("id", "A goal", "goal", "https://x", "https://x/u", [item])
        return MailContext("Net", "Bo", [section], "https://x/u", "https://x/a", "https://x/g")

    kudos = renderer.render("immediate", context("kudos.given"))
    assert "KUDOS Ann <3 Bo" in kudos.text
    assert "<p>KUDOS Ann &lt;3 Bo</p>" in kudos.html
    core = renderer.render("immediate", context("goal.checked_in"))
    assert "HIJACKED" not in core.text + core.html
    unknown = renderer.render("immediate", context("../../etc/passwd"))
    assert "Ann <3 Bo" in unknown.text


async def test_non_ascii_names_and_titles_survive_the_trip(
    db: Database, settings: Settings
) -> None:
    settings = mail_settings(settings, network_name="Réseau IBD")
    owner = await make_person(db, display_name="José Núñez")
    follower = await make_person(db, display_name="Zoë Ødegaard")
    title = "Réduire les stéroïdes \u2013 phase 2 " + "très longue " * 8
    goal = await make_goal(db, owner, title)
    check_in = await make_check_in(db, goal, owner, "Très bien ! " + "x" * 1500)
    await notify(
        db,
        follower,
        to_global_id("Goal", goal.id),
        actor=owner,
        payload={"checkIn": to_global_id("CheckIn", check_in.id)},
    )
    assert await compose_due_mail(db, settings, now=T0) == 1
    [mail] = await all_mail(db)
    assert mail.message.isascii()
    assert all(len(line) <= 998 for line in mail.message.split("\r\n"))
    message = parsed(mail.message)
    assert message["Subject"] == f"[Réseau IBD] {title.strip()}"
    assert message["To"].addresses[0].display_name == "Zoë Ødegaard"
    assert message["List-Id"] == "Réseau IBD notifications <notifications.icn.example.org>"
    text, html = parts(message)
    assert "José Núñez checked in on" in text
    assert "Très bien ! " + "x" * 1500 in text
    assert "Zoë Ødegaard" in html
