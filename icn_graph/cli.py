"""``icn-graph``: serve, migrate, load the demo network, mint tokens, import visits, refresh
measures, export the schema and the audit log of identified reads."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import sys
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from icn_graph.errors import InvalidInput, SchemaConflict, ServiceError, StartupError

# Each command imports what it uses: `icn-graph --help` loads no settings, database layer or
# schema, and `icn-graph config` no database layer or schema (tests/test_lean_start.py).
if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

    from icn_graph.config import Settings
    from icn_graph.db import migrations
    from icn_graph.db.database import Database
    from icn_graph.plugins.manager import PluginHost
    from icn_graph.reports.measures import MeasureRegistry
    from icn_graph.services.registry import VisitImportSummary
    from icn_graph.services.reports import RefreshSummary
    from icn_graph.web.serving import DrainingServer

DEFAULT_SCHEMA_PATH = Path("schema.graphql")


def _settings(context: click.Context) -> Settings:
    from icn_graph.config import Settings

    settings = context.obj
    assert isinstance(settings, Settings)
    return settings


class _AlembicChatter(logging.Filter):
    """Alembic says which implementation and DDL mode it uses each time it looks at a database,
    and names each of its own plugins when it is imported (which commands do after logging is
    set up): noise for an operator. What it applies still shows, one line per revision
    ("Running upgrade 0003 -> 0004, <the first line of its message>")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(("Context impl ", "Will assume ", "setup plugin ")):
            return False
        message = record.getMessage()
        if "\n" in message:
            record.msg, record.args = message.splitlines()[0], ()
        return True


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for name in ("alembic.runtime.migration", "alembic.runtime.plugins"):
        alembic_log = logging.getLogger(name)
        if not any(isinstance(known, _AlembicChatter) for known in alembic_log.filters):
            alembic_log.addFilter(_AlembicChatter())
    if settings.sql_echo:
        # Through logging rather than engine echo, so each statement is printed once.
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)


def _database_problem(error: DBAPIError) -> str:
    """One line for a database error; a missing table means migrations have not been applied."""
    detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return f"the database is not up to date ({detail}); run `icn-graph db upgrade` first"
    return f"database error: {detail}"


