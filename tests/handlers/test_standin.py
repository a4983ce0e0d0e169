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


def test_posting_faster_than_once_a_second_gets_429_with_retry_after() -> None:
    # slack.md: about one message a second per channel, short bursts only.
    with SlackStandin(token="xoxb-t", post_rate=1, post_burst=2) as slack:
        raw = WebClient(token="xoxb-t", base_url=slack.api_url, retry_handlers=[])
        raw.chat_postMessage(channel="C1", text="one")
        raw.chat_postMessage(channel="C1", text="two")
        with pytest.raises(SlackApiError) as refused:
            raw.chat_postMessage(channel="C1", text="three")
        assert refused.value.response.status_code == 429
        assert refused.value.response.headers["Retry-After"] in (["1"], "1")
        raw.chat_postMessage(channel="C2", text="another channel has its own pace")
        assert [m["text"] for m in slack.messages("C1")] == ["one", "two"]


def test_a_channel_name_posts_and_answers_its_id_which_the_rest_need(
    slack: SlackStandin, client: WebClient
) -> None:
    channel_id = slack.add_channel("stock-alerts")
    posted = client.chat_postMessage(channel="#stock-alerts", text="hello")
    assert posted["channel"] == channel_id
    for call in (
        lambda channel: client.chat_update(channel=channel, ts=posted["ts"], text="edited"),
        lambda channel: client.chat_getPermalink(channel=channel, message_ts=posted["ts"]),
        lambda channel: client.conversations_history(channel=channel),
    ):
        with pytest.raises(SlackApiError, match="channel_not_found"):
            call("#stock-alerts")
        assert call(channel_id)["ok"]
    with pytest.raises(SlackApiError, match="channel_not_found"):
        client.chat_postMessage(channel="#no-such-channel", text="x")


def test_history_and_replies_show_what_arrived_with_its_metadata(
    slack: SlackStandin, client: WebClient
) -> None:
    meta = {"event_type": "probe", "event_payload": {"part": 0}}
    head = client.chat_postMessage(channel="C9", text="head", metadata=meta)
    client.chat_postMessage(channel="C9", text="reply", thread_ts=head["ts"], metadata=meta)
    history = client.conversations_history(channel="C9", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["head"]  # replies stay in the thread
    assert history["messages"][0]["metadata"] == meta
    assert "metadata" not in client.conversations_history(channel="C9")["messages"][0]
    replies = client.conversations_replies(channel="C9", ts=head["ts"], include_all_metadata=True)
    assert [m["text"] for m in replies["messages"]] == ["head", "reply"]  # parent first
    later = client.conversations_history(channel="C9", oldest=head["ts"])
    assert later["messages"] == []


def test_reading_history_needs_the_scope(client: WebClient) -> None:
    with SlackStandin(token="xoxb-t", scopes={"chat:write"}) as strict:
        reader = WebClient(token="xoxb-t", base_url=strict.api_url)
        with pytest.raises(SlackApiError, match="missing_scope"):
            reader.conversations_history(channel="C1")


def test_a_dropped_reply_posts_the_message_but_never_answers(slack: SlackStandin) -> None:
    raw = WebClient(token="xoxb-t", base_url=slack.api_url, retry_handlers=[])
    slack.drop_reply("chat.postMessage")
    with pytest.raises(OSError):
        raw.chat_postMessage(channel="C1", text="sent, answer lost")
    assert [m["text"] for m in slack.messages("C1")] == ["sent, answer lost"]
