"""Errors shared by every layer: what services refuse (turned into GraphQL errors or ``userErrors``
by the schema layer), and what stops start-up."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorCode(enum.StrEnum):
    """Request-level problems, reported as GraphQL errors with ``extensions.code``."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


class ServiceError(Exception):
    """A problem the caller can act on; its message is safe to show."""

    code: ErrorCode = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Unauthenticated(ServiceError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(ServiceError):
    code = ErrorCode.FORBIDDEN


class NotFound(ServiceError):
    code = ErrorCode.NOT_FOUND


class BadInput(ServiceError):
    code = ErrorCode.BAD_USER_INPUT


class Unavailable(ServiceError):
    """Something the request needs cannot be done right now; retrying later may work."""

    code = ErrorCode.SERVICE_UNAVAILABLE


class UserErrorCode(enum.StrEnum):
    """Why one input field was refused; returned in a mutation payload's ``userErrors``."""

    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    TAKEN = "TAKEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class UserError:
    field: str
    message: str
    code: UserErrorCode


class InvalidInput(Exception):
    """Raised by a service before writing anything when one or more input fields are refused."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in errors))
        self.errors = errors


class StartupError(RuntimeError):
    """The server cannot start as configured or installed; the message says what to change."""


class SchemaConflict(RuntimeError):
    """The contributions cannot be merged into one schema (two contributors define the same root
    field: the message names both). Raised by ``icn_graph.schema``; defined here so that the CLI
    can catch it without importing the schema."""
