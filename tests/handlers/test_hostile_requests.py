"""Requests Slack never sends, over HTTP to the real app on 127.0.0.1: bodies over the
limit (declared and chunked), and a fuzz of malformed, unsigned and mis-signed requests.
None of them may get a 500, log a traceback, or have its body written to the log."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from slack_bolt import BoltRequest

from bot.app import create_app
from bot.slack_standin.requests import signed_headers
from bot.web.edge import MAX_BODY_BYTES
from tests.handlers.conftest import SECRET, Bot, _bot, wait_for
from tests.streaming import FORM, stream_post

API_TOKEN = "api-token-for-hostile-tests"


@pytest.fixture
def api_bot(tmp_path) -> Iterator[Bot]:  # type: ignore[no-untyped-def]
    yield from _bot(tmp_path, {"STOCKBOT_API_TOKENS": API_TOKEN})


def _web_lines(caplog: pytest.LogCaptureFixture, count: int = 1) -> list[str]:
    """The edge's access-log lines, once `count` are there (written after the answer)."""
    return wait_for(
        lambda: (
            [r.getMessage() for r in caplog.records if r.name == "stockbot.web"][count - 1 :]
            and [r.getMessage() for r in caplog.records if r.name == "stockbot.web"]
        )
    )


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("path", ["/slack/events", "/api/v1/stock-sync/bulk-analyze", "/nowhere"])
def test_a_body_over_1_mb_gets_413_before_it_is_read(
    api_bot: Bot, caplog: pytest.LogCaptureFixture, path: str, chunked: bool
) -> None:
    caplog.set_level(logging.INFO)
    token = f"Authorization: Bearer {API_TOKEN}\r\n"
    status, sent = stream_post(api_bot.url, path, 100 * 2**20, chunked, token)
    # A chunked body is refused once a route reads past the limit; a route that never
    # reads it (an unknown path) answers without it.
    assert status == (404 if chunked and path == "/nowhere" else 413)
    assert sent < 20 * 2**20  # cut off, not read to the end
    [line] = _web_lines(caplog)
    assert f"POST {path} status={status}" in line
    assert "aaaa" not in caplog.text


def test_a_body_at_the_limit_is_read_and_judged_by_its_signature(bot: Bot) -> None:
    body = "a" * MAX_BODY_BYTES
    answer = httpx.post(f"{bot.url}/slack/events", content=body, headers={"Content-Type": FORM})
    assert answer.status_code == 401