class _Commands(click.Group):
    """Turns a plugin that cannot start, or a database that is not migrated or not reachable,
    into a one-line error instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            from sqlalchemy.exc import DBAPIError

            from icn_graph.config import Settings
            from icn_graph.db.problems import database_problem

            settings = ctx.obj
            if isinstance(settings, Settings):
                problem = database_problem(error, settings.database_url_value)
                if problem is not None:
                    raise click.ClickException(problem) from error
            if isinstance(error, DBAPIError):
                raise click.ClickException(_database_problem(error)) from error
            if isinstance(error, StartupError | SchemaConflict):
                raise click.ClickException(str(error)) from error
            raise


@click.group(cls=_Commands)
@click.version_option(package_name="icn-graph", prog_name="icn-graph")
@click.pass_context
def main(context: click.Context) -> None:
    """icn-graph: the GraphQL API of a learning health network."""
    from pydantic import ValidationError

    from icn_graph.config import Settings

    try:
        settings = Settings()
    except ValidationError as invalid:
        problems = "; ".join(
            f"ICN_{'_'.join(str(part) for part in error['loc']).upper()}: "
            + error["msg"].removeprefix("Value error, ")
            for error in invalid.errors()
        )
        raise click.ClickException(f"invalid settings: {problems}") from invalid
    _configure_logging(settings)
    context.obj = settings


@main.command("config")
@click.pass_context
def show_config(context: click.Context) -> None:
    """Print the effective settings (secrets redacted) as JSON."""
    click.echo(json.dumps(_settings(context).redacted(), indent=2, default=str))


@main.command()
@click.option("--host", default=None, help="Overrides ICN_HOST.")
@click.option("--port", type=int, default=None, help="Overrides ICN_PORT.")
@click.option(
    "--worker", "with_worker", is_flag=True, help="Also run the notification worker, in process."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="API processes sharing the port (overrides ICN_WORKERS); more than 1 needs PostgreSQL.",
)
@click.pass_context
def serve(
    context: click.Context,
    host: str | None,
    port: int | None,
    with_worker: bool,
    workers: int | None,
) -> None:
    """Serve GraphQL (and the GraphiQL explorer) at /graphql.

    Starts even when the database is down (/readyz answers 503 until it answers). SIGTERM makes
    /readyz answer 503 and lets requests in flight finish (ICN_SHUTDOWN_GRACE_SECONDS) first.
    """
    from icn_graph.web.ports import port_problem

    configured = _settings(context)
    settings = configured.serving_at(host or configured.host, port or configured.port)
    processes = workers or settings.workers
    refusal = _processes_problem(settings, processes, with_worker)
    if refusal is not None:
        raise click.ClickException(refusal)
    _check_secrets(settings, settings.host)
    busy = port_problem(settings.host, settings.port)  # before demo tokens are minted
    if busy is not None:
        raise click.ClickException(busy)
    from icn_graph.web.processes import listening_sockets

    # Several processes: bound now, so that nothing takes the port before they start.
    sockets = listening_sockets(settings.host, settings.port, processes) if processes > 1 else []
    try:
        _serve(context, settings, processes, sockets, with_worker)
    finally:
        for sock in sockets:
            sock.close()


def _serve(
    context: click.Context,
    settings: Settings,
    processes: int,
    sockets: list[socket.socket],
    with_worker: bool,
) -> None:
    from icn_graph.secrets_guard import is_loopback

    if settings.public_url_is_derived and not is_loopback(settings.host):
        click.echo(
            f"warning: ICN_PUBLIC_URL is not set, so links in mail point to "
            f"{settings.public_url}; set it to the address people reach this server at",
            err=True,
        )
    plugins = _host(context)
    ready = _database_ready(settings, plugins)
    if settings.demo:
        if ready:
            asyncio.run(_print_demo_headers(settings))
        else:
            click.echo("Demo mode: no demo tokens until the database is ready", err=True)
    click.echo(f"GraphiQL explorer: {settings.public_url.rstrip('/')}/graphql")
    if processes > 1:
        _serve_processes(settings, processes, sockets)
        return
    server = _draining_server(settings, plugins)
    if not with_worker:
        server.run()
        return
    from icn_graph.notifications.worker.serving import serve_with_worker

    click.echo(f"worker: beside the server; mail goes to {_mail_destination(settings)}")
    asyncio.run(serve_with_worker(server, settings, plugins))


def _processes_problem(settings: Settings, processes: int, with_worker: bool) -> str | None:
    if processes == 1:
        return None
    if settings.database_url_value.startswith("sqlite"):
        return (
            f"--workers {processes} (ICN_WORKERS) needs PostgreSQL: SQLite takes one writer "
            "at a time; set ICN_DATABASE_URL to postgresql+asyncpg://... or serve one process"
        )
    if with_worker:
        return (
            f"--worker runs the notification worker inside a single API process; with "
            f"--workers {processes}, run `icn-graph worker` beside the server instead "
            "(several workers share the work on PostgreSQL)"
        )
    return None


def _draining_server(
    settings: Settings, plugins: PluginHost, *, stopped_by_parent: bool = False
) -> DrainingServer:
    import uvicorn

    from icn_graph.app import create_app
    from icn_graph.web.access_log import redact_access_log
    from icn_graph.web.heap import settle_heap
    from icn_graph.web.serving import DrainingServer

    app = create_app(settings, plugins=plugins)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        # A websocket message is a request too: the same cap as an HTTP body.
        ws_max_size=settings.max_body_bytes,
    )
    redact_access_log()  # after uvicorn.Config, which configures uvicorn's loggers
    server = DrainingServer(
        config,
        app.state.readiness,
        settings.shutdown_grace_seconds,
        stopped_by_parent=stopped_by_parent,
    )
    settle_heap()  # last: what start-up made is frozen out of every later collection
    return server


def _serve_processes(settings: Settings, processes: int, sockets: list[socket.socket]) -> None:
    from icn_graph.web.processes import run_processes

    target = partial(_serve_process, settings.host, settings.port)
    status = run_processes(processes, sockets, target)
    if status:
        raise SystemExit(status)


def _serve_process(host: str, port: int, sock: socket.socket) -> None:
    """One of the processes of ``serve --workers N``, in a fresh interpreter: the settings from
    the same environment, the plugins loaded again, the app served on the inherited socket."""
    from icn_graph.config import Settings
    from icn_graph.host import load_plugins

    settings = Settings().serving_at(host, port)
    _configure_logging(settings)
    server = _draining_server(settings, load_plugins(settings), stopped_by_parent=True)
    server.run(sockets=[sock])


def _database_ready(settings: Settings, plugins: PluginHost) -> bool:
    """Warn (one line each) when the database cannot be reached or a migration history is
    behind; ``serve`` starts anyway and ``/readyz`` answers 503 until it is fixed."""
    from icn_graph.db import migration_state
    from icn_graph.db.database import create_engine
    from icn_graph.db.problems import database_problem

    url = settings.database_url_value
    engine = create_engine(url)  # a SQLite path it cannot use is an error, not a wait

    async def behind() -> list[str]:
        try:
            heads = migration_state.heads_by_track(plugins)
            return await migration_state.histories_behind(engine, heads)
        finally:
            await engine.dispose()

    try:
        lines = asyncio.run(behind())
    except Exception as error:
        problem = database_problem(error, url)
        if problem is None:
            raise
        click.echo(
            f"warning: {problem}; serving anyway: /readyz answers 503 until the database answers",
            err=True,
        )
        return False
    for line in lines:
        click.echo(f"warning: {line} (until then /readyz answers 503)", err=True)
    return not lines


@main.command("check-port")
@click.option("--host", default=None, help="Overrides ICN_HOST.")
@click.option("--port", type=int, default=None, help="Overrides ICN_PORT.")
@click.pass_context
def check_port(context: click.Context, host: str | None, port: int | None) -> None:
    """Exit 0 when `serve` could listen on ICN_HOST:ICN_PORT; otherwise say which port is busy
    and how to choose another (`make run` asks before it loads anything)."""
    from icn_graph.web.ports import port_problem

    settings = _settings(context)
    busy = port_problem(host or settings.host, port or settings.port)
    if busy is not None:
        raise click.ClickException(busy)


def _mail_destination(settings: Settings) -> str:
    if settings.smtp_host:
        return f"SMTP {settings.smtp_host}:{settings.smtp_port}"
    return f"{Path(settings.mail_dir).resolve()} (one .eml file per message)"


@main.command()
@click.pass_context
def worker(context: click.Context) -> None:
    """Deliver notifications: sweep events, compose due mail, send it; stop with Ctrl-C/SIGTERM."""
    from icn_graph.notifications.worker import run_until_signalled

    settings = _settings(context)
    _check_secrets(settings, None)
    plugins = _host(context)
    _warn_if_unreachable(settings, "the worker tries again every ICN_WORKER_TICK_SECONDS")
    click.echo(f"worker: mail goes to {_mail_destination(settings)}")
    asyncio.run(run_until_signalled(settings, plugins))


def _warn_if_unreachable(settings: Settings, meanwhile: str) -> None:
    """One line when the database does not answer, for a long-running command that waits."""
    from icn_graph.db.problems import database_problem

    database = _database(settings)  # a path it cannot use: an error

    async def ping() -> None:
        try:
            await database.ping()
        finally:
            await database.dispose()

    try:
        asyncio.run(ping())
    except Exception as error:
        problem = database_problem(error, settings.database_url_value)
        if problem is None:
            raise
        click.echo(f"warning: {problem}; {meanwhile}", err=True)


@main.group()
def notifications() -> None:
    """Notification mail."""


@notifications.command("status")
@click.pass_context
def notifications_status(context: click.Context) -> None:
    """Queue depth, mail sent in the last 24 h, failures, dead letters, suppressed addresses."""
    from datetime import UTC, datetime

    from icn_graph.notifications.mail.status import delivery_status, status_report

    async def run() -> str:
        database = _database(_settings(context))
        try:
            return status_report(await delivery_status(database, now=datetime.now(UTC)))
        finally:
            await database.dispose()

    click.echo(asyncio.run(run()))


@main.command("mail-in")
@click.option(
    "--listen",
    metavar="HOST:PORT",
    default=None,
    help="Serve SMTP (or LMTP with --lmtp) for an MTA to relay to, instead of reading stdin.",
)
@click.option("--lmtp", is_flag=True, help="With --listen: speak LMTP instead of SMTP.")
@click.option(
    "--recipient",
    default=None,
    help="The envelope recipient (Postfix pipe: ${original_recipient}); default: from headers.",
)
@click.option(
    "--sender",
    default=None,
    help="The envelope sender (Postfix pipe: ${sender}); default: the Return-Path header.",
)
@click.pass_context
def mail_in(
    context: click.Context,
    listen: str | None,
    lmtp: bool,
    recipient: str | None,
    sender: str | None,
) -> None:
    """Receive replies by email: one message on stdin (exit 0: handled, 75: try again later),
    or an SMTP/LMTP server with --listen."""
    settings = _settings(context)
    if listen is None:
        sys.exit(_mail_in_stdin(context, settings, recipient, sender))
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("expected HOST:PORT, e.g. 127.0.0.1:2525", param_hint="--listen")
    if not settings.mail_reply_domain:
        raise click.ClickException("ICN_MAIL_REPLY_DOMAIN is not set: there are no reply addresses")
    _check_secrets(settings, None)
    from icn_graph.notifications.mail_in.serve import serve_until_signalled

    plugins = _host(context)
    kind = "LMTP" if lmtp else "SMTP"
    click.echo(f"mail-in: {kind} on {host}:{port} for reply+...@{settings.mail_reply_domain}")
    asyncio.run(serve_until_signalled(settings, plugins, host.strip("[]"), int(port), lmtp=lmtp))


def _mail_in_stdin(
    context: click.Context, settings: Settings, recipient: str | None, sender: str | None
) -> int:
    """Read and handle one message; the exit code for the MTA (see mail_in.pipe)."""
    from icn_graph.notifications.mail_in.pipe import EX_OK, EX_TEMPFAIL, read_message
    from icn_graph.notifications.mail_in.receive import MailReceiver
    from icn_graph.secrets_guard import check_secrets

    raw, size = read_message(sys.stdin.buffer, settings.mail_in_max_bytes)
    try:
        check_secrets(settings, bind_host=None)
        if not settings.mail_reply_domain:
            raise StartupError("ICN_MAIL_REPLY_DOMAIN is not set: there are no reply addresses")
        _host(context)  # installs the reply handlers of the plugins in use

        async def run() -> None:
            database = _database(settings)
            try:
                receiver = MailReceiver(database, settings)
                await receiver.receive(raw, size=size, recipient=recipient, envelope_sender=sender)
            finally:
                await database.dispose()

        asyncio.run(run())
    except Exception as error:
        # Anything unexpected: the MTA keeps the message and retries, rather than bouncing it.
        logging.getLogger("icn_graph.mail_in").exception("mail-in: %s", error)
        click.echo(f"mail-in: temporary failure: {error}", err=True)
        return EX_TEMPFAIL
    return EX_OK


def _check_secrets(settings: Settings, bind_host: str | None) -> None:
    from icn_graph.secrets_guard import check_secrets

    try:
        warning = check_secrets(settings, bind_host=bind_host)
    except StartupError as error:
        raise click.ClickException(str(error)) from error
    if warning:
        click.echo(f"warning: {warning}", err=True)


async def _print_demo_headers(settings: Settings) -> None:
    from icn_graph.demo import DEMO_PERSONAS
    from icn_graph.services.tokens import issue_token

    db = _database(settings)
    try:
        click.echo("Demo mode: paste one of these into GraphiQL's Headers tab (bottom left).")
        for label, email in DEMO_PERSONAS.items():
            try:
                issued = await issue_token(db, email, label="demo")
            except ServiceError:
                click.echo(f"  no demo {label}: load the demo network with `icn-graph demo load`")
                continue
            header = json.dumps({"Authorization": f"Bearer {issued.secret}"})
            click.echo(f"  {label:<10} {issued.person.display_name} <{email}>\n    {header}")
    finally:
        await db.dispose()


@main.group()
def db() -> None:
    """Database migrations (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="heads")
