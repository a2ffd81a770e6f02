"""The record page of a visit (/visits/<id>/record): the team enters who took part for the local side, the reports
heard, the records checked, the discussion, the local side's opinion, the end time and its findings, on a phone,
saved as it is typed; others who may see the visit read it; once submitted nobody edits it. The minutes of a
visit recorded only here print all of it, and assume no agreement."""

from __future__ import annotations

import html as html_lib
import io
import json
import re

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.web.conftest import ROLES, Client, ids, snapshot

COMMON = 'Sổ nhật ký hộ gia đình'
OTHER = 'Sổ theo dõi cấp thẻ bảo hiểm y tế năm 2019'


def _client(app, role: str) -> Client:  # noqa: ANN001
    client = Client(app)
    assert client.login(ROLES[role]).status_code == 302
    return client


def _fields(**extra: str) -> MultiDict:
    data = MultiDict([
        ('participants.0.side', 'district'), ('participants.0.full_name', 'Nguyễn Văn Bình'),
        ('participants.0.title', 'Phó Chủ tịch UBND huyện Mỏ Cày Bắc'), ('participants.0.agency', ''),
        ('participants.1.side', 'commune'), ('participants.1.full_name', 'Lê Thị Hồng Nhung'),
        ('participants.1.title', 'Chủ tịch UBND xã'), ('participants.1.agency', 'UBND xã Nhuận Phú Tân'),
        ('participants.2.side', 'commune'), ('participants.2.full_name', ''),  # a row added and left blank
        ('participants.2.title', ''), ('participants.2.agency', ''),
        ('participants.3.side', 'invited'), ('participants.3.full_name', 'Võ Văn Quang'),
        ('participants.3.title', 'Chủ tịch Ủy ban MTTQ Việt Nam xã'), ('participants.3.agency', ''),
        ('content.district_report', 'Huyện có 1.412 hộ nghèo, chiếm 2,87%.'),
        ('content.commune_report', 'Xã có 112 hộ nghèo và 160 hộ cận nghèo.'),
        ('content.records_checked', COMMON),
        ('content.records_checked', 'Danh sách hộ nghèo, hộ cận nghèo'),
        ('records_other', f'{OTHER}\n\n'),
        ('content.discussion',
         'Đại diện Mặt trận xã đề nghị hỗ trợ thêm con giống.\nHội Nông dân xã đề nghị tập huấn.'),
        ('content.local_opinion', ''),
        ('content.ended_at', '11:40'),
    ])
    for key, value in extra.items():
        data[key] = value
    return data


def _post(client: Client, path: str, data: MultiDict):  # noqa: ANN201
    data = MultiDict(data)
    data['csrf_token'] = client.token
    return client.c.post(path, data=data)


def _record(app, visit: int) -> tuple[str, list, dict]:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        state, content = conn.execute(sa.text('select state, content from visits where id = :v'), {'v': visit}).one()
        people = conn.execute(sa.text('select id, side, full_name, title from visit_participants where visit_id = :v '
                                      'order by id'), {'v': visit}).all()
    return state, [tuple(p) for p in people], (json.loads(content) if isinstance(content, str) else content) or {}


def _errors(page: str) -> list[str]:
    return [html_lib.unescape(m) for m in re.findall(r'<p class="error"[^>]*>([^<]*)</p>', page)]


def _pdf_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return '\n'.join(p.extract_text() or '' for p in pdf.pages)


