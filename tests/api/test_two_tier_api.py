"""The API beside a two-tier round: visits without a district and with the unit they are concluded under,
plans with their coverage grouping, conclusion notices keyed by a commune; every response checked against the
OpenAPI document (the client does it), and the 2019 fields unchanged."""

from __future__ import annotations

from datetime import date

from inspect_flow.accounts.operations import create_user, find_user
from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.documents import operations as doc_ops
from inspect_flow.documents.sources import SignerIn
from inspect_flow.integrations.tokens import create_token
from inspect_flow.units import operations as unit_ops
from tests import builders


def _two_tier_round(api) -> dict:  # noqa: ANN001
    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        plan = builders.plan_at(s, 'closed', two_tier=True)
        doc = doc_ops.issue_document(s, plan, 'conclusion', unit='28948', actor='test', issue_date=date(2026, 3, 25),
                                     signer=SignerIn(name='Nguyễn Văn An'))
        npt = unit_ops.get_unit(s, '28948', builders.DAY_2026)
        create_user(s, username='xa.npt2026', password='mat-khau-du-dai-1', role='local_official',
                    full_name='UBND xã Nhuận Phú Tân', unit=npt)
        api.tokens['npt2026'] = create_token(s, find_user(s, 'xa.npt2026'), name='test')[1]
        return {'plan': plan.id, 'doc': doc.id, 'npt': npt.id}


def test_two_tier_visits_plans_and_documents_over_the_api(api):  # noqa: ANN001
    ids = _two_tier_round(api)
    visits = api.get(f'/api/v1/visits?plan_id={ids["plan"]}').get_json()['items']
    assert len(visits) == 2
    for v in visits:
        assert v['district_id'] is None and v['district'] is None
        assert v['conclusion_unit_id'] == v['commune_id'] and v['conclusion_unit'] == v['commune']
    plan = api.get(f'/api/v1/plans/{ids["plan"]}').get_json()
    assert (plan['coverage'], plan['coverage_rule'], plan['clusters']) == ('none', 'none', [])
    doc = api.get(f'/api/v1/documents/{ids["doc"]}').get_json()
    assert (doc['unit_id'], doc['district_id']) == (ids['npt'], None)
    recs = api.get('/api/v1/recommendations', 'npt2026').get_json()['items']
    assert [r['addressee_label'] for r in recs] == ['UBND xã Nhuận Phú Tân']
    assert all(r['addressee_unit_id'] == ids['npt'] for r in recs)


def test_2019_visits_keep_their_district_over_the_api(api):  # noqa: ANN001
    visits = api.get('/api/v1/visits').get_json()['items']
    assert visits and all(v['district'].startswith(('Huyện', 'Thành phố')) for v in visits)
    assert all(v['conclusion_unit_id'] == v['district_id'] for v in visits)
    plan = api.get(f'/api/v1/plans/{visits[0]["plan_id"]}').get_json()
    assert (plan['coverage'], plan['coverage_rule']) == ('per_district', 'one_commune_per_district')
