"""The REST API over real HTTP: every route, every error path, and auth."""

from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import TOKENS, Served

API = "/api/v1/stock-sync"
EMG331_TRANSFER = {"sku": "EMG331", "from_account": "fbe", "to_account": "main", "amount": 10}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"{API}/analyze/EMG331", None),
        ("GET", f"{API}/alerts", None),
        ("POST", f"{API}/transfer/suggest", EMG331_TRANSFER),
        ("GET", f"{API}/dashboard/summary", None),
        ("POST", f"{API}/bulk-analyze", {"skus": ["EMG331"]}),
        ("GET", f"{API}/plan", None),
    ],
)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKENS[0]}"}],
    ids=["missing", "wrong", "not-bearer"],
)
def test_every_route_wants_a_valid_bearer_token(
    served: Served, method: str, path: str, body: dict | None, headers: dict
) -> None:
    response = served.http.request(method, path, json=body, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"


def test_either_configured_token_works(served: Served) -> None:
    for token in TOKENS:
        response = served.http.get(f"{API}/analyze/EMG331", headers=served.auth(token))
        assert response.status_code == 200


def test_analyze_emg331(served: Served) -> None:
    answer = served.http.get(f"{API}/analyze/emg331", headers=served.auth()).json()
    assert answer["status"] == "success"
    data = answer["data"]
    assert (data["sku"], data["priority"]) == ("EMG331", "high")
    first = data["recommendations"][0]
    assert (
        first["type"],
        first["from_account"],
        first["to_account"],
        first["suggested_amount"],
    ) == (
        "stock_transfer",
        "fbe",
        "main",
        10,
    )
    assert data["current_situation"]["stock_fbe"] == 26


def test_analyze_unknown_sku_is_404_naming_it(served: Served) -> None:
    response = served.http.get(f"{API}/analyze/NOPE-1", headers=served.auth())
    assert response.status_code == 404
    assert response.json() == {
        "status": "error",
        "error": {
            "code": "not_found",
            "message": "SKU 'NOPE-1' not found (looked up by SKU, PNK and EAN)",
            "field": "sku",
        },
    }


def test_alerts_page_and_whole_catalogue_counts(served: Served) -> None:
    answer = served.http.get(f"{API}/alerts", params={"limit": 3}, headers=served.auth()).json()
    data = answer["data"]
    assert len(data["alerts"]) == 3 and data["limit"] == 3
    ranks = {"high": 3, "medium": 2, "low": 1}
    priorities = [ranks[alert["priority"]] for alert in data["alerts"]]
    assert priorities == sorted(priorities, reverse=True) and priorities[0] == 3
    assert data["total"] == sum(data["counts"].values()) > 3


@pytest.mark.parametrize("limit", ["0", "501", "ten", "1.5"])
def test_alerts_limit_out_of_range_is_422_naming_limit(served: Served, limit: str) -> None:
    response = served.http.get(f"{API}/alerts", params={"limit": limit}, headers=served.auth())
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "limit"


def test_transfer_suggest_emg331(served: Served) -> None:
    answer = served.http.post(
        f"{API}/transfer/suggest", json=EMG331_TRANSFER, headers=served.auth()
    ).json()
    assert answer["status"] == "success"
    data = answer["data"]
    assert data["proposed_state"] == {"stock_fbe": 16, "stock_main": 10}
    assert data["warnings"] == [] and data["recommendation"] == "Proceed"


def test_accounts_are_matched_in_any_case(served: Served) -> None:
    body = {**EMG331_TRANSFER, "from_account": "FBE", "to_account": " Main "}
    answer = served.http.post(f"{API}/transfer/suggest", json=body, headers=served.auth())
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"]["transfer"] == {
        "from_account": "fbe", "to_account": "main", "amount": 10,
    }  # fmt: skip


def test_analysis_carries_the_numbers_a_seller_decides_by(served: Served) -> None:
    data = served.http.get(f"{API}/analyze/EMG331", headers=served.auth()).json()["data"]
    situation = data["current_situation"]
    for account in ("main", "fbe"):
        for name in ("sales_per_day", "days_of_cover", "lost_sales_per_day", "in_transit"):
            assert f"{name}_{account}" in situation
        assert situation[f"sellable_{account}"] is True
    alerts = served.http.get(f"{API}/alerts?limit=5", headers=served.auth()).json()["data"]
    assert {"total_alerts", "critical_issues", "maintenance_needed"} <= set(alerts)
    assert alerts["critical_issues"] == alerts["counts"]["high"]


