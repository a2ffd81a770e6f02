"""The record of a working session filled on a phone (390 px wide) in a real Chromium: people added in place,
the records ticked and typed, the discussion, the opinion, the end time, saved as they are typed; a missing name
is said beside its field and nothing is saved until it is given; a finding is added with its source.

Set RECORD_SCREENS=<folder> to keep screenshots of the page at 390 and 1280 px."""

from __future__ import annotations

import json
import os
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def _record(server, visit: int) -> tuple[list, dict]:  # noqa: ANN001
    with server.engine.connect() as conn:
        content = conn.execute(sa.text('select content from visits where id = :v'), {'v': visit}).scalar()
        people = conn.execute(sa.text('select side, full_name, title from visit_participants where visit_id = :v '
                                      'order by id'), {'v': visit}).all()
    return [tuple(p) for p in people], (json.loads(content) if isinstance(content, str) else content) or {}


def _saved(page, form) -> None:  # noqa: ANN001
    """Wait for the autosave that follows the last change."""
    before = form.get_attribute('data-saved') or ''
    page.wait_for_function(f"""() => {{ const f = document.getElementById('record-form');
        return (f.getAttribute('data-saved') || '') !== {json.dumps(before)} }}""")


def test_an_inspector_fills_the_record_on_a_phone(new_context, visiting_server):  # noqa: ANN001, PLR0915
    with visiting_server.engine.connect() as conn:
        visit = conn.execute(sa.text("select v.id from visits v join admin_units a on a.id = v.commune_id "
                                     "where a.code = '28936'")).scalar()
    ctx = new_context(viewport={'width': 390, 'height': 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    errors: list[str] = []
    page.on('pageerror', lambda exc: errors.append(str(exc)))
    page.context.set_default_timeout(10_000)
    page.goto(visiting_server.url + '/login')
    login(page, 'ngan.ltk')
    page.goto(f'{visiting_server.url}/visits/{visit}')
    page.get_by_role('link', name=re.compile('^Biên bản')).click()
    form = page.locator('#record-form[data-ready="1"]')
    expect(form).to_be_visible()

    person = page.locator('li.person').nth(0)
    person.get_by_label('Thành phần').select_option('district')
    person.get_by_label('Họ và tên').fill('Nguyễn Văn Bình')
    person.get_by_label('Chức vụ').fill('Phó Chủ tịch UBND huyện')
    page.get_by_role('button', name='+ Thêm người').click()
    person = page.locator('li.person').nth(1)
    expect(person.get_by_label('Thành phần')).to_be_focused()
    person.get_by_label('Thành phần').select_option('commune')
    person.get_by_label('Họ và tên').fill('Lê Thị Hồng Nhung')
    person.get_by_label('Chức vụ').fill('Chủ tịch UBND xã')
    page.get_by_label('Ban Chỉ đạo huyện báo cáo').fill('Huyện có 1.412 hộ nghèo.')
    page.get_by_label('Ban Chỉ đạo xã báo cáo').fill('Xã có 112 hộ nghèo.')
    page.get_by_label('Sổ nhật ký hộ gia đình').check()
    page.get_by_label('Hồ sơ khác').fill('Sổ theo dõi cấp thẻ bảo hiểm y tế')
    page.get_by_label('Ý kiến trao đổi', exact=True).fill('Mặt trận xã đề nghị hỗ trợ con giống.')
    page.get_by_label('Ý kiến của đơn vị').fill('Thống nhất với nhận xét của Đoàn.')
    page.get_by_label('Giờ kết thúc').fill('11:40')
    _saved(page, form)
    expect(page.locator('[data-autosave-status]')).to_contain_text('Đã lưu nháp lúc')
    people, content = _record(visiting_server, visit)
    assert people == [('district', 'Nguyễn Văn Bình', 'Phó Chủ tịch UBND huyện'),
                      ('commune', 'Lê Thị Hồng Nhung', 'Chủ tịch UBND xã')]
    assert content['records_checked'] == ['Sổ nhật ký hộ gia đình', 'Sổ theo dõi cấp thẻ bảo hiểm y tế']
    assert content['discussion'] == ['Mặt trận xã đề nghị hỗ trợ con giống.'] and content['ended_at'] == '11:40'
    assert content['local_opinion'] == 'Thống nhất với nhận xét của Đoàn.'
    # Nothing wider than the phone.
    assert page.evaluate('document.documentElement.scrollWidth') <= 390
    shots = os.environ.get('RECORD_SCREENS')
    if shots:
        page.screenshot(path=f'{shots}/record-390.png', full_page=True)

    # A name wiped out: said beside the field, nothing saved, until it is given again.
    name = page.locator('li.person').nth(1).get_by_label('Họ và tên')
    name.fill('')
    field = page.locator('li.person').nth(1).locator('.field.has-error')
    expect(field.locator('.error')).to_contain_text('Người tham dự 2, họ và tên: phải nhập.')
    expect(page.locator('[data-autosave-status]')).to_contain_text('Chưa lưu')
    assert _record(visiting_server, visit)[0][1][1] == 'Lê Thị Hồng Nhung'
    if shots:
        page.locator('li.person').nth(1).screenshot(path=f'{shots}/record-390-error.png')
    name.fill('Lê Thị Hồng Nhung')
    expect(page.locator('.error.live')).to_have_count(0)
    expect(page.locator('[data-autosave-status]')).to_contain_text('Đã lưu nháp lúc')

    # Removing the second person, then a finding heard in the discussion, with its source.
    page.locator('li.person').nth(1).get_by_role('button', name='Bỏ người này').click()
    _saved(page, form)
    assert [p[1] for p in _record(visiting_server, visit)[0]] == ['Nguyễn Văn Bình']
    add = page.locator('form.add-finding')
    add.get_by_label('Hạn chế, tồn tại').check()
    add.get_by_label('Nhóm nội dung').fill('Thực hiện chính sách')
    add.get_by_label('Nội dung kết quả').fill('Còn 12 thẻ bảo hiểm y tế chưa phát đến hộ.')
    add.get_by_label('Nguồn').select_option('records')
    add.get_by_role('button', name='Ghi kết quả').click()
    page.wait_for_load_state()
    expect(page.locator('#findings')).to_contain_text('Còn 12 thẻ bảo hiểm y tế chưa phát đến hộ.')
    # What was saved is what the page shows after the reload.
    expect(page.locator('li.person').nth(0).get_by_label('Họ và tên')).to_have_value('Nguyễn Văn Bình')
    expect(page.get_by_label('Giờ kết thúc')).to_have_value('11:40')
    if shots:
        page.screenshot(path=f'{shots}/record-390-finding.png', full_page=True)
        page.set_viewport_size({'width': 1280, 'height': 900})
        page.screenshot(path=f'{shots}/record-1280.png', full_page=True)
    assert errors == []
