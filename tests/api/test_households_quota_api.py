"""The households quota through the API: a short submission is accepted with a warning, and the visit's detail
says how many households were consulted against the plan's quota (responses checked against the OpenAPI spec)."""

from __future__ import annotations

from tests.api.conftest import member_visit, submission_for


def test_a_short_submission_is_accepted_with_a_warning(api):  # noqa: ANN001
    visit = member_visit(api)
    body = submission_for(api, visit)
    roster = body['answers']['household_roster']
    assert len(roster) >= 4
    body['answers']['household_roster'] = roster[:2]

    r = api.post(f'/api/v1/visits/{visit}/submissions', 'member25', json=body)
    assert r.status_code == 201, r.get_data(as_text=True)
    out = r.get_json()
    assert out['visit']['state'] == 'submitted'
    assert out['warnings'] == [{
        'rule': 'visit.households_quota', 'field': 'households',
        'message': 'Đã tham vấn 2/4 hộ (kế hoạch: 04 hộ mỗi xã); còn thiếu 2 hộ.',
        'message_en': '2 of 4 households consulted (the plan asks 4 per commune); 2 short.'}]
    detail = api.get(f'/api/v1/visits/{visit}', 'member25').get_json()
    assert detail['households_quota'] == {'quota': 4, 'consulted': 2, 'shortfall': 2, 'met': False}

    # A full roster: no warning.
    other = member_visit(api)
    r = api.post(f'/api/v1/visits/{other}/submissions', 'member25', json=submission_for(api, other))
    assert r.status_code == 201 and r.get_json()['warnings'] == []
