"""The translation catalogues: extract the English source strings from the code and templates,
merge them into each language's .po file, and compile the .mo files the app loads.

`flask --app wsgi translations update` and `… compile` call these; tests/test_i18n.py uses the
same extraction to find strings that lack a translation.
"""

from __future__ import annotations

import copy
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from ..config import LANGUAGES, ROOT
from ..timeutil import now

DOMAIN = "messages"
TRANSLATIONS = ROOT / "marketplace" / "translations"
MAPPING = Path(__file__).with_name("babel.cfg")
# Languages whose catalogue must be complete; the others fall back to the English source.
COMPLETE = ("ja", "en")
SOURCE_LOCALE = "en"
# Only these top-level folders hold translatable strings (see babel.cfg).
SOURCE_DIRS = ("marketplace", "templates")
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("Translators:",)
HEADER = """\
# Hamaichi's user interface in one language.
# After adding or changing strings: `flask --app wsgi translations update`, translate,
# then `flask --app wsgi translations compile` (see README, "Translations")."""
# Lines of the .po header that change on every run; ignored when deciding whether to write.
_VOLATILE_HEADERS = (b'"POT-Creation-Date:', b'"PO-Revision-Date:', b'"Generated-By:')


def locales() -> tuple[str, ...]:
    return tuple(LANGUAGES)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"


def _directory_filter(path: str) -> bool:
    """Walk only marketplace/ and templates/ (including `_macros/`, `_partials/`, which
    Babel's default filter would skip), never caches or hidden folders."""
    relative = Path(path).relative_to(ROOT)
    name = relative.name
    if name.startswith(".") or name == "__pycache__" or name == "translations":
        return False
    return relative.parts[0] in SOURCE_DIRS


def extract() -> Catalog:
    """Every translatable string in the source tree, as a template catalogue."""
    with MAPPING.open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(MAPPING))
    template = Catalog(
        project="Hamaichi",
        version="1",
        copyright_holder="Hamaichi",
        msgid_bugs_address="",
        charset="utf-8",
        fuzzy=False,
        header_comment=HEADER,
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=_directory_filter,
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read(locale: str) -> Catalog:
    with po_path(locale).open("rb") as fileobj:
        return read_po(fileobj, locale=locale, domain=DOMAIN)


def _new_catalogue(locale: str) -> Catalog:
    return Catalog(
        locale=locale,
        domain=DOMAIN,
        project="Hamaichi",
        version="1",
        copyright_holder="Hamaichi",
        charset="utf-8",
        fuzzy=False,
        header_comment=HEADER,
        last_translator="Hamaichi",
        language_team=f"{LANGUAGES[locale]} <{locale}@hamaichi>",
    )


def _restore_obsolete(catalog: Catalog, template: Catalog) -> None:
    """A string that comes back (e.g. a template edited twice) keeps its old translation."""
    for key, message in list(catalog.obsolete.items()):
        if (
            template.get(message.id, message.context) is not None
            and catalog.get(message.id, message.context) is None
        ):
            catalog[message.id] = message
            del catalog.obsolete[key]


def _fill_source(catalog: Catalog) -> None:
    """The English catalogue translates each string to itself, so that it is complete and a
    missing entry is detectable."""
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            forms = list(message.id[:2])
            message.string = tuple(forms + [forms[-1]] * (catalog.num_plurals - len(forms)))[
                : catalog.num_plurals
            ]
        else:
            message.string = message.id
        message.flags.discard("fuzzy")


def render_po(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, sort_output=False)
    return buffer.getvalue()


def _stable(po: bytes) -> bytes:
    return b"\n".join(line for line in po.splitlines() if not line.startswith(_VOLATILE_HEADERS))


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and _stable(path.read_bytes()) == _stable(content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)
    return True


@dataclass
class Report:
    locale: str
    written: bool
    untranslated: int
    fuzzy: int


def update(template: Catalog | None = None, only: Iterable[str] | None = None) -> list[Report]:
    """Merge the source strings into every .po (creating missing ones)."""
    template = template or extract()
    reports = []
    for locale in only or locales():
        catalog = read(locale) if po_path(locale).exists() else _new_catalogue(locale)
        # A copy each: merging shares the template's Message objects with the catalogue.
        source = copy.deepcopy(template)
        _restore_obsolete(catalog, source)
        catalog.update(source, update_header_comment=True)
        catalog.revision_date = now()
        if locale == SOURCE_LOCALE:
            _fill_source(catalog)
        written = _write_if_changed(po_path(locale), render_po(catalog))
        missing = untranslated(catalog)
        reports.append(Report(locale, written, len(missing), sum(1 for m in missing if m.fuzzy)))
    return reports


def is_translated(message: Message) -> bool:
    if message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return bool(strings) and all(s and s.strip() for s in strings)


def untranslated(catalog: Catalog, template: Catalog | None = None) -> list[Message]:
    """Messages of `template` (default: the catalogue's own) without a usable translation."""
    missing = []
    for source in template if template is not None else catalog:
        if not source.id:
            continue
        message = catalog.get(source.id, source.context)
        if message is None or not is_translated(message):
            missing.append(message or source)
    return missing


def compile_mo(catalog: Catalog) -> bytes:
    """The binary catalogue, without fuzzy entries (gettext would show them otherwise)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_all(only: Iterable[str] | None = None) -> list[Path]:
    written = []
    for locale in only or locales():
        if _write_mo_if_changed(mo_path(locale), compile_mo(read(locale))):
            written.append(mo_path(locale))
    return written


def translations_of(mo: bytes) -> dict:
    """{(msgid, context): msgstr} of a compiled catalogue, without its header."""
    catalog = read_mo(io.BytesIO(mo))
    return {(m.id, m.context): m.string for m in catalog if m.id}


def _write_mo_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and translations_of(path.read_bytes()) == translations_of(content):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True
