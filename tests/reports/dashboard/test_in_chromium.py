"""The dashboard in a real headless Chromium: it loads without console errors and its charts
and tables show the API's figures.

Set ``ELEARN_DASHBOARD_SCREENSHOT=docs/dashboard.png`` to keep a screenshot of the page.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.factories import DEFAULT_PASSWORD
from tests.reports.dashboard.seed import seed

CHROMIUM = shutil.which("chromium")
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.committed
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="no chromium here")
def test_the_dashboard_in_chromium_matches_the_api(app, actors, live_server):
    seed(app)
    contact_point = actors["contact_point"]
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
        page = context.new_page()
        problems: list[str] = []
        page.on(
            "console", lambda message: message.type == "error" and problems.append(message.text)
        )
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("requestfailed", lambda request: problems.append(request.url))
        login = context.request.post(
            f"{live_server}/api/v1/auth/login",
            data={"email": contact_point.email, "password": DEFAULT_PASSWORD},
        )
        assert login.ok, login.text()

        response = page.goto(f"{live_server}/dashboard")
        summary = context.request.get(f"{live_server}/api/v1/reports/administrations/AZ").json()
        assignments = context.request.get(f"{live_server}/api/v1/assignments").json()

        assert response is not None
        assert response.status == 200
        assert problems == []
        assert page.locator('[data-figure="completed"] b').inner_text() == str(summary["completed"])
        for course in summary["courses"]:
            bar = page.locator(f'svg g[data-course-id="{course["course_id"]}"]')
            assert bar.locator('rect[data-kind="completed"]').get_attribute("data-value") == str(
                course["completed"]
            )
            assert bar.locator('rect[data-kind="overdue"]').get_attribute("data-value") == str(
                course["overdue"]
            )
            row = page.locator(f'#by-course-table tr[data-course-id="{course["course_id"]}"]')
            assert row.locator('[data-field="enrolled"]').inner_text() == str(course["enrolled"])
        for assignment in assignments:
            compliance = context.request.get(
                f"{live_server}/api/v1/assignments/{assignment['id']}/compliance"
            ).json()
            row = page.locator(f'#compliance-table tr[data-assignment-id="{assignment["id"]}"]')
            for field, value in compliance.items():
                assert row.locator(f'[data-field="{field}"]').inner_text() == str(value)
        trend = sum(
            int(cell.inner_text()) for cell in page.locator("#trend-table td[data-week]").all()
        )
        assert 0 < trend <= summary["completed"]
        if target := os.environ.get("ELEARN_DASHBOARD_SCREENSHOT"):
            page.screenshot(path=target, full_page=True)
        browser.close()
