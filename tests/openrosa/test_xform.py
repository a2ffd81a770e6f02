"""The XForm served for a visit: pyxform's conversion of the pinned checklist, checked by ODK Validate (JavaRosa,
the engine of ODK Collect) and bound to every checklist item; its submission read back into the same answers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyxform.validators import odk_validate

from inspect_flow.checklist import load_checklist
from inspect_flow.openrosa.forms import VisitContext, build_xform, visit_id_of
from inspect_flow.openrosa.submissions import BadSubmission, parse_instance, read_answers
from tests.openrosa.conftest import fill_instance

CHECKLISTS = sorted(p for p in (Path(__file__).parents[2] / 'checklists').glob('*.yaml')
                    if 'household-consultation' not in p.name)
XF = '{http://www.w3.org/2002/xforms}'
H = '{http://www.w3.org/1999/xhtml}'
CONTEXT = VisitContext(visit_id=42, where='Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc', team='Đoàn 5', day=date(2019, 7, 12))


@pytest.mark.parametrize('path', CHECKLISTS, ids=lambda p: p.stem)
def test_the_served_form_binds_every_checklist_item_and_passes_odk_validate(path: Path, tmp_path: Path) -> None:
    checklist = load_checklist(path)
    form = build_xform(checklist, CONTEXT)
    assert form.form_id == 'visit-42' and visit_id_of(form.form_id) == 42
    assert build_xform.__wrapped__(checklist, CONTEXT).xml == form.xml  # built again: the same bytes
    root = ET.fromstring(form.xml)
    binds = {b.get('nodeset').rsplit('/', 1)[-1]: b for b in root.iter(f'{XF}bind')}
    repeats = {r.get('nodeset').rsplit('/', 1)[-1] for r in root.iter(f'{XF}repeat')}
    missing = [i.id for i in checklist.iter_items()
               if i.id not in (repeats if i.type.value == 'repeat' else binds)]
    assert missing == []
    assert binds['instanceID'].get('{http://openrosa.org/javarosa}preload') == 'uid'
    for item in checklist.iter_items():
        if item.required and item.type.value not in ('repeat', 'note', 'calculate'):
            assert binds[item.id].get('required') == 'true()', item.id
    title = root.find(f'{H}head/{H}title').text
    assert 'Xã Nhuận Phú Tân' in title and '12/07/2019' in title
    file = tmp_path / 'form.xml'
    file.write_bytes(form.xml)
    warnings = odk_validate.check_xform(str(file))  # raises ODKValidateError when JavaRosa refuses the form
    assert not any('too long' in w for w in warnings)


@pytest.mark.parametrize('path', CHECKLISTS, ids=lambda p: p.stem)
def test_a_filled_instance_reads_back_into_the_answers(path: Path) -> None:
    checklist = load_checklist(path)
    form = build_xform(checklist, CONTEXT)
    answers: dict = {}
    for item in checklist.iter_items():
        if checklist.parent(item.id) is not None:
            continue
        kind = item.type.value
        if kind == 'integer':
            answers[item.id] = 7
        elif kind in ('decimal', 'percentage'):
            answers[item.id] = 12.5
        elif kind == 'yes_no':
            answers[item.id] = 'yes'
        elif kind == 'select_one':
            answers[item.id] = checklist.choice_names(item)[0]
        elif kind == 'select_multiple':
            answers[item.id] = list(checklist.choice_names(item)[:2])
        elif kind == 'text':
            answers[item.id] = 'Ý kiến — “tiếng Việt” & <ký tự>'
        elif kind == 'date':
            answers[item.id] = '2019-07-12'
        elif kind == 'repeat':
            answers[item.id] = [{c.id: f'H-{n}' for c in item.items if c.type.value == 'text'} for n in range(2)]
    instance = parse_instance(fill_instance(form.xml, answers, 'uuid:abc'))
    assert (instance.form_id, instance.instance_id, instance.deprecated_id) == ('visit-42', 'uuid:abc', None)
    read, files = read_answers(checklist, instance.root)
    for item_id, value in answers.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            assert [{k: v for k, v in row.items() if k in value[0]} for row in read[item_id]] == value
        else:
            assert read[item_id] == value, item_id
    assert files == {}


@pytest.mark.parametrize('body, code', [
    (b'', 'openrosa.empty'),
    (b'<data id="visit-1"><meta><instanceID>x</instanceID></meta>', 'openrosa.bad_xml'),
    (b'<data><meta><instanceID>x</instanceID></meta></data>', 'openrosa.no_form_id'),
    (b'<data id="visit-1"><meta><instanceID> </instanceID></meta></data>', 'openrosa.no_instance_id'),
    (b'<!DOCTYPE data [<!ENTITY e SYSTEM "file:///etc/passwd">]><data id="visit-1">&e;</data>',
     'openrosa.xml_forbidden'),
])
def test_unreadable_instances_are_refused_naming_the_problem(body: bytes, code: str) -> None:
    with pytest.raises(BadSubmission) as info:
        parse_instance(body)
    assert info.value.code == code and info.value.status == 400


_XML_TEXT = st.text(st.characters(blacklist_categories=('Cs', 'Cc'), blacklist_characters='\ufffe\uffff'),
                    min_size=1, max_size=60).filter(lambda s: s.strip() != '')


@settings(max_examples=60, deadline=None)
@given(texts=st.dictionaries(st.sampled_from(['committee_decision', 'team_remarks']), _XML_TEXT, min_size=1),
       number=st.integers(min_value=-10**12, max_value=10**12))
def test_any_text_and_number_survive_the_trip_through_the_instance(texts: dict, number: int) -> None:
    """Whatever a team types (any Unicode, XML's special characters) comes back as typed, stripped as the web
    form strips it; integers stay integers."""
    checklist = load_checklist(CHECKLISTS[-1])
    form = build_xform(checklist, CONTEXT)
    answers = {**texts, 'directive_documents': number}
    read, _ = read_answers(checklist, parse_instance(fill_instance(form.xml, answers, 'uuid:p')).root)
    for key, value in texts.items():
        assert read[key] == value.strip()
    assert read['directive_documents'] == number


def test_the_form_bytes_are_the_same_in_every_worker_process() -> None:
    """Each gunicorn worker builds the forms itself: the hash in one worker's form list must match the bytes another
    serves, whatever the process's hash seed."""
    import subprocess
    import sys

    code = ('from datetime import date\n'
            'from inspect_flow.checklist import load_checklist\n'
            'from inspect_flow.openrosa.forms import build_xform, VisitContext\n'
            f'ctx = VisitContext({CONTEXT.visit_id}, {CONTEXT.where!r}, {CONTEXT.team!r}, date(2019, 7, 12))\n'
            f'print(build_xform(load_checklist({str(CHECKLISTS[0])!r}), ctx).hash)\n')
    root = Path(__file__).parents[2]
    hashes = set()
    for seed in ('1', '2', '99'):
        out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=120, check=True,
                             cwd=root, env={'PYTHONHASHSEED': seed, 'PYTHONPATH': str(root), 'PATH': '/usr/bin:/bin'})
        hashes.add(out.stdout.strip())
    assert hashes == {build_xform(load_checklist(CHECKLISTS[0]), CONTEXT).hash}


