"""The visit form without a connection, in a real Chromium with its service worker: a team member opens "Việc
của tôi" online (the worker keeps the forms of the visits assigned to them), goes offline, opens the form, fills
it and submits it (kept on the phone, "Đang chờ gửi" shown), closes the tab, comes back online in a new tab, and
the submission arrives exactly once: one submission, one audit entry of the submit, the answers as typed, the
record (participants) kept. A draft typed offline arrives the same way. Logout leaves no page of the member on
the phone, and the next member on the same phone sees only their own forms.

Run on both databases (the app served on a SQLite file, then on PostgreSQL). Screenshots at 390 px go to
/work/notes/screens/offline/ (OFFLINE_SCREENS=<folder> to put them elsewhere)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.browser.steps import scalar

pytestmark = pytest.mark.browser

PHONE = {'width': 390, 'height': 844}
SCREENS = Path(os.environ.get('OFFLINE_SCREENS') or '/work/notes/screens/offline')
#: The answers the member types offline; everything else of the checklist is answered before (as the demo does).
TYPED = {'committee_decision': 'Quyết định số 27/QĐ-UBND ngày 12/01/2019 của UBND xã (ghi khi mất mạng)',
         'communication_sessions': 7}


def _visit_of_team(server, number: int) -> int:  # noqa: ANN001
    return scalar(server, 'select v.id from visits v join teams t on t.id = v.team_id where t.number = :n', n=number)


def _prepare(server, visit_id: int, *, leave_out: tuple[str, ...]) -> dict:  # noqa: ANN001
    """Answer the visit's checklist as the demo does, leaving out *leave_out*, and record its participants."""
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.demo.common import checklist_answers, ordered_visits
    from inspect_flow.demo.round2019 import _submission
    from inspect_flow.visits import operations as visit_ops
    from inspect_flow.visits.models import Visit

    with unit_of_work(make_session_factory(server.engine)) as s:
        visit = s.get(Visit, visit_id)
        i = [v.id for v in ordered_visits(visit.plan)].index(visit_id)
        answers = {k: v for k, v in checklist_answers(i, visit).items() if k not in leave_out}
        visit_ops.save_answers(s, visit, answers, actor='test')
        record = _submission(i, visit)
        visit_ops.save_record(s, visit, {'participants': record['participants'][:2], 'content': record['content']},
                              actor='test')
        return answers


def _answers(server, visit_id: int) -> dict:  # noqa: ANN001
    raw = scalar(server, 'select answers from visits where id = :v', v=visit_id)
    return json.loads(raw) if isinstance(raw, str) else raw


@pytest.fixture(scope='module', params=['sqlite', 'postgresql'])
def visiting_server(request, databases, tmp_path_factory):  # noqa: ANN001, ANN201
    """The round while visiting, served on each database in turn."""
    from tests.browser.conftest import _serve

    yield from _serve(databases, tmp_path_factory, 'visiting', request.param)


@pytest.fixture
def phone(browser, visiting_server):  # noqa: ANN001, ANN201
    """Open phone-sized contexts on the visiting server, service workers allowed; closed after the test."""
    opened = []

    def make():  # noqa: ANN202
        ctx = browser.new_context(base_url=visiting_server.url, locale='vi-VN', viewport=PHONE, is_mobile=True,
                                  has_touch=True, service_workers='allow')
        ctx.set_default_timeout(10_000)
        opened.append(ctx)
        return ctx

    yield make
    for ctx in opened:
        ctx.close()


def _kept_online(ctx, username: str):  # noqa: ANN001, ANN202
    """Log in and open "Việc của tôi" online: the service worker takes the page and keeps the member's forms."""
    page = ctx.new_page()
    login(page, username)
    page.goto('/me')
    page.wait_for_function('() => navigator.serviceWorker.controller !== null', timeout=15_000)
    page.reload()  # the manifest is asked for once the worker is active
    page.wait_for_function("() => document.documentElement.hasAttribute('data-offline-kept')", timeout=20_000)
    return page


def _settled(page) -> None:  # noqa: ANN001
    """Wait until the worker has kept this page's list (a page of /me online asks for it), so that no request is
    still on its way when the test closes the browser and the server."""
    page.wait_for_function("() => document.documentElement.hasAttribute('data-offline-kept')", timeout=20_000)


def _cached_urls(page) -> list[str]:  # noqa: ANN001
    return page.evaluate("""async () => { const out = [];
        for (const name of await caches.keys()) { const c = await caches.open(name);
            for (const r of await c.keys()) out.push(name + ' ' + new URL(r.url).pathname); }
        return out; }""")


