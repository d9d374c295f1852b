"""Settings read from ``ICN_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from icn_graph.database_url import DatabaseUrl

# Database connections a pool keeps open: more requests than this reading at once make
# the pool open and close connections, each costing far more than the reads it serves.
DEFAULT_POOL_SIZE = 10
# Seconds a request waits for a connection when the pool and its burst are all in use.
DEFAULT_POOL_TIMEOUT = 30.0

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
SmtpTls = Literal["none", "starttls", "tls"]
NotifyDelivery = Literal["IMMEDIATE", "DAILY_DIGEST", "WEEKLY_DIGEST", "OFF"]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/icn.db"
# What ICN_DATABASE_URL may be, said in every message about a URL that is not one of them.
DATABASE_URL_FORMS = (
    "postgresql+asyncpg://user:password@host:5432/database or sqlite+aiosqlite:///path/to/file.db"
)
# The driver each supported database is used through (the API is async end to end).
ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}
# Development only; production sets ICN_PATIENT_KEY_SECRET and ICN_SECRET_KEY.
DEV_PATIENT_KEY_SECRET = "dev-only-patient-key-secret-change-me"  # noqa: S105
DEV_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105


class Settings(BaseSettings):
    """Effective configuration. Every field maps to ``ICN_<FIELD>``; README lists them all."""

    model_config = SettingsConfigDict(
        env_prefix="ICN_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: SecretStr = Field(
        default=SecretStr(DEFAULT_DATABASE_URL),
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    database_pool_size: int = Field(
        default=DEFAULT_POOL_SIZE,
        ge=1,
        le=1000,
        description="Database connections each pool keeps open (a burst may open 5 more).",
    )
    database_pool_timeout: float = Field(
        default=DEFAULT_POOL_TIMEOUT,
        gt=0,
        le=600,
        description="Seconds a request waits for a free database connection before it is "
        "answered SERVICE_UNAVAILABLE.",
    )
    network_name: str = Field(default="ImproveCareNow", description="Name of the network served.")
    host: str = Field(default="127.0.0.1", description="Address `icn-graph serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `icn-graph serve` binds to.")
    log_level: LogLevel = Field(default="INFO", description="Root log level.")
    demo: bool = Field(
        default=False,
        description="Demo mode: at start, mint demo tokens and print ready-to-paste headers.",
    )
    sql_echo: bool = Field(default=False, description="Log every SQL statement.")
    plugins: str = Field(
        default="", description="Allow-list of plugin names (comma-separated); empty: all."
    )
    disabled_plugins: str = Field(
        default="", description="Block-list of plugin names (comma-separated)."
    )
    plugin_event_timeout: float = Field(
        default=2.0, gt=0, description="Seconds a plugin's on_event may take per event."
    )
    plugin_failure_threshold: int = Field(
        default=5, ge=1, description="Failures in a row that pause a plugin's event handling."
    )
    plugin_cooldown_seconds: float = Field(
        default=60.0, ge=0, description="How long a failing plugin's event handling pauses."
    )
    plugin_queue_size: int = Field(
        default=1000,
        ge=1,
        description="Events that may wait in one plugin's delivery lane; beyond, the oldest go.",
    )
    plugin_blocking_threshold: float = Field(
        default=0.5,
        gt=0,
        description="Seconds a plugin's on_event may hold the event loop before it is named.",
    )
    patient_key_secret: SecretStr = Field(
        default=SecretStr(DEV_PATIENT_KEY_SECRET),
        description=(
            "Secret of the keyed hash (HMAC-SHA256) that turns uploaded patient keys into stored"
            " ones. Set a long random value in production and keep it: changing it makes"
            " re-imported patients look new."
        ),
    )

    secret_key: SecretStr = Field(
        default=SecretStr(DEV_SECRET_KEY),
        description="Signs unsubscribe and 'manage your email' links. Set a long random value "
        "in production.",
    )
    smtp_host: str = Field(
        default="", description="SMTP server for notification mail; empty: write .eml files."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP server port.")
    smtp_tls: SmtpTls = Field(
        default="starttls", description="SMTP transport security: none, starttls or tls."
    )
    smtp_user: str = Field(default="", description="SMTP login; empty: no authentication.")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    mail_from: str = Field(
        default="ImproveCareNow <notifications@icn.localhost>",
        description="From address of notification mail.",
    )
    mail_dir: str = Field(
        default="var/mail",
        description="Folder that receives one .eml file per message when ICN_SMTP_HOST is empty.",
    )
    public_url: str = Field(
        default="",
        description="Public base URL of the API, used for links in mail; empty: "
        "http://ICN_HOST:ICN_PORT.",
    )
    shutdown_grace_seconds: float = Field(
        default=10.0,
        ge=0,
        description="After SIGTERM, how long `serve` lets requests in flight finish (while "
        "/readyz answers 503) before it stops them.",
    )
    workers: int = Field(
        default=1,
        ge=1,
        description="How many API processes `serve` runs on its port (more than 1 needs "
        "PostgreSQL); `serve --workers` overrides it.",
    )
    listener_grace_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How long the notifications listener (PostgreSQL) may be reconnecting "
        "before /readyz answers 503.",
    )
    app_url: str = Field(
        default="",
        description="Base URL of the front-end app; mail links open subjects there "
        "(ICN_APP_URL_PATTERNS). Empty: links open the API's explorer on the subject.",
    )
    app_url_patterns: dict[str, str] = Field(
        default_factory=dict,
        description="Paths of subjects in the front-end by GraphQL type, as JSON, e.g. "
        '{"Goal": "/goals/{id}"} ({id}: the global ID); merged over the defaults.',
    )
    manage_link_days: int = Field(
        default=60,
        ge=1,
        le=3650,
        description="Days a mail's 'manage your email' link works (every mail has a fresh one).",
    )
    mail_reply_domain: str = Field(
        default="",
        pattern=r"^$|^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$",
        description="Domain of reply addresses (reply+<token>@domain): immediate mail about a "
        "subject that accepts replies gets one as Reply-To, and `icn-graph mail-in` posts what "
        "comes back. Empty: no reply by email.",
    )
    mail_in_max_bytes: int = Field(
        default=1_000_000,
        ge=10_000,
        description="Largest message `icn-graph mail-in` accepts; larger ones are refused and "
        "the sender is told why.",
    )
    mail_in_max_per_hour: int = Field(
        default=20,
        ge=1,
        description="Replies by email one person may send in an hour; more are refused.",
    )
    mail_in_max_connections: int = Field(
        default=20,
        ge=1,
        description="Connections `icn-graph mail-in --listen` serves at once; more are answered "
        "421 (the MTA tries again later).",
    )
    smtp_timeout: float = Field(
        default=30.0, gt=0, description="Seconds an SMTP command may take before it is retried."
    )
    mail_max_attempts: int = Field(
        default=8, ge=1, description="Delivery attempts of a message before it is dead-lettered."
    )
    mail_retry_seconds: float = Field(
        default=60.0, ge=0, description="Wait before the first retry; it doubles each time."
    )
    mail_retry_max_seconds: float = Field(
        default=3600.0, ge=0, description="The longest wait between two delivery attempts."
    )
    worker_tick_seconds: float = Field(
        default=1.0, gt=0, description="How often the worker looks for events and mail."
    )
    worker_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a worker's claim on an event or a message lasts before another "
        "worker may take it over.",
    )
    notify_batch_seconds: float = Field(
        default=120.0,
        ge=0,
        description="How long immediate mail waits so a burst on one subject becomes one email.",
    )
    notify_partner_delivery: NotifyDelivery = Field(
        default="DAILY_DIGEST",
        description="Mail delivery parent and patient partners start with.",
    )
    notify_care_team_delivery: NotifyDelivery = Field(
        default="IMMEDIATE",
        description="Mail delivery everyone else (care teams, staff) starts with.",
    )
    notify_digest_hour: int = Field(
        default=7, ge=0, le=23, description="Hour of digests people start with, their own time."
    )
    notify_digest_weekday: int = Field(
        default=0, ge=0, le=6, description="Weekday of weekly digests to start with (0: Monday)."
    )
    notify_quiet_hours: str = Field(
        default="22:00-07:00",
        pattern=r"^$|^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$",
        description="Quiet hours people start with, HH:MM-HH:MM in their own time; empty: none.",
    )

    sign_in_link_minutes: int = Field(
        default=15,
        ge=1,
        le=15,
        description="Minutes a mailed sign-in link works (once); at most 15.",
    )
    invitation_days: int = Field(
        default=14,
        ge=1,
        le=90,
        description="Days an invitation link (invitePerson) works, once; a new invitation to the "
        "same email and center withdraws the old link.",
    )
    invitation_rate_per_inviter: str = Field(
        default="20 per hour; 100 per day",
        description="How many invitations one person may send (the `limits` notation); past "
        "it, invitePerson is RATE_LIMITED.",
    )
    invitation_rate_per_email: str = Field(
        default="3 per day",
        description="How many invitations one email address may be sent, whoever sends them "
        "(the `limits` notation); past it, invitePerson is RATE_LIMITED.",
    )
    sign_in_redirect_url: str = Field(
        default="",
        pattern=r"^$|^https?://[^#\s]+$",
        description="Where the sign-in page sends people after they press its button, with the "
        "session token in the URL fragment (#token=...); empty: the page shows the token once.",
    )
    session_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days a session lasts after its last use (sliding: each use extends it).",
    )
    token_touch_seconds: int = Field(
        default=3600,
        ge=0,
        description="How often a token's last use is written (and a session extended): at most "
        "once in this many seconds, so reading is not a write on every request.",
    )
    viewer_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="How long a token's viewer is kept in process memory, for HTTP requests and "
        "websockets alike; revoking a token, deactivating a person or changing their "
        "memberships or network role forgets it at once in every API process. 0 turns it off.",
    )
    sign_in_rate_per_email: str = Field(
        default="5 per 15 minutes",
        description="How often one client address may ask for sign-in links for one email, "
        "and one person for a new email (the `limits` notation, e.g. '5 per 15 minutes'; "
        "several separated by ';'); past it, RATE_LIMITED.",
    )
    sign_in_rate_per_address: str = Field(
        default="30 per 15 minutes",
        description="How often one client address may ask for sign-in links or sign in; past "
        "it, RATE_LIMITED. An IPv6 client is its /64.",
    )
    sign_in_live_links: int = Field(
        default=3,
        ge=1,
        le=20,
        description="How many unused, unexpired sign-in links one person may hold at once; a "
        "request past it answers as usual and sends nothing (they hold working links already).",
    )

    @field_validator(
        "sign_in_rate_per_email",
        "sign_in_rate_per_address",
        "invitation_rate_per_inviter",
        "invitation_rate_per_email",
    )
    @classmethod
    def _rate_parses(cls, rate: str) -> str:
        from limits import parse_many

        try:
            parse_many(rate)
        except ValueError as error:
            raise ValueError(
                f"write a rate like '5 per 15 minutes' (got {rate!r}): {error}"
            ) from error
        return rate

    cors_origins: str = Field(
        default="",
        description="Origins of browser apps that may call the API (comma-separated, e.g. "
        "https://app.example.org,http://localhost:5173), over HTTP (CORS) and websockets. "
        "Empty: no other origin.",
    )
    graphiql: bool = Field(default=True, description="Serve the GraphiQL explorer at GET /graphql.")
    introspection: bool = Field(
        default=True,
        description="Answer introspection (__schema, __type) from anonymous clients; signed-in "
        "ones always may.",
    )
    gzip_min_bytes: int = Field(
        default=1024, ge=0, description="Responses larger than this are gzip-compressed."
    )
    max_body_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest request body; larger ones get 413."
    )
    max_upload_bytes: int = Field(
        default=32_000_000,
        ge=1024,
        description="Largest multipart request (a file upload with a bearer token).",
    )
    max_query_length: int = Field(
        default=32_000,
        ge=100,
        description="Most characters in a GraphQL document, comments and whitespace included.",
    )
    public_cache_seconds: int = Field(
        default=60,
        ge=0,
        le=86_400,
        description="How long a shared cache (a CDN) may keep the answer of an anonymous GET "
        "without errors (Cache-Control: public, max-age); 0: not at all.",
    )
    max_query_cost: int = Field(
        default=25_000, ge=1, description="Most points one operation may cost (docs/api.md)."
    )
    cost_budget: int = Field(
        default=50_000,
        ge=1,
        description="Points a client may spend in a burst (per person, or per address when "
        "anonymous); it refills at ICN_COST_RESTORE_RATE.",
    )
    cost_restore_rate: float = Field(
        default=2500.0, gt=0, description="Points per second a client's budget refills."
    )
    request_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a query may run before it is stopped."
    )

    _public_url_derived: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _public_url_follows_the_address(self) -> Settings:
        if not self.public_url:
            self.public_url = local_url(self.host, self.port)
            self._public_url_derived = True
        return self

    @field_validator("database_url")
    @classmethod
    def _database_url_is_usable(cls, value: SecretStr) -> SecretStr:
        problem = database_url_problem(value.get_secret_value())
        if problem is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _one_operation_fits_the_budget(self) -> Settings:
        if self.cost_budget < self.max_query_cost:
            raise ValueError(
                f"ICN_COST_BUDGET ({self.cost_budget}) must be at least ICN_MAX_QUERY_COST "
                f"({self.max_query_cost}): otherwise the costliest operation could never run"
            )
        return self

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_origins(cls, value: str) -> str:
        origins = _split(value)
        if not origins:  # the default: nothing to check, and no Strawberry to load for `config`
            return value
        from strawberry.http.websocket_origin import normalize_allowed_origins

        try:
            normalize_allowed_origins(origins)
        except ValueError as error:
            raise ValueError(str(error).replace("allowed_origins", "ICN_CORS_ORIGINS")) from None
        return value

    @property
    def cors_origin_list(self) -> list[str]:
        """ICN_CORS_ORIGINS as browsers write origins (``*`` allows any)."""
        from strawberry.http.websocket_origin import normalize_allowed_origins

        return sorted(normalize_allowed_origins(_split(self.cors_origins)))

    @field_validator("app_url_patterns")
    @classmethod
    def _patterns_name_the_id(cls, patterns: dict[str, str]) -> dict[str, str]:
        for type_name, pattern in patterns.items():
            if "{id}" not in pattern or not pattern.startswith("/"):
                raise ValueError(
                    f"the pattern of {type_name} must be a path starting with / that contains "
                    f"{{id}} (got {pattern!r})"
                )
            try:
                pattern.format(id="x")
            except (KeyError, IndexError, ValueError) as error:
                raise ValueError(
                    f"the pattern of {type_name} may use only {{id}} (got {pattern!r})"
                ) from error
        return patterns

    def redacted(self) -> dict[str, Any]:
        """Settings as plain values, with secrets (and passwords inside URLs) hidden."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name == "database_url":
                shown[name] = redact_url(value.get_secret_value())
            elif isinstance(value, SecretStr):
                shown[name] = "**********" if value.get_secret_value() else ""
            else:
                shown[name] = value
        return shown

    @property
    def database_url_value(self) -> str:
        return self.database_url.get_secret_value()

    @property
    def public_url_is_derived(self) -> bool:
        """ICN_PUBLIC_URL was not set: it is made of the address ``serve`` binds to."""
        return self._public_url_derived

    def serving_at(self, host: str, port: int) -> Settings:
        """These settings for a server bound to ``host:port`` (``serve --host/--port``): an
        unset ICN_PUBLIC_URL follows them."""
        changes: dict[str, Any] = {"host": host, "port": port}
        if self._public_url_derived:
            changes["public_url"] = local_url(host, port)
        copy = self.model_copy(update=changes)
        copy._public_url_derived = self._public_url_derived
        return copy


