"""EmagClient against the fake eMAG over real HTTP on loopback."""

from __future__ import annotations

import base64
import json
import logging
import time
from datetime import datetime, timedelta

import pytest

from bot.emag import (
    EmagAuthError,
    EmagError,
    EmagFbeWriteError,
    EmagIpNotWhitelistedError,
    EmagNotFoundError,
    EmagRequestError,
    EmagUnavailableError,
    OfferCount,
    clients_from_settings,
)
from bot.emag.ratelimit import AccountLimiters
from bot.settings import ConfigError, Settings
from tests.emag.conftest import MakeClient, fast_retry
from tests.fake_emag import FakeEmag

# -- reading offers ------------------------------------------------------------------------


def test_read_offers_pages_until_a_short_page_without_totals(fake: FakeEmag, make_client):
    fake.populate(250)
    pages = list(make_client("main").read_offers())

    assert [len(page) for page in pages] == [100, 100, 50]
    assert {o["id"] for page in pages for o in page} == {o["id"] for o in fake.offers("main")}
    assert [r.body["currentPage"] for r in fake.requests("main")] == [1, 2, 3]
    assert all(r.body["itemsPerPage"] == 100 for r in fake.requests("main"))


def test_read_offers_stops_at_an_empty_page_when_the_last_page_is_full(fake, make_client):
    fake.populate(200)
    pages = list(make_client("main").read_offers())

    assert [len(page) for page in pages] == [100, 100]
    assert len(fake.requests("main", "product_offer/read")) == 3


def test_with_the_count_given_a_short_page_mid_read_does_not_end_the_read(fake, make_client):
    fake.populate(250)
    fake.short_page("main", page=1, missing=5)
    pages = list(make_client("main").read_offers(expected=250))

    assert [len(page) for page in pages] == [95, 100, 50]
    assert len(fake.requests("main", "product_offer/read")) == 4  # up to the empty page


def test_read_offers_is_lazy_one_page_per_request(fake: FakeEmag, make_client):
    fake.populate(250)
    pages = make_client("main").read_offers()
    next(pages)
    assert len(fake.requests("main")) == 1


def test_read_offers_filters_and_refuses_unknown_filter_names(fake: FakeEmag, make_client):
    fake.populate(20)
    client = make_client("fbe")

    [[offer]] = list(client.read_offers(part_number="EMG331"))
    assert (offer["id"], offer["general_stock"]) == (871204, 26)
    with pytest.raises(ValueError, match="unknown offer filters"):
        client.read_offers(sku="EMG331")  # eMAG would ignore it and return everything
    assert len(fake.requests("fbe")) == 1


def test_a_server_ignoring_current_page_is_detected_instead_of_looping(fake, make_client):
    same_page = {"isError": False, "messages": [], "results": [{"id": n} for n in range(100)]}
    fake.fail("main", 200, body=same_page)
    with pytest.raises(EmagError, match="returned page 2 twice"):
        list(make_client("main").read_offers())


def test_count_offers_turns_emag_strings_into_numbers(fake: FakeEmag, make_client):
    fake.populate(250)
    assert make_client("main").count_offers() == OfferCount(items=250, pages=3, items_per_page=100)


@pytest.mark.parametrize(
    "body, expected",
    [
        ({"isError": True, "messages": ["Something broke"], "results": []}, "Something broke"),
        ({"isError": True, "message": "Maximum input vars of 4000 exceeded"}, "4000 exceeded"),
        ({"results": []}, "no message"),
        ({"isError": "false", "results": []}, "no message"),
    ],
)
def test_answers_without_is_error_false_raise(fake: FakeEmag, make_client, body, expected):
    fake.fail("main", 200, body=body)
    with pytest.raises(EmagError, match=expected) as caught:
        list(make_client("main").read_offers())
    assert str(caught.value).startswith("MAIN: ")
    assert len(fake.requests("main")) == 1  # an error envelope is not retried


# -- rate limits, 5xx, timeouts ------------------------------------------------------------


def test_429_from_a_budget_shared_with_another_client_backs_off_and_completes(
    limited_fake: FakeEmag, make_client
):
    limited_fake.populate(30)
    limited_fake.consume_budget("main")  # another tool using the same login, just now
    client = make_client("main", server=limited_fake, retry=fast_retry(attempts=8))

    assert client.count_offers().items == 30
    assert limited_fake.throttled("main") >= 1
    statuses = [r.status for r in limited_fake.requests("main")]
    assert statuses[0] == 429 and statuses[-1] == 200