def _queue(page) -> list[dict]:  # noqa: ANN001
    return page.evaluate('() => IFQueue.all()')


def _errors(page) -> list[str]:  # noqa: ANN001
    errors: list[str] = []
    page.on('pageerror', lambda exc: errors.append(str(exc)))
    return errors


def test_a_submission_made_offline_arrives_once_after_the_tab_is_closed(phone, visiting_server):  # noqa: ANN001, PLR0915
    server = visiting_server
    visit = _visit_of_team(server, 2)  # Lý Thị Kim Ngân (ngan.ltk) is a member of team 2
    _prepare(server, visit, leave_out=tuple(TYPED))
    people_before = scalar(server, 'select count(*) from visit_participants where visit_id = :v', v=visit)
    assert people_before == 2
    ctx = phone()
    page = _kept_online(ctx, 'ngan.ltk')
    kept = _cached_urls(page)
    user_id = scalar(server, "select id from users where username = 'ngan.ltk'")
    assert f'if-pages-u{user_id} /visits/{visit}' in kept and f'if-pages-u{user_id} /visits/{visit}/record' in kept
    assert f'if-pages-u{user_id} /static/js/visit-form.js' in kept
    # only this member's own open visits: not the visit of a team they are not on
    other = _visit_of_team(server, 3)
    assert not any(u.endswith(f'/visits/{other}') for u in kept)

    ctx.set_offline(True)
    form_page = ctx.new_page()
    errors = _errors(form_page)
    response = form_page.goto(f'/visits/{visit}')
    assert response is not None and response.from_service_worker and response.ok
    form = form_page.locator('#visit-form[data-ready="1"]')
    expect(form).to_be_visible()
    form_page.fill('[name="a.committee_decision"]', TYPED['committee_decision'])
    form_page.fill('[name="a.communication_sessions"]', str(TYPED['communication_sessions']))
    form_page.wait_for_function("() => document.getElementById('visit-form').hasAttribute('data-kept')")
    expect(form_page.locator('[data-autosave-status]')).to_contain_text('Đã lưu trên máy')
    form_page.locator('[data-submit]').click()
    form_page.wait_for_function("() => document.getElementById('visit-form').getAttribute('data-queued') === 'submit'")
    expect(form_page.locator('[data-offline-pending]')).to_contain_text('Đang chờ gửi: 2')
    expect(form_page.locator('[data-offline-state]')).to_contain_text('Đang không có mạng')
    queued = _queue(form_page)
    assert sorted(e['kind'] for e in queued) == ['draft', 'submit']
    submission = next(e for e in queued if e['kind'] == 'submit')
    assert submission['answers']['committee_decision'] == TYPED['committee_decision'] and submission['key']
    assert form_page.evaluate('document.documentElement.scrollWidth') <= PHONE['width']
    SCREENS.mkdir(parents=True, exist_ok=True)
    form_page.screenshot(path=str(SCREENS / 'form-offline-pending-390.png'))
    form_page.screenshot(path=str(SCREENS / 'form-offline-pending-390-full.png'), full_page=True)
    # Nothing reached the server.
    assert scalar(server, 'select state from visits where id = :v', v=visit) in ('scheduled', 'in_progress')
    assert 'committee_decision' not in _answers(server, visit)
    assert errors == []
    # A long time offline: the token the page was loaded with is no longer good. The queue fetches a fresh
    # one when the server refuses it, and sends again once.
    form_page.evaluate("""async () => { for (const e of await IFQueue.all()) {
        e.csrf = 'expired-token'; await IFQueue.put(e); } }""")
    form_page.close()
    page.close()

    # Back online, a new tab: the queue is sent (the page on load; Background Sync may race it: one key, once).
    ctx.set_offline(False)
    again = ctx.new_page()
    errors = _errors(again)
    again.goto('/me')
    _settled(again)
    expect(again.locator('[data-offline-messages]')).to_contain_text('Đã gửi kết quả nộp', timeout=20_000)
    expect(again.locator('[data-offline-pending]')).to_be_hidden()
    expect(again.locator('[data-offline-msg="sent"]', has_text='Đã gửi kết quả nộp')).to_have_count(1)
    again.wait_for_function('async () => (await IFQueue.all()).length === 0', timeout=20_000)
    again.screenshot(path=str(SCREENS / 'me-sent-390.png'))
    assert scalar(server, 'select state from visits where id = :v', v=visit) == 'submitted'
    answers = _answers(server, visit)
    assert answers['committee_decision'] == TYPED['committee_decision']
    assert answers['communication_sessions'] == TYPED['communication_sessions']
    assert answers['level'] == 'commune'  # what was answered before is kept
    # The record made online is kept: the submission sent the participants the server had.
    assert scalar(server, 'select count(*) from visit_participants where visit_id = :v', v=visit) == 2
    # Exactly once: one idempotency key, one submit in the history.
    assert scalar(server, 'select count(*) from idempotency_keys where user_id = :u and scope = :s',
                  u=user_id, s=f'POST /api/v1/visits/{visit}/submissions') == 1
    assert scalar(server, 'select key from idempotency_keys where user_id = :u', u=user_id) == submission['key']
    assert scalar(server, "select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                          "and action = 'transition' and trigger = 'submit'", v=visit) == 1
    # Another load sends nothing more.
    again.reload()
    _settled(again)
    again.wait_for_function("() => document.documentElement.hasAttribute('data-offline-flushed')")
    assert scalar(server, "select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                          "and action = 'transition' and trigger = 'submit'", v=visit) == 1
    assert errors == []

    # Logout: none of the member's pages stay on the phone.
    again.locator('form[action$="/logout"] button').click()
    again.wait_for_url('**/login**')
    again.wait_for_function('async () => (await caches.keys()).length === 0', timeout=10_000)
    assert _cached_urls(again) == []


def test_a_draft_typed_offline_arrives_and_the_next_member_sees_only_their_forms(phone, visiting_server):  # noqa: ANN001
    server = visiting_server
    visit = _visit_of_team(server, 3)  # Đỗ Hữu Nghĩa (nghia.tv): teams 3 and 6
    _prepare(server, visit, leave_out=tuple(TYPED))
    ctx = phone()
    page = _kept_online(ctx, 'nghia.tv')
    ctx.set_offline(True)
    form_page = ctx.new_page()
    errors = _errors(form_page)
    response = form_page.goto(f'/visits/{visit}')
    assert response is not None and response.from_service_worker
    expect(form_page.locator('#visit-form[data-ready="1"]')).to_be_visible()
    form_page.fill('[name="a.committee_decision"]', 'Bản nháp: Quyết định số 9/QĐ-UBND (chưa đủ)')
    form_page.wait_for_function("() => document.getElementById('visit-form').hasAttribute('data-kept')")
    expect(form_page.locator('[data-offline-pending]')).to_contain_text('Đang chờ gửi: 1')
    form_page.screenshot(path=str(SCREENS / 'form-offline-draft-390.png'))
    # Reopened offline, the form shows the draft kept on the phone, not the older copy of the page.
    form_page.close()
    reopened = ctx.new_page()
    reopened.goto(f'/visits/{visit}')
    expect(reopened.locator('#visit-form[data-ready="1"]')).to_be_visible()
    expect(reopened.locator('[name="a.committee_decision"]')).to_have_value(
        'Bản nháp: Quyết định số 9/QĐ-UBND (chưa đủ)')
    reopened.close()
    page.close()
    assert 'committee_decision' not in _answers(server, visit)

    ctx.set_offline(False)
    again = ctx.new_page()
    again.goto('/me')
    _settled(again)
    expect(again.locator('[data-offline-messages]')).to_contain_text('Đã gửi bản nháp', timeout=20_000)
    again.wait_for_function('async () => (await IFQueue.all()).length === 0', timeout=20_000)
    assert _answers(server, visit)['committee_decision'] == 'Bản nháp: Quyết định số 9/QĐ-UBND (chưa đủ)'
    assert scalar(server, 'select state from visits where id = :v', v=visit) == 'in_progress'  # a draft only
    assert errors == []

    # Another member on the same phone: the first one's pages are gone, only their own are kept.
    again.locator('form[action$="/logout"] button').click()
    again.wait_for_url('**/login**')
    page = _kept_online(ctx, 'ngan.ltk')
    kept = _cached_urls(page)
    assert kept and not any(u.endswith(f'/visits/{visit}') or u.endswith(f'/visits/{visit}/record') for u in kept)
    nghia = scalar(server, "select id from users where username = 'nghia.tv'")
    assert not any(u.startswith(f'if-pages-u{nghia} ') for u in kept)


def test_a_submission_the_server_refuses_stays_with_its_reason_until_dismissed(phone, visiting_server):  # noqa: ANN001
    """Offline, the member submits; meanwhile the secretariat cancels the visit. Back online the refusal is shown
    with the server's reason, stays across pages, and goes only when the member dismisses it."""
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.visits import operations as visit_ops
    from inspect_flow.visits.models import Visit

    server = visiting_server
    visit = _visit_of_team(server, 5)  # ngan.ltk's other team
    ctx = phone()
    page = _kept_online(ctx, 'ngan.ltk')
    ctx.set_offline(True)
    form_page = ctx.new_page()
    errors = _errors(form_page)
    assert form_page.goto(f'/visits/{visit}').from_service_worker
    expect(form_page.locator('#visit-form[data-ready="1"]')).to_be_visible()
    form_page.locator('[data-submit]').click()
    form_page.wait_for_function("() => document.getElementById('visit-form').getAttribute('data-queued') === 'submit'")
    form_page.close()
    page.close()
    with unit_of_work(make_session_factory(server.engine)) as s:
        visit_ops.cancel_visit(s, s.get(Visit, visit), reason='Xã đề nghị hoãn do mưa lũ.', actor='test')

    ctx.set_offline(False)
    again = ctx.new_page()
    again.goto('/me')
    _settled(again)
    refused = again.locator('[data-offline-msg="refused"]')
    expect(refused).to_contain_text('Không gửi được kết quả nộp', timeout=20_000)
    expect(again.locator('[data-offline-pending]')).to_be_hidden()
    assert scalar(server, 'select state from visits where id = :v', v=visit) == 'cancelled'
    queued = _queue(again)
    assert [(e['kind'], e['state']) for e in queued] == [('submit', 'refused')] and queued[0]['message']
    again.screenshot(path=str(SCREENS / 'me-refused-390.png'))
    # Still there on the next page, and on the one after: never dropped silently.
    again.reload()
    _settled(again)
    expect(again.locator('[data-offline-msg="refused"]')).to_have_count(1)
    again.get_by_role('button', name='Bỏ yêu cầu này').click()
    expect(again.locator('[data-offline-msg="refused"]')).to_have_count(0)
    again.wait_for_function('async () => (await IFQueue.all()).length === 0')
    again.reload()
    _settled(again)
    expect(again.locator('[data-offline-msg="refused"]')).to_have_count(0)
    assert errors == []


def test_the_record_page_typed_offline_arrives(phone, visiting_server):  # noqa: ANN001
    """The record page (biên bản) is kept with the form: what is typed on it offline is kept on the phone, shown
    again when the page is reopened offline, and saved once the connection returns."""
    server = visiting_server
    visit = _visit_of_team(server, 6)  # nghia.tv's other team
    ctx = phone()
    page = _kept_online(ctx, 'nghia.tv')
    ctx.set_offline(True)
    record = ctx.new_page()
    errors = _errors(record)
    assert record.goto(f'/visits/{visit}/record').from_service_worker
    expect(record.locator('#record-form[data-ready="1"]')).to_be_visible()
    record.get_by_label('Ý kiến của đơn vị').fill('Xã thống nhất; đề nghị hỗ trợ thêm con giống (ghi khi mất mạng).')
    record.get_by_label('Giờ kết thúc').fill('11:20')
    record.wait_for_function("() => document.getElementById('record-form').hasAttribute('data-kept')")
    expect(record.locator('[data-offline-pending]')).to_contain_text('Đang chờ gửi: 1')
    record.screenshot(path=str(SCREENS / 'record-offline-390.png'))
    record.close()
    reopened = ctx.new_page()
    reopened.goto(f'/visits/{visit}/record')
    expect(reopened.locator('#record-form[data-ready="1"]')).to_be_visible()
    expect(reopened.get_by_label('Giờ kết thúc')).to_have_value('11:20')
    reopened.close()
    page.close()
    assert (scalar(server, 'select content from visits where id = :v', v=visit) or '{}').count('mất mạng') == 0

    ctx.set_offline(False)
    again = ctx.new_page()
    again.goto('/me')
    _settled(again)
    expect(again.locator('[data-offline-messages]')).to_contain_text('Đã gửi bản nháp', timeout=20_000)
    raw = scalar(server, 'select content from visits where id = :v', v=visit)
    content = json.loads(raw) if isinstance(raw, str) else raw
    assert content['local_opinion'] == 'Xã thống nhất; đề nghị hỗ trợ thêm con giống (ghi khi mất mạng).'
    assert content['ended_at'] == '11:20'
    again.set_viewport_size({'width': 1280, 'height': 800})
    again.screenshot(path=str(SCREENS / 'me-sent-1280.png'))
    assert errors == []
