"""The database unreachable is a 503 problem with Retry-After, and the app recovers by itself."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from tests.conftest import TEST_DATABASE_URL
from tests.http import assert_problem
from tests.proxy import cuttable_proxy
from tests.worker import closed_port

VERIFY = "/verify/AAAA-BBBB-CCCC"
# Committed: the other app's requests must use its own engine, not the test's connection.
pytestmark = pytest.mark.committed


def test_an_unreachable_database_answers_503_with_retry_after(other_app):
    url = f"postgresql+psycopg://elearn@127.0.0.1:{closed_port()}/elearn?connect_timeout=2"
    client = other_app(database_url=url).test_client()

    for response in (
        client.get(VERIFY),
        client.post("/api/v1/auth/login", json={"email": "a@customs.test", "password": "pw"}),
    ):
        assert_problem(response, 503)
        assert response.headers["Retry-After"] == "5"
        assert "127.0.0.1" not in response.get_data(as_text=True)


@pytest.mark.skipif(
    not (TEST_DATABASE_URL or "").startswith("postgresql"), reason="needs PostgreSQL"
)
def test_the_app_recovers_when_the_database_comes_back_without_a_restart(other_app):
    url = make_url(TEST_DATABASE_URL)
    with cuttable_proxy((url.host or "127.0.0.1", url.port or 5432)) as proxy:
        client = other_app(database_url=url.set(port=proxy.port).render_as_string(False))
        client = client.test_client()
        assert client.get(VERIFY).status_code == 404

        proxy.cut()
        down = client.get(VERIFY)
        proxy.restore()
        back = client.get(VERIFY)

    assert_problem(down, 503)
    assert back.status_code == 404