def test_the_team_records_the_session_and_the_minutes_print_what_was_typed_and_no_assumed_agreement(app_factory):  # noqa: ANN001, PLR0915
    app = app_factory('visiting')
    visit = ids(app)['visit5']
    member = _client(app, 'member25')
    page = member.get(f'/visits/{visit}').get_data(as_text=True)
    assert f'href="/visits/{visit}/record"' in page  # the card near the top of the visit page
    page = member.get(f'/visits/{visit}/record').get_data(as_text=True)
    assert 'id="record-form"' in page and f'data-autosave="/visits/{visit}/record/autosave"' in page
    assert 'name="csrf_token"' in page and 'name="participants.0.full_name"' in page
    assert 'value="Sổ nhật ký hộ gia đình"' in page  # the common records, as a list to tick

    r = _post(member, f'/visits/{visit}/record', _fields())
    assert r.status_code == 302, _errors(r.get_data(as_text=True))
    state, people, content = _record(app, visit)
    assert state == 'in_progress'
    assert [(p[1], p[2]) for p in people] == [('district', 'Nguyễn Văn Bình'), ('commune', 'Lê Thị Hồng Nhung'),
                                              ('invited', 'Võ Văn Quang')]  # the blank row is dropped
    assert content['records_checked'] == ['Danh sách hộ nghèo, hộ cận nghèo', COMMON, OTHER]
    assert content['discussion'] == ['Đại diện Mặt trận xã đề nghị hỗ trợ thêm con giống.',
                                     'Hội Nông dân xã đề nghị tập huấn.']
    assert content['ended_at'] == '11:40' and content['local_opinion'] == ''
    with app.extensions['inspect_flow.engine'].connect() as conn:
        audited = conn.execute(sa.text("select changes from audit_entries where entity_type = 'visit' and "
                                       "entity_id = :v and action = 'update' order by id"), {'v': visit}).all()
    audited = [json.loads(a[0]) if isinstance(a[0], str) else a[0] for a in audited]
    assert any('Lê Thị Hồng Nhung' in str(a.get('participants')) for a in audited), audited

    history = html_lib.unescape(member.get(f'/visits/{visit}/history').get_data(as_text=True))
    assert 'Biên bản làm việc' in history and 'Lê Thị Hồng Nhung' in history

    # The page shows it back: the ticked records ticked, the others one per line.
    page = member.get(f'/visits/{visit}/record').get_data(as_text=True)
    assert re.search(r'value="Sổ nhật ký hộ gia đình" checked', page)
    assert f'>{OTHER}</textarea>' in page and 'value="Lê Thị Hồng Nhung"' in page

    # A finding heard in the discussion, with its source.
    r = _post(member, f'/visits/{visit}/record/findings', MultiDict({
        'kind': 'limitation', 'category': 'Thực hiện chính sách',
        'text': 'Còn 12 thẻ bảo hiểm y tế chưa phát đến hộ.',
        'source': 'records', 'severity': 'medium'}))
    assert r.status_code == 302
    with app.extensions['inspect_flow.engine'].connect() as conn:
        found = conn.execute(sa.text("select kind, source, status from findings where visit_id = :v and "
                                     "category = 'Thực hiện chính sách'"), {'v': visit}).all()
    assert [tuple(f) for f in found] == [('limitation', 'records', 'accepted')]

    # Autosave (the page's script posts the same fields): a correction keeps the person's row.
    first = people[0][0]
    corrected = _fields(**{'participants.0.title': 'Chủ tịch UBND huyện'})
    r = member.c.post(f'/visits/{visit}/record/autosave', data=corrected,
                      headers={'X-CSRFToken': member.token})
    assert r.status_code == 200 and r.get_json()['saved'] is True
    _, people, _ = _record(app, visit)
    assert people[0][0] == first and people[0][3] == 'Chủ tịch UBND huyện'

    # "Remove" on a row (no script): that person goes, the others stay.
    r = _post(member, f'/visits/{visit}/record', _fields(remove_participant='3'))
    assert r.status_code == 302
    assert [p[2] for p in _record(app, visit)[1]] == ['Nguyễn Văn Bình', 'Lê Thị Hồng Nhung']

    # The minutes, read back from the PDF: what was typed, and no agreement assumed.
    staff = _client(app, 'secretariat')
    plan = ids(app)['plan']
    r = staff.get(f'/plans/{plan}/documents/draft?kind=minutes&visit={visit}&format=pdf')
    assert r.status_code == 200 and r.data.startswith(b'%PDF')
    text = re.sub(r'\s+', ' ', _pdf_text(r.data))
    for typed in ('Nguyễn Văn Bình', 'Lê Thị Hồng Nhung', 'Chủ tịch UBND xã', 'Huyện có 1.412 hộ nghèo',
                  'Xã có 112 hộ nghèo', COMMON, OTHER, 'đề nghị hỗ trợ thêm con giống',
                  'Hội Nông dân xã đề nghị tập huấn',
                  'Còn 12 thẻ bảo hiểm y tế chưa phát đến hộ', '11 giờ 40'):
        assert typed in text, typed
    assert 'thống nhất với nội dung biên bản' not in text and 'Đơn vị được kiểm tra thống nhất' not in text
    opinion = text.split('Ý KIẾN CỦA ĐƠN VỊ ĐƯỢC KIỂM TRA', 1)[1].split('Buổi làm việc kết thúc', 1)[0]
    assert re.fullmatch(r'[\s.…]*', opinion), opinion  # room to write it by hand, nothing printed

    # Once the opinion is recorded, it is what the minutes say (the HTML draft: same template).
    r = _post(member, f'/visits/{visit}/record', _fields(**{'content.local_opinion': 'Xã xin giải trình về 12 thẻ '
                                                                                     'bảo hiểm y tế chưa phát.'}))
    assert r.status_code == 302
    minutes = staff.get(f'/plans/{plan}/documents/draft?kind=minutes&visit={visit}').get_data(as_text=True)
    assert 'Xã xin giải trình về 12 thẻ bảo hiểm y tế chưa phát.' in minutes


