"""Reference data kept in the repo: species, landing ports and fishing methods.

Each entry has a `code` and names in Japanese and English (species also kana and a scientific
name). A free-text value that names a known entry in either language, or its code, is linked
to it; anything else is kept as free text.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Entry:
    code: str
    ja: str
    en: str
    kana: str = ""
    scientific: str = ""
    area: str = ""

    def name(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    @property
    def search_terms(self) -> str:
        return " ".join(fold(t) for t in (self.code, self.ja, self.en, self.kana, self.scientific) if t)


def fold(text: str) -> str:
    """Case-, width- and form-insensitive text for matching and search (NFKC + casefold)."""
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


@cache
def _load(name: str) -> tuple[Entry, ...]:
    rows = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    return tuple(Entry(**row) for row in rows)


@cache
def _index(name: str) -> dict[str, Entry]:
    index: dict[str, Entry] = {}
    for entry in _load(name):
        for key in (entry.code, entry.ja, entry.en, entry.kana):
            if key:
                index.setdefault(fold(key), entry)
    return index


def species() -> tuple[Entry, ...]:
    return _load("species")


def ports() -> tuple[Entry, ...]:
    return _load("ports")


def methods() -> tuple[Entry, ...]:
    return _load("methods")


def find(kind: str, text: str | None) -> Entry | None:
    """The species/port/method that `text` names, if any ('秋鮭', 'chum_salmon', 'Esashi')."""
    if not text:
        return None
    return _index(kind).get(fold(text))


def by_code(kind: str, code: str | None) -> Entry | None:
    if not code:
        return None
    return next((e for e in _load(kind) if e.code == code), None)