@click.option("--plugin", default=None, help="Only this plugin's migrations.")
@click.pass_context
def db_upgrade(context: click.Context, revision: str, plugin: str | None) -> None:
    """Apply migrations: core's up to REVISION (default: latest), then every plugin's."""
    from icn_graph.db import migrations

    url, host = _settings(context).database_url_value, _host(context)
    if plugin is not None:
        migrations.upgrade(url, revision, track=_track(plugin, host))
    else:
        for track in migrations.tracks(host):  # core's first
            migrations.upgrade(url, revision if track.is_core else "heads", track=track)
    _echo_positions(url, host)


@db.command("downgrade")
@click.argument("revision")
@click.option("--plugin", default=None, help="Downgrade this plugin's migrations, not core's.")
@click.pass_context
def db_downgrade(context: click.Context, revision: str, plugin: str | None) -> None:
    """Revert core's migrations down to REVISION: a revision id, -1 for one step, or base.

    ``base`` reverts every plugin's migrations first; ``--plugin`` reverts only that plugin's.
    """
    from icn_graph.db import migrations

    url, host = _settings(context).database_url_value, _host(context)
    if plugin:
        migrations.downgrade(url, revision, track=_track(plugin, host))
    else:
        if revision == "base":
            # Plugins' tables refer to core's: they go first.
            for track in reversed(migrations.tracks(host)):
                if not track.is_core:
                    migrations.downgrade(url, "base", track=track)
        migrations.downgrade(url, revision)
    _echo_positions(url, host)


