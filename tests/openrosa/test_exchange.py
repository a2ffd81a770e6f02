"""The OpenRosa exchange as ODK Collect does it, on both databases: the bytes Collect sends and expects (headers,
status codes, the multipart body, XML namespaces), from the form list to the visit's record."""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET

import sqlalchemy as sa
from PIL import Image

from tests.openrosa.conftest import COLLECT_HEADERS, collect_token, fill_instance, new_instance_id, valid_answers

LIST_NS = '{http://openrosa.org/xforms/xformsList}'
RESP_NS = '{http://openrosa.org/http/response}'
SUBMIT_AUDIT = ("select count(*) from audit_entries where entity_type = 'visit' and entity_id = :v "
                "and trigger = 'submit'")


def openrosa_headers(resp) -> None:  # noqa: ANN001
    assert resp.headers['X-OpenRosa-Version'] == '1.0'
    assert resp.headers['Content-Type'] == 'text/xml; charset=utf-8'


def response_message(resp) -> tuple[str, str]:  # noqa: ANN001
    """``(nature, text)`` of an OpenRosaResponse body."""
    openrosa_headers(resp)
    root = ET.fromstring(resp.data)
    assert root.tag == f'{RESP_NS}OpenRosaResponse'
    message = root.find(f'{RESP_NS}message')
    return message.get('nature'), message.text


def form_list(collect) -> dict[str, dict[str, str]]:  # noqa: ANN001
    resp = collect.get('formList')
    assert resp.status_code == 200
    openrosa_headers(resp)
    root = ET.fromstring(resp.data)
    assert root.tag == f'{LIST_NS}xforms'
    out = {}
    for entry in root.findall(f'{LIST_NS}xform'):
        fields = {child.tag.removeprefix(LIST_NS): child.text for child in entry}
        out[fields['formID']] = fields
    return out


def download(collect, entry: dict) -> bytes:  # noqa: ANN001
    resp = collect.get_url(entry['downloadUrl'])
    assert resp.status_code == 200
    openrosa_headers(resp)
    assert entry['hash'] == 'md5:' + hashlib.md5(resp.data).hexdigest()  # over the exact bytes downloaded
    return resp.data


def visit_row(api, visit_id: int) -> dict:  # noqa: ANN001
    return api.get(f'/api/v1/visits/{visit_id}', 'admin').get_json()


def test_form_list_has_one_form_per_open_visit_of_the_user_with_hashes_of_the_bytes_served(api, collect):  # noqa: ANN001
    forms = form_list(collect)
    mine = api.get('/api/v1/visits?state=scheduled', 'member25').get_json()['items']
    assert set(forms) == {f'visit-{v["id"]}' for v in mine}
    for form_id, entry in forms.items():
        assert set(entry) == {'formID', 'name', 'version', 'hash', 'downloadUrl'}  # no media: no manifestUrl
        assert entry['downloadUrl'].startswith(f'http://localhost/v1/key/{collect.token}/')
        body = download(collect, entry)
        # the instance root names the visit: a submission needs no choice
        assert f'<data id="{form_id}" version="{entry["version"]}"'.encode() in body
        again = collect.get_url(entry['downloadUrl'])
        assert again.data == body  # the same bytes each time: the hash stays true
    # another member sees the forms of their own visits only
    other, _ = collect_token(api, 'nghia.tv')
    theirs = {e.text for e in ET.fromstring(collect.get('formList', token=other).data).iter(f'{LIST_NS}formID')}
    assert theirs and not theirs & set(forms)


def test_head_submission_answers_204_with_the_size_it_accepts(collect):  # noqa: ANN001
    resp = collect.head()
    assert resp.status_code == 204
    assert resp.headers['X-OpenRosa-Version'] == '1.0'
    assert int(resp.headers['X-OpenRosa-Accept-Content-Length']) == 16 * 1024 * 1024
    assert resp.data == b''


