"""What a person reads, in STOCKBOT_LANGUAGE: gettext lookups in the catalogs under
bot/locale (Babel's PO files, compiled with Babel when a language is first used), and the
engine's sentences, which stay English in JSON and are translated only where shown."""

from __future__ import annotations

import gettext as _gettext
import io
import re
from functools import cache, lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.engine import phrases
from bot.formats import language

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "stockbot"
_FIELD = re.compile(r"\{(\w+)\}")


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of `lang`; English is the source language and needs none."""
    path = catalog_path(lang)
    if lang == "en" or not path.exists():
        return _gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """`message` in the active language."""
    return translations(language()).gettext(message)


def ngettext(one: str, many: str, count: int) -> str:
    """The form of `one`/`many` the active language uses for `count` (Romanian has three)."""
    return translations(language()).ngettext(one, many, count)


def counted(count: int, one: str, many: str, **values: object) -> str:
    """e.g. "1 alert", "7 alerts", "20 de alerte": `one`/`many` hold "{n}" (and any
    other `values`), the language's plural rule picks the form."""
    return ngettext(one, many, count).format(n=count, **values)


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for template in phrases.ALL:
        pieces = _FIELD.split(template)
        regex = "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+?)"
            for index, piece in enumerate(pieces)
        )
        found.append((re.compile(regex + r"\Z", re.DOTALL), template))
    return found


def engine_text(text: str) -> str:
    """One of the engine's sentences (a reason, an impact, a warning, a note) in the active
    language: matched back to its template in bot/engine/phrases.py, the template
    translated, its values (themselves translated when they are sentences) put back.
    A sentence the engine did not make (an eMAG message) is shown as it came."""
    lang = language()
    return text if lang == "en" or not text else _translated(lang, text)


# The same few sentences come back for every alert of a digest: each is matched once.
@lru_cache(maxsize=8192)
def _translated(lang: str, text: str) -> str:
    for pattern, template in _patterns():
        found = pattern.match(text)
        if found:
            values = {name: engine_text(value) for name, value in found.groupdict().items()}
            return translations(lang).gettext(template).format(**values)
    return text


def error_text(error: BaseException) -> str:
    """An error's message for the person who caused it, in the active language."""
    return engine_text(str(error))
