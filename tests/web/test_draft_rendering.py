"""Rendering is bounded: a draft PDF of unchanged data comes from the cache without WeasyPrint, and a render over
the time limit answers a clear 503 (the child process killed, nothing cached), never a 500."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa

from inspect_flow.documents import drafts
from tests.web.conftest import Client, ids

MCB = '838'


def _draft(client: Client, plan: int):  # noqa: ANN202
    return client.get(f'/plans/{plan}/documents/draft?kind=conclusion&district={MCB}&format=pdf')


def test_a_draft_of_unchanged_data_is_served_from_the_cache(app_factory, tmp_path, monkeypatch):  # noqa: ANN001
    app = app_factory('closed', RENDER_CACHE_DIR=str(tmp_path))
    plan = ids(app)['plan']
    client = Client(app)
    client.login('thao.vpt')
    first = _draft(client, plan)
    assert first.status_code == 200 and first.data.startswith(b'%PDF')
    assert len(list(tmp_path.glob('*.pdf'))) == 1

    calls = []

    def no_weasyprint(html: str, timeout: float) -> bytes:
        calls.append(len(html))
        raise AssertionError('WeasyPrint was called for unchanged data')

    monkeypatch.setattr(drafts, 'render_with_deadline', no_weasyprint)
    again = _draft(client, plan)
    assert again.status_code == 200 and again.data == first.data and calls == []

    # Changed data is a new key: rendered again (here by the stand-in, which counts the call).
    with app.extensions['inspect_flow.engine'].begin() as conn:
        conn.execute(sa.text("update conclusions set summary = summary || ' Bổ sung.' where unit_id = "
                             "(select id from admin_units where code = :c and level = 'district')"), {'c': MCB})
    monkeypatch.setattr(drafts, 'render_with_deadline', lambda html, timeout: calls.append(1) or b'%PDF-new')
    changed = _draft(client, plan)
    assert changed.status_code == 200 and changed.data == b'%PDF-new' and calls == [1]
    assert len(list(tmp_path.glob('*.pdf'))) == 2


def test_a_render_over_the_time_limit_answers_a_clear_503(app_factory, tmp_path, caplog):  # noqa: ANN001
    app = app_factory('closed', RENDER_CACHE_DIR=str(tmp_path), RENDER_TIMEOUT=0.05, PROPAGATE_EXCEPTIONS=False)
    plan = ids(app)['plan']
    client = Client(app)
    client.login('thao.vpt')
    r = _draft(client, plan)
    assert r.status_code == 503
    assert 'quá dài để dựng bản PDF trong 0.05 giây' in r.get_data(as_text=True)
    assert list(tmp_path.glob('*.pdf')) == []
    assert not [rec for rec in caplog.records if rec.levelname == 'ERROR']
    assert multiprocessing.active_children() == []  # the renderer was killed and reaped


def test_the_deadline_kills_a_long_render():
    """Without the web: a long HTML (a megabyte of text, the issue's 55-second draft) stops at the limit."""
    import time

    html = '<html><body>' + '<p>Nội dung kết luận rất dài.</p>' * 30_000 + '</body></html>'
    started = time.monotonic()
    with pytest.raises(drafts.RenderTimeout) as caught:
        drafts.render_with_deadline(html, 1.0)
    assert time.monotonic() - started < 8
    assert caught.value.status == 503 and caught.value.field == 'format'
    assert multiprocessing.active_children() == []