def test_full_exchange_form_list_download_submit_becomes_the_visits_record(api, collect):  # noqa: ANN001
    form_id, entry = sorted(form_list(collect).items())[0]
    visit = int(form_id.split('-')[1])
    xform = download(collect, entry)
    answers = valid_answers(api, visit)
    instance = new_instance_id()
    resp = collect.post(fill_instance(xform, answers, instance))
    assert resp.status_code == 201, resp.data
    nature, text = response_message(resp)
    assert nature == 'submit_success' and 'nộp' in text
    row = visit_row(api, visit)
    assert row['state'] == 'submitted'
    for item, value in answers.items():
        if item == 'household_roster':
            assert [h['household_code'] for h in row['answers'][item]] == [h['household_code'] for h in value]
            assert row['answers'][item][1]['support_received'] == value[1]['support_received']
        else:
            assert row['answers'][item] == value, item
    # the same operations as the API: households from the roster, findings from the checklist's rules
    roster = answers['household_roster']
    assert sorted(h['code'] for h in row['households']) == sorted(h['household_code'] for h in roster)
    assert api.scalar("select count(*) from findings where visit_id = :v and source = 'checklist'", v=visit) > 0
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1
    assert api.scalar('select outcome from openrosa_submissions where instance_id = :i', i=instance) == 'submitted'
    # the visit is no longer open for recording: it leaves the form list
    assert form_id not in form_list(collect)


def test_instance_id_rules_replay_conflict_and_edit(api, collect):  # noqa: ANN001
    form_id, entry = sorted(form_list(collect).items())[0]
    visit = int(form_id.split('-')[1])
    xform = download(collect, entry)
    answers = valid_answers(api, visit)
    incomplete = {k: v for k, v in answers.items() if k not in ('committee_reconstituted', 'plan_issued')}
    first = new_instance_id()
    body = fill_instance(xform, incomplete, first)
    r1 = collect.post(body)
    assert r1.status_code == 201
    assert response_message(r1)[0] == 'submit_success'
    count = api.scalar('select count(*) from openrosa_submissions')
    # the same instance, the same bytes: 201 again, nothing written twice
    r2 = collect.post(body)
    assert r2.status_code == 201 and r2.data == r1.data
    assert api.scalar('select count(*) from openrosa_submissions') == count
    # the same instance, other bytes: 409, nothing changed
    other = fill_instance(xform, {**incomplete, 'directive_documents': 99}, first)
    r3 = collect.post(other)
    assert r3.status_code == 409
    nature, text = response_message(r3)
    assert nature == 'error' and first in text
    assert visit_row(api, visit)['answers']['directive_documents'] == answers['directive_documents']
    # an edit (deprecatedID): the earlier submission is replaced and the record submitted
    edit = new_instance_id()
    r4 = collect.post(fill_instance(xform, answers, edit, deprecated_id=first))
    assert r4.status_code == 201
    assert visit_row(api, visit)['state'] == 'submitted'
    with api.app.extensions['inspect_flow.engine'].connect() as conn:
        rows = dict(conn.execute(sa.text('select instance_id, outcome from openrosa_submissions where visit_id = :v'),
                                 {'v': visit}).all())
    assert rows == {first: 'replaced', edit: 'submitted'}
    assert api.scalar('select replaced_by from openrosa_submissions where instance_id = :i', i=first) == edit
    # a second edit of the same earlier submission is a conflict
    r5 = collect.post(fill_instance(xform, answers, new_instance_id(), deprecated_id=first))
    assert r5.status_code == 409
    # a new instance for a record that is submitted: 409, named
    r6 = collect.post(fill_instance(xform, answers, new_instance_id()))
    assert r6.status_code == 409
    assert 'Đã nộp' in response_message(r6)[1]


def test_bad_and_revoked_tokens_are_403_and_tokens_do_not_cross(api, collect):  # noqa: ANN001
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.integrations.tokens import get_token, revoke_token

    for token in ('nope', 'ifk_' + 'x' * 43, api.tokens['member25']):  # an API bearer token is no app token
        for resp in (collect.get('formList', token=token), collect.post(b'<data/>', token=token)):
            assert resp.status_code == 403
            assert response_message(resp)[0] == 'error'
        head = collect.head(token=token)
        assert head.status_code == 403 and head.headers['X-OpenRosa-Version'] == '1.0' and head.data == b''
    # and an app token is no bearer token of the API
    assert api.c.get('/api/v1/me', headers={'Authorization': f'Bearer {collect.token}'}).status_code == 401
    assert collect.get('formList').status_code == 200
    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        revoke_token(s, get_token(s, collect.token_id))
    resp = collect.get('formList')
    assert resp.status_code == 403
    assert 'thu hồi' in response_message(resp)[1]
    assert collect.head().status_code == 403


