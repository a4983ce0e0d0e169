"""The fake eMAG answers as docs emag-api.md says eMAG does (plain httpx, no client)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.fake_emag import FakeEmag


@pytest.fixture
def http(fake: FakeEmag) -> Iterator[dict[str, httpx.Client]]:
    """Raw httpx clients logged in as each account."""
    clients = {
        account: httpx.Client(base_url=fake.url + "/", auth=fake.credentials(account))
        for account in ("main", "fbe")
    }
    yield clients
    for client in clients.values():
        client.close()


def test_populate_shares_skus_pnks_and_eans_with_different_ids(fake: FakeEmag):
    fake.populate(40, seed=3)
    main, fbe = fake.offers("main"), fake.offers("fbe")

    assert len(main) == len(fbe) == 40
    key = ("part_number", "part_number_key", "ean")
    assert [[o[k] for k in key] for o in main] == [[o[k] for k in key] for o in fbe]
    assert not {o["id"] for o in main} & {o["id"] for o in fbe}
    for offer in main:
        assert re.fullmatch(r"[A-Z0-9]{9}", offer["part_number_key"])
        assert re.fullmatch(r"\d+\.\d{4}", offer["sale_price"])
        assert re.fullmatch(r"\d+\.\d{4}", offer["best_offer_sale_price"])
        assert offer["general_stock"] == sum(s["value"] for s in offer["stock"])
        assert offer["offer_validation_status"]["value"] in (1, 2)
        assert offer["offer_details"]["id"] != offer["id"]


def test_populate_includes_emg331_as_in_the_spec(fake: FakeEmag):
    fake.populate(12)
    [main] = [o for o in fake.offers("main") if o["part_number"] == "EMG331"]
    [fbe] = [o for o in fake.offers("fbe") if o["part_number"] == "EMG331"]

    for offer, stock in ((main, 0), (fbe, 26)):
        assert offer["part_number_key"] == "DNN83CYBM"
        assert offer["ean"] == ["8266294692464"]
        assert offer["stock"] == [{"warehouse_id": 1, "value": stock}]
        assert (offer["number_of_offers"], offer["buy_button_rank"]) == (2, None)
    assert main["id"] != fbe["id"]


def test_read_clamps_pages_to_100_ignores_unknown_filters_and_sends_no_totals(fake, http):
    fake.populate(150)
    body = http["main"].post("product_offer/read", json={"itemsPerPage": 500, "brandx": 1}).json()

    assert set(body) == {"isError", "messages", "results"}
    assert body["isError"] is False and len(body["results"]) == 100
    page2 = http["main"].post("product_offer/read", json={"currentPage": 2}).json()["results"]
    assert len(page2) == 50
    found = http["main"].post("product_offer/read", json={"part_number_key": "DNN83CYBM"})
    assert [o["id"] for o in found.json()["results"]] == [243409]


def test_count_answers_strings(fake: FakeEmag, http):
    fake.populate(38)
    results = http["main"].post("product_offer/count", json={}).json()["results"]
    assert results == {"noOfItems": "38", "noOfPages": "1", "itemsPerPage": "100"}


@pytest.mark.parametrize("status", [403, 200])
def test_missing_or_wrong_credentials_are_refused(status):
    with FakeEmag(auth_failure_status=status) as fake:
        for auth in (None, ("main-user", "nope"), ("fbe-user", "main-pass")):
            response = httpx.post(fake.url + "/product_offer/read", json={}, auth=auth)
            assert response.status_code == status
            assert response.json() == {
                "isError": True,
                "messages": ["You are not allowed to use this API."],
                "results": [],
            }


def test_save_accepts_bare_and_wrapped_lists_and_updates_only_given_fields(fake, http):
    first, second = fake.add_offer("main", stock=3), fake.add_offer("main", stock=4)
    before = fake.last_saved("main", first["id"])

    bare = http["main"].post("offer/save", json=[{"id": first["id"], "sale_price": 12}]).json()
    wrapped = http["main"].post("offer/save", json={"data": [{"id": second["id"], "stock": 9}]})

    assert bare["isError"] is False and wrapped.json()["isError"] is False
    assert before is None and fake.last_saved("main", first["id"]) is not None
    assert fake.offer("main", first["id"]) == {**first, "sale_price": "12.0000"}
    assert fake.offer("main", second["id"])["general_stock"] == 9
    http["main"].post("offer/save", json=[{"id": first["id"]}])  # an unchanged re-send
    assert fake.save_count("main", first["id"]) == 2


@pytest.mark.parametrize(
    "body, message",
    [
        ([{"id": n} for n in range(51)], "Maximum 50"),
        ([{"sale_price": 1}], "integer id"),
        ({"offers": []}, "Invalid content"),
    ],
)
def test_save_refuses_malformed_requests_whole_and_changes_nothing(fake, http, body, message):
    offer = fake.add_offer("main", id=1, sale_price="5")
    answer = http["main"].post("offer/save", json=body).json()
    assert answer["isError"] is True and message in answer["messages"][0]
    assert fake.offer("main", 1) == offer and fake.last_saved("main", 1) is None


def test_save_answers_per_offer_with_is_error_false_at_the_top(fake: FakeEmag, http):
    kept, locked, refused = (fake.add_offer("main", sale_price="5") for _ in range(3))
    fake.lock_for_campaign("main", locked["id"])
    fake.refuse_save("main", refused["id"], "Invalid sale_price: below min_sale_price")
    batch = [{"id": o["id"], "sale_price": 6} for o in (kept, locked, refused)]
    answer = http["main"].post("offer/save", json=[*batch, {"id": 999, "sale_price": 6}]).json()

    assert answer["isError"] is False
    results = answer["results"]
    assert results[str(kept["id"])] == {"isError": False, "messages": []}
    assert results[str(locked["id"])]["isError"] is True
    assert "active campaign" in results[str(locked["id"])]["messages"][0]
    assert results[str(refused["id"])]["messages"] == ["Invalid sale_price: below min_sale_price"]
    assert "does not exist" in results["999"]["messages"][0]
    assert fake.offer("main", kept["id"])["sale_price"] == "6.0000"
    for unchanged in (locked, refused):
        assert fake.offer("main", unchanged["id"]) == unchanged
        assert fake.last_saved("main", unchanged["id"]) is None


@pytest.mark.parametrize("field", ["stock", "handling_time", "status"])
def test_fbe_refuses_stock_handling_time_and_status_in_a_save(fake, http, field):
    offer = fake.add_offer("fbe", stock=5)
    answer = http["fbe"].post("offer/save", json=[{"id": offer["id"], field: 1}]).json()
    [result] = answer["results"].values()
    assert result["isError"] is True and "fulfilled by eMAG" in result["messages"][0]
    assert fake.offer("fbe", offer["id"]) == offer


def test_patch_stock_answers_like_emag(fake: FakeEmag, http):
    main, fbe = fake.add_offer("main", stock=1), fake.add_offer("fbe", stock=1)
    fake.lock_for_campaign("main", 42)
    fake.add_offer("main", id=42, stock=2)

    ok = http["main"].patch(f"offer_stock/{main['id']}", json={"stock": 8})
    assert (ok.status_code, ok.content) == (204, b"")
    assert fake.offer("main", main["id"])["stock"] == [{"warehouse_id": 1, "value": 8}]
    missing = http["main"].patch("offer_stock/7", json={"stock": 8})
    assert (missing.status_code, missing.json()) == (404, {"message": "This offer does not exist"})
    for bad in ({"stock": "8"}, {"stock": -1}, {"qty": 1}, [1]):
        invalid = http["main"].patch(f"offer_stock/{main['id']}", json=bad)
        assert (invalid.status_code, invalid.json()) == (400, {"message": "Invalid content"})
    campaign = http["main"].patch("offer_stock/42", json={"stock": 8})
    assert campaign.status_code == 400
    assert campaign.json()["message"] == "Validation errors in your request"
    assert "stock has NOT been changed" in campaign.json()["errors"][0]["message"]
    refused = http["fbe"].patch(f"offer_stock/{fbe['id']}", json={"stock": 8})
    assert refused.status_code == 400 and "eMAG" in refused.json()["message"]
    assert fake.offer("fbe", fbe["id"])["general_stock"] == 1


def test_rate_limit_answers_429_per_account_and_counts_invalid_requests():
    with FakeEmag(rate_limits=True) as fake:
        main = httpx.Client(base_url=fake.url + "/", auth=fake.credentials("main"))
        fbe = httpx.Client(base_url=fake.url + "/", auth=fake.credentials("fbe"))
        answers = [main.post("product_offer/read", json={"currentPage": "x"}) for _ in range(4)]

        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].json()["isError"] is True  # invalid, but it counted
        assert answers[3].json() == {"message": "API rate limit exceeded"}
        assert answers[3].headers["X-RateLimit-Limit-3second"] == "9"
        assert answers[3].headers["X-RateLimit-Remaining-3second"] == "6"
        assert "Retry-After" not in answers[3].headers
        assert fbe.post("product_offer/count", json={}).status_code == 200  # its own budget
        assert main.post("order/read", json={}).status_code == 200  # orders: 12/s
        assert fake.throttled("main") == 1 and fake.throttled("fbe") == 0
        fake.consume_budget("fbe")
        assert fbe.post("product_offer/count", json={}).status_code == 429
        main.close()
        fbe.close()


def test_fail_runs_are_per_account_and_stop_after_count(fake: FakeEmag, http):
    fake.fail("main", 502, count=2, path="product_offer/read")
    statuses = [http["main"].post("product_offer/read", json={}).status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert http["fbe"].post("product_offer/read", json={}).status_code == 200
    fake.fail("fbe", 500)
    assert http["fbe"].post("product_offer/count", json={}).status_code == 500
    fake.clear_faults()
    assert http["fbe"].post("product_offer/count", json={}).status_code == 200


def test_ip_switch_answers_invalid_vendor_ip_with_the_callers_ip(fake: FakeEmag, http):
    fake.block_ip("fbe")
    response = http["fbe"].post("product_offer/count", json={})
    answer = response.json()
    assert response.status_code == 200 and answer["isError"] is True
    assert answer["messages"] == ["Invalid vendor ip [127.0.0.1]"]
    assert http["main"].post("product_offer/count", json={}).json()["isError"] is False


def test_orders_come_100_a_page_newest_first_and_only_type_3_without_a_type(fake, http):
    fake.populate(20)
    fake.populate_orders(days=30, per_day=6, now=datetime(2026, 11, 25, 9, 7, 42))
    default = http["fbe"].post("order/read", json={"itemsPerPage": 5000}).json()["results"]
    fbe = http["fbe"].post("order/read", json={"itemsPerPage": 5000, "type": 2}).json()
    orders = fbe["results"]

    assert default == []  # FBE's orders are type 2; without `type` eMAG answers type 3
    assert len(orders) == 100 and {o["type"] for o in orders} == {2}
    assert [o["date"] for o in orders] == sorted((o["date"] for o in orders), reverse=True)
    assert all("2026-10-26" <= o["date"] <= "2026-11-25 09:07:42" for o in orders)
    assert set(orders[0]["products"][0]) == {
        "product_id", "ext_part_number", "part_number", "part_number_key", "quantity",
        "storno_qty", "sale_price", "status",
    }  # fmt: skip
    lines = [line for order in orders for line in order["products"]]
    offer_ids = {o["id"] for o in fake.offers("fbe")}
    assert {line["product_id"] for line in lines} <= offer_ids
    assert any(line["part_number"] != line["ext_part_number"] for line in lines)
    main = http["main"].post("order/read", json={"createdAfter": "2026-11-20 00:00:00"})
    assert all(o["type"] == 3 and o["date"] >= "2026-11-20" for o in main.json()["results"])


def test_an_order_arriving_during_a_read_shows_on_two_pages(fake: FakeEmag, http):
    fake.populate(3)
    for minute in range(150):
        fake.add_order("main", date=f"2026-11-20 10:{minute // 60:02d}:{minute % 60:02d}",
                       products=[{"part_number": "EMG001", "quantity": 1}])  # fmt: skip
    fake.orders_arrive_during_read("main", 2)
    first = http["main"].post("order/read", json={"currentPage": 1}).json()["results"]
    second = http["main"].post("order/read", json={"currentPage": 2}).json()["results"]

    assert len(first) == 100 and len(second) == 52
    assert {o["id"] for o in first[-2:]} == {o["id"] for o in second[:2]}


def test_a_short_page_in_the_middle_of_an_offer_read(fake: FakeEmag, http):
    fake.populate(250)
    fake.short_page("main", page=2, missing=7)
    pages = [
        http["main"].post("product_offer/read", json={"currentPage": n}).json()["results"]
        for n in (1, 2, 3)
    ]
    assert [len(page) for page in pages] == [100, 93, 50]
    count = http["main"].post("product_offer/count", json={}).json()["results"]
    assert count["noOfItems"] == "250"


def test_find_by_eans_answers_a_dict_keyed_by_ean_and_refuses_over_100(fake: FakeEmag, http):
    fake.populate(5)
    results = (
        http["main"]
        .get("documentation/find_by_eans", params=[("eans[]", "8266294692464"), ("eans[]", "1")])
        .json()["results"]
    )
    assert set(results) == {"8266294692464", "1"}
    assert results["1"] == {"products": []}
    [product] = results["8266294692464"]["products"]
    assert set(product) == {
        "part_number_key", "product_name", "brand_name", "vendor_has_offer",
        "allowed_to_add_offer", "hotness",
    }  # fmt: skip
    assert product["part_number_key"] == "DNN83CYBM"
    too_many = [("eans[]", str(n)) for n in range(101)]
    answer = http["main"].get("documentation/find_by_eans", params=too_many).json()
    assert answer["isError"] is True


def test_every_request_is_recorded_with_its_account_and_answer(fake: FakeEmag, http):
    http["main"].post("product_offer/read", json={"currentPage": 1})
    httpx.post(fake.url + "/product_offer/count", json={})
    fake.wait_for(lambda requests: len(requests) == 2)

    main, anonymous = fake.requests()
    assert (main.account, main.method, main.path, main.body, main.status) == (
        "main", "POST", "product_offer/read", {"currentPage": 1}, 200,
    )  # fmt: skip
    assert (anonymous.account, anonymous.status) == (None, 403)


def test_module_runs_in_the_foreground_and_prints_url_and_credentials():
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_emag", "--port", "0", "--products", "5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(6)]
        url = lines[1].strip().removeprefix("EMAG_API_URL=")
        assert lines[2:4] == ["EMAG_MAIN_USERNAME=main-user\n", "EMAG_MAIN_PASSWORD=main-pass\n"]
        count = httpx.post(url + "/product_offer/count", json={}, auth=("fbe-user", "fbe-pass"))
        assert count.json()["results"]["noOfItems"] == "5"
    finally:
        process.terminate()
        process.wait(timeout=5)
