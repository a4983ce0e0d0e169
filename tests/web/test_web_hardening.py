"""The web process as a browser and a proxy meet it: the session cookie (Secure behind
HTTPS, expiring), sign-in attempts limited per address, the security headers of HTML
pages, and JSON 503 when the database is down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.runtime import Runtime
from bot.service import StockService
from bot.settings import load_settings
from bot.web.app import create_web_app
from bot.web.sessions import COOKIE, LoginLimiter, session_value
from storage.db import make_engine, make_session_factory
from tests.conftest import NOW
from tests.handlers.conftest import Clock, ServedApp
from tests.web.conftest import TOKENS, Served, serve

API = "/api/v1/stock-sync"


def _login(served: Served, token: str, **headers: str) -> httpx.Response:
    return served.http.post("/dashboard/login", data={"token": token}, headers=headers)


def _cookie_header(answer: httpx.Response) -> str:
    return answer.headers["set-cookie"].lower()


def test_the_session_cookie_expires_and_is_secure_only_behind_https(served: Served) -> None:
    plain = _cookie_header(_login(served, TOKENS[0]))
    assert "max-age=43200" in plain and "httponly" in plain and "samesite=strict" in plain
    assert "secure" not in plain.replace("samesite", "")
    # uvicorn takes the scheme from X-Forwarded-Proto sent by a trusted proxy (127.0.0.1).
    behind_https = _cookie_header(_login(served, TOKENS[0], **{"X-Forwarded-Proto": "https"}))
    assert "; secure" in behind_https


def test_stockbot_cookie_secure_forces_the_flag(tmp_path: Any) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STOCKBOT_COOKIE_SECURE", "true")
        running = serve(tmp_path, products=5)
        served = next(running)
        assert "; secure" in _cookie_header(_login(served, TOKENS[0]))
        running.close()


def test_an_expired_or_forged_session_cookie_signs_nobody_in(served: Served) -> None:
    now = int(time.time())
    fresh = session_value(TOKENS[0], now - 60)
    expired = session_value(TOKENS[0], now - 13 * 3600)
    from_the_future = session_value(TOKENS[0], now + 3600)
    forged = session_value("not-a-token", now)
    for cookie, signed_in in (
        (fresh, True),
        (expired, False),
        (from_the_future, False),
        (forged, False),
        ("garbage", False),
        (f"{now}.", False),
    ):
        served.http.cookies.set(COOKIE, cookie)
        answer = served.http.get("/dashboard")
        assert (answer.status_code == 200) is signed_in, cookie
        served.http.cookies.clear()


def test_sign_in_is_refused_for_a_minute_after_5_failures_from_one_address(
    served: Served,
) -> None:
    attacker = {"X-Forwarded-For": "203.0.113.9"}
    statuses = [_login(served, f"guess-{n}", **attacker).status_code for n in range(5)]
    assert statuses == [401] * 5
    refused = _login(served, TOKENS[0], **attacker)  # even the right token, now
    assert refused.status_code == 429 and "Too many sign-in attempts" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    other = _login(served, TOKENS[0], **{"X-Forwarded-For": "198.51.100.4"})
    assert other.status_code == 303


def test_the_limiter_forgets_failures_after_the_window() -> None:
    limiter = LoginLimiter(attempts=2, window=60)
    limiter.failed("a", now=0)
    limiter.failed("a", now=10)
    assert limiter.wait_seconds("a", now=11) == 49
    assert limiter.wait_seconds("a", now=60.5) == 0


@pytest.mark.parametrize("path", ["/dashboard/login", "/dashboard"])
def test_html_pages_carry_csp_frame_nosniff_and_referrer_headers(served: Served, path: str) -> None:
    answer = served.http.get(path, headers=served.auth())
    assert answer.headers["content-type"].startswith("text/html")
    csp = answer.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp  # no script is allowed at all
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"


def test_json_answers_are_nosniff_without_the_page_policy(served: Served) -> None:
    answer = served.http.get(f"{API}/alerts", headers=served.auth())
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in answer.headers


@pytest.fixture
def database_down() -> Iterator[Served]:
    """The web app on a PostgreSQL URL where nothing listens (port 9 on loopback)."""
    url = "postgresql://stockbot@127.0.0.1:9/stockbot"
    settings = load_settings(DATABASE_URL=url, STOCKBOT_API_TOKENS=",".join(TOKENS))
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    runtime = Runtime(
        settings, engine, sessions, StockService(sessions, settings.rules(), Clock(NOW))
    )
    with ServedApp(create_web_app(runtime)) as base, httpx.Client(base_url=base) as http:
        yield Served(base, runtime, http)


@pytest.mark.parametrize("path", ["/analyze/EMG331", "/alerts", "/dashboard/summary"])
def test_the_api_answers_json_503_when_the_database_is_down(
    database_down: Served, path: str
) -> None:
    answer = database_down.http.get(f"{API}{path}", headers=database_down.auth())
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "error",
        "error": {
            "code": "unavailable",
            "message": "the database is unavailable right now; try again in a moment",
        },
    }
    assert answer.headers["retry-after"] == "30"
