"""The playground in real headless Chromium: the page signs and posts what the user does
to the real bot's /slack/events and draws what the bot posts back to the stand-in."""

from __future__ import annotations

import inspect
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from slack_sdk import WebClient

from bot.clock import utcnow
from bot.intake.seed import seed_demo
from bot.playground import run
from bot.playground.run import Playground, listening_line, serve_playground
from bot.playground.server import ALERT_CHANNEL, COMMAND_CHANNEL, PAGE_HEADER
from bot.runtime import build_runtime
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 10_000


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[Playground]:
    """The playground in this process on free loopback ports, on seeded SQLite."""
    runtime = build_runtime(load_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'play.db'}"))
    seed_demo(runtime.sessions, utcnow(), runtime.service.rules, 40)
    with Playground(runtime, port=0) as served:
        yield served
    runtime.engine.dispose()


@pytest.fixture
def page(browser: Any, playground: Playground) -> Iterator[Page]:
    opened = browser.new_page()
    opened.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    opened.goto(playground.url)
    yield opened
    opened.close()


def _type(page: Page, text: str) -> None:
    page.fill("#composer", text)
    page.press("#composer", "Enter")


def test_analyze_then_validate_updates_the_message_in_place(page: Page) -> None:
    _type(page, "/stock analyze EMG331")
    message = page.locator("#messages .message")
    expect(message).to_have_count(1)
    expect(message).to_contain_text("Stock analysis: EMG331")
    # mrkdwn drawn, entities decoded: *Priority: HIGH* is bold, "-&gt;" is an arrow.
    expect(message.locator("strong", has_text="Priority: HIGH")).to_be_visible()
    expect(message).to_contain_text("move 10 FBE -> MAIN")
    expect(message.locator("code").first).to_be_visible()

    message.get_by_role("button", name="Validate transfer").click()
    expect(message).to_contain_text("Proposed: FBE 16 / MAIN 10")
    expect(message).to_contain_text("Validated by @you")
    expect(message).to_have_count(1)  # replaced in place, not posted again
    expect(message.get_by_role("button", name="Validate transfer")).to_have_count(0)
    expect(page.locator("#log-list li").first).to_contain_text("block_actions validate_transfer")


def test_change_amount_opens_the_modal_and_shows_field_errors(
    page: Page, playground: Playground
) -> None:
    _type(page, "/stock analyze EMG331")
    page.locator("#messages").get_by_role("button", name="Change amount").click()
    modal = page.get_by_role("dialog")
    expect(modal).to_contain_text("Change amount")
    amount = modal.get_by_label("Amount")
    expect(amount).to_have_value("10")

    amount.fill("27")
    modal.get_by_role("button", name="Validate").click()
    expect(modal.locator(".field-error")).to_contain_text("available 26, requested 27")
    expect(modal).to_contain_text("Change amount")  # still open, the value kept
    expect(amount).to_have_value("27")

    amount.fill("5")
    modal.get_by_role("button", name="Validate").click()
    expect(modal).to_contain_text("Transfer check")  # response_action update
    expect(modal).to_contain_text("Proposed: FBE 21 / MAIN 5")
    modal.get_by_role("button", name="Close").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert playground.standin.open_views() == []


def test_unsupported_blocks_show_as_json_and_text_is_never_html(
    page: Page, playground: Playground
) -> None:
    token = playground.runtime.settings.slack_bot_token
    assert token is not None
    client = WebClient(token=token.get_secret_value(), base_url=playground.standin.api_url)
    client.chat_postMessage(
        channel=COMMAND_CHANNEL,
        text="odd blocks",
        blocks=[
            {"type": "image", "image_url": "http://127.0.0.1:9/chart.png", "alt_text": "chart"},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "&lt;img src=x onerror=alert(1)&gt; _soft_"},
                "accessory": {"type": "overflow", "action_id": "more", "options": []},
            },
        ],
    )
    message = page.locator("#messages .message")
    expect(message).to_have_count(1)
    raw = message.locator(".raw")
    expect(raw).to_have_count(2)
    expect(raw.first).to_contain_text('unsupported block type "image"')
    expect(raw.first.locator("pre")).to_contain_text('"image_url": "http://127.0.0.1:9/chart.png"')
    expect(raw.nth(1)).to_contain_text('"type": "overflow"')
    expect(message).to_contain_text("<img src=x onerror=alert(1)>")
    expect(message.locator("em", has_text="soft")).to_be_visible()
    assert message.locator("img").count() == 0


