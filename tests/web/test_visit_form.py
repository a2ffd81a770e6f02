"""The visit form without script (the form posted as it is), the JSON autosave, and photo uploads.

The evidence store itself (sniffing, re-encoding, limits) is tested in tests/core/test_evidence.py; here,
what the web adds: which item takes which file, the size limits of the app, the answers that refer to
the file, the file served back without its GPS position, and refusals that change nothing.
"""

from __future__ import annotations

import html
import io
import json
import re

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests import crafted_files as crafted
from tests.web.conftest import ROLES, Client, ids, snapshot

GPS = 0x8825


def _answers_of_demo(app, visit_id: int) -> dict:  # noqa: ANN001
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.demo.round2019 import checklist_answers
    from inspect_flow.visits.models import Visit

    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        return checklist_answers(4, s.get(Visit, visit_id))


def _fields(answers: dict) -> MultiDict:
    """The form fields a browser would post for *answers* (``a.<item>``, ``a.<repeat>.<row>.<item>``)."""
    out = MultiDict()
    for key, value in answers.items():
        if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
            for i, row in enumerate(value):
                for child, v in row.items():
                    for x in (v if isinstance(v, list) else [v]):
                        if x is not None:
                            out.add(f'a.{key}.{i}.{child}', str(x))
        elif isinstance(value, list):
            for x in value:
                out.add(f'a.{key}', str(x))
        elif value is not None:
            out.add(f'a.{key}', str(value))
    return out


def _post_form(client: Client, path: str, fields: MultiDict, files: dict | None = None):  # noqa: ANN201
    data = MultiDict(fields)
    data['csrf_token'] = client.token
    for name, (content, filename) in (files or {}).items():
        data[name] = (io.BytesIO(content), filename)
    return client.c.post(path, data=data, content_type='multipart/form-data')


def _stored(app, visit_id: int) -> tuple[str, dict]:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        state, answers = conn.execute(sa.text('select state, answers from visits where id = :v'), {'v': visit_id}).one()
    return state, (json.loads(answers) if isinstance(answers, str) else answers) or {}


