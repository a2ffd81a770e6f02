"""A unit's page: the code as it stood on a day, its periods, what it was formed from and went into, and what it is
now ("nay thuộc")."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.conftest import ROLES, Client


@pytest.fixture
def client(app_factory):  # noqa: ANN001, ANN201
    c = Client(app_factory('planning'))
    c.login(ROLES['member25'])
    return c


def text(response) -> str:  # noqa: ANN001
    return html.unescape(re.sub(r'<[^>]+>', ' ', response.get_data(as_text=True))).split()


def test_a_2019_commune_says_what_it_is_now(client):  # noqa: ANN001
    r = client.get('/units/28936?on=12/07/2019')
    assert r.status_code == 200
    words = ' '.join(text(r))
    assert 'Xã Nhuận Phú Tân Huyện Mỏ Cày Bắc' in words
    assert 'Có hiệu lực từ 01/01/2019 đến 01/07/2025' in words
    assert 'Nay thuộc Xã Nhuận Phú Tân (28948)' in words
    assert 'Chuyển thành Xã Nhuận Phú Tân (28948) — 01/07/2025' in words


def test_the_same_code_after_the_reform_lists_what_formed_it_and_its_periods(client):  # noqa: ANN001
    r = client.get('/units/28948?on=2026-03-01')
    words = ' '.join(text(r))
    assert 'Xã Nhuận Phú Tân Tỉnh Vĩnh Long' in words
    assert 'Hình thành từ Xã Tân Thanh Tây (28927) — 01/07/2025 Xã Nhuận Phú Tân (28936) — 01/07/2025' in words
    assert 'Xã Khánh Thạnh Tân — 01/01/2019' in words  # the code's earlier period
    assert 'Nay thuộc' not in words


def test_a_province_lists_its_communes_of_the_day(client):  # noqa: ANN001
    words = ' '.join(text(client.get('/units/86?on=2026-03-01')))
    assert 'Đơn vị trực thuộc (124)' in words
    assert len(re.findall(r'\(\d{5}\)', words)) == 124


@pytest.mark.parametrize(('path', 'status'), [
    ('/units/28936?on=2026-03-01', 404), ('/units/99999', 404), ('/units/abc', 404),
    ('/units/' + '9' * 40, 404), ('/units/28936?on=31/02/2019', 422),
])
def test_bad_codes_and_days_are_answered_plainly(client, path, status):  # noqa: ANN001
    r = client.get(path)
    assert r.status_code == status
    if path.startswith('/units/28936'):
        assert 'role="alert"' in r.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_login(app_factory):  # noqa: ANN001
    r = Client(app_factory('planning')).get('/units/28936')
    assert r.status_code == 302 and '/login' in r.headers['Location']
