"""The documents page: drafts (HTML and PDF), issuing (secretariat only, CSRF, the date of issue, the signer),
the register, corrections, and downloads checked per object (a district official gets only what is
addressed to the district)."""

from __future__ import annotations

import hashlib
import html as html_lib
import re

import sqlalchemy as sa

from tests.web.conftest import ROLES, Client, ids, snapshot

MCB = '838'  # Huyện Mỏ Cày Bắc
TPBT = '829'  # Thành phố Bến Tre


def _docs(app) -> list[tuple]:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text('select id, kind, number, symbol, issue_date, supersedes_id, sha256 '
                                    'from documents order by id')).all()


def _issue(client: Client, plan: int, district: str, day: str = '2019-08-20', **extra):  # noqa: ANN003, ANN201
    return client.post(f'/plans/{plan}/documents/issue', {'kind': 'conclusion', 'district': district, 'date': day,
                                                          'signer': 'Nguyễn Văn Hiếu', **extra})


def _errors(html: str) -> list[str]:
    return [html_lib.unescape(m) for m in re.findall(r'<p class="error"[^>]*>([^<]*)</p>', html)]


def test_staff_preview_drafts_as_html_and_pdf(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    plan = ids(app)['plan']
    client = Client(app)
    client.login('thao.vpt')
    page = client.get(f'/plans/{plan}/documents').get_data(as_text=True)
    assert 'Thông báo kết luận - Huyện Mỏ Cày Bắc' in page
    assert 'Chưa có văn bản nào được ban hành' in page
    r = client.get(f'/plans/{plan}/documents/draft?kind=conclusion&district={MCB}')
    assert r.status_code == 200 and r.mimetype == 'text/html'
    assert 'Mỏ Cày Bắc' in r.get_data(as_text=True)
    assert 'sandbox' in r.headers['Content-Security-Policy']
    r = client.get(f'/plans/{plan}/documents/draft?kind=conclusion&district={MCB}&format=pdf')
    assert r.status_code == 200 and r.mimetype == 'application/pdf' and r.data.startswith(b'%PDF')
    assert r.headers['Content-Disposition'].startswith('inline')
    # A kind that does not exist, a district the round did not visit: refused, not a 500.
    assert client.get(f'/plans/{plan}/documents/draft?kind=memo').status_code == 400
    assert client.get(f'/plans/{plan}/documents/draft?kind=conclusion&district=999').status_code == 400
    assert client.get(f'/plans/{plan}/documents/draft?kind=minutes&visit=999999').status_code == 404


def test_the_secretariat_issues_a_conclusion_notice_and_downloads_the_frozen_pdf(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    plan = ids(app)['plan']
    client = Client(app)
    client.login('thao.vpt')
    before = snapshot(app)
    r = _issue(client, plan, MCB)
    assert r.status_code == 302, _errors(r.get_data(as_text=True))
    (doc,) = _docs(app)
    doc_id, kind, number, symbol, issue_date, supersedes, sha = doc
    assert kind == 'conclusion' and number >= 1 and symbol.startswith('TB-') and str(issue_date) == '2019-08-20'
    assert supersedes is None
    assert snapshot(app)['audit_entries'] == before['audit_entries'] + 1
    page = client.get(f'/plans/{plan}/documents').get_data(as_text=True)
    assert f'Đã ban hành văn bản số {number:02d}/{symbol}' in page
    assert f'href="/documents/{doc_id}.pdf"' in page and 'Ban hành văn bản thay thế' in page
    r = client.get(f'/documents/{doc_id}.pdf')
    assert r.status_code == 200 and r.mimetype == 'application/pdf' and r.data.startswith(b'%PDF')
    assert hashlib.sha256(r.data).hexdigest() == sha == r.headers['X-Content-SHA256']
    assert r.headers['Content-Disposition'] == f'attachment; filename="TB-{number:02d}-2019-conclusion-838.pdf"'

    # Issuing the same notice again is refused (an issued document never changes) and takes no number.
    r = _issue(client, plan, MCB)
    assert r.status_code == 422 and 'đã được ban hành' in r.get_data(as_text=True)
    assert len(_docs(app)) == 1
    # A correction is a new document with a new number that replaces the old one.
    r = _issue(client, plan, MCB, '2019-08-22', supersedes=str(doc_id))
    assert r.status_code == 302
    new = _docs(app)[-1]
    assert new[5] == doc_id and new[2] == number + 1
    page = client.get(f'/plans/{plan}/documents').get_data(as_text=True)
    assert f'thay thế {number:02d}/{symbol}' in page
    # The plan's history names the documents and their fields in the page's language.
    history = html_lib.unescape(client.get(f'/plans/{plan}/history').get_data(as_text=True))
    assert f'Văn bản: {number:02d}/{symbol}' in history and 'Ngày ban hành: 20/08/2019' in history
    assert 'Nguyễn Thị Thanh Thảo' in history and 'web:' not in history and 'T00:' not in history
    register = re.search(r'<table class="register">.*?</table>', page, re.S).group(0)
    assert 'Nguyễn Thị Thanh Thảo' in register and 'web:thao.vpt' not in register  # who issued: a name
    assert 'issueddocument' not in history and 'Chưa thực hiện → <strong>Đang thực hiện</strong>' in history


def test_bad_input_is_shown_beside_each_field_and_kept(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    plan = ids(app)['plan']
    client = Client(app)
    client.login('thao.vpt')
    before = snapshot(app)
    r = client.post(f'/plans/{plan}/documents/issue', {'kind': 'conclusion', 'district': MCB, 'date': '',
                                                       'signer': '', 'signer_title': 'Trưởng ban'})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert _errors(html) == ['Phải nhập ngày.', 'Phải ghi họ tên người ký.']
    block = html.split('id="doc-conclusion-838"', 1)[1].split('</li>', 1)[0]
    assert '<details class="issue" open>' in block and 'value="Trưởng ban"' in block
    r = _issue(client, plan, MCB, '31/02/2019')
    assert r.status_code == 422 and _errors(r.get_data(as_text=True)) == [
        '"31/02/2019" không phải ngày hợp lệ (dd/mm/yyyy).']
    assert 'value="31/02/2019"' in r.get_data(as_text=True)
    r = _issue(client, plan, MCB, '2019-07-01')  # before the visits it reports on
    assert r.status_code == 422 and 'sớm hơn ngày' in ' '.join(_errors(r.get_data(as_text=True)))
    r = _issue(client, plan, MCB, '2099-01-01')
    assert r.status_code == 422 and 'chưa đến' in ' '.join(_errors(r.get_data(as_text=True)))
    r = _issue(client, plan, MCB, '2020-03-02')  # after every deadline the notice sets
    assert r.status_code == 422 and 'muộn hơn thời hạn văn bản đặt ra' in ' '.join(_errors(r.get_data(as_text=True)))
    # NĐ 30: TM. stands for a collective body, so "TM. TRƯỞNG BAN" is refused beside "Ký thay, thay mặt cho".
    r = _issue(client, plan, MCB, authority='TM.', signer_for='Trưởng ban', signer_title='Trưởng ban')
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'value="Trưởng ban"' in html
    error = html_lib.unescape(html.split('id="e-signer_for">', 1)[1].split('</p>', 1)[0])
    assert error.startswith('"TM. TRƯỞNG BAN" sai thẩm quyền: TM. (thay mặt) đứng trước tên tập thể')
    r = _issue(client, plan, MCB, authority='KT.', signer_title='Chánh Văn phòng')
    assert r.status_code == 422 and 'id="e-signer_title"' in r.get_data(as_text=True)
    r = client.post(f'/plans/{plan}/documents/issue', {'kind': 'schedule', 'date': '2019-06-01', 'signer': 'A'})
    assert r.status_code == 422 and 'phụ lục' in r.get_data(as_text=True)
    r = client.post(f'/plans/{plan}/documents/issue', {'kind': 'conclusion', 'district': '999', 'date': '2019-08-20',
                                                       'signer': 'A'})
    assert r.status_code == 422 and 'không có buổi làm việc tại huyện' in r.get_data(as_text=True)
    assert snapshot(app) == before and _docs(app) == []
    # Without the CSRF token: refused, nothing issued.
    r = client.post(f'/plans/{plan}/documents/issue', {'kind': 'conclusion', 'district': MCB, 'date': '2019-08-20',
                                                       'signer': 'A'}, csrf=False)
    assert r.status_code == 400 and _docs(app) == []


def test_only_the_secretariat_issues_and_a_district_gets_only_its_own_documents(app_factory):  # noqa: ANN001
    app = app_factory('closed')
    known = ids(app)
    plan = known['plan']
    staff = Client(app)
    staff.login('thao.vpt')
    assert _issue(staff, plan, MCB).status_code == 302
    assert _issue(staff, plan, TPBT).status_code == 302
    mcb_doc, other_doc = (d[0] for d in _docs(app))

    for role in ('leader5', 'member25', 'member36', 'district838', 'commune28936'):
        client = Client(app)
        client.login(ROLES[role])
        before = snapshot(app), _docs(app)
        r = _issue(client, plan, MCB, supersedes=str(mcb_doc))
        assert r.status_code in (403, 404), role
        assert (snapshot(app), _docs(app)) == before, role

    # The plan's team people see the documents page; a notice only when their team visited the unit.
    member = Client(app)
    member.login(ROLES['member36'])  # teams 3 and 6: neither visited Mỏ Cày Bắc nor Thành phố Bến Tre
    assert member.get(f'/plans/{plan}/documents').status_code == 200
    assert member.get(f'/documents/{other_doc}.pdf').status_code == 404
    assert member.get(f'/documents/{mcb_doc}.pdf').status_code == 404
    team5 = Client(app)
    team5.login(ROLES['member25'])  # team 5 visited Mỏ Cày Bắc
    assert team5.get(f'/documents/{mcb_doc}.pdf').status_code == 200
    assert team5.get(f'/documents/{other_doc}.pdf').status_code == 404
    page = member.get(f'/plans/{plan}/documents').get_data(as_text=True)
    assert 'Cấp số và ban hành' not in page  # no issue form for them

    # The district official: the notice addressed to the district, in the inbox; nothing else.
    official = Client(app)
    official.login(ROLES['district838'])
    inbox = official.get('/inbox').get_data(as_text=True)
    assert f'/documents/{mcb_doc}.pdf' in inbox and f'/documents/{other_doc}.pdf' not in inbox
    assert official.get(f'/documents/{mcb_doc}.pdf').status_code == 200
    assert official.get(f'/documents/{other_doc}.pdf').status_code == 404
    assert official.get(f'/plans/{plan}/documents').status_code == 404
    assert official.get(f'/plans/{plan}/documents/draft?kind=conclusion&district={MCB}').status_code == 404
    assert official.get('/documents/999999.pdf').status_code == 404

    # The official of the commune visited in Mỏ Cày Bắc: the district's notice is sent to it too; not the other.
    commune = Client(app)
    commune.login(ROLES['commune28936'])  # Xã Nhuận Phú Tân is in Mỏ Cày Bắc
    assert commune.get(f'/documents/{mcb_doc}.pdf').status_code == 200
    assert commune.get(f'/documents/{other_doc}.pdf').status_code == 404

    anonymous = app.test_client()
    r = anonymous.get(f'/documents/{mcb_doc}.pdf')
    assert r.status_code == 302 and '/login' in r.headers['Location']
