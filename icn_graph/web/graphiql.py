"""GraphiQL served from this process, so the explorer works with no internet access.

The assets (GraphiQL 3, React 17, graphql-ws) come pinned from the PyPI package
``graphene-django-graphiql-static``; only its static files are used, never its Django code.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from pathlib import Path

from starlette.staticfiles import StaticFiles

ASSETS_PATH = "/graphiql-assets"
ASSET_PACKAGE = "graphene_django_graphiql_static"

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


def render_explorer(network_name: str) -> str:
    return (
        _TEMPLATE.replace("{{ title }}", html.escape(f"{network_name} · GraphiQL"))
        .replace("{{ assets }}", ASSETS_PATH)
        # json.dumps then escaping "<" keeps the query inert inside the <script> block.
        .replace("{{ example_query }}", json.dumps(EXAMPLE_QUERY).replace("<", "\\u003c"))
    )
