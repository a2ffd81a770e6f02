"""Text helpers shared by the core, the front ends and the demo.

Vietnamese can be typed in two Unicode spellings that look the same: precomposed (NFC, ``ễ`` is one code
point) and decomposed (NFD, ``e`` + circumflex + tilde). Everything stored is NFC (:func:`nfc`; the ORM
applies it to every text and JSON column, see :func:`inspect_flow.core.db.normalize_text`), and
names are compared through :func:`name_key` (same letters, marks and all) or :func:`fold` (searching, marks
ignored).
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any


def without_marks(text: str) -> str:
    """``Nhuận Phú Tân`` → ``Nhuan Phu Tan``: Vietnamese without its tone and vowel marks (đ → d), plain ASCII."""
    text = text.replace('Đ', 'D').replace('đ', 'd')
    return unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode()


def nfc_text(text: str) -> str:
    """*text* in NFC; the same object when it already is (plain ASCII and NFC text are checked in C, no copy)."""
    if text.isascii() or unicodedata.is_normalized('NFC', text):
        return text
    return unicodedata.normalize('NFC', text)


def nfc(value: Any) -> Any:  # noqa: ANN401
    """*value* with every string in it NFC: a string, or JSON-like data (dict keys and values, list items).

    What is already NFC is returned as it is (the same object); otherwise a new dict or list is built, so
    the caller's data is never changed in place. Anything else (numbers, dates, ``None``) is returned as is.
    JSON-like data is checked first as one text (``json.dumps`` and the NFC check run in C, about three times
    faster than walking it in Python), and walked only when something in it needs normalizing.
    """
    if isinstance(value, str):
        return nfc_text(value)
    if isinstance(value, (dict, list)) and value:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):  # not JSON (a date, a set, a cycle): walk it
            pass
        else:
            if text.isascii() or unicodedata.is_normalized('NFC', text):
                return value
    return _nfc_walk(value)


def _nfc_walk(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, str):
        return nfc_text(value)
    if isinstance(value, dict):
        out = None
        for i, (k, v) in enumerate(value.items()):
            nk, nv = _nfc_walk(k), _nfc_walk(v)
            if out is None and (nk is not k or nv is not v):
                out = dict(list(value.items())[:i])
            if out is not None:
                out[nk] = nv
        return value if out is None else out
    if isinstance(value, (list, tuple)):
        items = [_nfc_walk(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items if isinstance(value, list) else tuple(items)
    return value


def name_key(text: str | None) -> str:
    """The key two spellings of one name share: NFC, case-folded, spaces collapsed (tone marks kept:
    ``Lê`` and ``Lệ`` are different names)."""
    return ' '.join(unicodedata.normalize('NFC', text or '').casefold().split())


def fold(text: str | None) -> str:
    """*text* without case and Vietnamese tone and vowel marks, spaces collapsed: for searching names typed on a
    phone (``nguyen van`` finds ``Nguyễn Văn An``, whether it was typed in NFC or NFD)."""
    return ' '.join(without_marks(text or '').casefold().split())
