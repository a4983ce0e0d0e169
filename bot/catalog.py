"""The translation catalogs' upkeep (Babel): every message a person reads, extracted from
the code and templates, merged into each language's PO file. `bash dev catalog` runs it;
tests/core/test_catalogs.py fails while a catalog misses a message.

    python -m bot.catalog    re-extract and update bot/locale/*/LC_MESSAGES/stockbot.po
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, catalog_path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ro",)
SOURCES = ("bot", "handlers")
METHODS = [
    ("**/locale/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
]
# counted(n, "{n} alert", "{n} alerts"): a plural message in its 2nd and 3rd arguments.
KEYWORDS = {**DEFAULT_KEYWORDS, "counted": (2, 3)}
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def extract() -> Catalog:
    """Every marked message of the code and the dashboard's templates, with where it is."""
    template = Catalog(domain=DOMAIN, project="stockbot")
    for source in SOURCES:
        found = extract_from_dir(
            ROOT / source, METHODS, keywords=KEYWORDS, options_map=OPTIONS, strip_comment_tags=True
        )
        for filename, line, message, comments, context in found:
            location = (f"{source}/{filename}", line)
            template.add(message, None, [location], auto_comments=comments, context=context)
    return template


def update(lang: str) -> Path:
    """The language's PO file with every extracted message; translations kept, the new ones
    empty (for a translator to fill), the gone ones dropped."""
    path = catalog_path(lang)
    if path.exists():
        with path.open("rb") as source:
            catalog = read_po(source, locale=lang, domain=DOMAIN)
    else:
        catalog = Catalog(locale=lang, domain=DOMAIN, project="stockbot")
    catalog.update(extract(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        write_po(target, catalog, width=100, omit_header=False, sort_output=True)
    return path


def main() -> int:
    for lang in LANGUAGES:
        path = update(lang)
        with path.open("rb") as source:
            catalog = read_po(source, locale=lang)
        missing = [m.id for m in catalog if m.id and not all(_strings(m.string))]
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(missing)} untranslated")
    return 0


def _strings(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


if __name__ == "__main__":
    sys.exit(main())
