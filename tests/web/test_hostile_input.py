"""Lookups no product can match, on SQLite and PostgreSQL alike: a NUL or another control
character, or a SKU longer than any stored, is a clear 422 (or, in a batch, that item's
own error), never a 500 from the database refusing the query."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.handlers.conftest import Bot, _bot, wait_for
from tests.web.conftest import Served, serve

API = "/api/v1/stock-sync"
POISON = ["A\x00B", "EMG\x1b331", "S" * 3000]


@pytest.fixture
def served_on(db_url: str, tmp_path: Any) -> Iterator[Served]:
    yield from serve(tmp_path, products=20, url=db_url)


@pytest.mark.parametrize("sku", POISON, ids=["nul", "escape", "3000-chars"])
def test_analyze_a_sku_no_product_can_have_is_422_naming_sku(served_on: Served, sku: str) -> None:
    answer = served_on.http.get(f"{API}/analyze/{quote(sku)}", headers=served_on.auth())
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == "sku" and (
        "control character" in error["message"] or "128" in error["message"]
    )


def test_bulk_refuses_only_the_poisoned_items(served_on: Served) -> None:
    skus = ["EMG331", *POISON, "nope"]
    answer = served_on.http.post(
        f"{API}/bulk-analyze", json={"skus": skus}, headers=served_on.auth()
    )
    assert answer.status_code == 200
    results = answer.json()["data"]["results"]
    assert [r["found"] for r in results] == [True, False, False, False, False]
    assert "control character (U+0000)" in results[1]["error"]
    assert "control character (U+001B)" in results[2]["error"]
    assert "3000 characters long" in results[3]["error"]
    assert results[4]["error"] == "SKU not found"


def test_transfer_and_dashboard_refuse_a_nul_sku_clearly(served_on: Served) -> None:
    body = {"sku": "A\x00B", "from_account": "fbe", "to_account": "main", "amount": 1}
    answer = served_on.http.post(f"{API}/transfer/suggest", json=body, headers=served_on.auth())
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "sku"
    page = served_on.http.post(
        "/dashboard/validate",
        data={"sku": "A\x00B", "from_account": "fbe", "to_account": "main", "amount": "1"},
        headers=served_on.auth(),
    )
    assert page.status_code == 422 and "control character" in page.text


@pytest.fixture
def slack_on(db_url: str, tmp_path: Any) -> Iterator[Bot]:
    yield from _bot(tmp_path, {}, url=db_url)


@pytest.mark.parametrize(
    "text", ["analyze A\x00B", "transfer A\x00B fbe main 1", "snooze A\x00B 3d"]
)
def test_stock_commands_with_a_nul_sku_answer_one_ephemeral_line(slack_on: Bot, text: str) -> None:
    slack_on.sender.command(text)
    [note] = wait_for(lambda: slack_on.slack.ephemerals("C1"), timeout=10)
    assert "sku contains a control character (U+0000)" in note["text"]
    assert "went wrong" not in note["text"]
    assert slack_on.slack.messages("C1") == []


def test_bulk_command_reports_the_nul_sku_in_its_row(slack_on: Bot) -> None:
    slack_on.sender.command("bulk EMG331 A\x00B")
    [message] = wait_for(lambda: slack_on.slack.messages("C1"), timeout=10)
    assert "1 of 2 found" in json.dumps(message)
