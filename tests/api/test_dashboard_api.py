"""GET /api/v1/dashboard: the cross-round figures of /dashboard in JSON, under the same filters, for the same people."""

from __future__ import annotations

from tests.api.conftest import PERSONAS


def test_dashboard_api_figures_filters_and_access(api_closed) -> None:  # noqa: ANN001
    api = api_closed
    limitations = api.scalar("select count(*) from findings where kind = 'limitation' "
                             "and status not in ('rejected', 'withdrawn')")
    findings = api.scalar("select count(*) from findings where status not in ('rejected', 'withdrawn')")
    recs = api.scalar("select count(*) from recommendations where state != 'withdrawn'")
    category = api.scalar("select category from findings where status = 'accepted' and kind = 'limitation' "
                          'group by category order by count(*) desc, category limit 1')
    in_category = api.scalar("select count(*) from findings where status not in ('rejected', 'withdrawn') "
                             'and category = :c', c=category)

    for persona in ('secretariat', 'admin', 'leader5'):
        r = api.get('/api/v1/dashboard', persona)
        assert r.status_code == 200, persona
        body = r.get_json()
        assert [t['year'] for t in body['trends']] == [2019]
        trend = body['trends'][0]
        assert trend['limitation'] == limitations and trend['total'] == findings
        assert trend['total'] == trend['achievement'] + trend['limitation'] + trend['cause']
        rec = body['recommendations']
        assert rec['total'] == recs == sum(rec['by_state'].values())
        assert rec['overdue'] == rec['by_state']['overdue'] == sum(rec['by_age'].values())
        assert body['years'] == [2019] and category in body['categories']
        assert body['filters'] == {'from': None, 'to': None, 'province': None, 'category': None}

    # the same filters as the page
    r = api.get('/api/v1/dashboard', 'secretariat', query_string={'from': '2019', 'category': category})
    body = r.get_json()
    assert r.status_code == 200 and body['filters'] == {'from': 2019, 'to': None, 'province': None,
                                                        'category': category}
    assert body['trends'][0]['total'] == in_category
    assert all(item['category'] == category for item in body['recurring'])
    r = api.get('/api/v1/dashboard', 'secretariat', query_string={'from': '2020'})
    assert r.status_code == 200 and r.get_json()['trends'] == [] and r.get_json()['recommendations']['total'] == 0
    province = api.scalar('select u.code from plans p join issuing_bodies b on b.id = p.issuer_id '
                          'join admin_units u on u.id = b.unit_id limit 1')
    r = api.get('/api/v1/dashboard', 'leader5', query_string={'province': province})
    assert r.status_code == 200 and r.get_json()['trends'][0]['total'] == findings
    assert {'code': province, 'name': r.get_json()['provinces'][0]['name']} in r.get_json()['provinces']
    assert api.get('/api/v1/dashboard', 'leader5', query_string={'province': '1'}).get_json()['trends'] == []

    # bad filters: 422 naming the parameter (the page ignores them; the API says what is wrong)
    for args, field in (({'from': 'abc'}, 'from'), ({'to': '1800'}, 'to'), ({'province': '<b>'}, 'province'),
                        ({'category': 'a\x01b'}, 'category'), ({'unknown': '1'}, 'unknown')):
        r = api.get('/api/v1/dashboard', 'secretariat', query_string=args)
        assert r.status_code == 422, (args, r.status_code)
        assert field in r.get_data(as_text=True), args

    # everyone else: refused, as on the page
    for persona in ('member25', 'member36', 'district838', 'commune28936'):
        assert persona in PERSONAS
        r = api.get('/api/v1/dashboard', persona)
        assert r.status_code == 403, persona
        assert 'trends' not in r.get_data(as_text=True)
    assert api.get('/api/v1/dashboard', None).status_code == 401


def test_dashboard_api_is_in_the_openapi_document(api) -> None:  # noqa: ANN001
    doc = api.get('/api/v1/openapi.json', None).get_json()
    op = doc['paths']['/dashboard']['get']
    assert {p['name'] for p in op['parameters'] if p['in'] == 'query'} == {'from', 'to', 'province', 'category'}
    assert op['responses']['200']['content']['application/json']['schema']['$ref'].endswith('/DashboardOut')
    assert '403' in op['responses']
