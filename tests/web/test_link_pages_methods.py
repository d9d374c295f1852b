"""The mailed-link pages (sign-in, invitation, confirm-email, unsubscribe, manage-email) answer a
method they do not take as the rest of the API does: a JSON 405 naming what they take."""

from __future__ import annotations

import pytest

from icn_graph.db.database import Database
from icn_graph.testing import GraphQLClient

PAGES = [
    "/sign-in/icnlink_x",
    "/invitation/icninvite_x",
    "/confirm-email/icnemail_x",
    "/unsubscribe/x",
    "/manage-email/x",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS"])
async def test_other_methods_are_a_json_405(
    db: Database, client: GraphQLClient, path: str, method: str
) -> None:
    response = await client.http.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "errors": [
            {
                "message": f"{method} is not allowed here; use GET, HEAD or POST.",
                "extensions": {"code": "METHOD_NOT_ALLOWED"},
            }
        ]
    }
    # What they take still works: the page itself.
    page = await client.http.get(path)
    assert page.status_code in {200, 400, 404}, page.text
    assert page.headers["content-type"].startswith("text/html")
