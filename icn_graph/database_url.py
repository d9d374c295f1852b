"""A database URL's parts, read without SQLAlchemy (whose import costs a CLI command more than
the rest of its start-up): enough to check ICN_DATABASE_URL and to show it with the password
hidden. Parts are kept as written (still percent-encoded), so a URL renders back as given."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qs

_URL = re.compile(
    r"(?P<drivername>[\w+]+)://"
    # The password runs to the last "@" of the authority, so one written unencoded stays hidden.
    r"(?:(?P<username>[^:/@?]*)(?::(?P<password>[^/?]*))?@)?"
    r"(?P<host>\[[^\]/?@]+\]|[^/:?@]*)?"
    r"(?::(?P<port>[^/?]*))?"
    r"(?:/(?P<database>[^?]*))?"
    r"(?:\?(?P<query>.*))?\Z",
    re.DOTALL,
)
HIDDEN = "***"


@dataclass(frozen=True)
class DatabaseUrl:
    drivername: str  # "postgresql+asyncpg"
    username: str | None
    password: str | None
    host: str
    port: str | None
    database: str | None
    query: str | None

    @classmethod
    def parse(cls, url: str) -> DatabaseUrl | None:
        """The URL's parts, or ``None`` when it is not a database URL."""
        found = _URL.match(url.strip())
        if found is None:
            return None
        parts = found.groupdict()
        return cls(
            drivername=parts["drivername"],
            username=parts["username"],
            password=parts["password"],
            host=parts["host"] or "",
            port=parts["port"],
            database=parts["database"],
            query=parts["query"],
        )

    @property
    def query_params(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.query or "").items()}

    def with_driver(self, drivername: str) -> DatabaseUrl:
        return replace(self, drivername=drivername)

    def render(self, *, hide_password: bool = True) -> str:
        userinfo = ""
        if self.username is not None:
            userinfo = self.username
            if self.password is not None:
                userinfo += ":" + (HIDDEN if hide_password else self.password)
            userinfo += "@"
        port = f":{self.port}" if self.port is not None else ""
        database = f"/{self.database}" if self.database is not None else ""
        query = f"?{self.query}" if self.query is not None else ""
        return f"{self.drivername}://{userinfo}{self.host}{port}{database}{query}"
