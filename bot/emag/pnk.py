"""The PNK consistency check: a SKU whose PNK differs between MAIN and FBE, or (asking
eMAG) whose EAN belongs to another PNK, is an issue of its own."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select

from bot.emag.client import EmagClient
from bot.i18n import _
from bot.runtime import Runtime
from storage.models import Product
from storage.queries import pnk_mismatches


class PnkIssue(BaseModel):
    """A SKU whose PNK differs between MAIN and FBE, or whose EAN maps to another PNK."""

    sku: str
    kind: Literal["main_fbe_mismatch", "ean_other_pnk"]
    main_pnk: str | None = None
    fbe_pnk: str | None = None
    ean: str | None = None
    ean_pnk: str | None = None

    def describe(self) -> str:
        if self.kind == "main_fbe_mismatch":
            return _("{sku}: PNK {main} on MAIN but {fbe} on FBE").format(
                sku=self.sku, main=self.main_pnk, fbe=self.fbe_pnk
            )
        return _("{sku}: EAN {ean} belongs to PNK {pnk} on eMAG").format(
            sku=self.sku, ean=self.ean, pnk=self.ean_pnk
        )


def pnk_issues(runtime: Runtime, client: EmagClient | None = None) -> list[PnkIssue]:
    """SKUs whose PNK differs between MAIN and FBE in the stored snapshot.

    With a `client`, also looks every stored product's EAN up on eMAG
    (`documentation/find_by_eans`, 100 per call, 5000 calls a day) and reports EANs that
    belong to another PNK than the product's.
    """
    with runtime.sessions() as session:
        issues = [
            PnkIssue(
                sku=found.sku,
                kind="main_fbe_mismatch",
                main_pnk=found.main_pnk,
                fbe_pnk=found.fbe_pnk,
            )
            for found in pnk_mismatches(session)
        ]
    if client is not None:
        issues.extend(_ean_issues(runtime, client))
    return issues


def _ean_issues(runtime: Runtime, client: EmagClient) -> list[PnkIssue]:
    issues: list[PnkIssue] = []
    last_id = 0
    while True:
        with runtime.sessions() as session:
            rows = session.execute(
                select(Product.id, Product.sku, Product.ean, Product.pnk)
                .where(Product.id > last_id, Product.ean.is_not(None), Product.pnk.is_not(None))
                .order_by(Product.id)
                .limit(100)
            ).all()
        if not rows:
            return issues
        last_id = rows[-1][0]
        pnks_of_ean = {
            ean: [str(p["part_number_key"]).upper() for p in products if p.get("part_number_key")]
            for ean, products in client.find_by_eans(row[2] for row in rows).items()
        }
        for _row_id, sku, ean, pnk in rows:
            known = pnks_of_ean.get(ean) or []
            # An EAN eMAG does not know (no products) says nothing about the PNK.
            if known and pnk.upper() not in known:
                issues.append(
                    PnkIssue(sku=sku, kind="ean_other_pnk", ean=ean, ean_pnk=known[0], main_pnk=pnk)
                )
