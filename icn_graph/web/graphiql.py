"""GraphiQL served from this process, so the explorer works with no internet access.

The assets (GraphiQL 3, React 17, graphql-ws) come pinned from the PyPI package
``graphene-django-graphiql-static``; only its static files are used, never its Django code.
"""

from __future__ import annotations

import html
import json
import re
import secrets
from importlib.resources import files
from pathlib import Path

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_PATH = "/graphiql-assets"
ASSET_PACKAGE = "graphene_django_graphiql_static"

_PLACEHOLDER = re.compile(r"\{\{ (\w+) \}\}")
_TEMPLATE = files("icn_graph.web").joinpath("templates/graphiql.html").read_text(encoding="utf-8")

EXAMPLE_QUERY = """# Put a token in Headers below:
#   {"Authorization": "Bearer icn_..."}
# `make run` prints demo tokens; `icn-graph token create` mints one.

query FirstCenters {
  network { name centerCount partnerCount }
  centers(first: 5) {
    totalCount
    edges {
      node { id name shortCode city status members { role person { displayName } } }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def asset_directory() -> Path:
    return Path(str(files(ASSET_PACKAGE).joinpath("static", ASSET_PACKAGE)))


def explorer_assets() -> StaticFiles:
    return StaticFiles(directory=asset_directory())


def linked_query(explore: str | None, max_length: int) -> str | None:
    """The ``?explore=`` document the explorer opens on, when it only reads.

    A link can put any text in the editor, and a person presses Run: a document with a mutation
    or a subscription in it (or one that does not parse) is never pre-filled.
    """
    if not explore or len(explore) > max_length:
        return None
    try:
        document = parse(explore, max_tokens=2000)
    except GraphQLError:
        return None
    reads_only = all(
        definition.operation is OperationType.QUERY
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    )
    return explore if reads_only else None


def _script_value(value: object) -> str:
    # json.dumps then escaping "<" keeps the value inert inside the <script> block.
    return json.dumps(value).replace("<", "\\u003c")


def render_explorer(network_name: str, *, linked: str | None = None, nonce: str = "") -> str:
    values = {
        "title": html.escape(f"{network_name} · GraphiQL"),
        "assets": ASSETS_PATH,
        "nonce": nonce,
        "example_query": _script_value(EXAMPLE_QUERY),
        "linked_query": _script_value(linked),
    }
    # One pass: a value that happens to contain "{{ ... }}" is never substituted again.
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], _TEMPLATE)


def content_security_policy(nonce: str) -> str:
    """Only this server's scripts (and the page's own, by nonce); never inside a frame."""
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' 'nonce-{nonce}'",
            # GraphiQL and CodeMirror set style attributes as they lay out the editors.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


def explorer_response(network_name: str, explore: str | None, max_length: int) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    page = render_explorer(network_name, linked=linked_query(explore, max_length), nonce=nonce)
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": content_security_policy(nonce),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )
