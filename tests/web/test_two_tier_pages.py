"""The conclusions page of a two-tier round: a conclusion per commune, recommendations to the commune or to a
provincial department, and an addressee outside the conclusion's reach refused naming the field."""

from __future__ import annotations

import re

from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.units import operations as unit_ops
from tests import builders

from .conftest import Client, snapshot


def _round(app) -> dict:  # noqa: ANN001
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        plan = builders.plan_at(s, 'conclusions', two_tier=True, complete=False)
        units = {code: unit_ops.get_unit(s, code, builders.DAY_2026).id for code in builders.COMMUNES_2026}
        return {'plan': plan.id, 'body': builders.department_2026(s).id, **units}


def test_a_two_tier_conclusion_and_its_recommendations_in_the_browser(app_factory):  # noqa: ANN001
    app = app_factory('visiting')
    ids = _round(app)
    staff = Client(app)
    staff.login('thao.vpt')
    page = staff.get(f'/plans/{ids["plan"]}/conclusions').get_data(as_text=True)
    assert 'Ghi kết luận cho một xã, phường' in page and 'Ghi kết luận cho một huyện' not in page
    assert 'Xã Nhuận Phú Tân' in page and 'Phường Phú Khương' in page
    r = staff.post(f'/plans/{ids["plan"]}/conclusions', {'unit': ids['28948'], 'summary': 'Xã đã chỉ đạo tốt.'})
    assert r.status_code == 302
    page = staff.get(f'/plans/{ids["plan"]}/conclusions').get_data(as_text=True)
    conclusion = re.search(r'id="conclusion-(\d+)"', page).group(1)
    assert 'Kết luận: Xã Nhuận Phú Tân' in page
    assert 'Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long' in page  # offered as an addressee

    before = snapshot(app)
    r = staff.post(f'/conclusions/{conclusion}/recommendations',
                   {'text': 'Rà soát hộ nghèo.', 'addressee_unit': ids['28756'], 'deadline': '2026-09-30'})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert 'Không gửi kiến nghị cho Phường Phú Khương được' in body and 'Rà soát hộ nghèo.' in body
    assert snapshot(app) == before

    r = staff.post(f'/conclusions/{conclusion}/recommendations',
                   {'text': 'Hướng dẫn mô hình sinh kế.', 'addressee_unit': ids['28948'],
                    'addressee_body': ids['body'], 'deadline': '2026-09-30'})
    assert r.status_code == 302
    r = staff.post(f'/conclusions/{conclusion}/recommendations',
                   {'text': 'Rà soát hộ nghèo.', 'addressee_unit': ids['28948'], 'deadline': '2026-09-30'})
    assert r.status_code == 302
    page = staff.get(f'/plans/{ids["plan"]}/conclusions').get_data(as_text=True)
    assert '<strong>Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long</strong>' in page
    assert '<strong>UBND xã Nhuận Phú Tân</strong>' in page
