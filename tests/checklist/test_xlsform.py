"""XLSForm interop: our own XLSForms import through pyxform; what is unsupported is named by sheet and row;
every shipped checklist exports to a form pyxform converts to an XForm, and re-imports unchanged."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import openpyxl
import pytest
from pyxform.xls2xform import convert

from inspect_flow.checklist import Checklist, evaluate, load_checklist, parse_checklist_text, validate_for_submit
from inspect_flow.checklist.errors import XLSFormError
from inspect_flow.checklist.registry import checklist_files
from inspect_flow.checklist.xlsform import export_xlsform, import_xlsform

from .conftest import SHIPPED_DIR, TODAY
from .test_capture import FORM
from .xlsforms import EN, VI, choice, q, write_xlsform

# -- a form covering the supported subset ----------------------------------------------------------------------

SUBSET_SURVEY = [
    q('begin group', 'general', 'Thông tin chung', 'General'),
    q('select_one level', 'level', 'Cấp được kiểm tra', 'Level inspected', required='yes',
      hint_vi='Chọn cấp huyện hoặc cấp xã', hint_en='District or commune'),
    q('date', 'visit_date', 'Ngày làm việc', 'Date of the session', required='yes', constraint='. <= today()',
      constraint_message_vi='Ngày làm việc không được sau ngày hôm nay',
      constraint_message_en='The date cannot be in the future'),
    q('note', 'intro', 'Đoàn nghe Ban Chỉ đạo báo cáo', 'Hear the committee report'),
    q('end group'),
    q('begin group', 'livelihood', 'Đề án sinh kế', 'Livelihood project'),
    q('integer', 'planned', 'Số hộ tham gia theo kế hoạch', 'Households planned', required='yes',
      constraint='. >= 0', constraint_message_vi='Không được âm', constraint_message_en='Cannot be negative'),
    q('integer', 'participating', 'Số hộ đang tham gia', 'Households taking part', required='TRUE',
      constraint='. <= ${planned}', constraint_message_vi='Không thể lớn hơn kế hoạch',
      constraint_message_en='Cannot exceed the plan'),
    q('calculate', 'participation_rate',
      calculation="if(${planned} > 0, round(${participating} div ${planned} * 100, 2), '')"),
    q('decimal', 'loan_amount', 'Dư nợ cho vay (triệu đồng)', 'Outstanding loans (million VND)',
      relevant='${participating} > 0'),
    q('select_multiple support', 'support', 'Hình thức hỗ trợ', 'Support delivered'),
    q('text', 'support_other', 'Hỗ trợ khác', 'Other support', relevant="selected(${support}, 'other')"),
    q('image', 'session_photo', 'Ảnh buổi làm việc', 'Photo of the session'),
    q('end group'),
    q('begin group', 'households', 'Tham vấn hộ', 'Household consultation', relevant="${level} = 'commune'"),
    q('begin repeat', 'household_roster', 'Danh sách hộ được tham vấn', 'Households consulted'),
    q('text', 'household_code', 'Mã hộ', 'Household code', required='yes'),
    q('select_one category', 'category', 'Đối tượng', 'Category', required='yes'),
    q('select_one yes_no', 'loan_use_matches', 'Hộ sử dụng vốn vay đúng mục đích', 'Loan used for its purpose'),
    q('calculate', 'loan_misused', calculation="if(${loan_use_matches} = 'no', 1, 0)"),
    q('end repeat'),
    q('calculate', 'households_consulted', calculation='count(${household_roster})'),
    q('calculate', 'households_loan_misused', calculation='sum(${loan_misused})'),
    q('end group'),
]
SUBSET_CHOICES = [
    choice('level', 'district', 'Cấp huyện', 'District'),
    choice('level', 'commune', 'Cấp xã', 'Commune'),
    choice('support', 'breeding_stock', 'Con giống', 'Breeding stock'),
    choice('support', 'training', 'Tập huấn', 'Training'),
    choice('support', 'other', 'Khác', 'Other'),
    choice('category', 'poor', 'Hộ nghèo', 'Poor'),
    choice('category', 'near_poor', 'Hộ cận nghèo', 'Near-poor'),
    choice('category', 'escaped', 'Hộ thoát nghèo', 'Escaped'),
    choice('yes_no', 'yes', 'Có', 'Yes'),
    choice('yes_no', 'no', 'Không', 'No'),
]
SUBSET_SETTINGS = {'form_id': 'kobo-supervision', 'version': '2019.07', 'form_title': 'Phiếu giám sát (KoboToolbox)',
                   'default_language': VI}
#: The survey rows (1-based sheet rows) by question name, to check warnings against.
ROW = {r['name']: n for n, r in enumerate(SUBSET_SURVEY, start=2) if 'name' in r}


@pytest.fixture
def subset_form(tmp_path):
    return write_xlsform(tmp_path / 'kobo-supervision.xlsx', SUBSET_SURVEY, SUBSET_CHOICES, SUBSET_SETTINGS)


def _import_with_cli(run, form, out, lang='en'):
    result = run('import', form, '--out', out, lang=lang)
    return load_checklist(out), result


def test_the_subset_imports_through_the_cli(run, subset_form, tmp_path):
    checklist, result = _import_with_cli(run, subset_form, tmp_path / 'imported.yaml')
    assert (checklist.id, checklist.version, checklist.title.vi) == ('kobo-supervision', '2019.07',
                                                                      'Phiếu giám sát (KoboToolbox)')
    assert [(s.id, s.label.vi, s.label.en) for s in checklist.sections] == [
        ('general', 'Thông tin chung', 'General'),
        ('livelihood', 'Đề án sinh kế', 'Livelihood project'),
        ('households', 'Tham vấn hộ', 'Household consultation'),
    ]
    assert [(i.id, i.type.value) for i in checklist.iter_items()] == [
        ('level', 'select_one'),
        ('visit_date', 'date'),
        ('intro', 'note'),
        ('planned', 'integer'),
        ('participating', 'integer'),
        ('participation_rate', 'calculate'),
        ('loan_amount', 'decimal'),
        ('support', 'select_multiple'),
        ('support_other', 'text'),
        ('session_photo', 'evidence'),
        ('household_roster', 'repeat'),
        ('household_code', 'text'),
        ('category', 'select_one'),
        ('loan_use_matches', 'select_one'),
        ('loan_misused', 'calculate'),
        ('households_consulted', 'calculate'),
        ('households_loan_misused', 'calculate'),
    ]
    item = checklist.item
    assert {i.id for i in checklist.iter_items() if i.required} == {'level', 'visit_date', 'planned',
                                                                   'participating', 'household_code', 'category'}
    assert (item('level').label.vi, item('level').label.en) == ('Cấp được kiểm tra', 'Level inspected')
    assert (item('level').hint.vi, item('level').hint.en) == ('Chọn cấp huyện hoặc cấp xã', 'District or commune')
    assert [(c.name, c.label.vi, c.label.en) for c in item('level').choices] == [
        ('district', 'Cấp huyện', 'District'), ('commune', 'Cấp xã', 'Commune')]
    assert [c.name for c in item('support').choices] == ['breeding_stock', 'training', 'other']
    date = item('visit_date').constraint
    assert (date.expression, date.message.vi, date.message.en) == (
        '. <= today()', 'Ngày làm việc không được sau ngày hôm nay', 'The date cannot be in the future')
    assert item('participating').constraint.expression == '. <= ${planned}'
    assert item('participation_rate').calculation == (
        "if(${planned} > 0, round(${participating} div ${planned} * 100, 2), '')")
    assert item('loan_amount').relevant == '${participating} > 0'
    assert item('support_other').relevant == "selected(${support}, 'other')"
    assert checklist.sections[2].relevant == "${level} = 'commune'"
    assert checklist.media(item('session_photo')).value == 'photo'
    assert [c.id for c in item('household_roster').items] == ['household_code', 'category', 'loan_use_matches',
                                                              'loan_misused']
    assert checklist.parent('loan_misused').id == 'household_roster'
    # Only pyxform's own advice about photos was reported: nothing of the form was left out.
    assert result.stderr.splitlines() == [
        f'Warning: sheet survey, row {ROW["session_photo"]}: pyxform warns: Use the max-pixels parameter to speed up '
        'submission sending and save storage space. Learn more: https://xlsform.org/#image']
    assert result.stdout == f'Wrote {tmp_path / "imported.yaml"} (1 warning)\n'


def test_the_imported_form_works(subset_form):
    data, _ = import_xlsform(subset_form)
    checklist = Checklist.from_dict(data)
    answers = {'level': 'commune', 'visit_date': '2019-07-10', 'planned': 1968, 'participating': 1968,
               'support': ['training'],
               'household_roster': [{'household_code': 'H-1', 'category': 'poor', 'loan_use_matches': 'no'},
                                    {'household_code': 'H-2', 'category': 'escaped', 'loan_use_matches': 'yes'}]}
    ev = evaluate(checklist, answers, today=TODAY)
    assert ev.calculated == {'participation_rate': 100, 'households_consulted': 2, 'households_loan_misused': 1}
    assert 'support_other' not in ev.relevant
    assert validate_for_submit(checklist, answers, today=TODAY) == []
    errors = validate_for_submit(checklist, {**answers, 'participating': 2000, 'visit_date': '2019-08-01'},
                                 today=TODAY)
    assert [(e.item_id, e.code, e.message_en) for e in errors] == [
        ('visit_date', 'constraint', 'Date of the session: The date cannot be in the future'),
        ('participating', 'constraint', 'Households taking part: Cannot exceed the plan'),
    ]


def test_the_subset_round_trips_through_export(subset_form, tmp_path):
    data, _ = import_xlsform(subset_form)
    first = Checklist.from_dict(data)
    exported = export_xlsform(first, tmp_path / 'again.xlsx')
    again, warnings = import_xlsform(exported)
    assert again == data
    assert [w for w in warnings if not w.message_en.startswith('pyxform warns')] == []


def test_numbered_choices_and_plain_label_columns(tmp_path):
    """KoboToolbox forms often number their choices and have one untranslated label column."""
    form = write_xlsform(
        tmp_path / 'numbered.xlsx',
        [{'type': 'begin group', 'name': 'g', 'label': 'Đánh giá'},
         {'type': 'select_one rating', 'name': 'rating', 'label': 'Mức độ hài lòng', 'required': 'yes'},
         {'type': 'integer', 'name': 'n', 'label': 'Số hộ', 'relevant': "${rating} = '1'"},
         {'type': 'end group'}],
        [{'list_name': 'rating', 'name': 1, 'label': 'Hài lòng'}, {'list_name': 'rating', 'name': 2,
                                                                   'label': 'Chưa hài lòng'}],
        {'form_id': 'rating', 'version': '1', 'form_title': 'Khảo sát'},
    )
    data, warnings = import_xlsform(form)
    checklist = Checklist.from_dict(data)
    assert [(c.name, c.label.vi, c.label.en) for c in checklist.item('rating').choices] == [
        ('1', 'Hài lòng', None), ('2', 'Chưa hài lòng', None)]
    assert 'n' in evaluate(checklist, {'rating': '1'}, today=TODAY).relevant
    assert warnings == []


# -- what is not supported is named, never dropped silently -------------------------------------------------------

UNSUPPORTED_SURVEY = [
    q('start', 'start'),
    q('begin group', 'g', 'Nhóm', 'Group'),
    q('text', 'commune_name', 'Tên xã', 'Commune'),
    q('geopoint', 'location', 'Vị trí', 'Location'),
    q('audio', 'voice', 'Ghi âm', 'Voice note'),
    q('range', 'satisfaction', 'Mức hài lòng', 'Satisfaction', parameters='start=0 end=10 step=1'),
    q('select_one level', 'level_filtered', 'Cấp', 'Level', choice_filter="filter = 'x'"),
    q('select_one level or_other', 'level_other', 'Cấp khác', 'Other level'),
    q('integer', 'households', 'Số hộ', 'Households', required='${commune_name} != ""'),
    q('text', 'where', 'Địa điểm', 'Where', relevant="${location} != ''"),
    q('calculate', 'started', calculation='once(today())'),
    q('text', 'remarks', 'Nhận xét', 'Remarks', appearance='multiline', default='Không'),
    q('time', 'start_time', 'Giờ bắt đầu', 'Start time'),
    q('begin repeat', 'visits', 'Các lần thăm', 'Visits'),
    q('text', 'visit_note', 'Ghi chú', 'Note'),
    q('begin repeat', 'members', 'Thành viên', 'Members'),
    q('text', 'member_name', 'Họ tên', 'Name'),
    q('end repeat'),
    q('end repeat'),
    q('begin group', 'inner', 'Nhóm con', 'Inner', relevant='${households} > 1'),
    q('text', 'inner_question', 'Câu hỏi trong nhóm con', 'Inner question'),
    q('end group'),
    q('end group'),
]
UNSUPPORTED_CHOICES = [choice('level', 'district', 'Cấp huyện', 'District', filter='x'),
                       choice('level', 'commune', 'Cấp xã', 'Commune', filter='y')]

#: (sheet, row, the warning in English without "sheet …, row …: ").
EXPECTED_WARNINGS = [
    ('survey', None, 'pyxform warns: This form uses or_other and translations, which is not recommended. An '
                     "untranslated input question label and choice label is generated for 'other'. Learn more: "
                     'https://xlsform.org/en/#specify-other).'),
    ('survey', None, "element 'level_other_other' generated by pyxform (e.g. by or_other) is not supported; ignored"),
    ('survey', 1, "column 'label::French (fr)': only Vietnamese and English are kept; language 'French (fr)' "
                  'ignored'),
    ('survey', 2, "question type 'start' is not supported; question 'start' was dropped"),
    ('survey', 5, "question type 'geopoint' is not supported; question 'location' was dropped"),
    ('survey', 6, "question type 'audio' is not supported; question 'voice' was dropped"),
    ('survey', 7, "column 'parameters' (value 'start=0 end=10 step=1') is not supported; ignored"),
    ('survey', 7, "question type 'range' is not supported; question 'satisfaction' was dropped"),
    ('survey', 8, "column 'choice_filter' (value \"filter = 'x'\") is not supported; ignored"),
    ('survey', 9, "or_other is not supported; the 'other' choice was dropped"),
    ('survey', 10, 'required = \'${commune_name} != ""\' (an expression) is not supported; treated as not required'),
    ('survey', 11, "the relevance of 'where' refers to a dropped question; removed"),
    ('survey', 12, "column calculation: expression 'once(today())' is not supported (function once() is not "
                   'supported; supported functions: coalesce, concat, count, count-selected, false, if, int, not, '
                   'number, regex, round, selected, string, string-length, sum, today, true (position 1)); dropped'),
    ('survey', 12, "the calculation of 'started' was dropped, so the item was dropped too"),
    ('survey', 13, "column 'appearance' (value 'multiline') is not supported; ignored"),
    ('survey', 13, "column 'default' (value 'Không') is not supported; ignored"),
    ('survey', 14, "question type 'time' is not supported; question 'start_time' was dropped"),
    ('survey', 17, "nested repeat 'members' is not supported; it and its questions were dropped"),
    ('survey', 21, "nested group 'inner' was flattened into its section; the group's relevance was combined into "
                   'each question'),
    ('choices', 2, "column 'filter' (value 'x') is not supported; ignored"),
    ('choices', 3, "column 'filter' (value 'y') is not supported; ignored"),
    ('settings', 2, "column 'instance_name' is not supported; ignored"),
    ('external_choices', None, 'sheet not supported; ignored'),
]


@pytest.fixture
def unsupported_form(tmp_path):
    survey = [dict(r) for r in UNSUPPORTED_SURVEY]
    survey[2]['label::French (fr)'] = 'Commune'
    return write_xlsform(tmp_path / 'unsupported.xlsx', survey, UNSUPPORTED_CHOICES,
                         {'form_id': 'unsupported', 'version': '1', 'form_title': 'Không hỗ trợ',
                          'default_language': VI, 'instance_name': 'concat(${commune_name})'},
                         {'external_choices': [['list_name', 'name'], ['x', 'y']]})


def test_each_unsupported_feature_is_a_warning_naming_sheet_and_row(unsupported_form):
    data, warnings = import_xlsform(unsupported_form)
    assert [(w.sheet, w.row, w.message_en) for w in warnings] == EXPECTED_WARNINGS
    checklist = Checklist.from_dict(data)
    assert [i.id for i in checklist.iter_items()] == ['commune_name', 'level_filtered', 'level_other', 'households',
                                                      'where', 'remarks', 'visits', 'visit_note', 'inner_question']
    # What was kept is kept whole; what changed is said above.
    assert checklist.item('where').relevant is None
    assert checklist.item('households').required is False
    assert checklist.item('inner_question').relevant == '${households} > 1'
    assert [c.name for c in checklist.item('level_other').choices] == ['district', 'commune']


def test_no_question_is_dropped_silently(unsupported_form):
    data, warnings = import_xlsform(unsupported_form)
    kept = set(Checklist.from_dict(data).item_ids) | {s['id'] for s in data['sections']}
    warned_rows = {w.row for w in warnings if w.sheet == 'survey'}
    dropped_repeat_rows = range(17, 20)  # the nested repeat, warned on its first row
    for row, entry in enumerate(UNSUPPORTED_SURVEY, start=2):
        name = entry.get('name')
        if name is None or name in kept:
            continue
        assert row in warned_rows or (row in dropped_repeat_rows and 17 in warned_rows), (row, name)


@pytest.mark.parametrize('lang', ['vi', 'en'])
def test_the_cli_prints_every_warning_and_still_writes_the_checklist(run, unsupported_form, tmp_path, lang):
    out = tmp_path / 'unsupported.yaml'
    result = run('import', unsupported_form, '--out', out, lang=lang)
    lines = result.stderr.splitlines()
    assert len(lines) == len(EXPECTED_WARNINGS)
    if lang == 'en':
        assert lines[4] == "Warning: sheet survey, row 5: question type 'geopoint' is not supported; question " \
                           "'location' was dropped"
    else:
        assert lines[4] == "Cảnh báo: trang survey, dòng 5: loại câu hỏi 'geopoint' không được hỗ trợ; bỏ qua câu " \
                           "hỏi 'location'"
    n = len(EXPECTED_WARNINGS)
    assert result.stdout == (f'Wrote {out} ({n} warnings)\n' if lang == 'en' else f'Đã ghi {out} ({n} cảnh báo)\n')
    assert load_checklist(out).id == 'unsupported'


# -- pyxform parses and validates -------------------------------------------------------------------------------

PYXFORM_REFUSALS = [
    ('unmatched group', [q('begin group', 'g', 'G'), q('text', 'a', 'A')], None,
     "[row : 2] Unmatched 'begin_group'. No matching 'end_group' was found for the name 'g'."),
    ('duplicate name', [q('text', 'a', 'A'), q('text', 'a', 'A again')], None,
     "[row : 3] On the 'survey' sheet, the 'name' value 'a' is invalid. Questions, groups, and repeats must be "
     'unique within their nearest parent group or repeat, or the survey if not inside a group or repeat.'),
    ('missing choice list', [q('select_one nolist', 'a', 'A')], [choice('other', 'x', 'X')],
     '[row : 2] List name not in choices sheet: nolist'),
]


@pytest.mark.parametrize(('survey', 'choices', 'reason'), [c[1:] for c in PYXFORM_REFUSALS],
                         ids=[c[0] for c in PYXFORM_REFUSALS])
def test_a_form_pyxform_refuses_is_refused_with_pyxforms_reason(run, tmp_path, survey, choices, reason):
    form = write_xlsform(tmp_path / 'refused.xlsx', survey, choices)
    with pytest.raises(XLSFormError) as info:
        import_xlsform(form)
    assert info.value.message_en == f'XLSForm refused.xlsx is invalid (pyxform): {reason}'
    assert info.value.message_vi == f'XLSForm refused.xlsx không hợp lệ (pyxform): {reason}'
    result = run('import', form, lang='en', code=1)
    assert result.stderr == f'Error: XLSForm refused.xlsx is invalid (pyxform): {reason}\n'
    assert result.stdout == ''


def test_a_form_that_cannot_be_a_checklist_names_its_row(tmp_path):
    form = write_xlsform(tmp_path / 'later.xlsx', [q('begin group', 'g', 'G'), q('text', 'a', 'A', relevant='${b} > 1'),
                                                   q('integer', 'b', 'B'), q('end group')])
    with pytest.raises(XLSFormError) as info:
        import_xlsform(form)
    assert info.value.message_en.startswith("XLSForm later.xlsx, sheet survey, row 3: expression '${b} > 1': ${b} "
                                            'comes after this one')


def test_a_missing_form_is_a_clear_error(run, tmp_path):
    result = run('import', tmp_path / 'khong-co.xlsx', lang='en', code=1)
    assert result.stderr == f'Error: File {tmp_path / "khong-co.xlsx"} not found\n'


# -- export ---------------------------------------------------------------------------------------------------

#: A section named like one of its items, and that item referred to: ODK wants names unique.
NAME_CLASH = parse_checklist_text('''
id: name-clash
version: "1"
title: Ý kiến
sections:
  - id: opinion
    label: Ý kiến của hộ
    items:
      - id: opinion
        type: text
        label: Ý kiến, nguyện vọng của hộ
      - id: opinion_section
        type: text
        label: Ghi chú thêm
        relevant: ${opinion} != ''
''')
EXPORTABLE = [pytest.param(load_checklist(p), id=p.stem) for p in checklist_files(SHIPPED_DIR)]
EXPORTABLE += [pytest.param(FORM, id='capture-test'), pytest.param(NAME_CLASH, id='name-clash')]


@pytest.mark.parametrize('checklist', EXPORTABLE)
def test_an_exported_checklist_is_an_xlsform_pyxform_converts(checklist, tmp_path):
    path = export_xlsform(checklist, tmp_path / f'{checklist.id}.xlsx')
    warnings: list[str] = []
    result = convert(str(path), warnings=warnings)
    root = ET.fromstring(result.xform)
    binds = {b.get('nodeset').rsplit('/', 1)[-1]: b for b in root.iter('{http://www.w3.org/2002/xforms}bind')}
    repeats = {r.get('nodeset').rsplit('/', 1)[-1] for r in root.iter('{http://www.w3.org/2002/xforms}repeat')}
    for item in checklist.iter_items():
        if item.type.value == 'repeat':
            assert item.id in repeats, item.id
            if not item.relevant:
                continue
        assert item.id in binds, item.id
        bind = binds[item.id]
        if item.relevant:
            assert bind.get('relevant'), item.id
        if item.calculation:
            assert bind.get('calculate'), item.id
        if item.required:
            assert bind.get('required') == 'true()', item.id
        if item.constraint is not None:
            assert bind.get('constraint'), item.id
    # Both languages travel with the form (English when the checklist has it).
    languages = {t.get('lang') for t in root.iter('{http://www.w3.org/2002/xforms}translation')}
    has_english = any(i.label is not None and i.label.en for i in checklist.iter_items())
    assert languages == ({VI, EN} if has_english else {VI})
    # The sheets ODK tools read, and ours beside them.
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == ['survey', 'choices', 'settings', 'findings']
    wb.close()


@pytest.mark.parametrize('checklist', EXPORTABLE)
def test_export_then_import_gives_the_same_checklist(checklist, tmp_path):
    path = export_xlsform(checklist, tmp_path / 'form.xlsx')
    data, warnings = import_xlsform(path)
    again = Checklist.from_dict(data)
    assert data == checklist.to_dict()
    assert again.sha256 == checklist.sha256
    assert [(i.id, i.type, i.relevant, i.calculation, i.constraint) for i in again.iter_items()] == [
        (i.id, i.type, i.relevant, i.calculation, i.constraint) for i in checklist.iter_items()]
    assert [w for w in warnings if not w.message_en.startswith('pyxform warns')] == []


def test_export_through_the_cli(run, tmp_path):
    out = tmp_path / 'xuat' / 'poverty.xlsx'
    result = run('export', 'poverty-supervision', '--out', out, lang='vi')
    assert result.stdout == f'Đã ghi {out}\n'
    data, _ = import_xlsform(out)
    assert data == load_checklist(SHIPPED_DIR / 'poverty-supervision-2026.yaml').to_dict()  # the newest version
    assert data['applies'] == {'from': '2025-07-01'}
    older = tmp_path / 'poverty-2019.xlsx'
    run('export', 'poverty-supervision', '--version', '2019.1', '--out', older, lang='vi')
    assert import_xlsform(older)[0] == load_checklist(SHIPPED_DIR / 'poverty-supervision.yaml').to_dict()
    missing = run('export', 'khong-co', '--out', tmp_path / 'x.xlsx', lang='vi', code=1)
    assert missing.stderr == 'Lỗi: Không tìm thấy checklist khong-co\n'
    assert not (tmp_path / 'x.xlsx').exists()
