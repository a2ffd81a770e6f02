"""The XLSForm import reads pyxform's own parse (issue 17, item 1): one form per defect of the old import by row
position. Each imports without loss, every dropped element is named with its sheet and row, text is NFC, and the
checklist exports to an XLSForm pyxform converts again."""

from __future__ import annotations

import re

import pytest
from pyxform.xls2xform import convert

from inspect_flow.checklist import Checklist
from inspect_flow.checklist.errors import XLSFormError
from inspect_flow.checklist.xlsform import export_xlsform, import_xlsform

from .xlsform_defects import CASES, NFD, Case
from .xlsforms import choice, q, write_xlsform

SETTINGS = {'form_id': 'defect', 'version': '1', 'form_title': 'Biểu mẫu'}


def lossless(case: Case, data: dict, warnings: list) -> list[str]:
    """What the import lost or got wrong for *case* (empty: nothing)."""
    checklist = Checklist.from_dict(data)
    items = {i.id: i for i in checklist.iter_items()}
    lost = []
    for item_id, (vi, en) in case.labels.items():
        item = items.get(item_id)
        if item is None:
            lost.append(f'{item_id}: missing')
        elif (item.label.vi, item.label.en) != (vi, en):
            lost.append(f'{item_id}: label {(item.label.vi, item.label.en)}')
    for item_id, attrs in case.attrs.items():
        item = items.get(item_id)
        if item is None:
            continue
        got = {'relevant': item.relevant, 'required': item.required, 'type': item.type.value,
               'constraint': item.constraint and item.constraint.expression,
               'constraint_message': item.constraint and item.constraint.message and item.constraint.message.vi,
               'hint': item.hint and (item.hint.vi, item.hint.en),
               'choices': [c.name for c in item.choices or []]}
        lost += [f'{item_id}.{k}: {got[k]!r}' for k, v in attrs.items() if got[k] != v]
    return lost


@pytest.mark.parametrize('case', CASES, ids=[c.id for c in CASES])
def test_each_defect_form_imports_without_loss_and_round_trips(case, tmp_path):
    form = write_xlsform(tmp_path / f'{case.id}.xlsx', case.survey, case.choices, SETTINGS)
    data, warnings = import_xlsform(form)
    assert lossless(case, data, warnings) == []
    # Every named survey row is in the checklist or named, with its row, in a warning.
    kept = {i.id for i in Checklist.from_dict(data).iter_items()} | {s['id'] for s in data['sections']}
    named = {w.row for w in warnings if w.sheet == 'survey'}
    for row_no, row in enumerate(case.survey, start=2):
        name = next((v for k, v in row.items() if k.lower() == 'name'), None)
        if name and not str(row.get('type', row.get('TYPE'))).startswith('end'):
            assert name in kept or row_no in named, (name, row_no)
    # Text is NFC; the checklist exports to an XLSForm pyxform converts.
    assert NFD not in str(data)
    out = export_xlsform(Checklist.from_dict(data), tmp_path / 'export.xlsx')
    assert '<h:html' in convert(str(out), warnings=[]).xform


def test_row_numbers_follow_names_not_positions(tmp_path):
    """A skipped row (unnamed note, comment row) before a dropped question: the warning names the right row."""
    survey = [q('begin group', 'g', 'Nhóm'), q('note', None, 'Ghi chú'), {'comment': 'ghi chú của người soạn'},
              q('geopoint', 'where', 'Vị trí'), q('text', 'a', 'A'), q('end group')]
    data, warnings = import_xlsform(write_xlsform(tmp_path / 'rows.xlsx', survey, None, SETTINGS))
    found = {(w.sheet, w.row, w.message_en) for w in warnings}
    assert ('survey', 5, "question type 'geopoint' is not supported; question 'where' was dropped") in found
    assert ('survey', 3, "the question has no name; the name 'generated_note_name_3' given by pyxform is used") in found
    assert any(w.row == 4 and 'Row without name' in w.message_en for w in warnings)
    assert [i['id'] for i in data['sections'][0]['items']] == ['generated_note_name_3', 'a']


def test_names_and_dropped_references_are_warned_with_their_rows(tmp_path):
    case = {c.id: c for c in CASES}
    _, warnings = import_xlsform(write_xlsform(tmp_path / 'n.xlsx', case['vietnamese-name'].survey, None, SETTINGS))
    assert [(w.row, w.message_en) for w in warnings if 'changed' in w.message_en] == [
        (2, "name 'nhóm' was changed to 'nhom'"), (3, "name 'tên_hộ' was changed to 'ten_ho'"),
        (4, "name 'ghi_chú' was changed to 'ghi_chu'")]
    c = case['choice-name-with-space']
    _, warnings = import_xlsform(write_xlsform(tmp_path / 'c.xlsx', c.survey, c.choices, SETTINGS))
    assert [(w.sheet, w.row, w.message_en) for w in warnings] == [
        ('choices', 2, "choice name 'cap huyen' was changed to 'cap_huyen'"),
        ('choices', 3, "choice name 'cap xa' was changed to 'cap_xa'")]
    c = case['label-refers-to-dropped']
    data, warnings = import_xlsform(write_xlsform(tmp_path / 'd.xlsx', c.survey, None, SETTINGS))
    assert data['sections'][0]['items'][0]['label'] == {'vi': 'Nhận xét về where', 'en': 'Remark on where'}
    assert [(w.row, w.message_en) for w in warnings if 'dropped question' in w.message_en] == [
        (4, "the text of 'remark' shows the answer of the dropped question 'where'; replaced by the question's name")]