@db.command("current")
@click.pass_context
def db_current(context: click.Context) -> None:
    """Show the applied revision(s) of core and of each plugin, and whether they are the latest."""
    from icn_graph.db import migration_state, migrations

    url, host = _settings(context).database_url_value, _host(context)
    for track in migrations.tracks(host):
        current = asyncio.run(migration_state.current_revisions_at(url, track))
        heads = migrations.head_revisions(track)
        latest = ", ".join(sorted(heads))
        state = "up to date" if current == heads else f"behind (latest: {latest})"
        prefix = "" if track.is_core else f"{track.name}: "
        click.echo(f"{prefix}{', '.join(sorted(current)) or 'base'} ({state})")


def _track(plugin: str, host: PluginHost) -> migrations.Track:
    from icn_graph.db import migrations

    try:
        return migrations.track_named(plugin, host)
    except LookupError as error:
        raise click.ClickException(str(error)) from error


def _echo_positions(url: str, host: PluginHost) -> None:
    from icn_graph.db import migration_state, migrations

    for track in migrations.tracks(host):
        applied = asyncio.run(migration_state.current_revisions_at(url, track))
        at = ", ".join(sorted(applied)) or "base"
        click.echo(f"database at {at}" if track.is_core else f"{track.name} at {at}")


def _host(context: click.Context) -> PluginHost:
    from icn_graph.host import load_plugins

    return load_plugins(_settings(context))


