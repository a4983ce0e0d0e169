"""The eMAG operations of one seller account (MAIN or FBE): reading offers and orders,
saving offers in batches, setting MAIN stock, finding PNKs by EAN.

Reads are generators of pages so a 10,000-offer catalogue never sits in memory at once;
the HTTP side (rate limits, retries, the envelope) is `bot.emag.transport`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from bot.emag.errors import (
    EmagError,
    EmagFbeWriteError,
    EmagNotFoundError,
    EmagRequestError,
    EmagSaveError,
    envelope_messages,
)
from bot.emag.transport import EmagTransport, json_or_none
from bot.settings import ConfigError, Settings

PAGE_SIZE = 100
ORDERS_PAGE_SIZE = 1000
SAVE_BATCH = 50
EANS_BATCH = 100
MAX_OFFER_ID = 16_777_215
MAX_STOCK = 65_535
OFFER_FILTERS = frozenset({"id", "status", "part_number", "part_number_key", "general_stock"})
FBE_MANAGED_FIELDS = ("stock", "handling_time", "status")
EMAG_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class OfferCount:
    """`product_offer/count`, with eMAG's strings turned into numbers."""

    items: int
    pages: int
    items_per_page: int


class EmagClient(EmagTransport):
    """Calls eMAG Marketplace as one seller account; see the module docstring."""

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
        messages = envelope_messages(json_or_none(response))
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

    @staticmethod
    def _check_filters(filters: Mapping[str, Any]) -> None:
        # eMAG silently ignores unknown filters: a misspelt one would read everything.
        unknown = set(filters) - OFFER_FILTERS
        if unknown:
            raise ValueError(
                f"unknown offer filters {sorted(unknown)}; use {sorted(OFFER_FILTERS)}"
            )


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