def test_full_read_within_enforced_limits_gets_no_429(limited_fake: FakeEmag, make_client):
    limited_fake.populate(350)
    client = make_client("main", server=limited_fake, limiters=AccountLimiters())

    started = time.monotonic()
    count = client.count_offers()
    offers = [o for page in client.read_offers() for o in page]

    assert len(offers) == count.items == 350
    assert limited_fake.throttled("main") == 0
    assert len(limited_fake.requests("main")) == 5  # count + 4 pages: one must wait
    assert time.monotonic() - started >= 1.0


def test_a_502_run_on_main_is_retried_then_fails_clearly_while_fbe_works(
    fake: FakeEmag, make_client
):
    fake.populate(10)
    fake.fail("main", 502, path="product_offer/read")

    with pytest.raises(EmagUnavailableError) as caught:
        list(make_client("main").read_offers())
    assert str(caught.value) == (
        "MAIN: eMAG kept failing on POST product_offer/read after 4 attempts (last: HTTP 502)"
    )
    assert len(fake.requests("main")) == 4
    assert sum(len(page) for page in make_client("fbe").read_offers()) == 10


def test_a_short_5xx_run_is_retried_transparently(fake: FakeEmag, make_client):
    fake.populate(10)
    fake.fail("main", 504, count=2)

    assert make_client("main").count_offers().items == 10
    assert [r.status for r in fake.requests("main")] == [504, 504, 200]


def test_a_timeout_is_retried(fake: FakeEmag, make_client):
    fake.populate(10)
    fake.slow("main", 0.6, count=1)

    assert make_client("main", timeout=0.2).count_offers().items == 10
    assert len(fake.requests("main")) == 2


# -- refused access ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [403, 200])
def test_wrong_password_raises_auth_error_naming_the_account(make_client, status):
    with FakeEmag(auth_failure_status=status) as server:
        client = make_client("fbe", server=server, credentials=("fbe-user", "wrong"))
        with pytest.raises(EmagAuthError) as caught:
            client.count_offers()
        assert str(caught.value) == (
            "FBE: eMAG refused the credentials (You are not allowed to use this API.)"
        )
        assert len(server.requests()) == 1  # not retried


def test_invalid_vendor_ip_names_the_account_and_the_ip_emag_saw(fake: FakeEmag, make_client):
    fake.block_ip("fbe")
    with pytest.raises(EmagIpNotWhitelistedError) as caught:
        make_client("fbe").count_offers()
    message = str(caught.value)
    assert message.startswith("FBE: ") and "IP 127.0.0.1" in message
    assert "FBE account's API whitelist" in message and "\n" not in message
    assert len(fake.requests("fbe")) == 1  # not retried


