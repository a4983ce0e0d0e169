"""The eMAG operations of one seller account (MAIN or FBE): reading offers and orders,
saving offers in batches, setting MAIN stock, finding PNKs by EAN.

Reads are generators of pages so a 10,000-offer catalogue never sits in memory at once;
the HTTP side (rate limits, retries, the envelope, the call log) is `bot.emag.transport`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from bot.emag.calllog import configure_call_log
from bot.emag.errors import (
    EmagError,
)
from bot.emag.offer_writes import OfferWrites
from bot.emag.ratelimit import Wait
from bot.settings import ConfigError, Settings

PAGE_SIZE = 100
# emag-api.md, Orders: "at most 100 a page".
ORDERS_PAGE_SIZE = 100
# emag-api.md, Orders: type 2 = fulfilled by eMAG (FBE), 3 = by the seller (MAIN).
ORDER_TYPES = {"main": 3, "fbe": 2}
EANS_BATCH = 100
OFFER_FILTERS = frozenset({"id", "status", "part_number", "part_number_key", "general_stock"})
EMAG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class OfferCount:
    """`product_offer/count`, with eMAG's strings turned into numbers."""

    items: int
    pages: int
    items_per_page: int


class EmagClient(OfferWrites):
    """Calls eMAG Marketplace as one seller account; see the module docstring."""

    # -- offers -------------------------------------------------------------------------

    def read_offers(
        self,
        *,
        page_size: int = PAGE_SIZE,
        expected: int | None = None,
        on_wait: Wait | None = None,
        **filters: Any,
    ) -> Iterator[list[dict]]:
        """Yield this account's offers one page at a time.

        The read ends at an empty page, or at a short page once `expected` offers (from
        `count_offers`) have come: eMAG can send a short page in the middle of a read, so
        with `expected` given a short page alone does not end it. Filters are checked
        now, before the first page is asked for. `on_wait` hears of the rate limiter's
        waits (`SlidingWindowLimiter.acquire`), as in the other calls that take it.
        """
        self._check_filters(filters)
        page_size = max(1, min(page_size, PAGE_SIZE))  # eMAG clamps; a clamped page looks short
        return self._pages(
            "product_offer/read", "offers", page_size, filters, expected or 0, on_wait
        )

    def count_offers(self, on_wait: Wait | None = None, **filters: Any) -> OfferCount:
        """How many offers match; eMAG answers with strings, this returns ints."""
        self._check_filters(filters)
        results = self._post("product_offer/count", "offers", filters, on_wait)
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

    # -- orders and documentation -----------------------------------------------------

    def read_orders(self, since: datetime) -> Iterator[list[dict]]:
        """Yield pages of this account's orders created at or after `since`, each order
        once (by id).

        The account's own order type is asked for (MAIN 3, FBE 2: eMAG answers type 3
        only when none is given). Pages come newest first, 100 at most, and the read goes
        on until a page is empty or wholly older than `since`; an order pushed onto the
        next page by a new one is not counted twice. `since` without a zone is eMAG's
        local time.
        """
        if since.tzinfo is not None:
            since = since.astimezone(self.api_timezone).replace(tzinfo=None)
        filters = {"createdAfter": since.strftime(EMAG_DATE_FORMAT), "type": self.order_type}
        seen: set[Any] = set()
        pages = self._pages("order/read", "orders", ORDERS_PAGE_SIZE, filters, short_ends=None)
        for page in pages:
            # Filter again here: eMAG ignores filters it does not know, silently.
            recent = [order for order in page if not _created_before(order, since)]
            if not recent:
                return
            fresh = [order for order in recent if order.get("id") not in seen]
            seen.update(order.get("id") for order in fresh)
            if fresh:
                yield fresh

    def read_category_names(
        self, ids: Iterable[int], on_wait: Wait | None = None
    ) -> dict[int, str]:
        """The names of eMAG categories by id (`category/read`, one call per id); an id
        eMAG does not know is left out."""
        names: dict[int, str] = {}
        for category_id in ids:
            results = self._post("category/read", "offers", {"id": category_id}, on_wait)
            for item in results if isinstance(results, list) else []:
                if isinstance(item, dict) and str(item.get("id")) == str(category_id):
                    name = str(item.get("name") or "").strip()
                    if name:
                        names[category_id] = name[:128]
        return names

    @property
    def order_type(self) -> int:
        return ORDER_TYPES[self.account]

    def find_by_eans(self, eans: Iterable[str]) -> dict[str, list[dict]]:
        """Look EANs up in eMAG's catalogue (100 per call): each EAN with the products
        eMAG has for it (`part_number_key`, `product_name`, ...), empty when unknown."""
        unique = list(dict.fromkeys(str(ean) for ean in eans))
        found: dict[str, list[dict]] = {}
        for start in range(0, len(unique), EANS_BATCH):
            params = [("eans[]", ean) for ean in unique[start : start + EANS_BATCH]]
            response = self._send(
                "GET", "documentation/find_by_eans", "find_by_eans", params=params
            )
            results = self._check_envelope(response, "documentation/find_by_eans")
            for ean, products in _products_by_ean(results).items():
                found.setdefault(ean, []).extend(products)
        return found

    @staticmethod
    def _check_filters(filters: Mapping[str, Any]) -> None:
        # eMAG silently ignores unknown filters: a misspelt one would read everything.
        unknown = set(filters) - OFFER_FILTERS
        if unknown:
            raise ValueError(
                f"unknown offer filters {sorted(unknown)}; use {sorted(OFFER_FILTERS)}"
            )


def _products_by_ean(results: Any) -> dict[str, list[dict]]:
    """eMAG's answer is keyed by EAN (emag-api.md, Find by EAN); a list of items, each
    with its `eans`, is accepted too, defensively."""
    if isinstance(results, dict):
        return {
            str(ean): [p for p in (entry or {}).get("products") or [] if isinstance(p, dict)]
            for ean, entry in results.items()
            if isinstance(entry, dict) or entry is None
        }
    found: dict[str, list[dict]] = {}
    for item in results if isinstance(results, list) else []:
        if isinstance(item, dict):
            for ean in item.get("eans") or []:
                found.setdefault(str(ean), []).append(item)
    return found


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
    if settings.emag_call_log:
        configure_call_log(settings.emag_call_log)
    options.setdefault("save_wrapped", settings.emag_save_wrapped)
    options.setdefault("timeout", settings.emag_timeout_s)
    options.setdefault("api_timezone", settings.emag_zone)
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