def _database(settings: Settings) -> Database:
    from icn_graph.db.database import Database

    return Database.from_settings(settings)


@main.command("plugins")
@click.pass_context
def list_plugins(context: click.Context) -> None:
    """List plugins: version, hooks implemented and state (settings' secrets redacted)."""
    host = _host(context)
    for warning in host.warnings:
        click.echo(f"warning: {warning}")
    for info in host.describe():
        state = "enabled" if info.enabled else "disabled"
        kind = "built-in" if info.builtin else (info.version or "unknown version")
        click.echo(f"{info.name} ({kind}) {state}")
        click.echo(f"  hooks: {', '.join(info.hooks) or '-'}")
        for key, value in info.settings.items():
            click.echo(f"  setting {key} = {value}")


@main.group()
def plugin() -> None:
    """Writing plugins."""


@plugin.command("new")
@click.argument("name")
def plugin_new(name: str) -> None:
    """Write a working plugin package NAME into ./NAME, with passing tests.

    NAME is its distribution and plugin name (e.g. icn-notes; the package is icn_notes). It has
    a table with its migration, a GraphQL type, a query, a mutation with userErrors, an event
    reaction, and tests on icn_graph's fixtures.
    """
    from icn_graph.scaffold import ScaffoldError, write_plugin

    try:
        target, names = write_plugin(name, Path.cwd())
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"wrote {target} (plugin {names.name}, package {names.package}); next:")
    click.echo(f"  pip install -e {name}")
    click.echo(f"  pytest {name}   # set ICN_TEST_POSTGRES_URL to test on PostgreSQL too")
    click.echo("  icn-graph db upgrade && icn-graph plugins")


@main.group()
def demo() -> None:
    """The demo network."""


@demo.command("load")
@click.option("--seed", type=int, default=2014, show_default=True, help="Same seed, same network.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The demo's present (YYYY-MM-DD, 2014-03-14 or later)  [default: the current date]",
)
@click.pass_context
def demo_load(context: click.Context, seed: int, if_empty: bool, today: datetime | None) -> None:
    """Load a realistic demo network: 65 centers, care teams, partners and staff, with the
    2014 story as its history and a present up to today (or --today)."""
    from icn_graph.demo import is_empty, load_demo
    from icn_graph.demo.present import check_today

    present = today.date() if today else date.today()
    try:
        check_today(present)
    except ValueError as error:
        raise click.BadParameter(str(error).removeprefix("today: "), param_hint="--today") from None

    async def run() -> None:
        database = _database(_settings(context))
        try:
            if not await is_empty(database):
                if if_empty:
                    click.echo("demo: database already has data; left as it is")
                    return
                raise click.ClickException("the database already has data; use an empty one")
            summary = await load_demo(
                database,
                seed=seed,
                plugins=_host(context),
                settings=_settings(context),
                today=present,
            )
            click.echo(
                f"demo network loaded (seed {seed}, today {present.isoformat()}): "
                f"{summary.centers} centers, "
                f"{summary.people} people ({summary.partners} partners), "
                f"{summary.memberships} memberships"
            )
        finally:
            await database.dispose()

    asyncio.run(run())


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--email", required=True, help="Whose token it is.")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
@click.pass_context
def token_create(context: click.Context, email: str, label: str) -> None:
    """Mint a bearer token. It is shown once: only its hash is stored."""
    from icn_graph.services.tokens import issue_token

    async def run() -> str:
        database = _database(_settings(context))
        try:
            return (await issue_token(database, email, label=label)).secret
        except ServiceError as error:
            raise click.ClickException(error.message) from error
        finally:
            await database.dispose()

    secret = asyncio.run(run())
    click.echo(secret)
    click.echo(f'Header: {{"Authorization": "Bearer {secret}"}}  (shown once)', err=True)