def _jpeg(size=(64, 48), gps: bool = False, noise: bool = False) -> bytes:  # noqa: ANN001
    from PIL import Image

    if noise:
        import os

        image = Image.frombytes('RGB', size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new('RGB', size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = 'Field camera'
    if gps:
        exif[GPS] = {1: 'N', 2: (10.0, 14.0, 30.0), 3: 'E', 4: (106.0, 22.0, 5.0)}
    buf = io.BytesIO()
    image.save(buf, 'JPEG', quality=95, exif=exif)
    return buf.getvalue()


def _member(app, role: str = 'member25') -> Client:  # noqa: ANN001
    client = Client(app)
    assert client.login(ROLES[role]).status_code == 302
    return client


# --- without script -------------------------------------------------------------------------------------


def test_the_form_posted_without_script_keeps_a_bad_answer_shows_it_beside_the_item_then_submits(app_factory):  # noqa: ANN001
    app = app_factory('visiting')
    visit = ids(app)['visit5']
    member = _member(app)
    page = member.get(f'/visits/{visit}').get_data(as_text=True)
    assert f'action="/visits/{visit}/save"' in page and f'formaction="/visits/{visit}/submit"' in page
    answers = _answers_of_demo(app, visit)
    fields = _fields(answers)
    fields['a.total_households'] = 'khoảng 2500'

    r = _post_form(member, f'/visits/{visit}/save', fields)
    assert r.status_code == 302
    state, stored = _stored(app, visit)
    assert state == 'in_progress'
    assert stored['total_households'] == 'khoảng 2500'  # a draft keeps what was typed
    assert stored['level'] == 'commune' and stored['communication_channels'] == answers['communication_channels']
    assert len(stored['household_roster']) == len(answers['household_roster'])

    r = _post_form(member, f'/visits/{visit}/submit', fields)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    block = page.split('id="i-a-total_households"', 1)[1].split('</div>\n', 1)[0]
    assert 'class="error"' in block and 'value="khoảng 2500"' in block
    assert page.count('<p class="error"') >= 1
    assert 'has-error" data-item="total_households"' in page
    assert _stored(app, visit)[0] == 'in_progress'

    # "Add a household" without script: the form comes back with one more row.
    fields['a.total_households'] = str(answers['total_households'])
    fields['add_row'] = 'household_roster'
    r = _post_form(member, f'/visits/{visit}/save', fields)
    assert r.status_code == 302
    page = member.get(f'/visits/{visit}').get_data(as_text=True)
    rows = re.findall(r'<li class="row" data-row="(\d+)">', page)
    assert len(rows) == len(answers['household_roster']) + 1
    del fields['add_row']

    r = _post_form(member, f'/visits/{visit}/submit', fields)
    assert r.status_code == 302, re.findall(r'<p class="error"[^>]*>([^<]*)', r.get_data(as_text=True))
    state, stored = _stored(app, visit)
    assert state == 'submitted' and stored['total_households'] == answers['total_households']


# --- the JSON autosave ----------------------------------------------------------------------------------


def test_autosave_keeps_invalid_answers_and_answers_the_errors_per_item(app_factory):  # noqa: ANN001
    app = app_factory('visiting')
    visit = ids(app)['visit5']
    member = _member(app)
    answers = _answers_of_demo(app, visit)
    assert member.post_json(f'/visits/{visit}/autosave', {'answers': answers}).get_json()['errors'] == []

    r = member.post_json(f'/visits/{visit}/autosave', {'answers': {'effective_models': 'vài mô hình',
                                                                   'reports_on_time': 'no', 'reports_late': 0}})
    body = r.get_json()
    assert r.status_code == 200 and body['saved'] is True and body['state'] == 'in_progress'
    by_field = {e['field']: e for e in body['errors']}
    assert set(by_field) == {'effective_models', 'reports_late'}, body['errors']
    assert body['problems'] == 2
    assert all(e['message'] and e['code'] for e in body['errors'])
    _, stored = _stored(app, visit)
    assert stored['effective_models'] == 'vài mô hình' and stored['reports_late'] == 0
    assert stored['level'] == 'commune'  # merged into the draft, nothing else lost

    # In English, the messages are English.
    member.post('/language', {'lang': 'en', 'next': '/'})
    member.refresh_token()
    body = member.post_json(f'/visits/{visit}/autosave', {'answers': {'reports_late': 0}}).get_json()
    messages = {e['field']: e['message'] for e in body['errors']}
    assert messages['reports_late'] != by_field['reports_late']['message']
    assert re.search(r'[a-z]', messages['reports_late']) and not re.search('[ạảấầẩẫậắằẳẵặẹẻẽếềểễệ]',
                                                                             messages['reports_late'])


def test_autosave_refuses_bad_requests_and_changes_nothing(app_factory):  # noqa: ANN001
    app = app_factory('visiting')
    known = ids(app)
    visit = known['visit5']
    member = _member(app)
    before = snapshot(app)
    assert member.c.post(f'/visits/{visit}/autosave', data='[1, 2]', content_type='application/json',
                         headers={'X-CSRFToken': member.token}).status_code == 400
    assert member.post_json(f'/visits/{visit}/autosave', {'answers': 'tất cả'}).status_code == 400
    assert member.post_json(f'/visits/{visit}/autosave', {}).status_code == 400
    r = member.c.post(f'/visits/{visit}/autosave', json={'answers': {'level': 'commune'}})  # no CSRF header
    assert r.status_code == 400 and r.get_json()['error'] == 'csrf'
    for role, codes in (('member36', (404,)), ('district838', (404,)), ('secretariat', (403,))):
        other = _member(app, role)
        r = other.post_json(f'/visits/{visit}/autosave', {'answers': {'level': 'commune'}})
        assert r.status_code in codes, (role, r.status_code)
    r = member.post_json(f'/visits/{known["visit1"]}/autosave', {'answers': {'level': 'commune'}})
    assert r.status_code == 404  # another team's visit
    assert snapshot(app) == before
    anonymous = app.test_client()
    r = anonymous.post(f'/visits/{visit}/autosave', json={'answers': {}}, headers={'Accept': 'application/json'})
    assert r.status_code in (400, 401)
    assert snapshot(app) == before


def test_autosave_is_refused_once_the_visit_is_submitted(app_factory):  # noqa: ANN001
    app = app_factory('findings')
    visit = ids(app)['visit5']
    member = _member(app)
    assert _stored(app, visit)[0] in ('submitted', 'reviewed')
    before = snapshot(app)
    r = member.post_json(f'/visits/{visit}/autosave', {'answers': {'total_households': 1}})
    assert r.status_code == 409 and r.get_json()['error'] == 'visit.not_editable'
    assert snapshot(app) == before


# --- photos and files -----------------------------------------------------------------------------------


def _upload(client: Client, visit: int, item: str, content: bytes, filename: str):  # noqa: ANN201
    return client.c.post(f'/visits/{visit}/evidence', data={f'f.{item}': (io.BytesIO(content), filename)},
                         headers={'X-CSRFToken': client.token, 'Accept': 'application/json'},
                         content_type='multipart/form-data')


def _evidence_count(app) -> int:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text('select count(*) from evidence_files')).scalar()


def test_a_photo_is_stored_without_its_gps_position_and_served_back_to_the_team_only(app_factory):  # noqa: ANN001
    from PIL import Image

    app = app_factory('visiting')
    known = ids(app)
    visit = known['visit5']
    member = _member(app)
    original = _jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # the phone wrote where it was
    r = _upload(member, visit, 'session_photo', original, 'IMG_0001.jpg')
    assert r.status_code == 200, r.get_json()
    ref = r.get_json()['refs']['session_photo']
    assert ref.startswith('sha256:') and _stored(app, visit)[1]['session_photo'] == ref
    served = member.get(r.get_json()['urls']['session_photo'])
    assert served.status_code == 200 and served.mimetype == 'image/jpeg'
    exif = Image.open(io.BytesIO(served.data)).getexif()
    assert GPS not in exif and not exif.get_ifd(GPS)
    assert Image.open(io.BytesIO(served.data)).size == (64, 48)

    # The page shows the thumbnail; another team and a district official cannot fetch it.
    assert f'src="{r.get_json()["urls"]["session_photo"]}"' in member.get(f'/visits/{visit}').get_data(as_text=True)
    for role in ('member36', 'district838'):
        assert _member(app, role).get(r.get_json()['urls']['session_photo']).status_code == 404
    # Only the files the visit's answers refer to are served through it.
    assert member.get(f'/visits/{visit}/evidence/{"0" * 64}').status_code == 404
    assert member.get(f'/visits/{known["visit1"]}/evidence/{ref.split(":")[1]}').status_code == 404

    # Without script, the photo goes with the form.
    second = _jpeg(size=(80, 60))
    r = _post_form(member, f'/visits/{visit}/save', MultiDict({'a.level': 'commune'}),
                   files={'f.session_photo': (second, 'IMG_0002.jpg')})
    assert r.status_code == 302
    assert _stored(app, visit)[1]['session_photo'] != ref


def test_uploads_are_refused_by_type_size_and_item_and_change_nothing(app_factory):  # noqa: ANN001
    app = app_factory('visiting', MAX_PHOTO_BYTES=20_000)
    visit = ids(app)['visit5']
    member = _member(app)
    before, files = snapshot(app), _evidence_count(app)
    pdf = crafted.plain_pdf()
    cases = [
        ('session_photo', pdf, 'bien-ban.pdf', 'evidence.bad_type'),  # a document is not a photo
        ('session_photo', b'just some text', 'anh.jpg', 'evidence.bad_type'),  # the name does not make it a photo
        ('session_photo', _jpeg(size=(400, 400), noise=True), 'lon.jpg', 'evidence.too_large'),
        ('session_photo', b'', 'rong.jpg', None),  # an empty file field: nothing chosen
        ('level', _jpeg(), 'anh.jpg', 'evidence.bad_item'),  # not an evidence item
        ('khong_co', _jpeg(), 'anh.jpg', 'evidence.bad_item'),
    ]
    for item, content, name, code in cases:
        r = _upload(member, visit, item, content, name)
        assert r.status_code in (400, 409, 413, 422), (item, name, r.status_code)
        if code:
            assert r.get_json()['error'] == code, (item, name, r.get_json())
            assert r.get_json()['field'] == item
        assert snapshot(app) == before and _evidence_count(app) == files, (item, name)
    # The visit page says the app's limit.
    page = member.get(f'/visits/{visit}').get_data(as_text=True)
    assert 'Ảnh JPEG, PNG, WebP tối đa 20 KB' in page and 'PDF hoặc ảnh, tối đa 10 MB' in page
    # A PDF is fine where the checklist asks for a file.
    r = _upload(member, visit, 'records_file', pdf, 'bien-ban.pdf')
    assert r.status_code == 200 and _evidence_count(app) == files + 1
    # Without script, a refused photo is shown beside its item and the typed answers are kept.
    r = _post_form(member, f'/visits/{visit}/save', MultiDict({'a.level': 'district', 'a.total_households': '12'}),
                   files={'f.session_photo': (pdf, 'x.pdf')})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    block = page.split('data-item="session_photo"', 1)[1].split('</div>\n', 1)[0]
    assert 'class="error"' in block and 'Loại tệp không được chấp nhận' in html.unescape(block)
    assert 'value="12"' in page
    assert _stored(app, visit)[1].get('total_households') is None
