"""An httpx client for one eMAG seller account (MAIN or FBE).

Each call waits on the account's local rate limiter, is retried with backoff on
429/5xx/timeouts, and has its response envelope checked: anything but `isError: false`
is an `EmagError`. Reads are generators of pages so a 10,000-offer catalogue never sits
in memory at once.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import httpx

from bot.emag.errors import (
    EmagAuthError,
    EmagError,
    EmagFbeWriteError,
    EmagIpNotWhitelistedError,
    EmagNotFoundError,
    EmagRequestError,
    EmagSaveError,
    EmagUnavailableError,
    envelope_messages,
)
from bot.emag.ratelimit import AccountLimiters, shared_limiters
from bot.emag.retry import RetryPolicy
from bot.engine.models import Account
from bot.settings import ConfigError, Settings

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
ORDERS_PAGE_SIZE = 1000
SAVE_BATCH = 50
EANS_BATCH = 100
MAX_OFFER_ID = 16_777_215
MAX_STOCK = 65_535
OFFER_FILTERS = frozenset({"id", "status", "part_number", "part_number_key", "general_stock"})
FBE_MANAGED_FIELDS = ("stock", "handling_time", "status")
EMAG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
# Transport failures worth another try; others (bad URL, TLS setup) will not get better.
_RETRYABLE_TRANSPORT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class OfferCount:
    """`product_offer/count`, with eMAG's strings turned into numbers."""

    items: int
    pages: int
    items_per_page: int


