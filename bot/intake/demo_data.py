"""The demo catalogue: EMG331 exactly as engine.md, plus generated products covering
every scenario in both directions. Deterministic, with times relative to `now`, so
seeding twice gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from bot.engine.models import Account, OfferSnapshot, ProductSnapshot
from storage.snapshot_rows import OFFER_FIELDS

_NAMES = (
    "Wireless mouse",
    "USB-C cable 2m",
    "Mechanical keyboard",
    "Laptop stand",
    "Bluetooth speaker",
    "Phone case",
    "HDMI adapter",
    "Desk lamp LED",
    "Power bank 20000mAh",
    "Webcam Full HD",
)
_PNK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
T = TypeVar("T")


def emg331(now: datetime) -> ProductSnapshot:
    """The reference case of engine.md."""
    return ProductSnapshot(
        sku="EMG331",
        pnk="DNN83CYBM",
        ean="8266294692464",
        name="EMG331 demo product",
        main=OfferSnapshot(
            account="main",
            offer_id=243409,
            pnk="DNN83CYBM",
            stock=0,
            general_stock=0,
            estimated_stock=0,
            number_of_offers=2,
            buy_button_rank=None,
            sale_price=Decimal("99.0000"),
            status=1,
            # About 0.7 a day on its days with stock (engine.md, EMG331).
            sales_velocity=Decimal("0.7000"),
            last_read_at=now,
            last_sent_at=now - timedelta(days=8),
        ),
        fbe=OfferSnapshot(
            account="fbe",
            offer_id=871204,
            pnk="DNN83CYBM",
            stock=26,
            general_stock=26,
            estimated_stock=26,
            number_of_offers=2,
            buy_button_rank=None,
            sale_price=Decimal("99.0000"),
            status=1,
            sales_velocity=Decimal("0.3000"),
            last_read_at=now,
            last_sent_at=now - timedelta(days=2),
        ),
    )


class _Draws:
    """random.Random(seed)'s randint, choice and random: the same numbers, drawn from the
    generator's bits as random.Random itself does (3.11 `_randbelow_with_getrandbits`),
    without its layers of Python calls; a million products draw some 16 million."""

    def __init__(self, seed: int) -> None:
        generator = random.Random(seed)
        self._bits = generator.getrandbits
        self.random = generator.random

    def below(self, n: int) -> int:
        bits, width = self._bits, n.bit_length()
        drawn = bits(width)
        while drawn >= n:
            drawn = bits(width)
        return drawn

    def randint(self, low: int, high: int) -> int:
        return low + self.below(high - low + 1)

    def choice(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]

    def pnk(self) -> str:
        bits, alphabet, size = self._bits, _PNK_ALPHABET, len(_PNK_ALPHABET)
        width, letters = size.bit_length(), []
        for _ in range(9):
            drawn = bits(width)
            while drawn >= size:
                drawn = bits(width)
            letters.append(alphabet[drawn])
        return "".join(letters)


# Each shape gives (main, fbe) offer fields for a product; `a` is the account examined.
Shape = Callable[[_Draws, Account], dict[Account, dict | None]]


def _pair(a: Account, here: dict | None, there: dict | None) -> dict[Account, dict | None]:
    return {"main": here, "fbe": there} if a == "main" else {"main": there, "fbe": here}


def _zero_with_spare(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    return _pair(a, {"stock": 0, "noo": 2}, {"stock": rng.randint(16, 60), "noo": 2})


def _zero_nothing_to_spare(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    return _pair(a, {"stock": 0, "noo": 3}, {"stock": rng.randint(1, 5), "noo": 3})


def _both_zero(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    return _pair(a, {"stock": 0, "noo": 2}, {"stock": 0, "noo": 2})


def _low_with_spare(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    return _pair(
        a, {"stock": rng.randint(1, 4), "noo": 3}, {"stock": rng.randint(20, 50), "noo": 3}
    )


def _rebalance(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    return _pair(
        a,
        {"stock": rng.randint(6, 12), "noo": 4, "rank": 1},
        {"stock": rng.randint(30, 80), "noo": 4, "rank": 3},
    )


def _idle_source(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    # Both offers active: number_of_offers 2 on the idle side counts only us.
    return _pair(
        a, {"stock": rng.randint(6, 9), "noo": 4}, {"stock": rng.randint(25, 90), "noo": 2}
    )


def _stale_offer(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    days = rng.choice([None, 7, 9, 14, 30])
    return _pair(
        a,
        {"stock": rng.randint(10, 40), "noo": 1, "sent_days": days},
        {"stock": rng.randint(10, 40), "noo": 1},
    )


def _single_account(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    return _pair(a, {"stock": rng.choice([0, 3, 25]), "noo": rng.choice([1, 3])}, None)


def _unknown_numbers(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    return _pair(a, {"stock": None, "noo": None}, {"stock": rng.randint(5, 30), "noo": 2})


def _healthy(rng: _Draws, a: Account) -> dict[Account, dict | None]:
    competing = rng.random() < 0.5
    return _pair(
        a,
        {
            "stock": rng.randint(11, 40),
            "noo": 4 if competing else 2,
            "rank": 1 if competing else None,
        },
        {
            "stock": rng.randint(8, 10),
            "noo": 4 if competing else 2,
            "rank": 2 if competing else None,
        },
    )


# Healthy products dominate a real catalogue; every other shape appears in both directions.
_SHAPES: tuple[tuple[Shape, int], ...] = (
    (_zero_with_spare, 4),
    (_zero_nothing_to_spare, 2),
    (_both_zero, 1),
    (_low_with_spare, 4),
    (_rebalance, 3),
    (_idle_source, 3),
    (_stale_offer, 5),
    (_single_account, 2),
    (_unknown_numbers, 1),
    (_healthy, 25),
)


def _shape_cycle() -> list[Shape]:
    return [shape for shape, weight in _SHAPES for _ in range(weight)]


# The fields a generated offer sets (the others keep OfferSnapshot's defaults), in the
# snapshot's order (storage.snapshot_rows); `generated_rows` gives their values so.
_GENERATED = {"offer_id", "pnk", "stock", "general_stock", "estimated_stock"}
_GENERATED |= {"number_of_offers", "buy_button_rank", "sale_price", "status"}
_GENERATED |= {"sales_velocity", "last_read_at", "last_sent_at"}
GENERATED_FIELDS = tuple(name for name in OFFER_FIELDS if name in _GENERATED)
# A generated product: sku, pnk, ean, name, and the values of its MAIN and FBE offers.
Generated = tuple[str, str, str, str, tuple | None, tuple | None]


def generated_rows(count: int, now: datetime, seed: int = 331) -> Iterator[Generated]:
    """`count` generated products as plain values; the same `count` and `seed` give the
    same products (a million of them are the demo's bulk: no model object per offer)."""
    rng = _Draws(seed)
    shapes = _shape_cycle()
    # The few values offers share, made once.
    sent: dict[int | None, datetime | None] = {None: None}
    paces = {units: Decimal(units) / 10 for units in range(1, 13)}
    for index in range(count):
        shape = shapes[index % len(shapes)]
        direction: Account = "main" if (index // len(shapes)) % 2 == 0 else "fbe"
        offers = shape(rng, direction)
        pnk = rng.pnk()
        # Prices of everyday electronics: 20 to 400 lei.
        price = Decimal(rng.randint(1990, 39990)) / 100
        built: list[tuple | None] = []
        for account, fields in offers.items():
            if fields is None:
                built.append(None)
                continue
            sent_days = fields.get("sent_days", rng.randint(0, 5))
            if sent_days not in sent:
                sent[sent_days] = now - timedelta(days=sent_days, hours=1)
            stock = fields["stock"]
            # A few units a week to a couple a day; some offers have no sales data at all.
            pace = None if rng.random() < 0.15 else paces[rng.randint(1, 12)]
            offer_id = (index + 1) * 2 + (1 if account == "main" else 2)
            given = (offer_id, pnk, stock, stock, stock, fields["noo"], fields.get("rank"))
            built.append((*given, price, 1, pace, now, sent[sent_days]))
        yield (
            f"EMG{1000 + index}",
            pnk,
            str(5940000000000 + index),
            f"{_NAMES[index % len(_NAMES)]} #{index}",
            built[0],
            built[1],
        )


def generated_catalogue(count: int, now: datetime, seed: int = 331) -> Iterator[ProductSnapshot]:
    """`count` generated products; the same `count` and `seed` give the same products."""
    for sku, pnk, ean, name, main, fbe in generated_rows(count, now, seed):
        offers = {
            account: OfferSnapshot(
                account=account, **dict(zip(GENERATED_FIELDS, values, strict=True))
            )
            for account, values in (("main", main), ("fbe", fbe))
            if values is not None
        }
        yield ProductSnapshot(sku=sku, pnk=pnk, ean=ean, name=name, **offers)
