"""Text helpers shared by the front ends and the demo."""

from __future__ import annotations

import unicodedata


def without_marks(text: str) -> str:
    """``Nhuận Phú Tân`` → ``Nhuan Phu Tan``: Vietnamese without its tone and vowel marks (đ → d), plain ASCII."""
    text = text.replace('Đ', 'D').replace('đ', 'd')
    return unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode()
