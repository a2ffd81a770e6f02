"""The restricted URL fetcher: only the application's assets and font files, nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inspect_flow.documents.fetcher import AssetFetcher, FetchRefused

from .test_render_security import no_sockets, redirect_server  # noqa: F401  (fixtures)

LIBERATION = Path('/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf')


@pytest.fixture
def asset_root(tmp_path):
    root = tmp_path / 'assets'
    (root / 'img').mkdir(parents=True)
    (root / 'img' / 'seal.png').write_bytes(b'\x89PNG\r\n\x1a\n')
    (root / 'notes.txt').write_text('not an asset type')
    os.symlink('/etc/passwd', root / 'img' / 'passwd.png')
    return root


@pytest.mark.parametrize(
    'url',
    [
        'file:///etc/passwd',
        'file:///dev/urandom',
        'file:///proc/self/environ',
        'file://localhost/etc/passwd',
        'file://evil.example/etc/passwd',
        'file:///usr/share/fonts/../../../etc/passwd',
        'file:///usr/share/fonts/truetype/liberation2/../../../../etc/passwd%00.ttf',
        'http://169.254.169.254/latest/meta-data/',
        'https://example.com/font.ttf',
        'ftp://example.com/x.css',
        'data:text/css,body{color:red}',
        'data:image/svg+xml;base64,PHN2Zy8+',
        'javascript:alert(1)',
        'relative/path.css',
    ],
)
def test_it_refuses_everything_but_local_assets(url, asset_root, no_sockets):  # noqa: F811
    fetcher = AssetFetcher(asset_roots=[asset_root])
    with pytest.raises(FetchRefused):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_it_refuses_symlink_escapes_and_foreign_file_types(asset_root):
    fetcher = AssetFetcher(asset_roots=[asset_root], font_roots=[asset_root])
    for path in (asset_root / 'img' / 'passwd.png', asset_root / 'notes.txt', asset_root / 'img'):
        with pytest.raises(FetchRefused):
            fetcher.fetch(path.as_uri())


def test_it_refuses_a_non_font_file_under_a_font_root(tmp_path):
    fonts = tmp_path / 'fonts'
    fonts.mkdir()
    (fonts / 'fonts.css').write_text('@import url(http://169.254.169.254/)')
    fetcher = AssetFetcher(asset_roots=[], font_roots=[fonts])
    with pytest.raises(FetchRefused):
        fetcher.fetch((fonts / 'fonts.css').as_uri())


def test_it_refuses_redirects_without_touching_the_network(redirect_server, no_sockets):  # noqa: F811
    fetcher = AssetFetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(redirect_server.url)
    with pytest.raises(FetchRefused):
        fetcher.open(redirect_server.url)  # the urllib OpenerDirector entry point
    assert redirect_server.hits == []
    assert no_sockets == []
    assert fetcher.handlers == [] and fetcher.handle_open == {}


def test_it_serves_assets_and_font_files(asset_root):
    fetcher = AssetFetcher(asset_roots=[asset_root])
    response = fetcher.fetch((asset_root / 'img' / 'seal.png').as_uri())
    assert response.read() == b'\x89PNG\r\n\x1a\n'
    assert response.content_type == 'image/png'
    if LIBERATION.is_file():
        font = fetcher.fetch(LIBERATION.as_uri())
        assert font.read(4) == b'\x00\x01\x00\x00'
    assert fetcher.refused == []
