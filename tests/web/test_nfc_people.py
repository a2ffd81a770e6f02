"""The teams page's "add a person" form and text typed in NFD: the look-alike of a person is refused beside the
name field with what was typed kept; a new name typed in NFD is stored and shown in NFC. Both databases."""

from __future__ import annotations

import html
import unicodedata

import sqlalchemy as sa

from tests.web.conftest import Client, ids, snapshot


def nfd(text: str) -> str:
    return unicodedata.normalize('NFD', text)


def test_an_nfd_look_alike_is_refused_beside_the_name_and_a_new_nfd_name_is_stored_in_nfc(app_factory):  # noqa: ANN001
    app = app_factory('scheduling')
    plan = ids(app)['plan']
    engine = app.extensions['inspect_flow.engine']
    with engine.connect() as conn:
        pid, name, agency = conn.execute(sa.text(
            "select id, full_name, agency from people where agency <> '' order by id limit 1")).one()
    assert nfd(name) != name
    client = Client(app)
    client.login('thao.vpt')
    before = snapshot(app)
    r = client.post(f'/plans/{plan}/people', {'full_name': nfd(name), 'agency': nfd(agency.upper()),
                                               'title': 'Chuyên viên giữ lại'})
    page = html.unescape(r.get_data(as_text=True))
    assert r.status_code == 422  # the page answers every refused form 422
    assert 'id="e-full_name"' in page and f'mã số {pid}' in page
    assert nfd(name) in page and 'Chuyên viên giữ lại' in page  # what was typed comes back
    assert snapshot(app) == before
    r = client.post(f'/plans/{plan}/people', {'full_name': nfd('Trương Thị Mỹ Hạnh'), 'agency': nfd(agency)})
    assert r.status_code == 302
    with engine.connect() as conn:
        stored = conn.execute(sa.text('select full_name, agency from people order by id desc limit 1')).one()
    assert tuple(stored) == ('Trương Thị Mỹ Hạnh', agency)
    page = html.unescape(client.get(f'/plans/{plan}/teams').get_data(as_text=True))
    assert 'Trương Thị Mỹ Hạnh' in page
