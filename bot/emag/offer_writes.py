"""What stockbot writes to one eMAG account: `offer/save` in batches of 50, with each
offer's own result (emag-api.md, Response envelope and Writing offers), and MAIN stock
through `PATCH offer_stock/{id}`. Mixed into `bot.emag.client.EmagClient`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.emag.errors import (
    EmagAuthError,
    EmagError,
    EmagFbeWriteError,
    EmagNotFoundError,
    EmagRequestError,
    EmagUnavailableError,
    envelope_messages,
)
from bot.emag.ratelimit import Wait
from bot.emag.transport import EmagTransport, json_or_none

SAVE_BATCH = 50
MAX_OFFER_ID = 16_777_215
MAX_STOCK = 65_535
FBE_MANAGED_FIELDS = ("stock", "handling_time", "status")


@dataclass
class SaveOutcome:
    """What `offer/save` did with each offer: saved (by offer id) or refused, with eMAG's
    message (emag-api.md, Response envelope: per-offer results)."""

    saved: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


class OfferWrites(EmagTransport):
    """The write operations of an account's client."""

    def save_offers(
        self, offers: Sequence[Mapping[str, Any]], on_wait: Wait | None = None
    ) -> SaveOutcome:
        """Send `offer/save` in batches of 50; say per offer whether eMAG saved it.

        Each offer carries its seller `id` and only the fields that change. An offer is
        saved only when its own result says so (or, without per-offer results, when the
        envelope does). An id outside 1..16,777,215 is refused here and the batch goes
        on; a batch eMAG refuses whole counts every offer in it as refused. A refused
        login or an eMAG that stays down raises: nothing more can be sent. On FBE, eMAG
        owns stock, handling_time and status: an offer carrying them is refused here
        before anything is sent. `on_wait` hears of the rate limiter's waits.
        """
        if self.account == "fbe":
            for offer in offers:
                managed = [name for name in FBE_MANAGED_FIELDS if name in offer]
                if managed:
                    raise EmagFbeWriteError(
                        self.account,
                        f"offer {offer.get('id')} carries {', '.join(managed)}, which eMAG "
                        "manages for FBE offers; nothing was sent",
                    )
        outcome = SaveOutcome()
        valid: list[Mapping[str, Any]] = []
        for offer in offers:
            offer_id = offer.get("id")
            if isinstance(offer_id, int) and 1 <= offer_id <= MAX_OFFER_ID:
                valid.append(offer)
            else:
                outcome.refused[_as_key(offer_id)] = (
                    f"offer id {offer_id!r} is outside 1..{MAX_OFFER_ID}; not sent"
                )
        for start in range(0, len(valid), SAVE_BATCH):
            batch = valid[start : start + SAVE_BATCH]
            body: Any = {"data": list(batch)} if self.save_wrapped else list(batch)
            try:
                results = self._post("offer/save", "offers", body, on_wait)
            except (EmagAuthError, EmagUnavailableError):
                raise
            except EmagError as exc:
                outcome.refused.update({offer["id"]: str(exc) for offer in batch})
                continue
            _record_results(outcome, [offer["id"] for offer in batch], results)
        return outcome

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


def _as_key(offer_id: object) -> int:
    return offer_id if isinstance(offer_id, int) else 0


def _record_results(outcome: SaveOutcome, ids: list[int], results: Any) -> None:
    """Per-offer results keyed by offer id; an offer without its own entry follows the
    envelope, which said no error."""
    per_offer = results if isinstance(results, dict) else {}
    for offer_id in ids:
        entry = per_offer.get(str(offer_id), per_offer.get(offer_id))
        if isinstance(entry, dict) and entry.get("isError") is not False:
            said = "; ".join(envelope_messages(entry)) or "refused without a message"
            outcome.refused[offer_id] = said
        else:
            outcome.saved.append(offer_id)
