"""Draft PDFs, bounded: a cache of what was rendered from unchanged data, a time limit, and few renders at once.

A draft is rendered from the data as it is now, and any member of a round may ask for it again and again. So:

* **Cache.** The key is the SHA-256 of the draft's HTML, which is a pure function of the view model (the
  source rows) and the template, plus the WeasyPrint version and :data:`RENDER_VERSION`: unchanged data and
  templates give the same key, any change a new one. The PDF is kept in a folder (the instance folder's
  ``render-cache/`` by default), at most :data:`MAX_ENTRIES` files and :data:`MAX_BYTES` bytes; the least
  recently served go first. A hit is served without WeasyPrint.
* **Time limit.** A miss is rendered in a child process started by a fork server that has WeasyPrint loaded
  (``multiprocessing`` ``forkserver``: the child is forked from a clean single-threaded process, not from the
  web server's threads). When it is not done within the limit, the child is killed and
  :class:`RenderTimeout` (503) tells the user the document is too long to lay out; nothing is cached, and the
  request has taken at most the limit.
* **Few at once.** At most :data:`MAX_CONCURRENT` renders run at once per process; a request that cannot start
  one within the limit gets :class:`RenderBusy` (503, retry).

The domain core: no Flask. The web's draft route passes its folder and limit (``RENDER_CACHE_DIR``,
``RENDER_TIMEOUT``).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
import time
from pathlib import Path

from inspect_flow.core.errors import Unavailable
from inspect_flow.documents.render import render_html

#: Bump to drop every cached draft (e.g. after a change to the PDF options that the HTML does not show).
RENDER_VERSION = '1'
MAX_ENTRIES = 200
MAX_BYTES = 100 * 1024 * 1024
MAX_CONCURRENT = 2
DEFAULT_TIMEOUT = 30.0

_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_context_lock = threading.Lock()
_CONTEXT: dict[int, multiprocessing.context.BaseContext] = {}


class RenderTimeout(Unavailable):
    """The draft was not laid out within the time limit."""


class RenderBusy(Unavailable):
    """Too many drafts are being rendered at once."""


def default_cache_dir() -> Path:
    """``render-cache/`` in the instance folder (``./instance`` or ``INSPECT_FLOW_INSTANCE``)."""
    return Path(os.environ.get('INSPECT_FLOW_INSTANCE', 'instance')) / 'render-cache'


def cache_key(kind: str, html: str) -> str:
    """The key of a draft: its HTML (view model + template), the WeasyPrint version and :data:`RENDER_VERSION`."""
    import weasyprint

    digest = hashlib.sha256()
    for part in (RENDER_VERSION, weasyprint.__version__, kind, html):
        digest.update(part.encode('utf-8', 'surrogatepass'))
        digest.update(b'\0')
    return digest.hexdigest()


def _render_child(html: str, conn) -> None:  # noqa: ANN001
    from inspect_flow.documents.render import html_to_pdf

    try:
        conn.send(('ok', html_to_pdf(html)))
    except Exception as exc:  # noqa: BLE001  (reported to the parent, which raises it)
        conn.send(('error', f'{type(exc).__name__}: {exc}'))
    finally:
        conn.close()


def _context() -> multiprocessing.context.BaseContext:
    with _context_lock:
        ctx = _CONTEXT.get(os.getpid())
        if ctx is None:
            ctx = multiprocessing.get_context('forkserver')
            ctx.set_forkserver_preload(['weasyprint', 'inspect_flow.documents.render'])
            _CONTEXT[os.getpid()] = ctx
        return ctx


def render_with_deadline(html: str, timeout: float) -> bytes:
    """Lay *html* out in a child process; kill it after *timeout* seconds.

    :raise RenderTimeout: not done in time
    :raise RuntimeError: WeasyPrint failed in the child
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_render_child, args=(html, sender), daemon=True)
    deadline = time.monotonic() + timeout
    child.start()
    sender.close()
    try:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise _timeout(timeout)
        status, value = receiver.recv()
    except EOFError:
        raise RuntimeError('the draft renderer ended without an answer') from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if status != 'ok':
        raise RuntimeError(value)
    return value


def _timeout(limit: float) -> RenderTimeout:
    return RenderTimeout('document.render_timeout',
                         f'Văn bản quá dài để dựng bản PDF trong {limit:g} giây. Hãy rút gọn nội dung, hoặc xem bản '
                         'HTML.',
                         f'The document is too long to lay out as a PDF within {limit:g} seconds. Shorten its text, '
                         'or view the HTML draft.', field='format')


def _prune(folder: Path) -> None:
    entries = sorted(((p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob('*.pdf')), reverse=True)
    total = 0
    for n, (_mtime, size, path) in enumerate(entries):
        total += size
        if n >= MAX_ENTRIES or total > MAX_BYTES:
            path.unlink(missing_ok=True)


def draft_pdf(kind: str, view_model, *, cache_dir: Path | None = None,  # noqa: ANN001
              timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The PDF of a draft: from the cache when the same HTML was rendered before, else rendered within *timeout*.

    :raise RenderTimeout: the render took longer than *timeout* seconds (the child is killed, nothing is cached)
    :raise RenderBusy: :data:`MAX_CONCURRENT` renders are running and none ended within *timeout*
    """
    html = render_html(kind, view_model)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path = folder / f'{cache_key(kind, html)}.pdf'
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    if data:
        os.utime(path)  # recently served: pruned last
        return data
    if not _slots.acquire(timeout=timeout):
        raise RenderBusy('document.render_busy', 'Đang dựng nhiều văn bản cùng lúc; hãy thử lại sau ít phút.',
                         'Too many documents are being laid out at once; try again in a few minutes.')
    try:
        data = render_with_deadline(html, timeout)
    finally:
        _slots.release()
    folder.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f'.{os.getpid()}.{threading.get_ident()}.tmp')
    partial.write_bytes(data)
    partial.replace(path)
    _prune(folder)
    return data
