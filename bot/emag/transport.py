"""The HTTP side of one eMAG seller account: rate limiting, retries with backoff on
429/5xx/timeouts, pagination and the response envelope.

Each call waits on the account's local rate limiter and is retried on what usually
passes; anything but `isError: false` is an `EmagError`, and a refused login or IP is
said as such. `bot.emag.client.EmagClient` builds the eMAG operations on top of it.
"""

from __future__ import annotations

import itertools
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Self
from zoneinfo import ZoneInfo

import httpx

from bot.emag.calllog import log_call
from bot.emag.errors import (
    EmagAuthError,
    EmagError,
    EmagIpNotWhitelistedError,
    EmagUnavailableError,
    envelope_messages,
)
from bot.emag.ratelimit import AccountLimiters, SlidingWindowLimiter, Wait, shared_limiters
from bot.emag.retry import RetryPolicy
from bot.engine.models import Account

logger = logging.getLogger("bot.emag.client")

_IP_IN_MESSAGE = re.compile(r"\[([0-9a-fA-F.:]+)\]")
# Transport failures worth another try; others (bad URL, TLS setup) will not get better.
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class EmagTransport:
    """One seller account's HTTP session with eMAG; see the module docstring."""

    def __init__(
        self,
        account: Account,
        base_url: str,
        username: str,
        password: str,
        *,
        save_wrapped: bool = False,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        limiters: AccountLimiters | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        api_timezone: str = "Europe/Bucharest",
    ) -> None:
        if account not in ("main", "fbe"):
            raise ValueError(f"account must be 'main' or 'fbe', not {account!r}")
        if not username or not password:
            raise ValueError(f"{account.upper()}: an eMAG username and password are required")
        self.account: Account = account
        self.label = account.upper()
        self.save_wrapped = save_wrapped
        self.retry = retry or RetryPolicy()
        self.limiters = limiters or shared_limiters(base_url, username)
        self.api_timezone = ZoneInfo(api_timezone)
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            auth=httpx.BasicAuth(username, password),
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "stockbot"},
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label}, {self._http.base_url})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pages(
        self,
        path: str,
        family: str,
        page_size: int,
        filters: Mapping[str, Any],
        short_ends: int | None = 0,
        on_wait: Wait | None = None,
    ) -> Iterator[list[dict]]:
        """Pages until an empty one; a short page ends the read too once `short_ends`
        items have come (None: never, only an empty page does). `on_wait` hears of the
        rate limiter's waits (`SlidingWindowLimiter.acquire`)."""
        previous: list[dict] | None = None
        received = 0
        for page in itertools.count(1):
            body = {**filters, "currentPage": page, "itemsPerPage": page_size}
            results = self._post(path, family, body, on_wait)
            if not isinstance(results, list):
                raise EmagError(
                    self.account, f"{path} returned {type(results).__name__}, not a list"
                )
            if not results:
                return
            if results == previous:
                # Without totals, a server ignoring currentPage would loop forever.
                raise EmagError(self.account, f"{path} returned page {page} twice; stopped")
            previous = results
            received += len(results)
            yield results
            if short_ends is not None and len(results) < page_size and received >= short_ends:
                return

    def _post(self, path: str, family: str, body: Any, on_wait: Wait | None = None) -> Any:
        response = self._send("POST", path, family, json=body, on_wait=on_wait)
        return self._check_envelope(response, path)

    def _send(
        self, method: str, path: str, family: str, *, on_wait: Wait | None = None, **kwargs: Any
    ) -> httpx.Response:
        """One call with rate limiting and retries; raises on auth and exhausted retries.
        `on_wait` hears of each wait on the rate limiter (`SlidingWindowLimiter.acquire`)."""
        limiter = self.limiters.families[family]
        attempts = self.retry.attempts
        for attempt in range(1, attempts + 1):
            limiter.acquire(on_wait)  # every attempt counts against eMAG's budget, failed ones too
            started = time.monotonic()
            cause: Exception | None = None
            request = kwargs.get("json", kwargs.get("params"))
            try:
                try:
                    response = self._http.request(
                        method, path, extensions={"trace": _stamps(limiter)}, **kwargs
                    )
                finally:
                    limiter.answered()  # already done when headers came; failures too
            except _RETRYABLE_TRANSPORT as exc:
                problem, cause = type(exc).__name__, exc
                log_call(self.account, method, path, request, None, 0.0, problem)
            else:
                elapsed = time.monotonic() - started
                log_call(
                    self.account,
                    method,
                    path,
                    request,
                    response.status_code,
                    elapsed,
                    response.text,
                )
                logger.debug(
                    "%s %s %s -> %d in %.3fs",
                    self.label,
                    method,
                    path,
                    response.status_code,
                    elapsed,
                )
                if not self.retry.should_retry_status(response.status_code):
                    self._raise_if_refused(response)
                    return response
                problem = f"HTTP {response.status_code}"
            logger.warning(
                "%s %s %s: %s (attempt %d of %d)",
                self.label,
                method,
                path,
                problem,
                attempt,
                attempts,
            )
            if attempt == attempts:
                raise EmagUnavailableError(
                    self.account,
                    f"eMAG kept failing on {method} {path} after {attempts} attempts "
                    f"(last: {problem})",
                ) from cause
            self._sleep(self.retry.delay(attempt, throttled=problem == "HTTP 429"))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _raise_if_refused(self, response: httpx.Response) -> None:
        messages = envelope_messages(json_or_none(response))
        said = "; ".join(messages) or f"HTTP {response.status_code}"
        refused_ip = next((m for m in messages if "invalid vendor ip" in m.lower()), None)
        if refused_ip is not None:
            seen = _IP_IN_MESSAGE.search(refused_ip)
            raise EmagIpNotWhitelistedError(
                self.account,
                f"eMAG refused the IP {seen.group(1) if seen else '(not given)'}: add it to "
                f"the {self.label} account's API whitelist in the eMAG Marketplace interface "
                "(README, eMAG IP whitelist)",
                status=response.status_code,
                messages=messages,
            )
        if response.status_code in (401, 403) or any(
            "not allowed to use this api" in message.lower() for message in messages
        ):
            raise EmagAuthError(
                self.account,
                f"eMAG refused the credentials ({said})",
                status=response.status_code,
                messages=messages,
            )

    def _check_envelope(self, response: httpx.Response, what: str) -> Any:
        body = json_or_none(response)
        if response.is_success and isinstance(body, dict) and body.get("isError") is False:
            return body.get("results")
        messages = envelope_messages(body)
        if body is None and response.content:
            messages = [f"non-JSON answer: {response.text[:200]!r}"]
        logger.warning(
            "%s %s: eMAG error (HTTP %d): %s", self.label, what, response.status_code, messages
        )
        raise EmagError(
            self.account,
            f"eMAG reported an error on {what} (HTTP {response.status_code}): "
            f"{'; '.join(messages) or 'no message'}",
            status=response.status_code,
            messages=messages,
        )


def _stamps(limiter: SlidingWindowLimiter) -> Callable[[str, dict], None]:
    """An httpcore trace hook telling `limiter` when the request starts to leave, after
    any connection setup, and when its answer's headers are in: eMAG counted the call
    between the two (`SlidingWindowLimiter`)."""

    def trace(event: str, info: dict) -> None:
        if event.endswith("send_request_headers.started"):
            limiter.sending()
        elif event.endswith("receive_response_headers.complete"):
            limiter.answered()

    return trace


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
