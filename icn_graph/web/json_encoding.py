"""GraphQL answers encoded with orjson: several times faster than ``json`` on large answers.

The text means the same as ``json.dumps``'s (non-ASCII is written as UTF-8 rather than
``\\uXXXX`` escapes). What orjson refuses (a lone UTF-16 surrogate in a string, an integer beyond
64 bits) falls back to ``json``, which escapes or writes it as before.
"""

from __future__ import annotations

import json

import orjson


def encode_json(data: object) -> str:
    try:
        return orjson.dumps(data).decode()
    except orjson.JSONEncodeError:
        return json.dumps(data, separators=(",", ":"))
