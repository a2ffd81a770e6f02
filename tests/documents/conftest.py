"""Fixtures of the documents suite: sample view models and their PDFs, rendered once per session."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber
import pytest

from inspect_flow.documents.render import render_html, render_pdf

from . import samples

MM = 72 / 25.4  # PDF points per millimetre


@dataclass
class RenderedPdf:
    """A rendered sample: its PDF bytes, the words and text of each page (pdfplumber)."""

    kind: str
    data: bytes
    page_sizes: list[tuple[float, float]]
    words: list[list[dict]]
    texts: list[str]

    @property
    def text(self) -> str:
        return '\n'.join(self.texts)


def read_pdf(kind: str, data: bytes) -> RenderedPdf:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sizes = [(p.width, p.height) for p in pdf.pages]
        words = [p.extract_words(keep_blank_chars=False, use_text_flow=True) for p in pdf.pages]
        texts = [p.extract_text() or '' for p in pdf.pages]
    return RenderedPdf(kind, data, sizes, words, texts)


_CACHE: dict[str, RenderedPdf] = {}


@pytest.fixture(scope='session')
def rendered():
    """``rendered(kind)`` → the :class:`RenderedPdf` of the default sample of *kind* (cached)."""

    def get(kind: str) -> RenderedPdf:
        if kind not in _CACHE:
            _CACHE[kind] = read_pdf(kind, render_pdf(kind, samples.BUILDERS[kind]()))
        return _CACHE[kind]

    return get


@pytest.fixture(scope='session')
def html_of():
    """``html_of(kind)`` → the HTML of the default sample of *kind*."""
    return lambda kind: render_html(kind, samples.BUILDERS[kind]())
