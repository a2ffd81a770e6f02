"""Bad input at the edges, case by case (the corpus, test_bad_input_corpus.py, walks everything): the answer is
400/404/422 naming the field, what was typed is kept, nothing is written. On SQLite and PostgreSQL."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest

from inspect_flow.core import limits
from inspect_flow.core.errors import InvalidInput
from tests.web.conftest import Client, ids, snapshot


def _errors(page: str) -> str:
    return html_lib.unescape(' '.join(re.findall(r'class="(?:field-error|error|flash[^"]*)"[^>]*>(.*?)<', page, re.S)))


@pytest.mark.parametrize(('value', 'code'), [
    ('a\x00b', 'text.bad_character'), ('a\x1bb', 'text.bad_character'), ('a\ud800b', 'text.bad_character'),
    ('x' * (limits.MAX_TEXT + 1), 'text.too_long'),
])
def test_check_text_refuses_naming_the_field(value, code):  # noqa: ANN001
    with pytest.raises(InvalidInput) as caught:
        limits.check_text(value, 'summary')
    assert caught.value.code == code and caught.value.field == 'summary'
    assert limits.check_text('Dòng 1\r\n\tDòng 2', 'summary') == 'Dòng 1\r\n\tDòng 2'


@pytest.mark.parametrize(('value', 'expected'), [
    ('1', 1), (str(2**31 - 1), 2**31 - 1), (str(2**31), None), (str(2**63), None), ('0', None), ('-1', None),
    ('abc', None), ('²', None), ('١٢', None), ('', None), (None, None), (True, None), (7, 7), (2**40, None),
])
def test_as_id(value, expected):  # noqa: ANN001
    assert limits.as_id(value) == expected


def test_ids_out_of_range_in_urls_are_unknown(app_factory):  # noqa: ANN001
    app = app_factory('closed', PROPAGATE_EXCEPTIONS=False)
    c = Client(app)
    c.login('thao.vpt')
    for bad in (2**31, 2**63, 10**40):
        assert c.get(f'/plans/{bad}').status_code == 404
        assert c.get(f'/visits/{bad}/status').status_code == 404
        assert c.post(f'/plans/{bad}/advance', {'trigger': 'close'}).status_code == 404
    assert c.get(f'/api/v1/plans/{2**63}', headers={'Authorization': 'Bearer x'}).status_code in (401, 404)


def test_a_nul_in_the_login_form_is_a_field_error(app_factory):  # noqa: ANN001
    app = app_factory('closed', PROPAGATE_EXCEPTIONS=False)
    c = Client(app)
    c.refresh_token()
    r = c.post('/login', {'username': 'thao\x00.vpt', 'password': 'x'})
    assert r.status_code == 422
    assert 'username' in r.get_data(as_text=True) and 'U+0000' in html_lib.unescape(r.get_data(as_text=True))


def test_a_summary_too_long_is_refused_beside_its_field_and_kept(app_factory):  # noqa: ANN001
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from tests import builders

    app = app_factory('closed', PROPAGATE_EXCEPTIONS=False)
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        plan = builders.plan_at(s, 'conclusions', complete=False)
        plan_id, unit_id = plan.id, plan.visits[0].conclusion_unit_id
    c = Client(app)
    c.login('thao.vpt')
    before = snapshot(app)
    typed = 'Đánh giá chung. ' + 'x' * limits.MAX_TEXT
    r = c.post(f'/plans/{plan_id}/conclusions', {'unit': str(unit_id), 'summary': typed})
    page = html_lib.unescape(r.get_data(as_text=True))
    assert r.status_code == 422
    assert f'tối đa {limits.MAX_TEXT} ký tự' in page and typed in page  # the field named, the text kept
    assert snapshot(app) == before
    # Within the limit it is taken.
    r = c.post(f'/plans/{plan_id}/conclusions', {'unit': str(unit_id), 'summary': 'Đánh giá chung.'})
    assert r.status_code == 302


def test_households_per_commune_beyond_an_int_is_a_field_error(app_factory):  # noqa: ANN001
    app = app_factory('planning', PROPAGATE_EXCEPTIONS=False)
    plan = ids(app)['plan']
    c = Client(app)
    c.login('thao.vpt')
    form = {'subject': 'Kiểm tra', 'fieldwork_start': '2019-07-05', 'fieldwork_end': '2019-07-24',
            'households_per_commune': str(2**63), 'coverage_rule': 'none'}
    r = c.post(f'/plans/{plan}/edit', form)
    page = html_lib.unescape(r.get_data(as_text=True))
    assert r.status_code == 422 and 'là số quá lớn' in page and str(2**63) in page


def test_add_row_naming_an_item_that_is_not_a_repeat_is_a_field_error(app_factory):  # noqa: ANN001
    app = app_factory('visiting', PROPAGATE_EXCEPTIONS=False)
    visit = ids(app)['visit5']
    c = Client(app)
    c.login('ngan.ltk')
    before = snapshot(app)
    r = c.post(f'/visits/{visit}/save', {'add_row': 'visit_date'})
    assert r.status_code == 422
    assert 'không phải danh sách để thêm dòng' in html_lib.unescape(r.get_data(as_text=True))
    assert snapshot(app) == before
    assert c.post(f'/visits/{visit}/save', {'add_row': 'household_roster'}).status_code == 302


@pytest.mark.parametrize('value', ['a\x00b', 'a\ud800b', 'a\x07b'])
def test_autosave_refuses_what_cannot_be_stored_naming_answers(app_factory, value):  # noqa: ANN001
    app = app_factory('visiting', PROPAGATE_EXCEPTIONS=False)
    visit = ids(app)['visit5']
    c = Client(app)
    c.login('ngan.ltk')
    before = snapshot(app)
    body = json.dumps({'answers': {'visit_date': value}})  # a lone surrogate as the JSON escape \\ud800
    r = c.c.post(f'/visits/{visit}/autosave', data=body, content_type='application/json',
                 headers={'X-CSRFToken': c.token})
    assert r.status_code == 422 and r.get_json()['field'] == 'answers'
    assert snapshot(app) == before