class EmagClient:
    """Calls eMAG Marketplace as one seller account; see the module docstring."""

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
        return f"EmagClient({self.label}, {self._http.base_url})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> EmagClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- offers -------------------------------------------------------------------------

    def read_offers(self, *, page_size: int = PAGE_SIZE, **filters: Any) -> Iterator[list[dict]]:
        """Yield this account's offers one page at a time, until a short or empty page.

        Filters are checked now, before the first page is asked for.
        """
        self._check_filters(filters)
        page_size = max(1, min(page_size, PAGE_SIZE))  # eMAG clamps; a clamped page looks short
        return self._pages("product_offer/read", "offers", page_size, filters)

    def count_offers(self, **filters: Any) -> OfferCount:
        """How many offers match; eMAG answers with strings, this returns ints."""
        self._check_filters(filters)
        results = self._post("product_offer/count", "offers", filters)
        try:
            return OfferCount(
                items=int(results["noOfItems"]),
                pages=int(results["noOfPages"]),
                items_per_page=int(results["itemsPerPage"]),
            )
        except (TypeError, KeyError, ValueError):
            raise EmagError(
                self.account, f"unexpected product_offer/count results: {results!r}"
            ) from None

    def save_offers(self, offers: Sequence[Mapping[str, Any]]) -> int:
        """Send `offer/save` in batches of 50 and return how many offers were saved.

        Each offer carries its seller `id` and only the fields that change. On FBE, eMAG
        owns stock, handling_time and status, so an offer carrying them is refused here
        before anything is sent.
        """
        for offer in offers:
            offer_id = offer.get("id")
            if not isinstance(offer_id, int) or not 1 <= offer_id <= MAX_OFFER_ID:
                raise ValueError(f"{self.label}: every offer needs an integer id, got {offer_id!r}")
            if self.account == "fbe":
                managed = [name for name in FBE_MANAGED_FIELDS if name in offer]
                if managed:
                    raise EmagFbeWriteError(
                        self.account,
                        f"offer {offer_id} carries {', '.join(managed)}, which eMAG manages "
                        "for FBE offers; nothing was sent",
                    )
        saved = 0
        batches = [offers[i : i + SAVE_BATCH] for i in range(0, len(offers), SAVE_BATCH)]
        for number, batch in enumerate(batches, start=1):
            body: Any = {"data": list(batch)} if self.save_wrapped else list(batch)
            try:
                self._post("offer/save", "offers", body)
            except EmagError as exc:
                if saved == 0:
                    raise
                raise EmagSaveError(
                    self.account,
                    f"offer/save batch {number} of {len(batches)} failed after {saved} offers "
                    f"were saved ({exc})",
                    saved=saved,
                    cause=exc,
                ) from exc
            saved += len(batch)
        return saved

    def set_stock(self, offer_id: int, stock: int) -> None:
        """Set a MAIN offer's stock with `PATCH offer_stock/{id}` (eMAG answers 204)."""
        if self.account == "fbe":
            raise EmagFbeWriteError(
                self.account, "eMAG manages the stock of FBE offers; it cannot be set"
            )
        if not 0 <= stock <= MAX_STOCK:
            raise ValueError(f"stock must be between 0 and {MAX_STOCK}, got {stock}")
        response = self._send("PATCH", f"offer_stock/{offer_id}", "offers", json={"stock": stock})
        if response.status_code == 204:
            return
        messages = envelope_messages(_json_or_none(response))
        said = "; ".join(messages) or f"HTTP {response.status_code}"
        if response.status_code == 404:
            raise EmagNotFoundError(
                self.account,
                f"offer {offer_id} does not exist on eMAG ({said})",
                status=404,
                messages=messages,
            )
        if response.is_success:
            self._check_envelope(response, f"offer_stock/{offer_id}")
            return
        raise EmagRequestError(
            self.account,
            f"eMAG refused stock {stock} for offer {offer_id}: {said}",
            status=response.status_code,
            messages=messages,
        )

    # -- orders and documentation -----------------------------------------------------

    def read_orders(
        self, since: datetime, *, page_size: int = ORDERS_PAGE_SIZE
    ) -> Iterator[list[dict]]:
        """Yield pages of orders created at or after `since` (naive = eMAG's local time)."""
        if since.tzinfo is not None:
            since = since.astimezone(self.api_timezone).replace(tzinfo=None)
        filters = {"createdAfter": since.strftime(EMAG_DATE_FORMAT)}
        page_size = max(1, min(page_size, ORDERS_PAGE_SIZE))
        for page in self._pages("order/read", "orders", page_size, filters):
            # Filter again here: eMAG ignores filters it does not know, silently.
            kept = [order for order in page if not _created_before(order, since)]
            if kept:
                yield kept

    def find_by_eans(self, eans: Iterable[str]) -> list[dict]:
        """Look EANs up in eMAG's catalogue (100 per call) to learn their PNKs."""
        unique = list(dict.fromkeys(str(ean) for ean in eans))
        found: list[dict] = []
        for start in range(0, len(unique), EANS_BATCH):
            params = [("eans[]", ean) for ean in unique[start : start + EANS_BATCH]]
            response = self._send(
                "GET", "documentation/find_by_eans", "find_by_eans", params=params
            )
            results = self._check_envelope(response, "documentation/find_by_eans")
            found.extend(results or [])
        return found

    # -- plumbing ---------------------------------------------------------------------

    @staticmethod
    def _check_filters(filters: Mapping[str, Any]) -> None:
        # eMAG silently ignores unknown filters: a misspelt one would read everything.
        unknown = set(filters) - OFFER_FILTERS
        if unknown:
            raise ValueError(
                f"unknown offer filters {sorted(unknown)}; use {sorted(OFFER_FILTERS)}"
            )

    def _pages(
        self, path: str, family: str, page_size: int, filters: Mapping[str, Any]
    ) -> Iterator[list[dict]]:
        previous: list[dict] | None = None
        for page in itertools.count(1):
            body = {**filters, "currentPage": page, "itemsPerPage": page_size}
            results = self._post(path, family, body)
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
            yield results
            if len(results) < page_size:
                return

    def _post(self, path: str, family: str, body: Any) -> Any:
        return self._check_envelope(self._send("POST", path, family, json=body), path)

    def _send(self, method: str, path: str, family: str, **kwargs: Any) -> httpx.Response:
        """One call with rate limiting and retries; raises on auth and exhausted retries."""
        limiter = self.limiters.families[family]
        attempts = self.retry.attempts
        for attempt in range(1, attempts + 1):
            limiter.acquire()  # every attempt counts against eMAG's budget, failed ones too
            started = time.monotonic()
            cause: Exception | None = None
            try:
                response = self._http.request(method, path, **kwargs)
            except _RETRYABLE_TRANSPORT as exc:
                limiter.settle()
                problem, cause = type(exc).__name__, exc
            else:
                limiter.settle()
                elapsed = time.monotonic() - started
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
        messages = envelope_messages(_json_or_none(response))
        said = "; ".join(messages) or f"HTTP {response.status_code}"
        if any("invalid vendor ip" in message.lower() for message in messages):
            raise EmagIpNotWhitelistedError(
                self.account,
                f"eMAG refused this server's IP ({said}); the server's public IP must be "
                "whitelisted for API access in the eMAG Marketplace account",
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
        body = _json_or_none(response)
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


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _created_before(order: Mapping[str, Any], since: datetime) -> bool:
    try:
        return datetime.strptime(str(order.get("date")), EMAG_DATE_FORMAT) < since
    except ValueError:
        return False  # keep what cannot be dated rather than lose sales


class EmagClients(NamedTuple):
    main: EmagClient
    fbe: EmagClient


def clients_from_settings(settings: Settings, **options: Any) -> EmagClients:
    """Both accounts' clients, or ConfigError naming every missing variable."""
    missing = [
        name
        for name, value in (
            ("EMAG_MAIN_USERNAME", settings.emag_main_username),
            ("EMAG_MAIN_PASSWORD", settings.emag_main_password),
            ("EMAG_FBE_USERNAME", settings.emag_fbe_username),
            ("EMAG_FBE_PASSWORD", settings.emag_fbe_password),
        )
        if not value or (hasattr(value, "get_secret_value") and not value.get_secret_value())
    ]
    if missing:
        raise ConfigError(f"eMAG credentials missing: set {', '.join(missing)}")
    options.setdefault("save_wrapped", settings.emag_save_wrapped)
    assert settings.emag_main_password and settings.emag_fbe_password  # checked above
    return EmagClients(
        main=EmagClient(
            "main",
            settings.emag_api_url,
            settings.emag_main_username or "",
            settings.emag_main_password.get_secret_value(),
            **options,
        ),
        fbe=EmagClient(
            "fbe",
            settings.emag_api_url,
            settings.emag_fbe_username or "",
            settings.emag_fbe_password.get_secret_value(),
            **options,
        ),
    )
