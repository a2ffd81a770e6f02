"""A submission the server's checks refuse is never lost: it is the visit's draft, its problems on the visit page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from tests.openrosa.conftest import fill_instance, new_instance_id, valid_answers
from tests.openrosa.test_exchange import download, form_list, response_message, visit_row
from tests.web.conftest import Client


def test_an_invalid_submission_is_kept_as_draft_and_its_problems_are_listed_on_the_visit_page(api, collect):  # noqa: ANN001
    form_id, entry = sorted(form_list(collect).items())[0]
    visit = int(form_id.split('-')[1])
    xform = download(collect, entry)
    answers = valid_answers(api, visit)
    del answers['committee_reconstituted']  # required
    answers['poor_start'] = answers['total_households'] + 5  # breaks its constraint
    instance = new_instance_id()
    resp = collect.post(fill_instance(xform, answers, instance))
    assert resp.status_code == 201
    nature, text = response_message(resp)
    assert nature == 'submit_success' and 'bản nháp' in text
    row = visit_row(api, visit)
    assert row['state'] == 'in_progress'  # not submitted
    assert row['answers']['poor_start'] == answers['poor_start']  # kept as sent, the wrong value too
    assert row['answers']['committee_decision'] == answers['committee_decision']
    fields = {p['field'] for p in row['form_errors']}
    assert {'committee_reconstituted', 'poor_start'} <= fields
    assert api.scalar('select outcome from openrosa_submissions where instance_id = :i', i=instance) == 'draft'

    web = Client(api.app)
    web.login('ngan.ltk')
    page = web.get(f'/visits/{visit}').get_data(as_text=True)
    assert 'Bài gửi từ ODK Collect được lưu làm bản nháp' in page
    box = page[page.index('id="collect-draft"'):]
    box = box[:box.index('</div>')]
    assert 'href="#i-a-committee_reconstituted"' in box and 'href="#i-a-poor_start"' in box
    assert 'bắt buộc phải trả lời' in box  # the problems in Vietnamese
    assert 'Số hộ nghèo đầu năm' in box
    assert api.scalar("select full_name from users where username = 'ngan.ltk'") in box  # who sent it
    # fixed in Collect and sent again as an edit: the draft's problems go away
    fixed = valid_answers(api, visit)
    again = collect.post(fill_instance(xform, fixed, new_instance_id(), deprecated_id=instance))
    assert again.status_code == 201
    assert visit_row(api, visit)['state'] == 'submitted'
    page = web.get(f'/visits/{visit}').get_data(as_text=True)
    assert 'collect-draft' not in page


def test_the_form_served_carries_the_visit_context_as_defaults(api, collect):  # noqa: ANN001
    form_id, entry = sorted(form_list(collect).items())[0]
    visit = visit_row(api, int(form_id.split('-')[1]))
    root = ET.fromstring(download(collect, entry))
    xf = '{http://www.w3.org/2002/xforms}'
    data = root.find(f'{{http://www.w3.org/1999/xhtml}}head/{xf}model/{xf}instance/{xf}data')
    assert data.find(f'{xf}if_visit/{xf}if_commune').text == f"{visit['commune']}, {visit['district']}"
    assert data.find(f'{xf}if_visit/{xf}if_team').text == f"Đoàn {visit['team_number']}"
    day = visit['starts_at'][:10]
    assert data.find(f'{xf}if_visit/{xf}if_day').text == day
    assert data.find(f'{xf}general/{xf}visit_date').text == day
