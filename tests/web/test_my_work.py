"""The "my work" page (/me): the landing page of team people and local officials, its sections and links, and the
top bar (the inbox link only for those it serves)."""

from __future__ import annotations

import re

import pytest

from .conftest import Client

INBOX_LINK = re.compile(r'<nav class="mainnav".*?</nav>', re.S)


@pytest.fixture
def demo(app_factory, monkeypatch):  # noqa: ANN001, ANN201
    app = app_factory('closed')
    monkeypatch.setenv('INSPECT_FLOW_TODAY', '2019-07-12')  # team 5's day at Nhuận Phú Tân (after the demo ran)
    return app


#: (user, where "/" leads, a text the page shows, whether the top bar offers the recommendations' inbox)
LANDING = [
    ('ngan.ltk', '/me', 'Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc', False),
    ('cong.td5', '/me', 'Chờ Trưởng đoàn duyệt', False),
    ('huyen.mcb', '/me', 'Kiến nghị cần báo cáo kết quả', True),
    ('thao.vpt', '/plans', 'Văn bản chờ ban hành', True),
]


def test_landing_sections_and_top_bar_per_role(demo):  # noqa: ANN001
    for username, landing, text, inbox in LANDING:
        c = Client(demo)
        r = c.login(username)
        assert r.status_code == 302, username
        assert c.get(r.headers['Location']).headers['Location'].endswith(landing), username  # "/" then the landing
        page = c.get('/me').get_data(as_text=True)
        assert r.status_code == 302 and 'Việc của tôi' in page and text in page, username
        nav = INBOX_LINK.search(page).group(0)
        assert 'href="/me"' in nav
        assert ('href="/inbox"' in nav) is inbox, username


def test_the_items_lead_to_their_pages(demo):  # noqa: ANN001
    member = Client(demo)
    member.login('ngan.ltk')
    page = member.get('/me').get_data(as_text=True)
    today = re.search(r'id="work-today".*?</section>', page, re.S).group(0)
    visit = re.search(r'href="/visits/(\d+)"', today).group(1)
    assert member.get(f'/visits/{visit}').status_code == 200
    assert 'Hôm nay, 12/07/2019' in today and '07:30–11:30' in today

    official = Client(demo)
    official.login('xa.nhuanphutan')
    page = official.get('/me').get_data(as_text=True)
    recs = re.findall(r'href="/recommendations/(\d+)"', page)
    assert recs and all(official.get(f'/recommendations/{r}').status_code == 200 for r in recs)
    assert 'id="work-today"' not in page  # an official has no visits of their own

    staff = Client(demo)
    staff.login('thao.vpt')
    page = staff.get('/me').get_data(as_text=True)
    docs = re.search(r'id="work-documents".*?</section>', page, re.S).group(0)
    anchor = re.search(r'href="/plans/(\d+)/documents#(doc-[\w-]+)"', docs)
    assert anchor, docs
    assert f'id="{anchor.group(2)}"' in staff.get(f'/plans/{anchor.group(1)}/documents').get_data(as_text=True)
    assert 'và ' in docs and 'văn bản khác' in docs  # more than a handful: the rest are one link away

    staff.post('/language', {'lang': 'en', 'next': '/me'})
    assert 'Documents to issue' in staff.get('/me').get_data(as_text=True)
