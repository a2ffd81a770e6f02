"""The only way the PDF renderer may read a resource: a restricted WeasyPrint URL fetcher.

WeasyPrint fetches whatever an ``<img>``, ``<link>``, ``url()`` or ``@import`` names, over any
protocol, following redirects (GHSA-983w-rhvv-gwmv, GHSA-jf6q-chmf-3h3v). The templates escape user
text, so such markup cannot come from data; this fetcher is the second wall. It serves

* regular files under the application's asset folder (:func:`inspect_flow.paths.assets_dir`), and
* font files under the system font folders (``@font-face`` and ``local()`` read Liberation Serif or
  Times New Roman from there),

and refuses everything else before any I/O: ``http:``/``https:`` to any host (so there is no
redirect to follow), ``data:``, ``ftp:``, other ``file:`` paths (``/etc/passwd``, ``/dev/urandom``,
``..`` and symlink escapes). The handlers of the underlying ``urllib`` opener are removed, so even
a call to :meth:`open` cannot reach the network.
"""

from __future__ import annotations

import mimetypes
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from inspect_flow.paths import assets_dir

#: System folders whose font files the renderer may read.
SYSTEM_FONT_ROOTS: tuple[Path, ...] = (Path('/usr/share/fonts'), Path('/usr/local/share/fonts'))
FONT_SUFFIXES = frozenset({'.ttf', '.otf', '.ttc', '.woff', '.woff2'})
ASSET_SUFFIXES = FONT_SUFFIXES | {'.css', '.png', '.jpg', '.jpeg', '.svg'}
#: Larger files are refused (a font or an image of a document is far smaller).
MAX_BYTES = 20 * 1024 * 1024


class FetchRefused(ValueError):
    """The renderer asked for a resource it may not read."""


class AssetFetcher(URLFetcher):
    """A :class:`weasyprint.urls.URLFetcher` that serves only the application's assets and fonts.

    Every request is recorded in :attr:`requests` as ``(url, allowed)`` so tests can prove what
    was, and was not, asked for.

    :param asset_roots: folders whose files (of :data:`ASSET_SUFFIXES`) may be served
    :param font_roots: folders whose font files (of :data:`FONT_SUFFIXES`) may be served
    """

    def __init__(self, asset_roots: Iterable[Path] | None = None, font_roots: Iterable[Path] | None = None):
        super().__init__(timeout=1, allowed_protocols=('file',), allow_redirects=False, fail_on_errors=False)
        # No urllib handler at all: nothing in this object can open a socket or follow a redirect.
        self.handlers.clear()
        self.handle_open.clear()
        self.handle_error.clear()
        self.process_request.clear()
        self.process_response.clear()
        roots = asset_roots if asset_roots is not None else (assets_dir(),)
        self.asset_roots = tuple(Path(os.path.realpath(r)) for r in roots)
        fonts = font_roots if font_roots is not None else SYSTEM_FONT_ROOTS
        self.font_roots = tuple(Path(os.path.realpath(r)) for r in fonts)
        self.requests: list[tuple[str, bool]] = []

    def resolve(self, url: str) -> Path:
        """Return the local file *url* names, if it may be served.

        :raise FetchRefused: for any other URL
        """
        parts = urlsplit(url)
        if parts.scheme.lower() != 'file':
            raise FetchRefused(f'only local assets may be fetched, not {parts.scheme or "relative"} URLs: {url}')
        if parts.netloc not in ('', 'localhost'):
            raise FetchRefused(f'file URL on another host: {url}')
        raw = url2pathname(unquote(parts.path))
        if '\x00' in raw:
            raise FetchRefused(f'NUL byte in file URL: {url}')
        path = Path(os.path.realpath(raw))
        suffix = path.suffix.lower()
        if any(path.is_relative_to(root) for root in self.asset_roots) and suffix in ASSET_SUFFIXES:
            pass
        elif any(path.is_relative_to(root) for root in self.font_roots) and suffix in FONT_SUFFIXES:
            pass
        else:
            raise FetchRefused(f'not an application asset: {url}')
        try:
            info = path.stat()
        except OSError as exc:
            raise FetchRefused(f'asset not found: {url}') from exc
        if not stat.S_ISREG(info.st_mode):
            raise FetchRefused(f'not a regular file: {url}')
        if info.st_size > MAX_BYTES:
            raise FetchRefused(f'asset too large: {url}')
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """Serve *url* if :meth:`resolve` allows it; raise :class:`FetchRefused` otherwise."""
        try:
            path = self.resolve(url)
        except FetchRefused:
            self.requests.append((url, False))
            raise
        self.requests.append((url, True))
        content_type = mimetypes.guess_type(path.name)[0] or 'application/octet-stream'
        return URLFetcherResponse(url, body=path.read_bytes(), headers={'Content-Type': content_type})

    @property
    def refused(self) -> list[str]:
        """The URLs refused so far."""
        return [url for url, allowed in self.requests if not allowed]

    @property
    def served(self) -> list[str]:
        """The URLs served so far."""
        return [url for url, allowed in self.requests if allowed]
