"""OpenRosa fixtures: the 2019 demo round on a fresh database (SQLite file and PostgreSQL), app tokens for ODK
Collect, and helpers that build what Collect sends: the filled instance from the served XForm's own primary
instance, and the multipart body as Collect writes it."""

from __future__ import annotations

import copy
import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from inspect_flow.core.db import make_session_factory, unit_of_work
from tests.api.conftest import ApiClient, build, member_visit, submission_for

XF = '{http://www.w3.org/2002/xforms}'
H = '{http://www.w3.org/1999/xhtml}'
JR = '{http://openrosa.org/javarosa}'
#: What ODK Collect sends with every request.
COLLECT_HEADERS = {'X-OpenRosa-Version': '1.0', 'Accept-Language': 'vi', 'User-Agent':
                   'org.odk.collect.android/v2024.3.2 okhttp/4.12.0 Dalvik/2.1.0 (Linux; U; Android 13)'}


@dataclass
class Collect:
    """A Flask test client speaking OpenRosa as ODK Collect does, with one app token."""

    api: ApiClient
    token: str
    token_id: int

    @property
    def base(self) -> str:
        return f'/v1/key/{self.token}'

    def get(self, path: str, token: str | None = None):  # noqa: ANN201
        return self.api.c.get(f'/v1/key/{token or self.token}/{path}', headers=COLLECT_HEADERS)

    def get_url(self, url: str):  # noqa: ANN201
        return self.api.c.get(url.removeprefix('http://localhost'), headers=COLLECT_HEADERS)

    def head(self, token: str | None = None):  # noqa: ANN201
        return self.api.c.head(f'/v1/key/{token or self.token}/submission', headers=COLLECT_HEADERS)

    def post(self, xml: bytes, attachments: dict[str, tuple[bytes, str]] | None = None,  # noqa: ANN201
             token: str | None = None, *, xml_name: str = 'submission.xml'):
        body, content_type = multipart(xml, attachments or {}, xml_name=xml_name)
        return self.api.c.post(f'/v1/key/{token or self.token}/submission', data=body,
                               headers={**COLLECT_HEADERS, 'Content-Type': content_type})


def multipart(xml: bytes, attachments: dict[str, tuple[bytes, str]], *, xml_name: str) -> tuple[bytes, str]:
    """The body ODK Collect (OkHttp's MultipartBody) writes: the instance as ``xml_submission_file`` (text/xml),
    each attachment as a part named by its file name, CRLF line ends, a UUID boundary."""
    boundary = str(uuid.uuid4())
    out = bytearray()
    parts = [('xml_submission_file', xml_name, 'text/xml', xml)]
    parts += [(name, name, media, data) for name, (data, media) in attachments.items()]
    for name, filename, media, data in parts:
        out += f'--{boundary}\r\n'.encode()
        out += f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode()
        out += f'Content-Type: {media}\r\nContent-Length: {len(data)}\r\n\r\n'.encode()
        out += data + b'\r\n'
    out += f'--{boundary}--\r\n'.encode()
    return bytes(out), f'multipart/form-data; boundary={boundary}'


def primary_instance(xform: bytes) -> ET.Element:
    """The form's primary instance (the first ``instance`` of the model), as Collect starts a new form from it."""
    root = ET.fromstring(xform)
    model = root.find(f'{H}head/{XF}model')
    instance = model.find(f'{XF}instance')
    return copy.deepcopy(list(instance)[0])


def fill_instance(xform: bytes, answers: dict, instance_id: str, *, deprecated_id: str | None = None) -> bytes:
    """A filled instance as Collect finalises it: the served form's primary instance with *answers* put into
    their elements (repeat rows cloned from the repeat's template), ``meta/instanceID`` set, serialised in
    UTF-8 with the same namespace-less element names."""
    data = primary_instance(xform)
    for elem in data.iter():
        elem.tag = elem.tag.replace(XF, '')
    parents = {c: p for p in data.iter() for c in p}
    templates: dict[str, tuple[ET.Element, ET.Element, int]] = {}
    for elem in list(data.iter()):
        if JR + 'template' in elem.attrib:  # a repeat's template row: Collect never sends it
            parent = parents[elem]
            at = list(parent).index(elem)
            del elem.attrib[JR + 'template']
            for sibling in [s for s in parent if s.tag == elem.tag]:
                parent.remove(sibling)
            templates[elem.tag] = (elem, parent, at)
    by_name = {e.tag: e for e in data.iter()}

    def put(elem: ET.Element, value) -> None:  # noqa: ANN001
        if value is None:
            elem.text = None
        elif isinstance(value, list):
            elem.text = ' '.join(str(v) for v in value)
        elif isinstance(value, bool):
            elem.text = 'yes' if value else 'no'
        else:
            elem.text = str(value)

    for name, value in answers.items():
        if name in templates:
            template, parent, at = templates[name]
            for n, row in enumerate(value or []):
                clone = copy.deepcopy(template)
                inner = {e.tag: e for e in clone.iter()}
                for key, cell in row.items():
                    if key in inner:
                        put(inner[key], cell)
                parent.insert(at + n, clone)
        elif name in by_name:
            put(by_name[name], value)
    meta = data.find('meta')
    meta.find('instanceID').text = instance_id
    if deprecated_id is not None:
        ET.SubElement(meta, 'deprecatedID').text = deprecated_id
    return b"<?xml version='1.0' ?>" + ET.tostring(data, encoding='utf-8', xml_declaration=False)


def new_instance_id() -> str:
    return f'uuid:{uuid.uuid4()}'


def collect_token(api: ApiClient, username: str) -> tuple[str, int]:
    from inspect_flow.accounts.operations import find_user
    from inspect_flow.openrosa.tokens import create_collect_token

    with unit_of_work(make_session_factory(api.app.extensions['inspect_flow.engine'])) as s:
        token, secret = create_collect_token(s, find_user(s, username))
        return secret, token.id


@pytest.fixture
def api(db_url):  # noqa: ANN001, ANN201
    app, tokens = build(db_url)
    yield ApiClient(app, tokens)
    app.extensions['inspect_flow.engine'].dispose()


@pytest.fixture
def collect(api):  # noqa: ANN001, ANN201
    """ODK Collect set up for member ngan.ltk (team 5 of the 2019 demo round)."""
    secret, token_id = collect_token(api, 'ngan.ltk')
    return Collect(api, secret, token_id)


def valid_answers(api: ApiClient, visit_id: int) -> dict:
    """The checklist answers of a complete, valid record of the visit (the demo's)."""
    return json.loads(json.dumps(submission_for(api, visit_id)['answers']))


__all__ = ['Collect', 'collect_token', 'fill_instance', 'member_visit', 'multipart', 'new_instance_id',
           'primary_instance', 'valid_answers']
