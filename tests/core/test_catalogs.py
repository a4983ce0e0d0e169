"""The translation catalogs: every message the code marks is translated in every language,
with the same placeholders and all plural forms; the engine's sentences read in the
language; the plural rules are the language's own."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import catalog, formats, i18n
from bot.engine import analyze, phrases, validate_transfer
from bot.engine.models import ACCOUNTS, Rules, TransferProposal
from bot.errors import StockbotError
from tests.conftest import NOW
from tests.strategies import products

FIELDS = re.compile(r"\{(\w*)\}|%\((\w+)\)s")
RULES = Rules()


def _fields(text: str) -> set[str]:
    return {brace or percent for brace, percent in FIELDS.findall(text)}


def _forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.fixture(scope="module")
def extracted() -> dict[object, object]:
    return {message.id: message for message in catalog.extract() if message.id}


@pytest.mark.parametrize("lang", catalog.LANGUAGES)
def test_every_marked_message_is_translated_with_its_placeholders(
    lang: str, extracted: dict[object, object]
) -> None:
    with i18n.catalog_path(lang).open("rb") as source:
        translated = {m.id: m for m in read_po(source, locale=lang) if m.id}
    missing = [key for key in extracted if key not in translated]
    assert not missing, f"not in {lang}'s catalog (run `bash dev catalog`): {missing[:10]}"
    plurals = read_po(i18n.catalog_path(lang).open("rb"), locale=lang).num_plurals
    for key in extracted:
        message = translated[key]
        assert not message.fuzzy, f"fuzzy in {lang}: {key!r}"
        forms = _forms(message.string)
        assert all(forms), f"untranslated in {lang}: {key!r}"
        if isinstance(key, tuple):
            assert len(forms) == plurals, f"{key!r} needs {plurals} forms in {lang}"
        wanted = _fields(_forms(key)[-1])
        for form in forms:
            assert _fields(form) == wanted, f"{lang} placeholders differ for {key!r}: {form!r}"


def test_every_engine_template_and_label_is_extracted(extracted: dict[object, object]) -> None:
    assert set(phrases.ALL) <= set(extracted)


def test_romanian_plurals_take_three_forms() -> None:
    formats.activate("ro", formats.active_zone())
    forms = [i18n.counted(n, "{n} worker", "{n} workers") for n in (1, 2, 19, 20, 101, 120)]
    assert forms == [
        "1 proces worker",
        "2 procese worker",
        "19 procese worker",
        "20 de procese worker",
        "101 procese worker",
        "120 de procese worker",
    ]
    formats.activate("en", formats.active_zone())
    assert i18n.counted(1, "{n} worker", "{n} workers") == "1 worker"
    assert i18n.counted(0, "{n} worker", "{n} workers") == "0 workers"


def _sentences(snapshot, rules: Rules) -> list[str]:  # type: ignore[no-untyped-def]
    analysis = analyze(snapshot, NOW, rules)
    found = list(analysis.notes)
    for rec in analysis.recommendations:
        found += [text for text in (rec.reason, rec.impact, rec.suggested_action) if text]
    for source in analysis.listed_on:
        for destination in ACCOUNTS:
            if destination == source:
                continue
            proposal = TransferProposal(
                sku=snapshot.sku, from_account=source, to_account=destination, amount=1
            )
            try:
                check = validate_transfer(snapshot, proposal, NOW, rules)
            except StockbotError as exc:
                found.append(str(exc))
                continue
            impacts = [check.impact.from_account_impact, check.impact.to_account_impact]
            found += [*check.warnings, *check.notes, check.recommendation, *impacts]
    return found


@settings(max_examples=300, deadline=None)
@given(products(), st.sampled_from([RULES, Rules(low_stock=12, cover_days=3)]))
def test_every_engine_sentence_reads_in_romanian(snapshot, rules: Rules) -> None:  # type: ignore[no-untyped-def]
    formats.activate("ro", formats.active_zone())
    try:
        for sentence in _sentences(snapshot, rules):
            shown = i18n.engine_text(sentence)
            assert shown != sentence, f"no Romanian for {sentence!r}"
            assert "{" not in shown
    finally:
        formats.activate("en", formats.active_zone())


def test_english_shows_the_engine_sentence_as_it_is() -> None:
    sentence = phrases.ZERO_STOCK.format(name="MAIN")
    assert i18n.engine_text(sentence) == sentence
    formats.activate("ro", formats.active_zone())
    try:
        assert i18n.engine_text(sentence) == (
            "MAIN are stoc 0 cu concurență - pierde butonul de cumpărare"
        )
        nested = phrases.ZERO_NO_SPARE.format(
            name="MAIN", why=phrases.NONE_EITHER.format(name="FBE")
        )
        assert i18n.engine_text(nested) == (
            "MAIN are stoc 0 cu concurență și FBE nu are nici el - ambele conturi duc lipsă"
        )
        assert i18n.engine_text("an eMAG message we did not write") == (
            "an eMAG message we did not write"
        )
    finally:
        formats.activate("en", formats.active_zone())
