"""Render security: user text is data; the renderer fetches nothing and opens no socket.

WeasyPrint advisories GHSA-983w-rhvv-gwmv and GHSA-jf6q-chmf-3h3v; shared/perf_security.md §4.
"""

from __future__ import annotations

import dataclasses
import io
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pypdf
import pytest

from inspect_flow.documents.fetcher import SYSTEM_FONT_ROOTS, AssetFetcher
from inspect_flow.documents.render import html_to_pdf, render_html, render_pdf
from inspect_flow.documents.viewmodels import HouseholdConsulted, Recommendation, Statement

from . import samples
from .conftest import read_pdf


class _Redirector(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802  (http.server API)
        self.server.hits.append(self.path)
        self.send_response(302)
        self.send_header('Location', 'file:///etc/passwd')
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def redirect_server():
    """A local HTTP server answering every request with a redirect to file:///etc/passwd."""
    server = HTTPServer(('127.0.0.1', 0), _Redirector)
    server.hits = []
    server.url = f'http://127.0.0.1:{server.server_address[1]}/redirect'
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def no_sockets(monkeypatch):
    """Record (and refuse) every outbound connection and DNS lookup made during the test."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if args and isinstance(args[0], socket.socket) else args)
        raise OSError('network access is forbidden during rendering')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket.socket, 'connect_ex', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)
    monkeypatch.setattr(socket, 'getaddrinfo', refuse)
    return attempts


def hostile_strings(redirect_url: str) -> list[str]:
    return [
        'file:///etc/passwd',
        'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        redirect_url,
        '<link rel="attachment" href="file:///etc/passwd">',
        '<img src="http://169.254.169.254/logo.png">',
        '<style>@import url(http://169.254.169.254/x.css);</style>',
        '@import url(file:///etc/passwd);',
        '<svg><image href="file:///etc/shadow"/></svg>',
        '{{ config }} {% include "/etc/passwd" %}',
    ]


def _squash(text: str) -> str:
    return re.sub(r'\s+', '', text)


def _allowed(url: str) -> bool:
    return any(url.startswith(root.as_uri()) for root in SYSTEM_FONT_ROOTS)


def _assert_clean_pdf(data: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.attachments == {}
    assert '/EmbeddedFiles' not in str(reader.trailer['/Root'].get('/Names', {}))
    assert b'root:x:0:0' not in data
    for page in reader.pages:
        assert '/XObject' not in page['/Resources'] or not page['/Resources']['/XObject']


def test_it_prints_hostile_user_text_literally_and_fetches_nothing(redirect_server, no_sockets):
    bad = hostile_strings(redirect_server.url)
    vm = samples.conclusion(
        worked_with=' '.join(bad[:3]),
        achievements=bad,
        recommendations=[Recommendation(text=b, addressee=b, deadline_text=b) for b in bad[3:6]],
        notify=bad[6],
    )
    vm = dataclasses.replace(vm, meta=dataclasses.replace(vm.meta, subject=bad[3], recipients=bad[4:]))
    fetcher = AssetFetcher()
    data = render_pdf('conclusion', vm, url_fetcher=fetcher)

    assert no_sockets == []
    assert redirect_server.hits == []
    assert all(_allowed(url) for url, _ok in fetcher.requests), fetcher.requests
    assert fetcher.refused == []  # the markup never reached WeasyPrint as markup
    text = _squash(read_pdf('conclusion', data).text)
    for string in bad:
        assert _squash(string) in text, string
    _assert_clean_pdf(data)


def test_it_prints_hostile_text_in_minutes_fields(redirect_server, no_sockets):
    bad = hostile_strings(redirect_server.url)
    vm = samples.minutes(
        venue=bad[0],
        households=[HouseholdConsulted(head=b, hamlet='ấp Phú Hữu', category='hộ nghèo', findings=b) for b in bad[3:6]],
        discussion=[Statement(speaker=bad[1], text=bad[2])],
    )
    html = render_html('minutes', vm)
    assert '<link rel="attachment"' not in html and '<img src=' not in html and '<svg>' not in html
    assert '&lt;link rel=&#34;attachment&#34;' in html
    fetcher = AssetFetcher()
    data = render_pdf('minutes', vm, url_fetcher=fetcher)
    assert no_sockets == [] and redirect_server.hits == []
    assert all(_allowed(url) for url, _ok in fetcher.requests)
    text = _squash(read_pdf('minutes', data).text)
    for string in bad[:6]:
        assert _squash(string) in text
    _assert_clean_pdf(data)


def test_it_refuses_hostile_markup_even_if_it_reached_weasyprint(redirect_server, no_sockets):
    """Defence in depth: raw markup (never produced from user text) still fetches nothing."""
    html = f'''<!DOCTYPE html><html><head><meta charset="utf-8">
      <link rel="stylesheet" href="http://169.254.169.254/a.css">
      <link rel="attachment" href="file:///etc/passwd" title="passwd">
      <style>@import url("file:///etc/passwd"); @import url("{redirect_server.url}.css");
        body {{ background: url("http://169.254.169.254/bg.png"); }}</style></head>
      <body><p>x</p><img src="file:///etc/passwd"><img src="{redirect_server.url}">
      <img src="/dev/urandom"><object data="file:///etc/shadow"></object></body></html>'''
    fetcher = AssetFetcher()
    data = html_to_pdf(html, url_fetcher=fetcher)
    assert no_sockets == []
    assert redirect_server.hits == []
    refused = set(fetcher.refused)
    for url in ('http://169.254.169.254/a.css', 'file:///etc/passwd', f'{redirect_server.url}.css',
                'http://169.254.169.254/bg.png', redirect_server.url):
        assert url in refused, url
    assert not [url for url in fetcher.served if not _allowed(url)]
    _assert_clean_pdf(data)
