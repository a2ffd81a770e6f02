"""Evidence by known hash through the pages: a file may be attached only by someone who may already see it
(issue 18, item 1). The attack: save a file's ``sha256:`` reference into one's own visit, then read the file
through ``/visits/<own visit>/evidence/<hash>``."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.web.conftest import ROLES, Client, ids, snapshot


def _client(app, role: str) -> Client:  # noqa: ANN001
    client = Client(app)
    assert client.login(ROLES[role]).status_code == 302
    return client


def _jpeg(colour=(10, 160, 90)) -> bytes:  # noqa: ANN001
    from PIL import Image

    out = io.BytesIO()
    Image.new('RGB', (40, 30), colour).save(out, 'JPEG')
    return out.getvalue()


def _upload(client: Client, visit: int, content: bytes) -> str:
    r = client.c.post(f'/visits/{visit}/evidence', data={'f.session_photo': (io.BytesIO(content), 'anh.jpg')},
                      headers={'X-CSRFToken': client.token, 'Accept': 'application/json'},
                      content_type='multipart/form-data')
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()['refs']['session_photo']


def _visit_of(app, username: str, other_than: int) -> int:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        return conn.execute(sa.text(
            'select v.id from visits v join team_members m on m.team_id = v.team_id join users u '
            'on u.person_id = m.person_id where u.username = :u and v.id != :o order by v.id limit 1'),
            {'u': username, 'o': other_than}).scalar()


def _answers(app, visit: int) -> dict:  # noqa: ANN001
    with app.extensions['inspect_flow.engine'].connect() as conn:
        value = conn.execute(sa.text('select answers from visits where id = :v'), {'v': visit}).scalar()
    return (json.loads(value) if isinstance(value, str) else value) or {}


def test_a_known_hash_cannot_be_attached_to_ones_own_visit_through_any_page(app_factory) -> None:  # noqa: ANN001
    app = app_factory('visiting')
    known = ids(app)
    owner = _client(app, 'leader5')
    ref = _upload(owner, known['visit5'], _jpeg())
    digest = ref.split(':', 1)[1]
    other = _client(app, 'member36')
    own_visit = _visit_of(app, ROLES['member36'], known['visit5'])
    assert other.get(f'/visits/{own_visit}').status_code == 200  # their own visit, which they may edit
    before = snapshot(app)

    # autosave (the page's script): refused, naming the item; nothing written
    for answers, field in (({'session_photo': ref}, 'session_photo'),
                           ({'committee_decision': ref}, 'committee_decision'),  # a text answer is served too
                           ({'household_roster': [{'photo': ref.upper().replace('SHA256', 'sha256')}]},
                            'household_roster.0.photo'),
                           ({'committee_decision': f'xem {ref}'}, 'committee_decision')):
        r = other.post_json(f'/visits/{own_visit}/autosave', {'answers': answers})
        assert r.status_code == 422, (answers, r.get_data(as_text=True))
        assert r.get_json()['error'] == 'evidence.not_found' and r.get_json()['field'] == field
    # the form without script ("save" and "submit"): refused beside the item, what was typed kept on the page
    for path in (f'/visits/{own_visit}/save', f'/visits/{own_visit}/submit'):
        r = other.post(path, MultiDict({'a.committee_reconstituted': 'yes', 'a.committee_decision': ref}))
        assert r.status_code == 422, path
        page = r.get_data(as_text=True)
        assert 'data-item="committee_decision"' in page and ref in page  # kept as typed
    assert snapshot(app) == before
    assert ref not in json.dumps(_answers(app, own_visit))
    # and so the file is not served to them through their visit
    assert other.get(f'/visits/{own_visit}/evidence/{digest}').status_code == 404

    # An unknown hash is refused the same way (a reference kept ahead of an upload is no way in either).
    r = other.post_json(f'/visits/{own_visit}/autosave', {'answers': {'session_photo': 'sha256:' + 'ab' * 32}})
    assert (r.status_code, r.get_json()['error']) == (422, 'evidence.not_found')

    # Who may see it can attach it: the uploader, and a team-mate who sees the visit that holds it.
    r = owner.post_json(f'/visits/{known["visit5"]}/autosave', {'answers': {'extra_photo': ref}})
    assert r.status_code == 200, r.get_data(as_text=True)
    mate = _client(app, 'member25')  # on team 5, which holds the file, and on team 2
    mate_visit = _visit_of(app, ROLES['member25'], known['visit5'])
    assert mate_visit is not None
    r = mate.post_json(f'/visits/{mate_visit}/autosave', {'answers': {'session_photo': ref}})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert mate.get(f'/visits/{mate_visit}/evidence/{digest}').status_code == 200
    # Sending the same bytes proves one has the file: member36 uploads them too, and may then attach them.
    assert _upload(other, own_visit, _jpeg()) == ref
    r = other.post_json(f'/visits/{own_visit}/autosave', {'answers': {'extra_photo': ref}})
    assert r.status_code == 200


def test_a_report_page_attaches_only_the_file_sent_with_it(app_factory) -> None:  # noqa: ANN001
    app = app_factory('closed')
    known = ids(app)
    official = _client(app, 'district838')
    rec = known['rec_mcb']
    with app.extensions['inspect_flow.engine'].connect() as conn:
        reports = conn.execute(sa.text('select count(*) from follow_up_reports')).scalar()
    foreign = 'sha256:' + 'cd' * 32
    r = official.c.post(f'/recommendations/{rec}/report', data={
        'csrf_token': official.token, 'text': 'Đã tổ chức tập huấn cho cán bộ xã.', 'evidence': foreign,
        'file': (io.BytesIO(_jpeg((200, 10, 10))), 'tap-huan.jpg')}, content_type='multipart/form-data')
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.extensions['inspect_flow.engine'].connect() as conn:
        assert conn.execute(sa.text('select count(*) from follow_up_reports')).scalar() == reports + 1
        evidence = conn.execute(sa.text('select evidence from follow_up_reports order by id desc limit 1')).scalar()
    evidence = json.loads(evidence) if isinstance(evidence, str) else evidence
    assert len(evidence) == 1 and evidence[0] != foreign  # only the uploaded file; a typed reference is not read
    digest = evidence[0].split(':', 1)[1]
    served = official.get(f'/recommendations/{rec}/evidence/{digest}')
    assert served.status_code == 200 and served.headers['X-Content-Type-Options'] == 'nosniff'
    assert served.headers['Content-Disposition'] == f'inline; filename="minh-chung-{digest[:12]}.jpg"'
    assert _client(app, 'secretariat').get(f'/recommendations/{rec}/evidence/{digest}').status_code == 200
    assert _client(app, 'commune28936').get(f'/recommendations/{rec}/evidence/{digest}').status_code == 404