def test_the_same_form_typed_nfc_or_nfd_is_the_same_checklist(tmp_path):
    import unicodedata

    nfc_rows = [q('begin group', 'g', 'Nhóm'), q('text', 'a', unicodedata.normalize('NFC', NFD)), q('end group')]
    nfd_rows = [q('begin group', 'g', unicodedata.normalize('NFD', 'Nhóm')), q('text', 'a', NFD), q('end group')]
    one, _ = import_xlsform(write_xlsform(tmp_path / 'nfc.xlsx', nfc_rows, None, SETTINGS))
    two, _ = import_xlsform(write_xlsform(tmp_path / 'nfd.xlsx', nfd_rows, None, SETTINGS))
    assert Checklist.from_dict(one).sha256 == Checklist.from_dict(two).sha256


def test_a_refusal_lists_every_reason_with_sheet_and_row(tmp_path):
    survey = [q('begin group', 'g', 'G'), q('text', 'a', 'A', relevant='${b} > 1'), q('integer', 'b', 'B'),
              q('text', 'c', 'C', relevant='${d} > 1'), q('integer', 'd', 'D'), q('end group')]
    with pytest.raises(XLSFormError) as info:
        import_xlsform(write_xlsform(tmp_path / 'later.xlsx', survey, None, SETTINGS))
    message = info.value.message_en
    assert re.findall(r'sheet survey, row (\d+): expression', message) == ['3', '5']
    assert [(d['sheet'], d['row']) for d in info.value.details if 'message' in d] == [('survey', 3), ('survey', 5)]


def test_the_cli_shows_a_refusals_warnings_and_every_reason(run, tmp_path):
    survey = [q('begin group', 'g', 'G'), q('geopoint', 'where', 'Where'), q('text', 'a', 'A', relevant='${b} > 1'),
              q('integer', 'b', 'B'), q('text', 'c', 'C', relevant='${d} > 1'), q('integer', 'd', 'D'), q('end group')]
    form = write_xlsform(tmp_path / 'later.xlsx', survey, None, SETTINGS)
    result = run('import', form, lang='en', code=1)
    lines = result.stderr.splitlines()
    assert lines[0] == ("Warning: sheet survey, row 3: question type 'geopoint' is not supported; question 'where' "
                        'was dropped')
    assert lines[-1].startswith('Error: XLSForm later.xlsx, sheet survey, row 4: ')
    assert re.findall(r'sheet survey, row (\d+): expression', lines[-1]) == ['4', '6']
    assert result.stdout == ''


def test_renamed_choice_names_are_renamed_in_the_expressions_that_compare_them(tmp_path):
    """``selected(${q}, 'quạt')`` and ``${q} = 'mất điện'`` follow the renamed choice names of q's list (and only
    of q's list: the same literal compared with a question of another list is left alone)."""
    from inspect_flow.checklist import evaluate

    survey = [q('begin group', 'g', 'Nhóm'),
              q('select_one power', 'power', 'Điện'),
              q('select_multiple feature', 'feature', 'Thiết bị'),
              q('select_one other', 'other', 'Khác'),
              q('text', 'why', 'Vì sao', relevant="selected(${feature}, 'quạt') and ${power} = 'mất điện'"),
              q('integer', 'hours', 'Số giờ',
                relevant="'có điện' = ${power} or ${power} != \"mất điện\" or ${other} = 'có điện'"),
              q('end group')]
    choices = [choice('power', 'có điện', 'Có điện'), choice('power', 'mất điện', 'Mất điện'),
               choice('feature', 'đèn', 'Đèn'), choice('feature', 'quạt', 'Quạt'),
               choice('other', 'mất_điện', 'Mất điện'), choice('other', 'khác', 'Khác')]
    data, warnings = import_xlsform(write_xlsform(tmp_path / 'sel.xlsx', survey, choices, SETTINGS))
    items = {i['id']: i for i in data['sections'][0]['items']}
    assert [c['name'] for c in items['power']['choices']] == ['co_dien', 'mat_dien']
    assert [c['name'] for c in items['feature']['choices']] == ['den', 'quat']
    assert items['why']['relevant'] == "selected(${feature}, 'quat') and ${power} = 'mat_dien'"
    assert items['hours']['relevant'] == "'co_dien' = ${power} or ${power} != \"mat_dien\" or ${other} = 'có điện'"
    assert sum('was changed to' in w.message_en for w in warnings) == 6
    checklist = Checklist.from_dict(data)
    assert 'why' in evaluate(checklist, {'power': 'mat_dien', 'feature': ['quat']}).relevant
    assert 'why' not in evaluate(checklist, {'power': 'co_dien', 'feature': ['quat']}).relevant
    # and the round trip converts
    out = export_xlsform(checklist, tmp_path / 'export.xlsx')
    assert '<h:html' in convert(str(out), warnings=[]).xform
