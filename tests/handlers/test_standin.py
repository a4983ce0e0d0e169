"""The Slack stand-in refuses what Slack refuses, so tests cannot pass on payloads Slack
would reject."""

from __future__ import annotations

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack_standin import SlackStandin

MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Transfer check"}, "blocks": []}


@pytest.fixture
def slack():  # type: ignore[no-untyped-def]
    with SlackStandin(token="xoxb-t") as standin:
        yield standin


@pytest.fixture
def client(slack: SlackStandin) -> WebClient:
    return WebClient(token="xoxb-t", base_url=slack.api_url)


def test_a_response_url_works_five_times(slack: SlackStandin) -> None:
    url = slack.response_url("C1", "U1")
    answers = [httpx.post(url, json={"text": f"n{i}"}).status_code for i in range(6)]
    assert answers == [200] * 5 + [404]


def test_a_trigger_id_opens_one_modal(client: WebClient) -> None:
    client.views_open(trigger_id="1.1.t", view=MODAL)
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        client.views_open(trigger_id="1.1.t", view=MODAL)


@pytest.mark.parametrize(
    "view",
    [
        {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}},
        {**MODAL, "private_metadata": "x" * 3001},
        {**MODAL, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": ""}}]},
        {**MODAL, "blocks": [{"type": "divider"}] * 101},
    ],
    ids=["long-title", "long-metadata", "empty-text", "101-blocks"],
)
def test_views_slack_would_refuse_are_refused(client: WebClient, view: dict) -> None:
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.views_open(trigger_id="2.2.t", view=view)


def test_messages_slack_would_refuse_are_refused(client: WebClient) -> None:
    blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": ""}]}]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        client.chat_postMessage(channel="C1", text="x", blocks=blocks)


def _sections(count: int, size: int) -> list[dict]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * size}} for _ in range(count)
    ]


def test_a_message_too_long_in_total_is_refused_as_slack_does(client: WebClient) -> None:
    # bolt-js#2867: ~9,600 characters of text accepted, ~11,300 refused.
    client.chat_postMessage(channel="C1", text="ok", blocks=_sections(4, 2400))
    with pytest.raises(SlackApiError, match="msg_blocks_too_long"):
        client.chat_postMessage(channel="C1", text="too long", blocks=_sections(4, 2900))
