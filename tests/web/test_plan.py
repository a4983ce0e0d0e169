"""The weekly plan on the web: GET /api/v1/stock-sync/plan (auth, envelope, language-
neutral JSON) and the dashboard's Plan page, linked from the products page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot import formats, plan_service
from tests.web.conftest import Served

API = "/api/v1/stock-sync"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_the_plan_wants_a_valid_bearer_token(served: Served, headers: dict) -> None:
    response = served.http.get(f"{API}/plan", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_the_plan_api_answers_the_services_plan_in_the_envelope(served: Served) -> None:
    answer = served.http.get(f"{API}/plan", headers=served.auth()).json()
    assert answer["status"] == "success"
    data = answer["data"]
    expected = plan_service.build(served.runtime.service, 1)
    for name in ("inbound", "withdrawal", "purchase"):
        assert data[name]["units"] == expected.get(name).units
        assert data[name]["line_count"] == len(data[name]["lines"])
    emg331 = next(line for line in data["withdrawal"]["lines"] if line["sku"] == "EMG331")
    assert (emg331["from_account"], emg331["to_account"], emg331["units"]) == ("fbe", "main", 10)
    assert data["generated_at"].endswith("Z")


def test_the_plan_api_cuts_the_lines_but_not_the_totals(served: Served) -> None:
    whole = served.http.get(f"{API}/plan", headers=served.auth()).json()["data"]
    cut = served.http.get(f"{API}/plan?limit=1", headers=served.auth()).json()["data"]
    assert len(cut["withdrawal"]["lines"]) == 1
    assert cut["withdrawal"]["line_count"] == whole["withdrawal"]["line_count"] > 1
    assert cut["withdrawal"]["units"] == whole["withdrawal"]["units"]
    bad = served.http.get(f"{API}/plan?limit=0", headers=served.auth())
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "limit"


def test_the_plan_json_is_the_same_in_romanian(served: Served) -> None:
    english = served.http.get(f"{API}/plan", headers=served.auth()).json()["data"]
    formats.activate("ro", ZoneInfo("Europe/Bucharest"))
    romanian = served.http.get(f"{API}/plan", headers=served.auth()).json()["data"]
    english.pop("generated_at"), romanian.pop("generated_at")
    assert english == romanian


def test_the_plan_page_shows_the_three_lists_and_is_linked(served: Served) -> None:
    products = served.http.get("/dashboard", headers=served.auth()).text
    assert 'href="/dashboard/plan"' in products
    page = served.http.get("/dashboard/plan", headers=served.auth())
    assert page.status_code == 200
    text = page.text
    for name in ("inbound", "withdrawal", "purchase"):
        assert f'id="plan-{name}"' in text
    assert "Inbound to FBE (MAIN -&gt; FBE)" in text
    row = text[text.index('data-sku="EMG331"') :]
    assert '<td class="units">10' in row[: row.index("</tr>")]
    formats.activate("ro", ZoneInfo("Europe/Bucharest"))
    assert "Retragere din FBE" in served.http.get("/dashboard/plan", headers=served.auth()).text


def test_the_plan_page_wants_a_sign_in(served: Served) -> None:
    response = served.http.get("/dashboard/plan", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/login"