@token.command("revoke")
@click.option("--email", required=True, help="Whose tokens (and calendar feed) to revoke.")
@click.option(
    "--label", default=None, help="Only tokens with this label (default: all, and the feed)."
)
@click.pass_context
def token_revoke(context: click.Context, email: str, label: str | None) -> None:
    """Revoke a person's live tokens and calendar feed at once (e.g. a lost laptop)."""
    from icn_graph.notifications.realtime.revocations import announce_revocation
    from icn_graph.services.tokens import Revoked, revoke_tokens_of

    async def run() -> Revoked:
        database = _database(_settings(context))
        try:
            revoked = await revoke_tokens_of(database, email, label)
            # The API processes close the person's websockets now (on PostgreSQL; on SQLite a
            # command cannot reach them: they close at their next operation). A calendar feed
            # opens no websocket: its next fetch is a 404 without being told.
            await announce_revocation(database, revoked.person_id)
            return revoked
        except ServiceError as error:
            raise click.ClickException(error.message) from error
        finally:
            await database.dispose()

    revoked = asyncio.run(run())
    if label is None:
        click.echo(
            f"revoked {revoked.tokens} token(s) and {revoked.calendar_feeds} calendar feed(s)"
            f" of {email}"
        )
    else:
        click.echo(f"revoked {revoked.tokens} token(s) of {email}")


@main.group()
def admin() -> None:
    """Network admins: the first person of an empty database."""


@admin.command("create")
@click.option("--email", required=True, help="Their email: sign-in links go there.")
@click.option("--name", required=True, help="Their display name.")
@click.option("--timezone", default="UTC", show_default=True, help="Their IANA time zone.")
@click.pass_context
def admin_create(context: click.Context, email: str, name: str, timezone: str) -> None:
    """Create a network admin (staff who may also create admins) and print a sign-in link."""
    from icn_graph.notifications.sign_in_mail import sign_in_url
    from icn_graph.services.sign_in.first_run import create_admin
    from icn_graph.services.sign_in.links import minutes_phrase

    settings = _settings(context)

    async def run() -> str:
        database = _database(settings)
        try:
            link = await create_admin(
                database, email=email, name=name, timezone=timezone, settings=settings
            )
        except InvalidInput as refused:
            options = {"displayName": "--name", "email": "--email", "timezone": "--timezone"}
            raise click.ClickException(
                "; ".join(
                    f"{options.get(error.field, error.field)}: {error.message}"
                    + (" (they can sign in with requestSignIn)" if error.code == "TAKEN" else "")
                    for error in refused.errors
                )
            ) from refused
        finally:
            await database.dispose()
        return sign_in_url(settings, link.secret)

    url = asyncio.run(run())
    click.echo(f"created admin {email}")
    click.echo(url)
    click.echo(
        f"Open the link within {minutes_phrase(settings.sign_in_link_minutes)} and press Sign "
        "in; it works once. Later, ask for a new one with the requestSignIn mutation.",
        err=True,
    )


@main.group("import")
def import_group() -> None:
    """Import registry data."""