def test_form_list_and_manifest_documents() -> None:
    """The OpenRosa documents as Collect parses them: namespaces, one entry per form, a manifestUrl only with
    media, a media file's md5 over its bytes."""
    import hashlib

    from inspect_flow.openrosa import documents
    from inspect_flow.openrosa.forms import XForm

    plain = XForm('visit-1', 'v1', 'Xã A', b'<h:html/>')
    with_media = XForm('visit-2', 'v2', 'Xã B', b'<h:html>2</h:html>', media=(('logo.png', b'\x89PNG'),))
    listing = ET.fromstring(documents.form_list([(plain, 'http://h/f1', None), (with_media, 'http://h/f2', 'http://h/m2')]))
    ns = '{http://openrosa.org/xforms/xformsList}'
    entries = listing.findall(f'{ns}xform')
    assert [e.find(f'{ns}formID').text for e in entries] == ['visit-1', 'visit-2']
    assert entries[0].find(f'{ns}manifestUrl') is None
    assert entries[1].find(f'{ns}manifestUrl').text == 'http://h/m2'
    assert entries[1].find(f'{ns}hash').text == 'md5:' + hashlib.md5(b'<h:html>2</h:html>').hexdigest()
    manifest = ET.fromstring(documents.manifest([('logo.png', b'\x89PNG', 'http://h/logo')]))
    mns = '{http://openrosa.org/xforms/xformsManifest}'
    media = manifest.find(f'{mns}mediaFile')
    assert media.find(f'{mns}filename').text == 'logo.png'
    assert media.find(f'{mns}hash').text == 'md5:' + hashlib.md5(b'\x89PNG').hexdigest()
    assert media.find(f'{mns}downloadUrl').text == 'http://h/logo'
