"""Pseudonymous patient keys: what is stored instead of the key a center uploads.

A data manager uploads a center-local patient key (never a name or MRN). We store
HMAC-SHA256(secret, "<center id>:<raw key>") as hex: the same raw key at the same center always
maps to the same stored key (so re-imports match), the same raw key at two centers maps to
different stored keys, and without the secret nobody can test a guessed key against the table.
"""

from __future__ import annotations

import hashlib
import hmac


class PatientKeyHasher:
    """Hashes raw keys of one center; the keyed state is built once and copied per key."""

    def __init__(self, secret: str, center_id: int) -> None:
        if not secret:
            raise ValueError("the patient key secret is empty")
        self._base = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)
        self._base.update(f"{center_id}:".encode())

    def __call__(self, raw_key: str) -> str:
        mac = self._base.copy()
        mac.update(raw_key.encode("utf-8"))
        return mac.hexdigest()


def patient_key(secret: str, center_id: int, raw_key: str) -> str:
    """The stored key for ``raw_key`` uploaded by the center with id ``center_id``."""
    return PatientKeyHasher(secret, center_id)(raw_key)
