"""The pickers in Chromium on a 390-px phone (and a 1280-px desktop): type part of a name, tap the match, save.

Set ``INSPECT_FLOW_SCREENS=DIR`` to keep a screenshot of each picker in use (``tests/browser/picker_screens.py``
takes the whole set, the addressee's too).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PHONE = {'viewport': {'width': 390, 'height': 844}, 'is_mobile': True, 'has_touch': True}
DESKTOP = {'viewport': {'width': 1280, 'height': 900}}


def _shot(page, name: str) -> None:  # noqa: ANN001
    folder = os.environ.get('INSPECT_FLOW_SCREENS')
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f'{name}.png'), full_page=False)


def _scalar(live_server, sql: str, **params):  # noqa: ANN001, ANN003, ANN202
    with live_server.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def _tap(page, box: str, name, touch: bool = True) -> None:  # noqa: ANN001
    """Tap (or click) the match named *name* under the picker box *box*; it must be a finger's height."""
    option = page.locator(f'#{box}-list').get_by_role('option', name=name, exact=isinstance(name, str))
    expect(option).to_be_visible()
    box = option.bounding_box()
    assert box['height'] >= 44, box
    if touch:
        option.tap()
    else:
        option.click()


@pytest.mark.parametrize(('size', 'options'), [('390', PHONE), ('1280', DESKTOP)])
def test_a_plan_and_a_person_get_their_units_by_typing_part_of_a_name(new_context, live_server, size, options):  # noqa: ANN001
    page = new_context(**options).new_page()
    touch = options.get('has_touch', False)
    errors: list[str] = []
    page.on('pageerror', lambda exc: errors.append(str(exc)))
    login(page, 'thao.vpt')
    page.goto('/plans/new')
    page.locator('#f-issuer').fill('bcdcc')
    _tap(page, 'f-issuer', re.compile('^Ban Chỉ đạo các Chương trình'), touch)
    expect(page.locator('input[name=issuer]')).not_to_have_value('')
    page.fill('#f-subject', f'Giám sát giảm nghèo ({size})')
    page.fill('#f-fieldwork_start', '2019-09-03')
    page.fill('#f-fieldwork_end', '2019-09-20')
    page.locator('#f-targets').press_sequentially('nhuan phu tan', delay=20)
    expect(page.locator('#f-targets-list').get_by_role('option')).to_have_count(1)
    _shot(page, f'picker-targets-{size}')
    _tap(page, 'f-targets', 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre', touch)
    expect(page.locator('input[name=targets][value="28936"]')).to_be_checked()
    expect(page.locator('#f-targets')).to_have_value('')
    # the keyboard: arrows and Enter choose without sending the form
    page.locator('#f-targets').press_sequentially('MỎ CÀY', delay=20)
    expect(page.locator('#f-targets-list').get_by_role('option').first).to_have_text('Huyện Mỏ Cày Bắc — Tỉnh Bến Tre')
    page.locator('#f-targets').press('ArrowDown')
    page.locator('#f-targets').press('ArrowDown')
    page.locator('#f-targets').press('Enter')
    expect(page.locator('input[name=targets][value="833"]')).to_be_checked()  # Huyện Mỏ Cày Nam
    assert '/plans/new' in page.url
    page.locator('input[name=targets][value="833"]').uncheck()
    page.get_by_role('button', name='Lưu', exact=True).click()
    page.wait_for_load_state()
    assert re.search(r'/plans/\d+$', page.url), page.locator('main').inner_text()[:1500]
    plan_id = int(page.url.rsplit('/', 1)[1])
    assert _scalar(live_server, 'select a.code from plan_target_units t join admin_units a on a.id = t.unit_id '
                                'where t.plan_id = :p', p=plan_id) == '28936'
    assert _scalar(live_server, 'select count(*) from plan_target_units where plan_id = :p', p=plan_id) == 1

    # a person's work unit on the plan's teams page
    page.goto(f'/plans/{plan_id}/teams')
    name = f'Phạm Thị Thử {size}'
    page.fill('#f-full_name', name)
    page.locator('#f-person-unit').press_sequentially('nhuan phu tan', delay=20)
    expect(page.locator('#f-person-unit-list').get_by_role('option')).to_have_count(1)
    _shot(page, f'picker-person-unit-{size}')
    _tap(page, 'f-person-unit', 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre', touch)
    expect(page.locator('#f-person-unit')).to_have_value('Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre')
    page.get_by_role('button', name='Thêm người').click()
    page.wait_for_load_state()
    assert _scalar(live_server, 'select a.code from people p join admin_units a on a.id = p.unit_id '
                                'where p.full_name = :n', n=name) == '28936'
    assert errors == []


def test_without_javascript_the_typed_name_is_searched_and_chosen_on_the_server(new_context, live_server):  # noqa: ANN001
    page = new_context(java_script_enabled=False, **PHONE).new_page()
    login(page, 'admin')
    page.goto('/users')
    page.fill('#f-username', 'xa.thu.nojs')
    page.fill('#f-full_name', 'UBND xã thử')
    page.fill('#f-password', 'matkhau-dai')
    page.locator('#f-role').select_option('team_leader')
    page.fill('#f-person', 'nguyen')  # several people: the server lists them
    page.get_by_role('button', name='Thêm', exact=True).click()
    page.wait_for_load_state()
    expect(page.locator('.picker-choices')).to_be_visible()
    expect(page.locator('#f-person')).to_have_value('nguyen')
    page.locator('.picker-choices').scroll_into_view_if_needed()
    _shot(page, 'picker-nojs-choices-390')
    page.locator('.picker-choices label').first.click()
    page.fill('#f-password', 'matkhau-dai')
    page.get_by_role('button', name='Thêm', exact=True).click()
    page.wait_for_load_state()
    expect(page.locator('.flash.ok')).to_contain_text('xa.thu.nojs')
    assert _scalar(live_server, "select person_id from users where username = 'xa.thu.nojs'") is not None


def test_the_secretariat_creates_an_issuing_body_on_a_phone(new_context, live_server):  # noqa: ANN001
    page = new_context(**PHONE).new_page()
    login(page, 'thao.vpt')
    page.goto('/plans')
    page.get_by_role('link', name='Cơ quan').click()
    page.fill('#f-name', 'Ban Chỉ đạo giảm nghèo thử nghiệm')
    page.fill('#f-abbreviation', 'bcdgn')
    page.fill('#f-place_name', 'Vĩnh Long')
    page.fill('#f-parent_header', 'UBND TỈNH VĨNH LONG')
    page.fill('#f-header_lines', 'BAN CHỈ ĐẠO\nGIẢM NGHÈO')
    page.locator('#f-unit').press_sequentially('vinh long', delay=20)
    expect(page.locator('#f-unit-list').get_by_role('option').first).to_have_text('Tỉnh Vĩnh Long')
    _shot(page, 'body-form-picker-390')
    _tap(page, 'f-unit', 'Tỉnh Vĩnh Long')
    page.locator('h2#new').scroll_into_view_if_needed()
    _shot(page, 'body-form-390')
    page.get_by_role('button', name='Thêm cơ quan').click()
    page.wait_for_load_state()
    expect(page.locator('.flash.ok')).to_contain_text('Ban Chỉ đạo giảm nghèo thử nghiệm')
    expect(page.locator('.bodies')).to_contain_text('BCDGN')
    assert _scalar(live_server, "select slug from issuing_bodies where abbreviation = 'BCDGN'") == \
        'ban-chi-dao-giam-ngheo-thu-nghiem'
    assert _scalar(live_server, "select a.code from issuing_bodies b join admin_units a on a.id = b.unit_id "
                                "where b.abbreviation = 'BCDGN'") == '86'
    # a refused form keeps what was typed, the error beside its field
    page.fill('#f-name', 'Ban khác')
    page.fill('#f-abbreviation', 'BK')
    page.fill('#f-place_name', 'Vĩnh Long')
    page.fill('#f-slug', 'ban-chi-dao-giam-ngheo-thu-nghiem')
    page.get_by_role('button', name='Thêm cơ quan').click()
    page.wait_for_load_state()
    expect(page.locator('#e-slug')).to_contain_text('đã có cơ quan khác dùng')
    expect(page.locator('#f-name')).to_have_value('Ban khác')


def test_a_name_typed_before_the_picker_script_arrives_is_searched(new_context, live_server):  # noqa: ANN001
    """On a slow connection the box is on screen before picker.js: what was typed then still gets its matches."""
    page = new_context(service_workers='block', **PHONE).new_page()  # the network's pace, not the worker's cache
    login(page, 'thao.vpt')
    held: list = []
    page.route('**/static/js/picker.js', lambda route: held.append(route))  # the script, held back
    page.goto('/plans/new', wait_until='commit')  # (a deferred script holds DOMContentLoaded back)
    page.locator('#f-issuer').fill('bcdcc')  # typed while the script is still on its way
    page.wait_for_timeout(300)
    assert len(held) == 1 and page.locator('#f-issuer-list').get_by_role('option').count() == 0
    held[0].continue_()
    expect(page.locator('#f-issuer-list').get_by_role('option').first).to_contain_text('Ban Chỉ đạo các Chương trình')
