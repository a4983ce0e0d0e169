"""eMAG's answers are data from outside too: an offer whose values no column holds is
stored with those values unknown (or clipped, for a name), and one whose SKU cannot be
stored is skipped, so the account's sync completes on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.emag.client import EmagClients
from bot.emag.sync import sync_accounts
from bot.runtime import Runtime
from storage.models import Offer, Product
from tests.fake_emag import FakeEmag


def test_a_sync_with_poisoned_offers_completes_and_stores_what_fits(
    fake: FakeEmag, runtime: Runtime, clients: EmagClients
) -> None:
    fake.populate(3)
    odd = fake.add_offer(
        "main",
        part_number="ODD1",
        name="Long\x00name " + "n" * 700,
        part_number_key="PNK\x1b" + "P" * 40,
        sale_price="1e400",
        best_offer_sale_price="NaN",
        number_of_offers=10**11,
        buy_button_rank=0,
        status=7,
    )
    fake.add_offer("main", part_number="S" * 3000)
    fake.add_offer("main", part_number="NUL\x00SKU")

    report = sync_accounts(runtime, clients, datetime.now(UTC))

    main = report.accounts[0]
    assert (main.account, main.status, main.skipped) == ("main", "ok", 2)
    with runtime.sessions() as session:
        offer, product = session.execute(
            select(Offer, Product)
            .join(Product, Product.id == Offer.product_id)
            .where(Offer.emag_offer_id == odd["id"])
        ).one()
        skus = set(session.scalars(select(Product.sku)))
    assert product.name is not None and len(product.name) == 512 and "\x00" not in product.name
    assert product.pnk is not None and len(product.pnk) == 32 and "\x1b" not in product.pnk
    assert offer.sale_price is None and offer.best_offer_sale_price is None
    assert offer.number_of_offers is None and offer.buy_button_rank is None
    assert offer.status is None
    assert "S" * 3000 not in skus and "NUL\x00SKU" not in skus
    assert runtime.service.alerts(500).total >= 1