def _split(value: str) -> list[str]:
    return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]


def local_url(host: str, port: int) -> str:
    """``http://host:port`` for a bind address (a wildcard address: this machine's loopback)."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - naming the wildcard, not binding to it
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def database_url_problem(url: str) -> str | None:
    """What is wrong with ``url`` as ICN_DATABASE_URL and what to write instead, in one line
    (the password hidden), or ``None`` when it names a supported database and driver."""
    parsed = DatabaseUrl.parse(url)
    if parsed is None:
        return f"not a database URL; write {DATABASE_URL_FORMS}"
    named, _, driver = parsed.drivername.partition("+")
    backend = "postgresql" if named == "postgres" else named
    wanted = ASYNC_DRIVERS.get(backend)
    if wanted is None:
        return f"{backend} is not supported; write {DATABASE_URL_FORMS}"
    if (named, driver) != (backend, wanted):
        shown = parsed.with_driver(f"{backend}+{wanted}").render()
        hidden = " (your password in place of ***)" if parsed.password else ""
        if driver == wanted:
            what = f"says {named}, which SQLAlchemy does not know"
        elif driver:
            what = f"names the driver {driver}, which is not async"
        else:
            what = "names no async driver"
        return f"{redact_url(url)} {what}; write {shown}{hidden}"
    if backend == "postgresql" and "sslmode" in parsed.query_params:
        mode = parsed.query_params["sslmode"]
        return f"asyncpg does not know sslmode; write ssl={mode} instead of sslmode={mode}"
    return None


def redact_url(url: str) -> str:
    """Hide the password of a database URL, keeping everything else readable."""
    parsed = DatabaseUrl.parse(url)
    return parsed.render() if parsed is not None else "**********"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