def test_a_visit_not_assigned_to_the_user_is_403(api, collect):  # noqa: ANN001
    forms = form_list(collect)
    mine_xform = download(collect, next(iter(forms.values())))
    teams = {v['team_number'] for v in api.get('/api/v1/visits', 'member25').get_json()['items']}
    others = [v for v in api.get('/api/v1/visits?state=scheduled', 'admin').get_json()['items']
              if v['team_number'] not in teams]
    assert others
    other = others[0]['id']
    resp = collect.get(f'forms/visit-{other}.xml')
    assert resp.status_code == 403
    # a submission naming that visit (its form id in the instance) is refused as well, and nothing is written
    body = mine_xform.replace(next(iter(forms)).encode(), f'visit-{other}'.encode())
    xml = fill_instance(body, {}, new_instance_id())
    resp = collect.post(xml)
    assert resp.status_code == 403
    assert response_message(resp)[0] == 'error'
    assert api.scalar('select count(*) from openrosa_submissions') == 0
    assert visit_row(api, other)['state'] == 'scheduled'
    # a form that does not exist
    assert collect.get('forms/visit-999999.xml').status_code == 404


def test_bad_xml_is_400_naming_the_problem(api, collect):  # noqa: ANN001
    resp = collect.post(b"<?xml version='1.0' ?><data id=\"visit-1\"><meta><instanceID>uuid:1</instanceID></meta>")
    assert resp.status_code == 400
    nature, text = response_message(resp)
    assert nature == 'error' and 'xml_submission_file' in text and 'dòng 1' in text
    no_id = collect.post(b"<?xml version='1.0' ?><data id=\"visit-1\"><meta/></data>")
    assert no_id.status_code == 400 and 'instanceID' in response_message(no_id)[1]
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><data id="visit-1">&a;'
            b'<meta><instanceID>uuid:2</instanceID></meta></data>')
    assert collect.post(bomb).status_code == 400
    form_id = next(iter(form_list(collect)))
    deep = (f'<data id="{form_id}"><meta><instanceID>uuid:3</instanceID></meta>' + '<g>' * 60 + '</g>' * 60
            + '</data>').encode()
    resp = collect.post(deep)
    assert resp.status_code == 400 and 'lồng nhau' in response_message(resp)[1]
    huge = (f'<data id="{form_id}"><steering><committee_decision>{"x" * 200_000}</committee_decision></steering>'
            '<meta><instanceID>uuid:4</instanceID></meta></data>').encode()
    resp = collect.post(huge)
    assert resp.status_code == 400
    assert 'xml_submission_file' in response_message(resp)[1] and '20' in response_message(resp)[1]
    part = api.c.post(f'/v1/key/{collect.token}/submission', data={'other': (io.BytesIO(b'x'), 'x.xml')},
                      headers=COLLECT_HEADERS, content_type='multipart/form-data')
    assert part.status_code == 400 and 'xml_submission_file' in response_message(part)[1]
    assert api.scalar('select count(*) from openrosa_submissions') == 0


def test_too_large_is_413_with_an_openrosa_response(api, collect):  # noqa: ANN001
    api.app.config['MAX_CONTENT_LENGTH'] = 4096
    resp = collect.post(b'<data/>', {'big.jpg': (b'\xff' * 8192, 'image/jpeg')})
    assert resp.status_code == 413
    assert response_message(resp)[0] == 'error'


