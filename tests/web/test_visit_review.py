"""The visit page once the team cannot edit it: the answers read as a document (the leader's review), the
households quota on the form and in the review, the submit-error summary linking to each item, and
cancelling near the top with a required reason that shows on the visit and on the schedule."""

from __future__ import annotations

import html
import re

import sqlalchemy as sa

from tests.web.conftest import ROLES, Client, ids, snapshot
from tests.web.test_visit_form import _answers_of_demo, _fields, _jpeg, _post_form, _stored, _upload


def _as(app, role: str) -> Client:  # noqa: ANN001
    client = Client(app)
    assert client.login(ROLES[role]).status_code == 302
    return client


def _block(page: str, anchor: str) -> str:
    """The HTML of the document entry with id *anchor* (up to the next entry)."""
    start = page.index(f'id="{anchor}"')
    end = page.find('<div class="qa', start + 1)
    return page[start:end if end > 0 else None]


def test_a_short_submit_is_noted_and_the_leader_reads_the_answers_as_a_document(app_factory):  # noqa: ANN001
    app = app_factory('visiting')
    visit = ids(app)['visit5']
    member, leader = _as(app, 'member25'), _as(app, 'leader5')

    # The form shows the quota and counts the roster (nothing yet).
    page = member.get(f'/visits/{visit}').get_data(as_text=True)
    assert 'id="visit-form"' in page and 'data-quota="4"' in page
    assert re.search(r'<span data-quota-count>0</span>/4', page)
    assert 'kế hoạch: 04 hộ mỗi xã' in page

    # A submit of an empty form: the summary links to each item in error, in the form's order.
    r = _post_form(member, f'/visits/{visit}/submit', _fields({'level': None}))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    summary = page.split('data-error-summary', 1)[1].split('</div>', 1)[0]
    anchors = re.findall(r'href="#([^"]+)" data-focus-item="\1"', summary)
    assert anchors[:2] == ['i-a-level', 'i-a-visit_date'] and len(anchors) == summary.count('<li>') > 5
    # Each entry names its item once: the link, then what is wrong.
    assert 'data-focus-item="i-a-level">Cấp được kiểm tra</a>: bắt buộc phải trả lời</li>' in html.unescape(summary)
    for anchor in anchors:
        assert f'id="{anchor}"' in page.split('data-error-summary', 1)[1], anchor  # each link lands on its item

    # A photo of the session, then two households against a quota of four: accepted, and said at once.
    photo = _upload(member, visit, 'session_photo', _jpeg(), 'buoi-lam-viec.jpg')
    assert photo.status_code == 200, photo.get_data(as_text=True)
    photo_url = photo.get_json()['urls']['session_photo']
    answers = _answers_of_demo(app, visit)
    answers['household_roster'] = answers['household_roster'][:2]
    r = _post_form(member, f'/visits/{visit}/submit', _fields(answers))
    assert r.status_code == 302, re.findall(r'<p class="error"[^>]*>([^<]*)', r.get_data(as_text=True))
    assert _stored(app, visit)[0] == 'submitted'
    page = html.unescape(member.get(f'/visits/{visit}').get_data(as_text=True))
    assert 'class="flash warn"' in page
    assert 'Lưu ý: Đã tham vấn 2/4 hộ (kế hoạch: 04 hộ mỗi xã); còn thiếu 2 hộ.' in page

    # The leader's review: a document, not a disabled form.
    page = html.unescape(leader.get(f'/visits/{visit}').get_data(as_text=True))
    assert 'id="visit-document"' in page and 'id="visit-form"' not in page
    assert 'disabled>' not in page and 'type="radio"' not in page
    assert '⚠ Số hộ tham vấn:' in page and 'còn thiếu 2 hộ so với kế hoạch' in page
    assert page.index('id="households-quota"') < page.index('id="review"')  # seen before deciding
    level = _block(page, 'i-a-level')
    assert '<dt>Cấp được kiểm tra</dt>' in level and '<span class="value">Cấp xã</span>' in level
    assert re.search(r'<span class="value">2</span> <small class="calc-note">\(tính tự động\)</small>',
                     _block(page, 'i-a-households_consulted'))
    assert f'<img src="{photo_url}"' in _block(page, 'i-a-session_photo')
    assert 'Không có tệp' in _block(page, 'i-a-records_file')
    roster = page[page.index('id="i-a-household_roster"'):page.index('id="i-a-household_roster"') + 20000]
    assert 'Hộ 1' in roster and 'Hộ 2' in roster and 'Hộ 3' not in roster and 'thiếu 2 hộ' in roster
    # Each suggested finding stands beside the item it came from, with the leader's accept / reject.
    with app.extensions['inspect_flow.engine'].connect() as conn:
        suggested = conn.execute(sa.text(
            "select id, checklist_item_id from findings where visit_id = :v and status = 'suggested' "
            'and checklist_item_id is not null'), {'v': visit}).all()
    assert suggested
    for finding_id, item_id in suggested:
        start = page.index(f'id="i-a-{item_id}"')
        assert start < page.index(f'id="finding-{finding_id}"') < page.find('<div class="qa', start + 1), item_id
    assert page.count('class="beside-findings"') >= 1 and f'/findings/{suggested[0][0]}/decide' in page

    # The visit's history keeps the note.
    history = html.unescape(leader.get(f'/visits/{visit}/history').get_data(as_text=True))
    assert 'còn thiếu 2 hộ' in history


def test_cancelling_asks_for_the_reason_and_shows_it_on_the_visit_and_the_schedule(app_factory):  # noqa: ANN001
    app = app_factory('visiting')
    visit, plan = ids(app)['visit5'], ids(app)['plan']
    r = _post_form(_as(app, 'member25'), f'/visits/{visit}/save', _fields(_answers_of_demo(app, visit)))
    assert r.status_code == 302
    secretariat = _as(app, 'secretariat')
    page = secretariat.get(f'/visits/{visit}').get_data(as_text=True)
    # Reachable near the top: before the (long) answers, closed until asked for.
    assert page.index('<details class="cancel" id="cancel">') < page.index('id="visit-document"')

    before = snapshot(app)
    r = secretariat.post(f'/visits/{visit}/cancel', {'reason': '   '})
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert '<details class="cancel" id="cancel" open>' in page
    assert 'aria-invalid="true"' in page.split('id="f-reason"', 1)[1].split('>', 1)[0]
    assert '<p class="error" id="e-reason">Lý do hủy: chưa ghi.' in page
    assert snapshot(app) == before

    reason = 'Địa phương có bão số 3, UBND xã đề nghị dời lịch làm việc.'
    assert secretariat.post(f'/visits/{visit}/cancel', {'reason': reason}).status_code == 302
    page = html.unescape(secretariat.get(f'/visits/{visit}').get_data(as_text=True))
    card = page.split('id="cancelled"', 1)[1].split('</div>', 1)[0]
    assert 'Buổi làm việc đã hủy' in card and reason in card
    assert 'id="cancel"' not in page and 'id="households-quota"' not in page
    schedule = html.unescape(secretariat.get(f'/plans/{plan}/schedule').get_data(as_text=True))
    row = schedule.split(f'id="visit-{visit}"', 1)[1].split('</tr>', 1)[0]
    assert 'class="cancel-reason"' in row and reason in row