@import_group.command("visits")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--center", "center_code", required=True, help="The center's short code.")
@click.pass_context
def import_visits_command(context: click.Context, file: Path, center_code: str) -> None:
    """Import a center's visits from FILE (CSV, UTF-8, header row first).

    Every row error is listed and nothing is imported if there is any; importing the same rows
    again updates them. Patient keys are stored only as a keyed hash.
    """
    from icn_graph.services.registry import VisitImportError, import_visits
    from icn_graph.services.reports import refresh_center_measures

    settings = _settings(context)
    # Loaded first: a plugin measure that cannot load stops the command before anything changes.
    registry = _measures(context)

    async def run() -> tuple[VisitImportSummary, RefreshSummary]:
        database = _database(settings)
        try:
            with file.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as stream:
                summary = await import_visits(
                    database,
                    center_code,
                    stream,
                    secret=settings.patient_key_secret.get_secret_value(),
                )
            _echo_import(file, summary)
            try:
                return summary, await refresh_center_measures(
                    database, registry, summary.center_code, visit_months=summary.months
                )
            except Exception as error:
                raise click.ClickException(
                    f"the visits were imported, but refreshing {summary.center_code}'s measures "
                    f"failed: {error}; run `icn-graph measures refresh --center "
                    f"{summary.center_code}` once it is fixed"
                ) from error
        except VisitImportError as error:
            listed = "\n".join(f"  {problem}" for problem in error.errors)
            more = len(error.errors) < error.total
            tail = f"\n  ... {error.total - len(error.errors)} more" if more else ""
            noun = "problem" if error.total == 1 else "problems"
            raise click.ClickException(
                f"{file.name}: {error.rows_read} rows read, {error.total} {noun}, nothing was "
                f"imported:\n{listed}{tail}"
            ) from error
        except ServiceError as error:
            raise click.ClickException(error.message) from error
        finally:
            await database.dispose()

    _, refreshed = asyncio.run(run())
    _echo_refresh(refreshed)


def _echo_import(file: Path, summary: VisitImportSummary) -> None:
    click.echo(
        f"{file.name} -> {summary.center_code}: {summary.rows_read} rows read, "
        f"{summary.inserted} visits added, {summary.updated} updated"
    )
    if summary.ignored_columns:
        click.echo(f"ignored columns: {', '.join(summary.ignored_columns)}", err=True)


def _echo_refresh(summary: RefreshSummary) -> None:
    click.echo(
        f"measures refreshed for {summary.center_code}: {summary.rows} monthly values "
        f"of {summary.measures} measures"
    )


def _measures(context: click.Context) -> MeasureRegistry:
    from icn_graph.reports.measures import MeasureRegistry

    return MeasureRegistry.load(_host(context))


@main.group()
def measures() -> None:
    """Outcome and process measures computed monthly from registry visits."""


@measures.command("list")
@click.pass_context
def measures_list(context: click.Context) -> None:
    """List the measures (core's and plugins'): key, title, unit, direction, definition."""
    import textwrap

    registry = _measures(context)
    for measure in registry.all():
        direction = measure.direction.value.lower().replace("_", " ")
        click.echo(
            f"{measure.key} ({registry.owner(measure.key)}): {measure.title} "
            f"[{measure.unit}, {direction}]"
        )
        if measure.family is not None:
            nested = f", nested in {measure.nested_in}" if measure.nested_in else ""
            click.echo(f"  family {measure.family}{nested}")
        wrapped = textwrap.fill(measure.definition, 96, break_on_hyphens=False)
        click.echo(textwrap.indent(wrapped, "  "))


@measures.command("refresh")
@click.option("--center", "center_code", default=None, help="Only this center (short code).")
@click.pass_context
def measures_refresh(context: click.Context, center_code: str | None) -> None:
    """Recompute every measure from the visits and replace the stored monthly values."""
    from icn_graph.services.reports import refresh_center_measures, refresh_measures

    registry = _measures(context)

    async def run() -> None:
        database = _database(_settings(context))
        try:
            if center_code is not None:
                _echo_refresh(await refresh_center_measures(database, registry, center_code))
                return
            async with database.transaction() as session:
                rows = await refresh_measures(session, registry)
            click.echo(
                f"measures refreshed for all centers: {rows} monthly values "
                f"of {len(registry)} measures"
            )
        except ServiceError as error:
            raise click.ClickException(error.message) from error
        finally:
            await database.dispose()

    asyncio.run(run())


@main.group()
def reports() -> None:
    """The published table of measure values: its suppression pattern and its audit."""


@reports.command("republish")
@click.pass_context
def reports_republish(context: click.Context) -> None:
    """Recompute the suppression pattern of every month from the stored values (after upgrading;
    a refresh does it itself)."""
    from icn_graph.services.reports.disclosure import republish

    registry = _measures(context)

    async def run() -> None:
        database = _database(_settings(context))
        try:
            async with database.transaction() as session:
                done = await republish(session, registry)
        except ServiceError as error:
            raise click.ClickException(error.message) from error
        finally:
            await database.dispose()
        click.echo(
            f"published table recomputed: {done.months} months, {done.cells} center cells, "
            f"{done.hidden} hidden ({done.complementary} complementary), "
            f"{done.network_hidden} network cells hidden"
        )

    asyncio.run(run())


