"""The SQL classifier and the engine agree on priority and issues, product by product."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from bot.engine import analyze
from bot.engine.models import PRIORITY_RANK, CategoryRules, Rules, category_key
from storage.classifier import classified_products, has_priority
from storage.classifier_sides import flag
from storage.db import transaction
from storage.models import Offer, Product, ProductStatus
from storage.writes import upsert_snapshots
from tests.conftest import NOW
from tests.factories import offer, product
from tests.strategies import competing_pairs, examples, products

CATEGORY_NAMES = ("Telefoane", "huse ", None)
categorised = st.tuples(st.one_of(products(), competing_pairs()), st.sampled_from(CATEGORY_NAMES))
catalogues = st.lists(categorised, min_size=1, max_size=25).map(
    lambda items: [
        item.model_copy(update={"sku": f"SKU{i}", "category": category})
        for i, (item, category) in enumerate(items)
    ]
)
THRESHOLDS = {
    "low_stock": st.integers(1, 8),
    "transfer_cap": st.integers(1, 12),
    "source_floor": st.integers(0, 6),
    "idle_floor": st.integers(0, 15),
    "weekly_update_days": st.integers(1, 10),
    "cover_days": st.integers(1, 30),
}
overrides = st.dictionaries(st.sampled_from(sorted(THRESHOLDS)), st.integers(1, 12), max_size=4)
category_rules = st.dictionaries(st.sampled_from(["Telefoane", "Huse"]), overrides, max_size=2)
rule_sets = st.builds(
    lambda base, extra: base.model_copy(
        update={
            "categories": {
                category_key(name): CategoryRules(name=name, overrides=values)
                for name, values in extra.items()
            }
        }
    ),
    st.builds(Rules, **THRESHOLDS),
    category_rules,
)


def test_sql_priority_and_issues_match_the_engine(sessions) -> None:
    @examples(sessions, 120)
    @given(catalogue=catalogues, rules=rule_sets)
    def check(catalogue, rules):  # type: ignore[no-untyped-def]
        _check_classification(sessions, catalogue, rules)

    check()


def _check_classification(sessions, catalogue, rules):  # type: ignore[no-untyped-def]
    with transaction(sessions) as session:
        session.execute(delete(Offer))
        session.execute(delete(Product))
        upsert_snapshots(session, catalogue, NOW, rules)
    with sessions() as session:
        rows = {row.sku: row for row in session.execute(classified_products(NOW, rules))}
        tests = [flag(has_priority(rank, NOW)) for rank in (1, 2, 3)]
        tested = {
            sku: list(got) for sku, *got in session.execute(select(ProductStatus.sku, *tests))
        }
    assert len(rows) == len(catalogue)
    for sku, row in rows.items():  # what the counts filter on is the priority
        assert tested[sku] == [int(row.priority_rank == rank) for rank in (1, 2, 3)]
    for snapshot in catalogue:
        analysis = analyze(snapshot, NOW, rules)
        row = rows[snapshot.sku]
        assert row.priority_rank == PRIORITY_RANK[analysis.priority], snapshot
        flags = {
            "zero_stock_with_competition": row.zero,
            "low_stock_with_competition": row.low,
            "needs_weekly_update": row.needs_update,
            "imbalanced": row.imbalanced,
            "unsellable_offer": row.unsellable,
            "transfer_not_arrived": row.overdue,
            "buy_button_lost": row.lost,
            "new_seller": row.new_sellers,
        }
        assert sorted(name for name, flag in flags.items() if flag) == sorted(analysis.issues)


def test_classifier_reads_the_whole_catalogue_in_one_statement(sessions):
    with transaction(sessions) as session:
        upsert_snapshots(session, [], NOW, Rules())
    with sessions() as session:
        assert session.execute(select(classified_products(NOW, Rules()).subquery())).all() == []


def test_a_rebalance_from_a_source_with_one_unit_to_spare(sessions) -> None:  # type: ignore[no-untyped-def]
    # The boundary the random catalogues rarely reach: MAIN (rank 1, 5 units, sales
    # unknown) is better placed than FBE (rank 2, 6 units), which keeps 5 and can spare
    # exactly 1; both compete. The engine recommends a rebalance of 1 unit (low).
    rules = Rules()
    better = offer("main", stock=5, offers=3, rank=1)
    source = offer("fbe", stock=6, offers=3, rank=2)
    rebalance = product(main=better, fbe=source, sku="SKU1")
    one_short = product(main=better, fbe=source.model_copy(update={"stock": 5}), sku="SKU2")
    assert analyze(rebalance, NOW, rules).priority == "low"
    assert analyze(one_short, NOW, rules).priority == "normal"
    _check_classification(sessions, [rebalance, one_short], rules)
