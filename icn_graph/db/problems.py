"""Why the database of ICN_DATABASE_URL cannot be used, said in one line for an operator.

A server that is down, a host that does not resolve, a database that does not exist, a refused
login: each reaches us as a different exception (an ``OSError`` from the socket, an asyncpg
error with a SQLSTATE wrapped by SQLAlchemy, a ``sqlite3`` error). ``database_problem`` finds the
cause in an exception's chain and names the variable, the place and what to do; anything else
(a bug, a constraint) is not an operator's problem and gets ``None``.
"""

from __future__ import annotations

import errno
import socket
import traceback
from collections.abc import Iterator

from sqlalchemy.engine import make_url

VARIABLE = "ICN_DATABASE_URL"

# SQLSTATE classes and codes PostgreSQL answers a connection with.
_UNKNOWN_DATABASE = "3D000"
_LOGIN_REFUSED = ("28000", "28P01")
_NOT_ACCEPTING = ("57P03", "53300")  # starting up or shutting down; too many connections
_UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ECONNRESET}
_DRIVERS = ("sqlalchemy.", "asyncpg.", "aiosqlite.", "sqlite3.")


class DatabaseUnusable(RuntimeError):
    """The database of a URL cannot be used as given; the message says so in one line."""


def database_problem(error: BaseException, url: str) -> str | None:
    """One line naming ICN_DATABASE_URL and what to do, when ``error`` says the database of
    ``url`` cannot be reached or opened; ``None`` for any other error."""
    where = _where(url)
    for cause in _chain(error):
        if isinstance(cause, DatabaseUnusable):
            return str(cause)
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str):
            found = _postgres_refusal(sqlstate, cause, url, where)
            if found is not None:
                return found
        if isinstance(cause, socket.gaierror):
            host = where.rsplit(":", 1)[0]
            return (
                f"{VARIABLE}: the host {host} is unknown ({cause.strerror}); correct the host "
                f"in {VARIABLE}"
            )
        if isinstance(cause, OSError | TimeoutError) and _from_a_driver(error):
            return _socket_problem(cause, where)
        if type(cause).__name__ == "OperationalError" and "unable to open database" in str(cause):
            return (
                f"{VARIABLE}: cannot open the SQLite file {make_url(url).database} ({cause}); "
                "check that its folder exists and this user may write there"
            )
    return None


def _socket_problem(cause: BaseException, where: str) -> str:
    if isinstance(cause, ConnectionRefusedError):
        return (
            f"{VARIABLE}: nothing answers at {where} (connection refused); start PostgreSQL "
            f"there, or correct the host and port in {VARIABLE}"
        )
    if isinstance(cause, TimeoutError):
        return (
            f"{VARIABLE}: {where} did not answer in time; check that the host is up and a "
            "firewall lets this machine through"
        )
    reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(cause)
    if isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS:
        return f"{VARIABLE}: {where} cannot be reached ({reason}); check the host and network"
    return f"{VARIABLE}: cannot connect to {where} ({reason or type(cause).__name__})"


def _postgres_refusal(sqlstate: str, cause: BaseException, url: str, where: str) -> str | None:
    parsed = make_url(url)
    if sqlstate == _UNKNOWN_DATABASE:
        name = parsed.database or ""
        return (
            f"{VARIABLE}: PostgreSQL at {where} has no database {name!r}; create it "
            f"(createdb {name}) or correct the database name in {VARIABLE}"
        )
    if sqlstate in _LOGIN_REFUSED:
        return (
            f"{VARIABLE}: PostgreSQL at {where} refused the login as {parsed.username!r} "
            f"({_first_line(cause)}); correct the user and password in {VARIABLE}"
        )
    if sqlstate in _NOT_ACCEPTING or sqlstate.startswith("08"):
        return (
            f"{VARIABLE}: PostgreSQL at {where} does not accept connections now "
            f"({_first_line(cause)}); try again shortly"
        )
    return None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    # SQLAlchemy's asyncpg adapter prefixes the driver's class: "<class '...'>: message".
    if text.startswith("<class "):
        text = text.split(">: ", 1)[-1]
    return text.splitlines()[0] if text else type(error).__name__


def _where(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return str(parsed.database or ":memory:")
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, then what caused it (SQLAlchemy's ``orig``, ``__cause__``, ``__context__``)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                pending.append(linked)


def _from_a_driver(error: BaseException) -> bool:
    """Whether a socket error came out of the database driver (not, say, an SMTP server)."""
    for cause in _chain(error):
        for frame, _line in traceback.walk_tb(cause.__traceback__):
            if str(frame.f_globals.get("__name__", "")).startswith(_DRIVERS):
                return True
    return False