def test_password_never_appears_in_logs_or_errors(fake: FakeEmag, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    password = "s3cret-Pa55word"
    fake.set_credentials("main", "main-user", password)
    fake.populate(5)
    token = base64.b64encode(f"main-user:{password}".encode()).decode()
    client = make_client("main", credentials=("main-user", password))

    errors: list[Exception] = []
    client.count_offers()
    fake.fail("main", 502, count=4)
    for call in (client.count_offers, lambda: client.set_stock(1, 5)):
        with pytest.raises(EmagError) as caught:
            call()
        errors.append(caught.value)
    fake.set_credentials("main", "main-user", "rotated")
    with pytest.raises(EmagAuthError) as caught:
        client.count_offers()
    errors.append(caught.value)

    assert caplog.records  # the calls were logged, at DEBUG too
    visible = caplog.text + repr(client) + "".join(f"{e}{e!r}{e.messages}" for e in errors)
    assert password not in visible and token not in visible


# -- writing -------------------------------------------------------------------------------


def test_set_stock_patches_main_and_gets_204(fake: FakeEmag, make_client):
    fake.populate(5)
    make_client("main").set_stock(243409, 7)

    assert fake.offer("main", 243409)["general_stock"] == 7
    [request] = fake.requests("main")
    assert (request.method, request.path, request.body, request.status) == (
        "PATCH",
        "offer_stock/243409",
        {"stock": 7},
        204,
    )


def test_set_stock_of_an_unknown_offer_raises_not_found(fake: FakeEmag, make_client):
    with pytest.raises(EmagNotFoundError, match=r"MAIN: offer 999 does not exist on eMAG"):
        make_client("main").set_stock(999, 3)


def test_set_stock_refused_by_an_active_campaign_says_stock_was_not_changed(
    fake: FakeEmag, make_client
):
    fake.populate(5)
    fake.lock_for_campaign("main", 243409)
    with pytest.raises(EmagRequestError) as caught:
        make_client("main").set_stock(243409, 4)

    message = str(caught.value)
    assert message.startswith("MAIN: eMAG refused stock 4 for offer 243409")
    assert "active campaign" in message and "stock has NOT been changed" in message
    assert fake.offer("main", 243409)["general_stock"] == 0


def test_fbe_stock_writes_are_refused_before_anything_is_sent(fake: FakeEmag, make_client):
    fake.populate(5)
    client = make_client("fbe")

    with pytest.raises(EmagFbeWriteError, match="FBE: eMAG manages the stock"):
        client.set_stock(871204, 3)
    with pytest.raises(EmagFbeWriteError, match="offer 871204 carries stock, status"):
        client.save_offers(
            [{"id": 871204, "stock": [{"warehouse_id": 1, "value": 3}], "status": 1}]
        )
    assert fake.requests() == []
    assert client.save_offers([{"id": 871204, "sale_price": "97.5"}]).saved == [871204]
    assert fake.offer("fbe", 871204)["sale_price"] == "97.5000"


@pytest.mark.parametrize("wrapped", [False, True])
def test_save_offers_sends_batches_of_50_in_the_configured_shape(
    fake: FakeEmag, make_client: MakeClient, wrapped: bool
):
    offers = [fake.add_offer("main", sale_price="10.00") for _ in range(120)]
    client = make_client("main", save_wrapped=wrapped)

    outcome = client.save_offers([{"id": o["id"], "sale_price": "12.5"} for o in offers])

    assert sorted(outcome.saved) == sorted(o["id"] for o in offers) and outcome.refused == {}
    bodies = [r.body for r in fake.requests("main", "offer/save")]
    items = [body["data"] if wrapped else body for body in bodies]
    assert all(isinstance(body, dict) == wrapped for body in bodies)
    assert [len(batch) for batch in items] == [50, 50, 20]
    assert all(fake.last_saved("main", o["id"]) is not None for o in offers)
    assert {o["sale_price"] for o in fake.offers("main")} == {"12.5000"}


def test_save_counts_an_offer_saved_only_when_its_own_result_says_so(fake, make_client):
    offers = [fake.add_offer("main", sale_price="9") for _ in range(60)]
    fake.refuse_save("main", offers[7]["id"], "The offer is part of a campaign")
    payload = [{"id": o["id"], "sale_price": "9"} for o in offers]
    payload[55]["id"] = 4242  # gone from eMAG
    payload[56]["id"] = 16_777_216  # outside eMAG's range: refused here, never sent

    outcome = make_client("main").save_offers(payload)

    assert len(outcome.saved) == 57 and offers[7]["id"] not in outcome.saved
    assert outcome.refused[offers[7]["id"]] == "The offer is part of a campaign"
    assert "Offer 4242 does not exist" in outcome.refused[4242]
    assert "outside 1..16777215" in outcome.refused[16_777_216]
    sent = [item["id"] for r in fake.requests("main", "offer/save") for item in r.body]
    assert 16_777_216 not in sent and len(sent) == 59
    assert fake.last_saved("main", offers[7]["id"]) is None


def test_a_batch_refused_whole_counts_its_offers_refused_and_the_next_goes_on(fake, make_client):
    offers = [fake.add_offer("main") for _ in range(60)]
    fake.fail("main", 200, count=1, path="offer/save",
              body={"isError": True, "message": "Maximum input vars of 4000 exceeded"})  # fmt: skip

    outcome = make_client("main").save_offers([{"id": o["id"], "sale_price": "9"} for o in offers])

    assert len(outcome.refused) == 50 and len(outcome.saved) == 10
    assert all("Maximum input vars" in message for message in outcome.refused.values())


# -- orders, EANs, settings ------------------------------------------------------------------


def test_read_orders_asks_the_accounts_type_100_a_page_and_counts_each_order_once(
    fake: FakeEmag, make_client
):
    fake.populate(3)
    line = {"part_number": "EMG331", "quantity": 1}
    start = datetime(2026, 10, 1, 12, 0, 0)
    for minute in range(250):
        fake.add_order("fbe", date=start + timedelta(minutes=minute), products=[line])
    fake.orders_arrive_during_read("fbe", 3)

    since = start + timedelta(minutes=100)
    orders = [o for page in make_client("fbe").read_orders(since) for o in page]

    bodies = [r.body for r in fake.requests("fbe", "order/read")]
    assert {body["type"] for body in bodies} == {2}
    assert {body["itemsPerPage"] for body in bodies} == {100}
    assert bodies[0]["createdAfter"] == "2026-10-01 13:40:00"
    # Page 2 repeated the 3 orders pushed off page 1 by the new ones; each counts once
    # (the new ones themselves come in the next read, on its page 1).
    assert len(orders) == len({o["id"] for o in orders}) == 150
    assert all(o["date"] >= "2026-10-01 13:40:00" for o in orders)


def test_read_orders_of_main_asks_type_3(fake: FakeEmag, make_client):
    fake.populate(3)
    fake.add_order("main", date="2026-11-20 10:00:00", products=[{"part_number": "EMG331"}])
    [[order]] = list(make_client("main").read_orders(datetime(2026, 11, 1)))
    assert order["type"] == 3
    assert {r.body["type"] for r in fake.requests("main", "order/read")} == {3}


def test_order_dates_are_read_in_the_platforms_zone():
    ro = Settings(emag_api_url="https://marketplace-api.emag.ro/api-3")
    bg = Settings(emag_api_url="https://marketplace-api.emag.bg/api-3")
    hu = Settings(emag_api_url="https://marketplace-api.emag.hu/api-3", emag_timezone=None)
    told = Settings(emag_api_url="http://127.0.0.1:9/api-3", emag_timezone="Europe/Sofia")
    assert [s.emag_zone for s in (ro, bg, hu, told)] == [
        "Europe/Bucharest", "Europe/Sofia", "Europe/Budapest", "Europe/Sofia",
    ]  # fmt: skip


def test_find_by_eans_maps_eans_to_pnks_100_per_call(fake: FakeEmag, make_client):
    fake.populate(10)
    eans = ["8266294692464"] + [f"{n:013d}" for n in range(149)]

    found = make_client("main").find_by_eans(eans)

    assert len(found) == 150 and sum(1 for products in found.values() if products) == 1
    [product] = found["8266294692464"]
    assert product["part_number_key"] == "DNN83CYBM" and product["vendor_has_offer"] is True
    assert [len(r.query["eans[]"]) for r in fake.requests("main")] == [100, 50]


def test_clients_from_settings_names_every_missing_variable():
    settings = Settings(
        emag_main_username="u", emag_main_password="p", emag_fbe_username=None,
        emag_fbe_password=None,
    )  # fmt: skip
    with pytest.raises(ConfigError, match="EMAG_FBE_USERNAME, EMAG_FBE_PASSWORD"):
        clients_from_settings(settings)


def test_clients_from_settings_builds_both_accounts(fake: FakeEmag):
    settings = Settings(
        emag_api_url=fake.url, emag_main_username="main-user", emag_main_password="main-pass",
        emag_fbe_username="fbe-user", emag_fbe_password="fbe-pass", emag_save_wrapped=True,
    )  # fmt: skip
    fake.populate(4)
    main, fbe = clients_from_settings(settings)
    with main, fbe:
        assert (main.account, fbe.account, main.save_wrapped) == ("main", "fbe", True)
        assert main.count_offers().items == fbe.count_offers().items == 4


def test_every_call_and_its_answer_go_to_the_30_day_call_log_without_credentials(
    fake: FakeEmag, make_client: MakeClient, tmp_path
):
    from bot.emag.calllog import CALLS, configure_call_log

    fake.populate(3)
    path = tmp_path / "calls" / "emag-calls.log"
    handler = configure_call_log(path)
    try:
        client = make_client("main")
        client.count_offers()
        fake.fail("main", 502, count=1)
        client.count_offers()  # retried: both attempts are logged
        handler.flush()
        lines = [json.loads(line) for line in path.read_text().splitlines()]
    finally:
        CALLS.removeHandler(handler)
        handler.close()

    assert [(line["account"], line["path"], line["status"]) for line in lines] == [
        ("MAIN", "product_offer/count", 200),
        ("MAIN", "product_offer/count", 502),
        ("MAIN", "product_offer/count", 200),
    ]
    assert '"noOfItems": "3"' in lines[0]["answer"]
    text = path.read_text()
    username, password = fake.credentials("main")
    assert password not in text and username not in text
    assert handler.backupCount == 30 and handler.when == "MIDNIGHT"
