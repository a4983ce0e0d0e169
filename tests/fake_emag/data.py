"""Realistic eMAG offers and orders for the fake server, deterministic for a given seed.

Offers look exactly like the example item of docs emag-api.md: prices are strings with
4 decimals, stock is a list per warehouse, the seller `id` differs between MAIN and FBE
for the same SKU while the PNK and EANs are shared.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

PNK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_OFFER_ID = 16_777_215
BRANDS = ("Logitech", "Trust", "Genius", "Hama", "Serioux", "A4Tech", "Canyon", "Baseus")
NOUNS = (
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
# eMAG category ids and names (category/read); offers carry only the id.
CATEGORIES = {
    1001: "Telefoane mobile",
    1002: "Huse telefoane",
    1003: "Cabluri si adaptoare",
    1004: "Mouse",
    1005: "Boxe portabile",
}
HOTNESS = ("SUPER HOT", "HOT", "WARM", "COLD", "SUPER COLD")

# The reference product of the spec: out of stock on MAIN, plenty on FBE, one competitor.
EMG331 = {
    "part_number": "EMG331",
    "part_number_key": "DNN83CYBM",
    "ean": ["8266294692464"],
    "name": "EMG331 demo product",
    "brand": "Serioux",
    "sale_price": "99.0000",
    "number_of_offers": 2,
    "buy_button_rank": None,
    "best_offer_sale_price": "95.5000",
    "best_offer_recommended_price": "110.0000",
}
EMG331_IDS = {"main": 243409, "fbe": 871204}
EMG331_STOCK = {"main": 0, "fbe": 26}


def money(value: Any) -> str:
    """eMAG's price format: a string with 4 decimals."""
    return f"{Decimal(str(value)):.4f}"


def ean13(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(12)]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def pnk(rng: random.Random) -> str:
    return "".join(rng.choice(PNK_ALPHABET) for _ in range(9))


def stock_list(value: int, warehouse_id: int = 1) -> list[dict]:
    return [{"warehouse_id": warehouse_id, "value": value}]


def normalize_offer(offer: dict) -> dict:
    """Keep derived fields consistent after an insert or an update."""
    if isinstance(offer.get("stock"), int):
        offer["stock"] = stock_list(offer["stock"])
    if isinstance(offer.get("handling_time"), int):
        offer["handling_time"] = stock_list(offer["handling_time"])
    general = sum(int(entry.get("value", 0)) for entry in offer.get("stock") or [])
    offer["general_stock"] = general
    offer["estimated_stock"] = min(int(offer.get("estimated_stock", general)), general)
    for key in (
        "sale_price",
        "recommended_price",
        "min_sale_price",
        "max_sale_price",
        "best_offer_sale_price",
        "best_offer_recommended_price",
    ):
        if offer.get(key) is not None:
            offer[key] = money(offer[key])
    return offer


def complete_offer(fields: dict, rng: random.Random, offer_id: int) -> dict:
    """A full offer from whatever `fields` the test cares about; the rest is plausible."""
    price = Decimal(str(fields.get("sale_price", rng.randint(2000, 90000) / 100)))
    noun = rng.choice(NOUNS)
    brand = fields.get("brand", rng.choice(BRANDS))
    stock = fields.get("stock", rng.choice((0, 0, 1, 3, 5, 12, 26, 40)))
    offers = fields.get("number_of_offers", rng.randint(1, 6))
    offer: dict[str, Any] = {
        "id": offer_id,
        "part_number": fields.get("part_number", f"SKU{offer_id}"),
        "part_number_key": fields.get("part_number_key") or pnk(rng),
        "ean": fields.get("ean") or [ean13(rng)],
        "name": f"{brand} {noun}",
        "brand": brand,
        "status": 1 if rng.random() < 0.92 else rng.choice((0, 2)),
        "sale_price": price,
        "recommended_price": price * Decimal("1.15"),
        "min_sale_price": price * Decimal("0.8"),
        "max_sale_price": price * Decimal("1.5"),
        "currency": "RON",
        "vat_id": 1,
        "stock": stock,
        "general_stock": 0,  # derived in normalize_offer
        "estimated_stock": stock if isinstance(stock, int) else 0,
        "handling_time": 1,
        "number_of_offers": offers,
        "buy_button_rank": rng.randint(1, offers) if offers > 1 and rng.random() < 0.7 else None,
        "best_offer_sale_price": price * Decimal(str(rng.uniform(0.9, 1.0))),
        "best_offer_recommended_price": price * Decimal("1.1"),
        "offer_details": {"id": rng.randint(10_000_000, 99_999_999), "supply_lead_time": 14},
        "category_id": rng.choice(sorted(CATEGORIES)),
        "offer_validation_status": {"value": 1, "description": "Saleable"},
        "validation_status": [
            {"value": 9, "description": "Approved documentation", "errors": None}
        ],
    }
    if offers == 1:
        offer["buy_button_rank"] = 1
    offer.update({key: value for key, value in fields.items() if key != "id"})
    if isinstance(offer["ean"], str):
        offer["ean"] = [offer["ean"]]
    return normalize_offer(offer)


