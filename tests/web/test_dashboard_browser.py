"""/dashboard in a real headless Chromium: sign in with a token, find EMG331 marked
"Action required", validate its transfer, see FBE 16 / MAIN 10."""

from __future__ import annotations

from typing import Any

import pytest

from tests.handlers.conftest import wait_for
from tests.web.conftest import TOKENS, Served


@pytest.fixture
def page(browser: Any, served: Served):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=served.url)
    yield context.new_page()
    context.close()


def test_dashboard_shows_emg331_and_validates_its_transfer(page: Any) -> None:
    page.goto("/dashboard")
    assert page.url.endswith("/dashboard/login")
    page.fill("input[name=token]", TOKENS[0])
    page.click("text=Sign in")
    page.wait_for_url("**/dashboard")

    row = page.locator("tr[data-sku=EMG331]")
    assert "Action required" in row.inner_text()
    assert "Needs update" in row.inner_text()
    row.locator("button", has_text="Validate transfer").click()

    page.wait_for_selector("#validation")
    assert page.inner_text("#proposed").startswith("Proposed: FBE 16 / MAIN 10")
    assert page.inner_text("#recommendation") == "Recommendation: Proceed"
    # The page's CSP allows images from its own origin (and no fetch from scripts): the
    # trend chart is loaded as the person sees it, an <img> with its pixels.
    chart = page.locator("img[src='/dashboard/chart.png']")
    assert wait_for(lambda: chart.evaluate("img => img.complete && img.naturalWidth")) > 0


def test_filter_by_priority_and_a_refused_transfer(page: Any) -> None:
    page.goto("/dashboard/login")
    page.fill("input[name=token]", TOKENS[1])
    page.click("text=Sign in")
    page.wait_for_url("**/dashboard")
    page.click("nav >> text=normal")
    statuses = page.locator("#products tbody tr td.status").all_inner_texts()
    assert statuses and all(text.startswith("normal") for text in statuses)

    page.fill("#validate-form input[name=sku]", "EMG331")
    page.fill("#validate-form input[name=amount]", "27")
    page.click("#validate-form button")
    assert "available 26, requested 27" in page.inner_text("#error")


def test_a_wrong_token_does_not_sign_in(page: Any) -> None:
    page.goto("/dashboard/login")
    page.fill("input[name=token]", "not-a-token")
    page.click("text=Sign in")
    assert "That token is not valid." in page.inner_text("body")
    page.goto("/dashboard")
    assert page.url.endswith("/dashboard/login")


def test_the_table_sorts_by_lost_sales_and_by_days_of_cover(page: Any) -> None:
    page.goto("/dashboard/login")
    page.fill("input[name=token]", TOKENS[0])
    page.click("text=Sign in")
    page.wait_for_url("**/dashboard")

    page.click("#sort >> text=lost sales")
    lost = page.locator("#products tbody tr td.lost").all_inner_texts()
    values = [
        float(text.split()[1].removesuffix("/day").replace(",", ""))
        for text in lost
        if text != "unknown"
    ]
    assert values and values == sorted(values, reverse=True)
    assert lost[0].startswith("RON ") and lost[0].endswith("/day")

    page.click("#sort >> text=days of cover")
    rows = page.locator("#products tbody tr").all()
    assert "sort=cover" in page.url and rows