def test_run_digest_now_posts_the_digest_into_the_alert_channel(page: Page) -> None:
    page.get_by_role("button", name="Run digest now").click()
    expect(page.locator("#channel-title")).to_have_text("#stock-alerts")
    messages = page.locator("#messages")
    expect(messages).to_contain_text("Stock alerts digest")
    expect(messages).to_contain_text("EMG331")
    expect(page.locator("#status")).to_contain_text("digest sent")
    page.locator(".channel", has_text="stock").first.click()
    expect(page.locator("#channel-title")).to_have_text("#stock")


def test_the_real_web_process_gets_signed_requests_and_the_page_endpoints_want_the_page(
    playground: Playground,
) -> None:
    unsigned = httpx.post(playground.bot_url + "/slack/events", data={"command": "/stock"})
    assert unsigned.status_code == 401  # Bolt's real signature check is on
    forged = httpx.post(playground.url + "command", json={"text": "/stock help"})
    assert forged.status_code == 403
    sent = httpx.post(
        playground.url + "command", json={"text": "/stock help"}, headers={PAGE_HEADER: "1"}
    )
    assert sent.json()["ok"] is True
    assert playground.runtime.settings.alert_channel == ALERT_CHANNEL


def test_listens_on_loopback_only_by_default(playground: Playground) -> None:
    assert playground.url.startswith("http://127.0.0.1:")
    assert playground.bot_url.startswith("http://127.0.0.1:")
    assert playground.standin.base_url.startswith("http://127.0.0.1:")
    assert inspect.signature(serve_playground).parameters["host"].default == "127.0.0.1"
    assert inspect.signature(Playground).parameters["host"].default == "127.0.0.1"
    assert run.build_parser().parse_args([]).host == "127.0.0.1"
    assert "only" in listening_line("127.0.0.1", 3000)
    assert "anyone who can reach this machine" in listening_line("0.0.0.0", 3000)


def _lines(stream: Any, into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


def _cli_has_serve() -> bool:
    from bot.cli.main import UsageError, build_parser

    try:
        build_parser().parse_args(["demo", "--serve", "--port", "0"])
    except UsageError:
        return False
    return True


SMALL = ["--port", "0", "--products", "40"]
COMMANDS = {
    "module": ["-m", "bot.playground.run", *SMALL],
    "stockbot demo --serve": ["-m", "bot.cli", "demo", "--serve", *SMALL],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_command_prints_the_url_and_serves_the_page(tmp_path: Path, command: str) -> None:
    if command != "module" and not _cli_has_serve():
        pytest.skip("`stockbot demo --serve` is not wired into bot/cli/main.py yet")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "STOCKBOT_", "DATABASE_"))
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'served.db'}"
    process = subprocess.Popen(
        [sys.executable, *COMMANDS[command]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    printed: list[str] = []
    try:
        while not any("listening on" in line for line in printed):
            printed.append(lines.get(timeout=60))
        [url] = [line.split("open ", 1)[1].strip() for line in printed if " open " in line]
        assert url.startswith("http://127.0.0.1:")
        assert any("listening on 127.0.0.1:" in line and "only" in line for line in printed)
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200
        assert "stockbot playground" in page.text
        assert "Run digest now" in page.text
    finally:
        process.terminate()
        process.wait(timeout=15)
    assert process.returncode == 0
