"""The alerts page, read stock rank by stock rank in index order, is the whole catalogue
sorted by priority, lost sales and SKU, on both databases."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from bot.engine.models import Rules
from storage import queries
from storage.classifier import classified_products, epoch_of
from storage.db import transaction
from storage.models import Offer, Product
from storage.writes import upsert_snapshots
from tests.conftest import NOW
from tests.storage.test_classifier_matches_engine import catalogues


def whole_catalogue_sorted(session, now, limit, category):  # type: ignore[no-untyped-def]
    """The page as it was read before issue 18: every product, sorted on the priority
    (each row's id and what the page is ordered by)."""
    c = classified_products(now, Rules()).subquery().c
    statement = (
        select(c.product_id, c.priority_rank, c.lost_sales, c.sku)
        .where(c.priority_rank > 0)
        .order_by(c.priority_rank.desc(), c.lost_sales.desc(), c.sku)
    )
    if category is not None:
        statement = statement.where(c.category_key == category)
    if limit is not None:
        statement = statement.limit(limit)
    return [tuple(row) for row in session.execute(statement)]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    catalogue=catalogues,
    days_later=st.integers(0, 12),
    limit=st.one_of(st.none(), st.integers(1, 30)),
    category=st.sampled_from([None, "telefoane", "huse"]),
)
def test_the_alert_page_is_the_whole_catalogue_sorted(
    sessions, catalogue, days_later, limit, category
):
    with transaction(sessions) as session:
        session.execute(delete(Offer))
        session.execute(delete(Product))
        upsert_snapshots(session, catalogue, NOW, Rules())
    now = NOW + timedelta(days=days_later)  # weekly updates fall due as the days pass
    with sessions() as session:
        page = queries.alert_page(session, now, Rules(), limit, category)
        assert [tuple(row) for row in page] == whole_catalogue_sorted(session, now, limit, category)


def test_the_alert_page_never_scans_the_catalogue_on_sqlite(sessions):
    engine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL plans by its statistics; the result test above holds there
    for category in (None, "telefoane"):
        compiled = queries._alert_statement(True, category is not None).compile(engine)
        values = compiled.construct_params(
            {"now_epoch": epoch_of(NOW), "page_limit": 50, "category": category}
        )
        with engine.connect() as connection:
            plan = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + compiled.string,
                tuple(values[name] for name in compiled.positiontup or ()),
            ).all()
        steps = [row[3] for row in plan]
        assert not [step for step in steps if step.startswith("SCAN product_status")]
        assert all("alert_order" in step for step in steps if "product_status" in step)