def _jpeg_with_gps() -> bytes:
    image = Image.new('RGB', (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = 'PhoneMaker'  # Make
    exif[0x8825] = {1: 'N', 2: (10.0, 14.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, 'JPEG', exif=exif)
    return out.getvalue()


def test_photos_become_evidence_without_exif_and_may_come_in_a_later_request(api, collect):  # noqa: ANN001
    form_id, entry = sorted(form_list(collect).items())[0]
    visit = int(form_id.split('-')[1])
    xform = download(collect, entry)
    photo = _jpeg_with_gps()
    assert b'PhoneMaker' in photo
    answers = {**valid_answers(api, visit), 'session_photo': '1733140000000.jpg'}
    instance = new_instance_id()
    body = fill_instance(xform, answers, instance)
    # Collect split the submission: the first request has no attachment — kept as a draft, the file named
    first = collect.post(body)
    assert first.status_code == 201
    assert api.scalar('select outcome from openrosa_submissions where instance_id = :i', i=instance) == 'draft'
    assert visit_row(api, visit)['state'] == 'in_progress'
    # the next request of the same instance brings it: the record is submitted
    second = collect.post(body, {'1733140000000.jpg': (photo, 'image/jpeg')})
    assert second.status_code == 201
    row = visit_row(api, visit)
    assert row['state'] == 'submitted'
    ref = row['answers']['session_photo']
    assert ref == 'sha256:' + hashlib.sha256(photo).hexdigest()
    with api.app.extensions['inspect_flow.engine'].connect() as conn:
        stored = conn.execute(sa.text('select data from evidence_files where sha256 = :h'),
                              {'h': ref.removeprefix('sha256:')}).scalar()
    assert stored and b'PhoneMaker' not in stored and b'Exif' not in stored
    assert Image.open(io.BytesIO(stored)).getexif() == {}
    # a third copy changes nothing
    assert collect.post(body, {'1733140000000.jpg': (photo, 'image/jpeg')}).status_code == 201
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1


def test_the_same_instance_sent_at_once_by_several_requests_is_stored_once(api, collect):  # noqa: ANN001
    """Collect retries on a slow network: copies of one submission arriving together against a live server are
    all answered 201, and the record is written once."""
    import threading

    import requests

    from tests.api.conftest import LiveServer
    from tests.openrosa.conftest import multipart

    form_id, entry = sorted(form_list(collect).items())[0]
    visit = int(form_id.split('-')[1])
    body, content_type = multipart(fill_instance(download(collect, entry), valid_answers(api, visit),
                                                 new_instance_id()), {}, xml_name='submission.xml')
    server = LiveServer(api.app)
    n = 6
    barrier = threading.Barrier(n, timeout=30)
    statuses: list = [None] * n

    def send(i: int) -> None:
        barrier.wait()
        with requests.Session() as http:
            for _attempt in range(20):
                r = http.post(f'{server.url}/v1/key/{collect.token}/submission', data=body, timeout=60,
                              headers={**COLLECT_HEADERS, 'Content-Type': content_type})
                if r.status_code != 503:  # database busy: Collect tries again
                    break
            statuses[i] = r.status_code

    try:
        threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not any(t.is_alive() for t in threads)
    finally:
        server.stop()
    assert statuses == [201] * n
    assert api.scalar('select count(*) from openrosa_submissions where visit_id = :v', v=visit) == 1
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 1


def test_a_record_returned_for_correction_is_offered_again_and_the_edit_resubmits_it(api, collect):  # noqa: ANN001
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.plans.models import TeamRole
    from inspect_flow.visits.models import Visit
    from inspect_flow.visits.operations import return_visit

    form_id, entry = sorted(form_list(collect).items())[0]
    visit = int(form_id.split('-')[1])
    xform = download(collect, entry)
    answers = valid_answers(api, visit)
    first = new_instance_id()
    assert collect.post(fill_instance(xform, answers, first)).status_code == 201
    assert form_id not in form_list(collect)
    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        row = s.get(Visit, visit)
        leader = next(m.person for m in row.team.members if m.role == TeamRole.leader)
        return_visit(s, row, reviewer=leader, comment='Ghi lại số hộ nghèo đầu năm.', actor='web:leader')
    assert form_id in form_list(collect)
    fixed = {**answers, 'poor_start': answers['poor_start'] - 1}
    resp = collect.post(fill_instance(xform, fixed, new_instance_id(), deprecated_id=first))
    assert resp.status_code == 201
    row = visit_row(api, visit)
    assert row['state'] == 'submitted' and row['answers']['poor_start'] == fixed['poor_start']
    assert api.scalar(SUBMIT_AUDIT, v=visit) == 2


def test_messages_follow_the_phones_language(api, collect):  # noqa: ANN001
    resp = api.c.get('/v1/key/nope/formList', headers={**COLLECT_HEADERS, 'Accept-Language': 'en-US,en;q=0.9'})
    assert resp.status_code == 403
    assert response_message(resp)[1] == 'The app token is not valid or was revoked.'
    resp = api.c.get('/v1/key/nope/formList', headers={**COLLECT_HEADERS, 'Accept-Language': 'vi-VN'})
    assert response_message(resp)[1] == 'Mã ứng dụng không hợp lệ hoặc đã bị thu hồi.'