def product_fields(n_products: int, seed: int) -> Iterator[tuple[dict, dict, dict]]:
    """(shared fields, MAIN-only fields, FBE-only fields) for each product; EMG331 included."""
    rng = random.Random(seed)
    numbers = list(range(1, n_products + 1))
    if n_products and 331 not in numbers:
        numbers[-1] = 331
    used_pnks = {EMG331["part_number_key"]}
    for number in numbers:
        if number == 331:
            yield (
                dict(EMG331),
                {"id": EMG331_IDS["main"], "stock": EMG331_STOCK["main"]},
                {"id": EMG331_IDS["fbe"], "stock": EMG331_STOCK["fbe"]},
            )
            continue
        key = pnk(rng)
        while key in used_pnks:
            key = pnk(rng)
        used_pnks.add(key)
        offers = rng.randint(1, 6)
        shared = {
            "part_number": f"EMG{number:03d}",
            "part_number_key": key,
            "ean": [ean13(rng)],
            "sale_price": rng.randint(2000, 90000) / 100,
            "number_of_offers": offers,
        }
        main = {"stock": rng.choice((0, 0, 1, 2, 4, 5, 8, 15, 30))}
        fbe = {"stock": rng.choice((0, 0, 3, 6, 10, 16, 26, 60))}
        if offers > 1:
            main["buy_button_rank"] = rng.choice((None, *range(1, offers + 1)))
            fbe["buy_button_rank"] = rng.choice((None, *range(1, offers + 1)))
        yield shared, main, fbe


def order_line(offers: dict[int, dict], given: dict) -> dict:
    """An order line as eMAG sends it (emag-api.md, Orders): `product_id` is the seller's
    offer id, `ext_part_number` the seller's part number, `part_number` the documentation
    owner's (another seller's when the offer is attached to their product)."""
    offer = offers.get(given.get("product_id")) or next(
        (o for o in offers.values() if o["part_number"] == given.get("part_number")), None
    )
    if offer is None:
        raise ValueError(f"no offer for order line {given}")
    line = {
        "product_id": offer["id"],
        "ext_part_number": offer["part_number"],
        "part_number": offer["part_number"],
        "part_number_key": offer["part_number_key"],
        "quantity": 1,
        "storno_qty": 0,
        "sale_price": offer["sale_price"],
        "status": 1,
    }
    line.update(given)
    return line


def random_orders(
    rng: random.Random,
    offers: list[dict],
    order_type: int,
    now: datetime,
    days: int,
    per_day: float,
) -> list[dict]:
    """Orders (without ids) over the last `days` days, oldest first, drawn from `offers`:
    some lines attached to another seller's documentation (a foreign `part_number`), some
    removed from their order (line `status` 0) or partly cancelled (`storno_qty`)."""
    orders: list[dict] = []
    if not offers:
        return orders
    by_id = {offer["id"]: offer for offer in offers}
    for day in range(days, -1, -1):
        for _ in range(rng.randint(0, max(1, round(per_day * 2)))):
            moment = now - timedelta(days=day, seconds=rng.randint(0, 86_399))
            if moment > now:
                continue
            lines = rng.sample(offers, k=min(len(offers), rng.choice((1, 1, 1, 2))))
            products = []
            for offer in lines:
                quantity = rng.choice((1, 1, 1, 2, 3))
                line: dict[str, Any] = {"product_id": offer["id"], "quantity": quantity}
                if rng.random() < 0.2:
                    line["part_number"] = f"DOC-{offer['part_number_key']}"
                if rng.random() < 0.05:
                    line["status"] = 0
                elif quantity > 1 and rng.random() < 0.1:
                    line["storno_qty"] = 1
                products.append(order_line(by_id, line))
            orders.append(
                {
                    "type": order_type,
                    "date": moment.strftime("%Y-%m-%d %H:%M:%S"),
                    "status": rng.choice((4, 4, 4, 4, 3, 1, 0)),
                    "products": products,
                }
            )
    orders.sort(key=lambda order: order["date"])
    return orders