def test_bad_input_keeps_what_was_typed_names_the_field_and_only_the_team_may_write(app_factory):  # noqa: ANN001
    app = app_factory('visiting')
    known = ids(app)
    visit = known['visit5']
    member = _client(app, 'member25')
    before = snapshot(app)
    bad = _fields(**{'participants.1.full_name': '', 'content.ended_at': '25:70'})
    r = _post(member, f'/visits/{visit}/record', bad)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    errors = _errors(page)
    assert any('Người tham dự 2, họ và tên: phải nhập' in e for e in errors), errors
    assert any('Giờ kết thúc' in e for e in errors), errors
    assert 'href="#f-participants.1.full_name"' in page  # the summary links to the field
    assert 'value="Chủ tịch UBND xã"' in page and 'value="25:70"' in page and f'>{OTHER}' in page  # kept as typed
    assert 'aria-invalid="true"' in page
    r = _post(member, f'/visits/{visit}/record', _fields(**{'content.ended_at': '06:15'}))
    assert r.status_code == 422 and any('phải sau giờ bắt đầu' in e for e in _errors(r.get_data(as_text=True)))
    r = _post(member, f'/visits/{visit}/record', _fields(**{'participants.0.title': 'x' * 201}))
    assert r.status_code == 422 and any('dài quá 200 ký tự' in e for e in _errors(r.get_data(as_text=True)))
    r = member.c.post(f'/visits/{visit}/record/autosave', data=bad, headers={'X-CSRFToken': member.token})
    body = r.get_json()
    assert r.status_code == 422 and body['saved'] is False
    assert {e['field'] for e in body['errors']} == {'participants.1.full_name', 'content.ended_at'}
    r = _post(member, f'/visits/{visit}/record/findings', MultiDict({'kind': 'cause', 'category': 'Cán bộ',
                                                                      'text': '   ', 'source': 'report'}))
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="Cán bộ"' in page and _errors(page)
    assert snapshot(app) == before

    # No CSRF token: refused.
    r = member.c.post(f'/visits/{visit}/record', data=_fields())
    assert r.status_code == 400
    # Another team, a district official: the visit is not theirs to see. Staff read it, but may not write it.
    for role, read, write in (('member36', 404, 404), ('district838', 404, 404), ('secretariat', 200, 403)):
        other = _client(app, role)
        r = other.get(f'/visits/{visit}/record')
        assert r.status_code == read, role
        if read == 200:
            page = r.get_data(as_text=True)
            assert 'id="record-form"' not in page and 'action="/visits/' not in page
            assert 'Chỉ thành viên Đoàn ghi được biên bản này.' in page
        for path in ('record', 'record/autosave', 'record/findings'):
            assert _post(other, f'/visits/{visit}/{path}', _fields()).status_code == write, (role, path)
    assert snapshot(app) == before


def test_once_submitted_the_record_is_read_only_for_its_team(app_factory):  # noqa: ANN001
    app = app_factory('findings')
    visit = ids(app)['visit5']
    member = _client(app, 'member25')
    state, people, content = _record(app, visit)
    assert state in ('submitted', 'reviewed') and people
    before = snapshot(app)
    page = member.get(f'/visits/{visit}/record').get_data(as_text=True)
    assert 'id="record-form"' not in page and 'Kết quả đã nộp: biên bản chỉ xem được.' in page
    assert html_lib.escape(people[0][2]) in page or people[0][2] in page
    assert html_lib.unescape(page).count(content['records_checked'][0]) >= 1
    for path in ('record', 'record/autosave', 'record/findings'):
        r = _post(member, f'/visits/{visit}/{path}', _fields())
        assert r.status_code == 409, (path, r.status_code)
        if path != 'record/autosave':
            assert 'không sửa được kết quả' in html_lib.unescape(r.get_data(as_text=True))
    assert snapshot(app) == before