@reports.command("audit")
@click.option("--show", default=20, show_default=True, help="Exposed counts to list.")
@click.option(
    "--exact",
    is_flag=True,
    help="Solve both linear programs of every hidden count (slower; same verdict).",
)
@click.pass_context
def reports_audit(context: click.Context, show: int, exact: bool) -> None:
    """Prove that no hidden count can be derived from the published table (linear programming
    over everything any reader sees); exit status 1 when one can."""
    from icn_graph.services.reports.disclosure.audit import audit_database

    registry = _measures(context)

    async def run() -> None:
        database = _database(_settings(context))
        try:
            async with database.session() as session:
                result = await audit_database(session, registry, exact=exact)
        finally:
            await database.dispose()
        click.echo(f"audit: {result.summary()}")
        for exposure in result.exposures[:show]:
            click.echo(f"  exposed: {exposure.describe()}")
        if not result.passed:
            raise click.ClickException(
                f"{len(result.exposures)} hidden counts can be derived from the published table"
            )
        click.echo("audit passed: every hidden count is protected")

    asyncio.run(run())


class _OneLineUsageError(click.UsageError):
    """A bad argument said in one line (``Error: ...``, exit status 2), without the usage."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


class _OneLineErrors(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise _OneLineUsageError(error.format_message()) from error


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        if not _DAY.fullmatch(text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _OneLineUsageError(f"{option}: '{text[:20]}' is not a date as YYYY-MM-DD.") from None


@main.group()
def audit() -> None:
    """The audit log of identified reads (who saw which center's identified data)."""


@audit.command("export", cls=_OneLineErrors)
@click.option("--since", "since_text", help="First day (UTC, YYYY-MM-DD), included. Required.")
@click.option("--until", "until_text", help="Last day (UTC, YYYY-MM-DD), included.")
@click.option("--center", "center_code", help="Only reads of this center's data (short code).")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the CSV to this file instead of standard output.",
)
@click.pass_context
def audit_export(
    context: click.Context,
    since_text: str | None,
    until_text: str | None,
    center_code: str | None,
    output: Path | None,
) -> None:
    """Write the identified reads from --since on as CSV: one row per read and center (read_id,
    at, reader_email, link_id, channel, subject, measure, view_id, center, consent_id), oldest
    first. IDs are the API's global IDs."""
    from icn_graph.services.stewardship.audit_export import ExportRange, export_reads

    since = _day(since_text, "--since")
    if since is None:
        raise _OneLineUsageError("--since is required (YYYY-MM-DD).")
    try:
        wanted = ExportRange(since, _day(until_text, "--until"), center_code)
    except ServiceError as error:
        raise _OneLineUsageError(error.message) from error

    async def export(stream: IO[str]) -> int:
        database = _database(_settings(context))
        try:
            return await export_reads(database, wanted, stream)
        except ServiceError as error:
            raise _OneLineUsageError(error.message) from error
        finally:
            await database.dispose()

    if output is None:
        asyncio.run(export(sys.stdout))
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            rows = asyncio.run(export(out))
        partial.replace(output)
    except OSError as error:
        raise click.ClickException(f"--output: cannot write {output}: {error.strerror}") from error
    finally:
        partial.unlink(missing_ok=True)
    click.echo(f"wrote {rows} rows to {output}", err=True)


@main.group()
def schema() -> None:
    """The GraphQL schema."""


@schema.command("export")
@click.option(
    "--output", type=click.Path(path_type=Path), default=DEFAULT_SCHEMA_PATH, show_default=True
)
@click.option(
    "--with-plugins",
    is_flag=True,
    help="The schema as served: core's plus the installed, enabled plugins' (ICN_PLUGINS, "
    "ICN_DISABLED_PLUGINS). Without it, core's alone, as committed in schema.graphql.",
)
@click.pass_context
def schema_export(context: click.Context, output: Path, with_plugins: bool) -> None:
    """Write the printed schema (SDL) to OUTPUT; '-' prints it."""
    from icn_graph.host import printed_schema

    text = printed_schema(_host(context)) if with_plugins else printed_schema()
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")


@schema.command("event-types")
def schema_event_types() -> None:
    """Print core's event types as the table docs/plugins.md shows, with its markers."""
    from icn_graph.events.catalog import END, START
    from icn_graph.host import core_event_table

    click.echo(f"{START}\n{core_event_table()}\n{END}")
