"""On a 390-px phone, a refused submit takes the member to the item in error, and each link of the error
summary takes them to its item: scrolled into view and focused, not left at the top of a long page."""

from __future__ import annotations

import os
import threading

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PHONE = {'width': 390, 'height': 844}


@pytest.fixture(scope='module')
def visiting_server(databases, tmp_path_factory):  # noqa: ANN001, ANN201
    """The 2019 round while visiting (the visits open to their teams), served on a SQLite copy."""
    from werkzeug.serving import make_server

    from inspect_flow import create_app
    from inspect_flow.accounts.operations import ensure_demo_accounts, use_fast_hashing
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.demo.round2019 import run_demo

    use_fast_hashing()
    saved = os.environ.get('INSPECT_FLOW_INSTANCE')
    os.environ['INSPECT_FLOW_INSTANCE'] = str(tmp_path_factory.mktemp('instance'))
    try:
        app = create_app({'DATABASE_URL': databases.fresh('sqlite'), 'SECRET_KEY': 'browser-tests',
                          'SESSION_COOKIE_SECURE': False, 'REMEMBER_COOKIE_SECURE': False})
    finally:
        if saved is None:
            os.environ.pop('INSPECT_FLOW_INSTANCE', None)
        else:
            os.environ['INSPECT_FLOW_INSTANCE'] = saved
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        run_demo(s, 'visiting')
        ensure_demo_accounts(s)
    server = make_server('127.0.0.1', 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f'http://127.0.0.1:{server.server_port}'
    server.shutdown()
    thread.join(timeout=10)
    app.extensions['inspect_flow.engine'].dispose()


def _in_view(page, anchor: str) -> bool:  # noqa: ANN001
    return page.evaluate("""id => { const r = document.getElementById(id).getBoundingClientRect();
                                    return r.top >= -2 && r.top < window.innerHeight; }""", anchor)


def test_a_refused_submit_on_a_phone_focuses_the_item_in_error(browser, visiting_server):  # noqa: ANN001
    app, url = visiting_server
    with app.extensions['inspect_flow.engine'].connect() as conn:
        visit = conn.execute(sa.text('select v.id from visits v join teams t on t.id = v.team_id '
                                     'where t.number = 2')).scalar()
    ctx = browser.new_context(base_url=url, locale='vi-VN', viewport=PHONE, is_mobile=True, has_touch=True)
    ctx.set_default_timeout(10_000)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on('pageerror', lambda exc: errors.append(str(exc)))
        login(page, 'ngan.ltk')
        page.goto(f'/visits/{visit}')
        page.locator('.item[data-item="level"] input[value=commune]').check()
        page.locator('[data-submit]').click()
        page.wait_for_load_state()

        summary = page.locator('[data-error-summary]')
        expect(summary).to_be_visible()
        links = summary.locator('a[data-focus-item]')
        anchors = [links.nth(i).get_attribute('data-focus-item') for i in range(links.count())]
        assert anchors[0] == 'i-a-visit_date' and len(anchors) > 5
        # At once: the first item in error, focused and in view (far below the summary on a phone).
        expect(page.locator('#i-a-visit_date input[type=date]')).to_be_focused()
        assert _in_view(page, 'i-a-visit_date')
        assert page.evaluate('window.scrollY') > 0

        # A later link of the summary: its item is scrolled to and its first control focused.
        page.evaluate('window.scrollTo(0, 0)')
        target = anchors[-1]
        links.nth(len(anchors) - 1).click()
        assert page.evaluate('id => document.getElementById(id).contains(document.activeElement) && '
                             "document.activeElement.matches('input, select, textarea')", target)
        assert _in_view(page, target)
        assert page.url.endswith('#' + target)
        assert errors == []
    finally:
        ctx.close()
