"""The reminders in the app: the count in the top bar and its list, one's own account page (e-mail address,
language, digests), the administrator's account form refusing a bad address, and a sent reminder in the plan's
history."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.accounts.operations import DEMO_MAIL_DOMAIN, find_user
from inspect_flow.notify.operations import run_day
from inspect_flow.notify.queries import due_for
from inspect_flow.notify.settings import Settings
from inspect_flow.notify.transport import LogTransport
from tests.web.conftest import Client, ids, snapshot


def test_count_list_account_and_history(app_factory, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv('INSPECT_FLOW_TODAY', '2019-10-25')  # the demo's deadlines are 31/10/2019 …
    app = app_factory('closed')
    engine = app.extensions['inspect_flow.engine']
    with Session(engine) as s:
        official = find_user(s, 'xa.nhuanphutan')
        assert official.email == f'xa.nhuanphutan@{DEMO_MAIL_DOMAIN}'  # the demo accounts have addresses
        expected = due_for(s, official)
    assert expected and all(i.kind == 'due_soon' for i in expected)

    c = Client(app)
    c.login('xa.nhuanphutan')
    page = c.get('/inbox').get_data(as_text=True)
    m = re.search(r'class="due-count" href="/reminders"[^>]*><span>(\d+)</span></a>', page)
    assert m and int(m.group(1)) == len(expected)
    listing = c.get('/reminders').get_data(as_text=True)
    for item in expected:
        assert f'href="/recommendations/{item.object_id}"' in listing
    assert 'Còn 6 ngày' in listing and '31/10/2019' in listing

    # one's own account: a bad address is refused naming the field, what was typed stays, nothing changes
    c = Client(app)
    c.login('huyen.mcb')
    before = snapshot(app)
    r = c.post('/account', {'email': 'huyen.mcb@@example', 'language': 'en', 'digests': '1'})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="e-email"' in body and 'không hợp lệ' in body
    assert 'value="huyen.mcb@@example"' in body
    assert snapshot(app) == before
    r = c.post('/account', {'email': ' Can.Bo@MoCayBac.Gov.VN ', 'language': 'en'})  # box unticked: digests off
    assert r.status_code == 302
    with Session(engine) as s:
        u = find_user(s, 'huyen.mcb')
        assert (u.email, u.language, u.digests_enabled) == ('Can.Bo@mocaybac.gov.vn', 'en', False)
    assert 'checked' not in c.get('/account').get_data(as_text=True).split('name="digests"')[1][:40]

    # the administrator's form refuses a bad address beside the field
    admin = Client(app)
    admin.login('admin')
    r = admin.post('/users', {'username': 'nguoi.moi', 'password': 'mat-khau-dai', 'role': 'secretariat',
                              'full_name': 'Người Mới', 'email': 'khong phai dia chi'})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="e-email"' in body and 'value="khong phai dia chi"' in body
    r = admin.post('/users', {'username': 'nguoi.moi', 'password': 'mat-khau-dai', 'role': 'secretariat',
                              'full_name': 'Người Mới', 'email': 'nguoi.moi@example.gov.vn'})
    assert r.status_code == 302
    assert 'nguoi.moi@example.gov.vn' in admin.get('/users').get_data(as_text=True)

    # a reminder sent shows in the plan's history
    with Session(engine) as s:
        report = run_day(s, date(2019, 10, 28), Settings(), LogTransport(), commit=s.commit)
        assert report.messages_sent >= 1
        n_entries = s.scalar(sa.text("select count(*) from audit_entries where action = 'reminder'"))
    history = admin.get(f'/plans/{ids(app)["plan"]}/history').get_data(as_text=True)
    assert history.count('gửi thư nhắc việc') == n_entries > 0
    assert 'Người nhận' in history and 'xa.nhuanphutan' in history
