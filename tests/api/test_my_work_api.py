"""``GET /api/v1/me/work``: the same sections as the /me page, checked against the OpenAPI document."""

from __future__ import annotations


def test_my_work_over_the_api(api, monkeypatch):  # noqa: ANN001
    monkeypatch.setenv('INSPECT_FLOW_TODAY', '2019-07-12')
    body = api.get('/api/v1/me/work', 'member25').get_json()
    assert body['day'] == '2019-07-12'
    sections = {s['key']: s for s in body['sections']}
    assert list(sections) == ['today', 'coming', 'to_fix']
    assert [i['title'] for i in sections['today']['items']] == ['Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc']
    assert sections['today']['items'][0]['kind'] == 'visit'
    official = api.get('/api/v1/me/work', 'district838').get_json()
    assert [s['key'] for s in official['sections']] == ['recommendations']
    en = api.get('/api/v1/me/work', 'leader5', headers={'Accept-Language': 'en'}).get_json()
    assert [s['title'] for s in en['sections']][:2] == ['Today, 12/07/2019', 'Coming visits']
    assert api.get('/api/v1/me/work', None).status_code == 401
