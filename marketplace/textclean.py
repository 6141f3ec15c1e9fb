"""Cleaning free text from users: no control, zero-width or bidi-override characters."""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters and bidi controls can disguise text (e.g. reversed prices or names).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object, *, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", str(value))
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text.strip()
