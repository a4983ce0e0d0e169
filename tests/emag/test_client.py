"""EmagClient against the fake eMAG over real HTTP on loopback."""

from __future__ import annotations

import base64
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
    EmagSaveError,
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


def test_invalid_vendor_ip_says_the_ip_must_be_whitelisted(fake: FakeEmag, make_client):
    fake.block_ip("main")
    with pytest.raises(EmagIpNotWhitelistedError) as caught:
        make_client("main").count_offers()
    message = str(caught.value)
    assert message.startswith("MAIN: ") and "Invalid vendor ip" in message
    assert "IP must be whitelisted" in message


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
    assert client.save_offers([{"id": 871204, "sale_price": "97.5"}]) == 1
    assert fake.offer("fbe", 871204)["sale_price"] == "97.5000"


@pytest.mark.parametrize("wrapped", [False, True])
def test_save_offers_sends_batches_of_50_in_the_configured_shape(
    fake: FakeEmag, make_client: MakeClient, wrapped: bool
):
    offers = [fake.add_offer("main", sale_price="10.00") for _ in range(120)]
    client = make_client("main", save_wrapped=wrapped)

    saved = client.save_offers([{"id": o["id"], "sale_price": "12.5"} for o in offers])

    assert saved == 120
    bodies = [r.body for r in fake.requests("main", "offer/save")]
    items = [body["data"] if wrapped else body for body in bodies]
    assert all(isinstance(body, dict) == wrapped for body in bodies)
    assert [len(batch) for batch in items] == [50, 50, 20]
    assert all(fake.last_saved("main", o["id"]) is not None for o in offers)
    assert {o["sale_price"] for o in fake.offers("main")} == {"12.5000"}


def test_save_failing_in_a_later_batch_says_how_many_were_saved(fake: FakeEmag, make_client):
    offers = [fake.add_offer("main") for _ in range(60)]
    payload = [{"id": o["id"], "sale_price": "9"} for o in offers]
    payload[55]["id"] = 4242

    with pytest.raises(EmagSaveError, match="batch 2 of 2 failed after 50 offers") as caught:
        make_client("main").save_offers(payload)
    assert caught.value.saved == 50
    assert "Offer 4242 does not exist" in str(caught.value)


# -- orders, EANs, settings ------------------------------------------------------------------


def test_read_orders_pages_by_1000_and_keeps_only_orders_since(fake: FakeEmag, make_client):
    fake.populate(3)
    line = {"part_number": "EMG331", "part_number_key": "DNN83CYBM", "quantity": 1}
    start = datetime(2026, 10, 1, 12, 0, 0)
    for minute in range(1200):
        fake.add_order("fbe", date=start + timedelta(minutes=minute), products=[line])

    since = start + timedelta(minutes=100)
    pages = list(make_client("fbe").read_orders(since))

    assert [len(page) for page in pages] == [1000, 100]
    assert all(o["type"] == 2 and o["date"] >= "2026-10-01 13:40:00" for p in pages for o in p)
    assert fake.requests("fbe")[0].body["createdAfter"] == "2026-10-01 13:40:00"


def test_find_by_eans_maps_eans_to_pnks_100_per_call(fake: FakeEmag, make_client):
    fake.populate(10)
    eans = ["8266294692464"] + [f"{n:013d}" for n in range(149)]

    [item] = make_client("main").find_by_eans(eans)

    assert item["part_number_key"] == "DNN83CYBM" and item["vendor_has_offer"] is True
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