def test_transfer_above_the_source_is_400_with_available_and_requested(served: Served) -> None:
    response = served.http.post(
        f"{API}/transfer/suggest", json={**EMG331_TRANSFER, "amount": 27}, headers=served.auth()
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["available"], error["requested"]) == ("insufficient_stock", 26, 27)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": -3}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"from_account": "shop"}, "from_account"),
        ({"to_account": None}, "to_account"),
        ({"sku": ""}, "sku"),
    ],
)
def test_transfer_bad_field_is_422_naming_it(served: Served, change: dict, field: str) -> None:
    response = served.http.post(
        f"{API}/transfer/suggest", json={**EMG331_TRANSFER, **change}, headers=served.auth()
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_transfer_between_the_same_account_is_422(served: Served) -> None:
    response = served.http.post(
        f"{API}/transfer/suggest",
        json={**EMG331_TRANSFER, "to_account": "fbe"},
        headers=served.auth(),
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "to_account"


def test_transfer_of_an_unknown_sku_is_404(served: Served) -> None:
    response = served.http.post(
        f"{API}/transfer/suggest", json={**EMG331_TRANSFER, "sku": "NOPE"}, headers=served.auth()
    )
    assert response.status_code == 404


def test_malformed_json_is_422(served: Served) -> None:
    response = served.http.post(
        f"{API}/transfer/suggest",
        content=b"{not json",
        headers={**served.auth(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["status"] == "error"


def test_dashboard_summary_carries_the_kpis(served: Served) -> None:
    data = served.http.get(f"{API}/dashboard/summary", headers=served.auth()).json()["data"]
    assert data["summary"]["products_tracked"] == 61
    assert data["summary"]["high"] >= 1
    assert set(data["kpis"]) >= {
        "zero_stock_with_competition",
        "estimated_lost_sales",
        "mean_time_to_resolution",
        "weekly_update_compliance",
        "distribution_efficiency",
        "buy_button_recovery_rate",
    }
    assert data["kpis"]["days"] == 30


def test_bulk_analyze_keeps_order_and_reports_unknown(served: Served) -> None:
    data = served.http.post(
        f"{API}/bulk-analyze", json={"skus": ["nope", "EMG331"]}, headers=served.auth()
    ).json()["data"]
    assert [r["sku"] for r in data["results"]] == ["nope", "EMG331"]
    assert [r["found"] for r in data["results"]] == [False, True]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"skus": []}, "skus"),
        ({"skus": ["X"] * 1001}, "skus"),
        ({}, "skus"),
        ({"skus": "EMG331"}, "skus"),
    ],
)
def test_bulk_bad_input_is_422(served: Served, body: dict, field: str) -> None:
    response = served.http.post(f"{API}/bulk-analyze", json=body, headers=served.auth())
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_openapi_document_lists_the_routes_and_the_bearer_scheme(served: Served) -> None:
    document = served.http.get("/api/v1/openapi.json").json()
    assert set(document["paths"]) == {
        f"{API}/analyze/{{sku}}",
        f"{API}/alerts",
        f"{API}/transfer/suggest",
        f"{API}/dashboard/summary",
        f"{API}/bulk-analyze",
        f"{API}/plan",
    }
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_without_configured_tokens_the_api_is_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.runtime import build_runtime
    from bot.settings import load_settings
    from bot.web.app import create_web_app
    from tests.handlers.conftest import ServedApp

    runtime = build_runtime(load_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'off.db'}"))
    with ServedApp(create_web_app(runtime)) as base:
        response = httpx.get(f"{base}{API}/alerts", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert "no STOCKBOT_API_TOKENS configured" in response.json()["error"]["message"]
    runtime.engine.dispose()


def test_without_a_token_a_malformed_body_is_still_just_401(served: Served) -> None:
    response = served.http.post(
        f"{API}/transfer/suggest",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 401


def test_true_is_not_an_amount(served: Served) -> None:
    response = served.http.post(
        f"{API}/transfer/suggest", json={**EMG331_TRANSFER, "amount": True}, headers=served.auth()
    )
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "amount"


@pytest.mark.parametrize("limit", ["²", "+-5", "--1", "99999999999999999999"])
def test_odd_numbers_are_422_not_500(served: Served, limit: str) -> None:
    response = served.http.get(f"{API}/alerts", params={"limit": limit}, headers=served.auth())
    assert response.status_code == 422


@pytest.mark.parametrize("page", ["²", "-1", "99999999999999999999", "0", "x"])
def test_dashboard_odd_pages_fall_back_instead_of_failing(served: Served, page: str) -> None:
    response = served.http.get("/dashboard", params={"page": page}, headers=served.auth())
    assert response.status_code == 200


@pytest.mark.parametrize("amount", ["²", "+-5", "--1"])
def test_dashboard_odd_amounts_are_refused_clearly(served: Served, amount: str) -> None:
    form = {"sku": "EMG331", "from_account": "fbe", "to_account": "main", "amount": amount}
    response = served.http.post("/dashboard/validate", data=form, headers=served.auth())
    assert response.status_code == 422
    assert "amount must be a whole number" in response.text
