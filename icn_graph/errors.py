"""Errors shared by every layer of the shell."""

from __future__ import annotations


class StartupError(RuntimeError):
    """The server cannot start as configured or installed; the message says what to change."""