def test_each_request_is_logged_once_with_its_id_route_status_and_size_never_its_body(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = "payload=" + quote(json.dumps({"secret-ish": "do-not-log-me"}))
    answer = httpx.post(
        f"{bot.url}/slack/events",
        content=body,
        headers={"Content-Type": FORM, "X-Request-Id": "req-17", **signed_headers("bad", body)},
    )
    assert answer.status_code == 401
    assert answer.headers["x-request-id"] == "req-17"
    lines = _web_lines(caplog)
    assert len(lines) == 1 and "id=req-17 POST /slack/events status=401" in lines[0]
    assert f"length={len(body)}" in lines[0]
    assert "do-not-log-me" not in caplog.text  # Bolt's "Invalid request signature" is quiet


def test_a_crafted_request_id_or_path_cannot_forge_log_lines(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answer = httpx.get(f"{bot.url}/x%0Afake%20line", headers={"X-Request-Id": "a b\tc"})
    assert answer.status_code == 404
    [line] = _web_lines(caplog)
    assert "\n" not in line and "a b" not in line and answer.headers["x-request-id"] in line


def _bodies(rng: random.Random) -> Iterator[tuple[str | bytes, str]]:
    """(body, content type) pairs Slack never sends, round robin, forever."""
    payloads = [
        "{bad",
        "null",
        "[]",
        "[1, 2]",
        '"text"',
        "17",
        "true",
        "{}",
        '{"type": "block_actions"}',
        '{"type": "block_actions", "actions": "x"}',
        '{"type": "block_actions", "actions": [null]}',
        '{"type": "block_actions", "actions": [{"action_id": 5}], "user": "U1"}',
        '{"type": "view_submission", "view": null}',
        '{"type": "view_submission", "view": {"callback_id": "amount", "state": 5}}',
        '{"team": 5, "user": []}',
        '{"enterprise": "E1", "team": {"id": null}}',
        '{"type": "shortcut", "callback_id": ["x"]}',
        '{"' + "k" * 5000 + '": 1}',
        "{" * 5000,
    ]
    events = [
        "null",
        "[]",
        '{"type": "event_callback", "event": "x"}',
        '{"type": "event_callback", "event": []}',
        '{"type": "event_callback", "event": {"type": "app_home_opened", "user": null}}',
        '{"type": "url_verification"}',
        '{"type": "url_verification", "challenge": {"a": 1}}',
        '{"type": "event_callback", "authorizations": "x"}',
        '{"event": {"user_team": 5}, "is_ext_shared_channel": true, "type": "event_callback"}',
    ]
    forms = [
        "command=/stock",
        "command=/stock&text=analyze%20EMG331",
        "command=/stock&user_id=&text=%00%00",
        "command=/other&user_id=U1",
        "text=" + "%FF" * 50,
        "a=%zz&&&==",
        "",
        "\x00\x01\x02",
    ]
    raw = [b"\xff\xfe\x00", b"payload=\xc3\x28", b"\x80" * 100]
    while True:
        yield "payload=" + quote(rng.choice(payloads)), FORM
        yield rng.choice(events), "application/json"
        yield rng.choice(forms), FORM
        yield rng.choice(raw), rng.choice([FORM, "application/json", "text/plain"])
        yield rng.choice(payloads + events), rng.choice(["text/plain", "", "multipart/form-data"])


def _headers(rng: random.Random, body: str | bytes, kind: int) -> dict[str, str]:
    """Signed right, unsigned, mis-signed, or with a broken timestamp or signature."""
    data = body if isinstance(body, str) else body.decode("latin-1")
    now = int(time.time())
    if kind == 0:
        return signed_headers(SECRET, data) if isinstance(body, str) else _signed_bytes(body)
    if kind == 1:
        return {}
    if kind == 2:
        return signed_headers("not-the-secret", data)
    if kind == 3:
        return signed_headers(SECRET, data, now - 3600)  # outside the 5 minutes
    stamp = rng.choice(["abc", "", "-1", "1e9", "١٢٣٤", "9" * 40, "1 2", str(now) + "\u00a0"])
    signature = rng.choice(["", "v0=", "v0=" + "0" * 64, "v1=abc", "ü" * 10, "v0=" + "f" * 5000])
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def _signed_bytes(body: bytes) -> dict[str, str]:
    import hashlib
    import hmac

    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def test_a_fuzz_of_1000_malformed_unsigned_and_mis_signed_requests_never_gets_a_500(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rng = random.Random(17)
    bodies = _bodies(rng)
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=bot.url, timeout=10) as http:
        for number in range(1000):
            body, content_type = next(bodies)
            headers = {**_headers(rng, body, number % 5)}
            if content_type:
                headers["Content-Type"] = content_type
            # Header values as bytes: a timestamp in Arabic digits is not ASCII.
            encoded = {name: value.encode() for name, value in headers.items()}
            raw = body.encode("utf-8", "surrogateescape") if isinstance(body, str) else body
            answer = http.post("/slack/events", content=raw, headers=encoded)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    assert sum(statuses.values()) == 1000
    assert not [status for status in statuses if status >= 500], statuses
    assert set(statuses) <= {200, 400, 401, 404}, statuses
    assert statuses.get(401, 0) >= 600  # 4 of every 5 carry no valid signature
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, tracebacks[0].getMessage()


def test_a_fuzz_of_malformed_api_and_dashboard_requests_gets_4xx_never_a_500(
    api_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    rng = random.Random(1717)
    api = "/api/v1/stock-sync"
    paths = [
        f"{api}/analyze/%00",
        f"{api}/analyze/" + "S" * 3000,
        f"{api}/analyze/EMG%1B331",
        f"{api}/alerts?limit=1e400",
        f"{api}/alerts?limit=%00",
        f"{api}/alerts?limit=" + "9" * 400,
        f"{api}/dashboard/summary?days=-1",
        f"{api}/transfer/suggest",
        f"{api}/bulk-analyze",
        "/dashboard?page=%00&priority=%FF",
        "/dashboard/chart.png?days=NaN",
        "/dashboard/login",
        "/dashboard/validate",
    ]
    bodies: list[bytes] = [
        b"{bad",
        b"null",
        b"[]",
        b'{"skus": null}',
        b'{"skus": ["\\u0000", "' + b"x" * 5000 + b'"]}',
        b'{"sku": "A\\u0000", "from_account": "fbe", "to_account": "main", "amount": 1}',
        b'{"sku": 5, "amount": 1e400}',
        b'{"amount": "NaN"}',
        b"\xff\xfe",
        b"token=%00&sku=%00&amount=1e400",
        b"",
    ]
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=api_bot.url, timeout=10) as http:
        for number in range(300):
            auth = {"Authorization": f"Bearer {API_TOKEN}"} if number % 3 else {}
            if number % 7 == 0:
                auth = {"Authorization": "Bearer " + rng.choice(["x", "x" * 3000, "tok\x7f"])}
            content_type = rng.choice(["application/json", FORM, "text/plain"])
            method = rng.choice(["GET", "POST", "PUT", "DELETE"])
            answer = http.request(
                method,
                rng.choice(paths),
                content=rng.choice(bodies) if method != "GET" else None,
                headers={"Content-Type": content_type, **auth},
            )
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
    assert sum(statuses.values()) == 300
    assert all(400 <= status < 500 or status in (200, 303) for status in statuses), statuses
    tracebacks = [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert not tracebacks, tracebacks[0].getMessage()


def test_bolt_itself_never_logs_a_rejected_body(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    # The edge answers 401 before Bolt sees a bad signature; should anything hand Bolt
    # such a request directly, its "Invalid request signature (... body: ...)" line is
    # still kept out of the log.
    caplog.set_level(logging.DEBUG)
    app = create_app(bot.runtime.settings, runtime=bot.runtime)
    body = "command=/stock&text=secret-body-text"
    headers = {**signed_headers("wrong-secret", body), "content-type": FORM}
    answer = app.dispatch(BoltRequest(body=body, headers=headers))
    assert answer.status == 401
    assert "secret-body-text" not in caplog.text


def test_the_slack_endpoint_takes_only_posts_and_stays_out_of_the_api_document(
    api_bot: Bot,
) -> None:
    with httpx.Client(base_url=api_bot.url) as http:
        assert http.get("/slack/events").status_code == 405
        document = http.get("/api/v1/openapi.json").json()
    assert document["paths"]
    assert not [path for path in document["paths"] if path.startswith("/slack")]
