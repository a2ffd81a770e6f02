"""The schedule finished in the browser: the random draw's communes come first in the schedule's choices, preselected
until scheduled; and a plan pins any shipped checklist version that applies to it, refused beside the field if not."""

from __future__ import annotations

import html as html_lib
import re

import sqlalchemy as sa

from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.plans.checklists import pin_default_checklists
from tests import builders

from .conftest import Client, snapshot


def _drawn_options(page: str) -> list[tuple[str, bool]]:
    group = re.search(r'<optgroup label="Xã đã chọn ngẫu nhiên" data-drawn>(.*?)</optgroup>', page, re.S)
    assert group, 'no drawn communes offered'
    return [(code, bool(sel)) for code, sel in re.findall(r'<option value="(\d+)"( selected)?', group.group(1))]


def test_the_draw_fills_the_schedules_commune_choices(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        plan = builders.plan_at(s, 'scheduling', complete=False)  # districts 833 and 838, one commune each
        plan_id, team = plan.id, plan.teams[0].id
    staff = Client(app)
    staff.login('thao.vpt')
    assert 'data-drawn' not in staff.get(f'/plans/{plan_id}/schedule').get_data(as_text=True)  # no draw yet
    r = staff.post(f'/plans/{plan_id}/draw', {'per_district': '1', 'seed': 'bentre-2019'})
    assert r.status_code == 302
    page = staff.get(f'/plans/{plan_id}/schedule').get_data(as_text=True)
    drawn = _drawn_options(page)
    assert len(drawn) == 2 and [sel for _, sel in drawn] == [True, False]  # the first drawn commune is preselected
    assert page.count(' selected>') >= 1 and len(re.findall(r'<option value="\d+" selected', page)) == 1
    links = re.findall(r'href="/plans/\d+/schedule\?commune=(\d+)#add-visit"', page)
    assert links == [c for c, _ in drawn]

    first, second = drawn[0][0], drawn[1][0]
    r = staff.post(f'/plans/{plan_id}/schedule', {'team': team, 'commune': first, 'day': '2019-07-11',
                                                  'starts': '07:30', 'ends': '11:30'})
    assert r.status_code == 302
    page = staff.get(f'/plans/{plan_id}/schedule').get_data(as_text=True)
    assert _drawn_options(page) == [(second, True), (first, False)]  # the one left comes first, chosen
    assert re.search(rf'data-code="{first}">.*?đã xếp lịch', page, re.S)
    # a drawn commune's link chooses it
    page = staff.get(f'/plans/{plan_id}/schedule?commune={first}').get_data(as_text=True)
    assert _drawn_options(page) == [(second, False), (first, True)]
    # what the user typed wins over the draw when the form comes back with an error
    r = staff.post(f'/plans/{plan_id}/schedule', {'team': team, 'commune': second, 'day': 'không phải ngày',
                                                  'starts': '07:30', 'ends': '11:30'})
    assert r.status_code == 422 and _drawn_options(r.get_data(as_text=True))[0] == (second, True)


def _pins(app, plan_id: int) -> dict:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return dict(conn.execute(sa.text('select checklist_id, version from plan_checklists where plan_id = :p'),
                                 {'p': plan_id}).all())


def test_a_pin_names_any_shipped_version_that_applies(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        plan = builders.plan_at(s, 'scheduling', complete=False, two_tier=True)  # a 2026 round: both versions apply
        pin_default_checklists(s, plan, actor='test')
        two_tier = plan.id
        old = builders.plan_at(s, 'planning')  # a 2019 round: 2026.1 does not apply
        pin_default_checklists(s, old, actor='test')
        old_id = old.id
    assert _pins(app, two_tier) == {'poverty-supervision': '2026.1', 'household-consultation': '2026.1'}
    staff = Client(app)
    staff.login('thao.vpt')
    page = staff.get(f'/plans/{two_tier}').get_data(as_text=True)
    select = re.search(r'<select id="f-pin-poverty-supervision".*?</select>', page, re.S).group(0)
    assert '<option value="2026.1" selected>' in select and '<option value="2019.1">' in select

    r = staff.post(f'/plans/{two_tier}/checklists', {'pin-poverty-supervision': '2019.1',
                                                     'pin-household-consultation': ''})
    assert r.status_code == 302
    assert _pins(app, two_tier) == {'poverty-supervision': '2019.1'}  # the older form, and no household form
    history = html_lib.unescape(staff.get(f'/plans/{two_tier}/history').get_data(as_text=True))
    assert 'Phiên bản: 2026.1' in history and 'Phiên bản: 2019.1' in history
    assert '>xóa<' in history

    page = staff.get(f'/plans/{old_id}').get_data(as_text=True)
    assert re.search(r'<option value="2026.1" disabled>2026.1 \(từ ngày 01/07/2025\) — không áp dụng', page)
    before = snapshot(app)
    r = staff.post(f'/plans/{old_id}/checklists', {'pin-household-consultation': '',
                                                   'pin-poverty-supervision': '2026.1'})
    body = html_lib.unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and snapshot(app) == before  # nothing written half-way (the unpin neither)
    assert re.search(r'id="e-pin-poverty-supervision">[^<]*chỉ áp dụng từ ngày 01/07/2025', body)
    assert '<option value="2026.1" selected>' in body  # the form keeps the choice
    r = staff.post(f'/plans/{old_id}/checklists', {'pin-khong-co': '1.0'})
    assert r.status_code == 422 and 'Không có bộ câu hỏi "khong-co"' in html_lib.unescape(r.get_data(as_text=True))
    member = Client(app)
    member.login('ngan.ltk')
    assert member.post(f'/plans/{old_id}/checklists', {'pin-poverty-supervision': '2019.1'}).status_code in (403, 404)
