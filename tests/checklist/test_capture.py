"""Capture semantics: drafts, submit validation per item, relevance, calculations, scores, findings, households."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from inspect_flow.checklist import (
    Draft,
    SubmissionInvalid,
    aggregate_scores,
    evaluate,
    household_rows,
    parse_checklist_text,
    save_draft,
    score,
    submit_answers,
    suggest_findings,
    validate_for_submit,
)

TODAY = dt.date(2019, 7, 23)

FORM = parse_checklist_text(
    """\
id: capture-test
version: "1"
title: {vi: "Phiếu thử", en: "Test form"}
sections:
  - id: general
    label: {vi: "Thông tin chung", en: "General"}
    items:
      - id: level
        type: select_one
        label: {vi: "Cấp", en: "Level"}
        required: true
        choices:
          - {name: district, label: {vi: "Cấp huyện", en: "District"}}
          - {name: commune, label: {vi: "Cấp xã", en: "Commune"}}
      - id: visit_date
        type: date
        label: {vi: "Ngày làm việc", en: "Visit date"}
        required: true
        constraint:
          expression: . <= today()
          message: {vi: "Ngày không được sau hôm nay", en: "The date cannot be in the future"}
  - id: loans
    label: {vi: "Vốn vay", en: "Loans"}
    items:
      - id: loan_households
        type: integer
        label: {vi: "Số hộ vay", en: "Households with loans"}
        required: true
        constraint: {min: 0, max: 5000}
      - id: loans_ok
        type: yes_no
        label: {vi: "Vốn vay đúng mục đích", en: "Loans used for their purpose"}
        relevant: ${loan_households} > 0
        required: true
        weight: 3
      - id: on_time_share
        type: percentage
        label: {vi: "Tỷ lệ trả nợ đúng hạn", en: "Share repaid on time"}
        relevant: ${loan_households} > 0
        weight: 1
      - id: amount
        type: decimal
        unit: {vi: "triệu đồng", en: "million VND"}
        label: {vi: "Dư nợ", en: "Outstanding"}
        relevant: ${loan_households} > 0
        constraint:
          min: 0
          expression: . <= ${loan_households} * 100
          message: {vi: "Bình quân quá 100 triệu đồng một hộ", en: "More than 100 million VND per household"}
      - id: per_household
        type: calculate
        calculation: if(${loan_households} > 0, round(${amount} div ${loan_households}, 1), '')
  - id: other
    label: {vi: "Nội dung khác", en: "Other"}
    items:
      - id: decision_no
        type: text
        label: {vi: "Số quyết định", en: "Decision number"}
        constraint:
          pattern: '[0-9]+/QĐ-UBND'
      - id: channels
        type: select_multiple
        label: {vi: "Hình thức", en: "Channels"}
        choices:
          - {name: radio, label: {vi: "Đài", en: "Radio"}}
          - {name: meetings, label: {vi: "Họp dân", en: "Meetings"}}
          - {name: none, label: {vi: "Không có", en: "None"}}
        constraint:
          expression: not(selected(., 'none') and count-selected(.) > 1)
          message: {vi: "'Không có' không chọn cùng lựa chọn khác", en: "'None' goes alone"}
      - id: quality
        type: select_one
        label: {vi: "Chất lượng", en: "Quality"}
        choices:
          - {name: good, label: {vi: "Tốt", en: "Good"}}
          - {name: fair, label: {vi: "Khá", en: "Fair"}}
          - {name: poor, label: {vi: "Kém", en: "Poor"}}
          - {name: na, label: {vi: "Không áp dụng", en: "Not applicable"}}
        weight: 2
        scores: {good: 1, fair: 0.5, poor: 0}
      - id: photo
        type: evidence
        label: {vi: "Ảnh", en: "Photo"}
      - id: remark
        type: note
        label: {vi: "Ghi chú", en: "Note"}
  - id: households
    label: {vi: "Tham vấn hộ", en: "Households"}
    relevant: ${level} = 'commune'
    items:
      - id: roster
        type: repeat
        roster: households
        label: {vi: "Danh sách hộ", en: "Households"}
        required: true
        items:
          - id: household_code
            type: text
            label: {vi: "Mã hộ", en: "Household code"}
            required: true
          - id: head_name
            type: text
            label: {vi: "Chủ hộ", en: "Head"}
          - id: category
            type: select_one
            label: {vi: "Đối tượng", en: "Category"}
            required: true
            choices:
              - {name: poor, label: {vi: "Hộ nghèo", en: "Poor"}}
              - {name: near_poor, label: {vi: "Hộ cận nghèo", en: "Near-poor"}}
              - {name: escaped, label: {vi: "Hộ thoát nghèo", en: "Escaped"}}
          - id: diary_seen
            type: yes_no
            label: {vi: "Đã xem sổ", en: "Diary seen"}
            weight: 1
          - id: diary_ok
            type: yes_no
            label: {vi: "Sổ cập nhật", en: "Diary up to date"}
            relevant: ${diary_seen} = 'yes'
            required: true
          - id: diary_problem
            type: calculate
            calculation: if(${diary_seen} = 'no' or ${diary_ok} = 'no', 1, 0)
      - id: consulted
        type: calculate
        calculation: count(${roster})
      - id: diary_problems
        type: calculate
        calculation: sum(${diary_problem})
findings:
  - id: loans_misused
    when: ${loans_ok} = 'no'
    kind: limitation
    category: {vi: "Sử dụng vốn vay", en: "Use of loans"}
    text:
      vi: Vốn vay của ${loan_households} hộ chưa đúng mục đích.
      en: Loans of ${loan_households} households misused.
    severity: high
    item: loans_ok
  - id: diaries
    when: ${diary_problems} > 0
    kind: limitation
    category: {vi: "Sổ nhật ký", en: "Diaries"}
    text: {vi: "${diary_problems} hộ chưa ghi sổ tốt (cấp ${level}).", en: "${diary_problems} households (${level})."}
  - id: good_quality
    when: ${quality} = 'good'
    kind: achievement
    category: {vi: "Chất lượng", en: "Quality"}
    text: {vi: "Chất lượng tốt; dư nợ ${amount} triệu đồng.", en: "Good quality; ${amount} million VND outstanding."}
""",
    path='capture-test.yaml',
)


def complete(**changes: object) -> dict:
    answers = {
        'level': 'district',
        'visit_date': '2019-07-10',
        'loan_households': 40,
        'loans_ok': 'yes',
        'on_time_share': 90,
        'amount': 1300.5,
        'decision_no': '125/QĐ-UBND',
        'channels': ['radio', 'meetings'],
        'quality': 'good',
        'photo': {'sha256': 'ab' * 32, 'name': 'buoi-lam-viec.jpg'},
    }
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def row(code: str, **changes: object) -> dict:
    r = {'household_code': code, 'head_name': 'Trần Thị Lan', 'category': 'poor', 'diary_seen': 'yes',
         'diary_ok': 'yes'}
    r.update(changes)
    return r


def errors_of(answers: dict) -> list[tuple]:
    return [(e.item_id, e.code, e.repeat_id, e.index) for e in validate_for_submit(FORM, answers, today=TODAY)]


# -- drafts -------------------------------------------------------------------------------------------------


def test_a_complete_form_has_no_error():
    assert validate_for_submit(FORM, complete(), today=TODAY) == []
    assert validate_for_submit(FORM, complete(level='commune', roster=[row('A-1'), row('A-2')]), today=TODAY) == []


@pytest.mark.parametrize(
    'answers',
    [
        {},
        {'level': 'commune'},
        {'loan_households': 'mười'},  # not a number
        {'loan_households': -4, 'loans_ok': 'có lẽ'},  # out of range, not a choice
        {'visit_date': '2019-02-30', 'channels': ['radio', 'tivi'], 'on_time_share': 250},
        {'level': 'commune', 'roster': [{'household_code': 'A-1'}, 'not a row', {'category': 'rich'}]},
        {'unknown_item': [1, {'x': None}], 'photo': None},
    ],
    ids=['empty', 'partial', 'not-a-number', 'out-of-range', 'bad-date-choice-percent', 'bad-rows', 'unknown-key'],
)
def test_a_draft_keeps_partial_and_invalid_answers_exactly(answers):
    draft = save_draft(FORM, answers, today=TODAY)
    assert isinstance(draft, Draft)
    assert draft.answers == answers
    assert draft.answers is not answers
    # The problems a submit would report come along, for display; nothing is refused.
    assert draft.errors == validate_for_submit(FORM, answers, today=TODAY)
    assert draft.is_complete is (draft.errors == [])


def test_a_draft_of_complete_answers_is_complete():
    assert save_draft(FORM, complete(), today=TODAY).is_complete


def test_a_draft_turns_python_values_into_json_without_losing_them():
    answers = {
        'visit_date': dt.date(2019, 7, 10),
        'amount': Decimal('1300.50'),
        'channels': ('radio', 'meetings'),
        'loan_households': math.nan,
        'on_time_share': math.inf,
        7: 'seven',
        'roster': [{'household_code': 'A-1', 'tags': {'b', 'a'}}],
    }
    draft = save_draft(FORM, answers, today=TODAY)
    assert draft.answers == {
        'visit_date': '2019-07-10',
        'amount': '1300.50',
        'channels': ['radio', 'meetings'],
        'loan_households': 'NaN',
        'on_time_share': 'Infinity',
        '7': 'seven',
        'roster': [{'household_code': 'A-1', 'tags': ['a', 'b']}],
    }


def test_a_draft_of_something_that_is_not_a_mapping_is_kept_too():
    assert save_draft(FORM, None, today=TODAY).answers == {}
    assert save_draft(FORM, ['x'], today=TODAY).answers == {'_value': ['x']}


# -- submit validation ----------------------------------------------------------------------------------------

#: (answers changed from a complete form, expected errors as (item, code, repeat, row)), in document order.
SUBMIT_CASES = [
    ('required item missing', {'level': None}, [('level', 'required', None, None)]),
    ('blank text is not an answer', {'level': '   '}, [('level', 'required', None, None)]),
    ('empty list is not an answer', {'visit_date': []}, [('visit_date', 'required', None, None)]),
    ('required item hidden by skip logic', {'loan_households': 0, 'loans_ok': None, 'amount': None}, []),
    ('stale answer to a hidden item is ignored', {'loan_households': 0, 'loans_ok': 'maybe', 'amount': -1}, []),
    ('required item shown by skip logic', {'loans_ok': None}, [('loans_ok', 'required', None, None)]),
    ('not a choice', {'level': 'province'}, [('level', 'choice', None, None)]),
    ('yes/no takes yes or no only', {'loans_ok': True}, [('loans_ok', 'choice', None, None)]),
    ('unknown choice among several', {'channels': ['radio', 'tv']}, [('channels', 'choice', None, None)]),
    ('multiple choice as ODK text', {'channels': 'radio meetings'}, []),
    ('multiple choice of the wrong shape', {'channels': 3}, [('channels', 'type', None, None)]),
    ('custom constraint on a multiple choice', {'channels': ['none', 'radio']},
     [('channels', 'constraint', None, None)]),
    ('integer as text', {'loan_households': '40'}, []),
    ('integer with decimals', {'loan_households': 40.5}, [('loan_households', 'type', None, None)]),
    ('integer that is text', {'loan_households': 'bốn mươi'}, [('loan_households', 'type', None, None)]),
    ('boolean is not a number', {'loan_households': True}, [('loan_households', 'type', None, None)]),
    ('below min', {'loan_households': -1}, [('loan_households', 'min', None, None)]),
    ('above max', {'loan_households': 5001}, [('loan_households', 'max', None, None)]),
    ('on the bounds', {'loan_households': 5000}, []),
    ('expression constraint over an earlier item', {'amount': 4000.01}, [('amount', 'constraint', None, None)]),
    ('min before expression', {'amount': -5}, [('amount', 'min', None, None)]),
    ('percentage above 100', {'on_time_share': 100.5}, [('on_time_share', 'type', None, None)]),
    ('percentage as text', {'on_time_share': '99.5'}, []),
    ('decimal that is not a number', {'amount': '1.300,5'}, [('amount', 'type', None, None)]),
    ('date that does not exist', {'visit_date': '2019-02-29'}, [('visit_date', 'type', None, None)]),
    ('date in Vietnamese order', {'visit_date': '10/07/2019'}, [('visit_date', 'type', None, None)]),
    ('date in the future', {'visit_date': '2019-07-24'}, [('visit_date', 'constraint', None, None)]),
    ('date today', {'visit_date': '2019-07-23'}, []),
    ('pattern holds on the whole text', {'decision_no': 'số 125/QĐ-UBND'}, [('decision_no', 'pattern', None, None)]),
    ('text that is not text', {'decision_no': 125}, [('decision_no', 'type', None, None)]),
    ('evidence as a list of files', {'photo': ['a.jpg', {'sha256': 'cd'}]}, []),
    ('evidence that is no file', {'photo': 12}, [('photo', 'type', None, None)]),
    ('answers to unknown items are no error', {'old_item': 'x'}, []),
    ('errors come in document order', {'photo': 12, 'level': None, 'loan_households': -1},
     [('level', 'required', None, None), ('loan_households', 'min', None, None), ('photo', 'type', None, None)]),
    ('a roster outside its section is ignored', {'roster': 'nonsense'}, []),
    ('required roster', {'level': 'commune'}, [('roster', 'required', None, None)]),
    ('rows are checked per row', {'level': 'commune', 'roster': [row('A-1'), row('A-2', category=None),
                                                                 row('A-3', diary_ok=None)]},
     [('category', 'required', 'roster', 1), ('diary_ok', 'required', 'roster', 2)]),
    ('skip logic inside a row', {'level': 'commune', 'roster': [row('A-1', diary_seen='no', diary_ok=None)]}, []),
    ('malformed row', {'level': 'commune', 'roster': [row('A-1'), 'A-2']}, [('roster', 'type', 'roster', 1)]),
    ('roster that is not a list', {'level': 'commune', 'roster': {'A-1': {}}}, [('roster', 'type', None, None)]),
    ('household code twice', {'level': 'commune', 'roster': [row('A-1'), row('A-2'), row(' A-1 ')]},
     [('household_code', 'duplicate_household', 'roster', 2)]),
]


@pytest.mark.parametrize(('changes', 'expected'), [c[1:] for c in SUBMIT_CASES], ids=[c[0] for c in SUBMIT_CASES])
def test_submit_validation_lists_errors_per_item(changes, expected):
    assert errors_of(complete(**changes)) == expected


def test_an_error_message_names_the_item_in_both_languages():
    (error,) = validate_for_submit(FORM, complete(loan_households=-1), today=TODAY)
    assert error.message_vi == 'Số hộ vay: giá trị phải lớn hơn hoặc bằng 0'
    assert error.message_en == 'Households with loans: must be at least 0'
    assert error.message('en') == error.message_en and error.message() == error.message_vi
    assert error.to_dict() == {'item_id': 'loan_households', 'code': 'min', 'message_vi': error.message_vi,
                               'message_en': error.message_en, 'repeat_id': None, 'index': None}


@pytest.mark.parametrize(
    ('changes', 'vi', 'en'),
    [
        ({'visit_date': '2019-08-01'}, 'Ngày làm việc: Ngày không được sau hôm nay',
         'Visit date: The date cannot be in the future'),
        ({'amount': 5000}, 'Dư nợ: Bình quân quá 100 triệu đồng một hộ',
         'Outstanding: More than 100 million VND per household'),
        ({'channels': ['none', 'radio']}, "Hình thức: 'Không có' không chọn cùng lựa chọn khác",
         "Channels: 'None' goes alone"),
        ({'decision_no': 'QĐ 125'}, 'Số quyết định: không đúng mẫu [0-9]+/QĐ-UBND',
         'Decision number: does not match the pattern [0-9]+/QĐ-UBND'),
        ({'loan_households': 6000}, 'Số hộ vay: giá trị phải nhỏ hơn hoặc bằng 5000',
         'Households with loans: must be at most 5000'),
        ({'level': 'x'}, "Cấp: giá trị 'x' không phải là một lựa chọn (district, commune)",
         "Level: 'x' is not one of the choices (district, commune)"),
    ],
)
def test_a_constraint_error_carries_its_message(changes, vi, en):
    (error,) = validate_for_submit(FORM, complete(**changes), today=TODAY)
    assert (error.message_vi, error.message_en) == (vi, en)


def test_submit_returns_the_answers_unchanged():
    answers = complete(level='commune', roster=[row('A-1'), row('A-2')])
    assert submit_answers(FORM, answers, today=TODAY) == answers


def test_submit_refuses_with_every_error_in_the_details():
    answers = complete(level=None, amount=-1, photo=12)
    with pytest.raises(SubmissionInvalid) as info:
        submit_answers(FORM, answers, today=TODAY)
    exc = info.value
    assert exc.code == 'checklist.submission_invalid'
    assert exc.message_vi == 'Phiếu còn 3 lỗi, chưa nộp được'
    assert exc.message_en == 'The form has 3 error(s) and cannot be submitted'
    assert [(d['item_id'], d['code']) for d in exc.details] == [('level', 'required'), ('amount', 'min'),
                                                                 ('photo', 'type')]
    # The refused answers were not touched: a draft of them keeps every one.
    assert save_draft(FORM, answers, today=TODAY).answers == answers


def test_draft_then_submit_loses_nothing():
    partial = {'level': 'commune', 'loan_households': 'bốn mươi', 'roster': [{'household_code': 'A-1'}]}
    draft = save_draft(FORM, partial, today=TODAY)
    with pytest.raises(SubmissionInvalid):
        submit_answers(FORM, draft.answers, today=TODAY)
    fixed = {**draft.answers, **complete(level='commune'), 'roster': [row('A-1')]}
    assert submit_answers(FORM, save_draft(FORM, fixed, today=TODAY).answers, today=TODAY) == fixed


# -- relevance and calculations -------------------------------------------------------------------------------


def test_relevance_and_calculations():
    ev = evaluate(FORM, complete(), today=TODAY)
    assert ev.calculated['per_household'] == 32.5  # 1,300.5 million over 40 households, to one decimal
    assert {'loans_ok', 'on_time_share', 'amount'} <= ev.relevant
    assert 'roster' not in ev.relevant
    assert ev.values['loans_ok'] == 'yes'
    hidden = evaluate(FORM, complete(loan_households=0), today=TODAY)
    assert not {'loans_ok', 'on_time_share', 'amount'} & hidden.relevant
    assert hidden.values['loans_ok'] is None  # kept in the answers, empty for expressions
    assert hidden.calculated['per_household'] == ''


def test_calculations_per_row_and_over_rows():
    rows = [row('A-1'), row('A-2', diary_seen='no', diary_ok='yes'), row('A-3', diary_ok='no')]
    ev = evaluate(FORM, complete(level='commune', roster=rows), today=TODAY)
    assert [r['diary_problem'] for r in ev.row_calculated['roster']] == [0, 1, 1]
    assert ev.calculated['consulted'] == 3
    assert ev.calculated['diary_problems'] == 2
    assert ev.is_relevant('diary_ok', 0, 'roster') and not ev.is_relevant('diary_ok', 1, 'roster')
    assert not ev.is_relevant('diary_ok', 5, 'roster')
    # The hidden answer in row 2 is kept in the answers but empty for the row's calculation.
    assert ev.rows['roster'][1]['diary_ok'] is None


def test_a_hidden_section_hides_its_rows():
    ev = evaluate(FORM, complete(level='district', roster=[row('A-1')]), today=TODAY)
    assert ev.row_relevant['roster'] == (frozenset(),)
    assert ev.calculated['consulted'] == ''


def test_an_expression_that_fails_at_run_time_is_reported_not_raised():
    form = parse_checklist_text(
        """\
id: runtime
version: "1"
title: T
sections:
  - id: s
    label: S
    items:
      - id: pattern
        type: text
        label: Mẫu
      - id: code
        type: text
        label: Mã
        constraint:
          expression: regex(., ${pattern})
""")
    ev = evaluate(form, {'pattern': '(', 'code': 'x'}, today=TODAY)
    assert ev.problems == ()
    (error,) = validate_for_submit(form, {'pattern': '(', 'code': 'x'}, today=TODAY)
    assert (error.item_id, error.code) == ('code', 'expression')
    assert 'biểu thức chính quy' in error.message_vi and 'regular expression' in error.message_en
    assert validate_for_submit(form, {'pattern': '^x$', 'code': 'x'}, today=TODAY) == []


# -- scores ---------------------------------------------------------------------------------------------------

SCORE_CASES = [
    # changes, earned, possible, unscored
    ({}, 3 + 0.9 + 2, 3 + 1 + 2, ['diary_seen']),
    ({'loans_ok': 'no'}, 0.9 + 2, 6, ['diary_seen']),
    ({'quality': 'fair', 'on_time_share': 50}, 3 + 0.5 + 1, 6, ['diary_seen']),
    ({'quality': 'na'}, 3 + 0.9, 4, ['quality', 'diary_seen']),  # a choice without a score is left out
    ({'quality': None}, 3 + 0.9, 4, ['quality', 'diary_seen']),  # so is an unanswered item
    ({'loan_households': 0}, 2, 2, ['loans_ok', 'on_time_share', 'diary_seen']),  # and a hidden one
    ({'loans_ok': 'maybe'}, 0.9 + 2, 3, ['loans_ok', 'diary_seen']),  # and an invalid answer
]


@pytest.mark.parametrize(('changes', 'earned', 'possible', 'unscored'), SCORE_CASES)
def test_the_score_of_a_visit(changes, earned, possible, unscored):
    s = score(FORM, complete(**changes), today=TODAY)
    assert s.earned == pytest.approx(earned)
    assert s.possible == pytest.approx(possible)
    assert s.percent == round(earned / possible * 100, 2)
    assert list(s.unscored) == unscored


def test_a_repeat_item_scores_the_mean_over_its_rows():
    rows = [row('A-1'), row('A-2', diary_seen='no'), row('A-3'), row('A-4', diary_seen=None)]
    s = score(FORM, complete(level='commune', roster=rows), today=TODAY)
    (diary,) = [i for i in s.items if i.item_id == 'diary_seen']
    assert diary.fraction == pytest.approx(2 / 3)
    assert diary.section_id == 'households'
    assert s.sections['households'].percent == round(2 / 3 * 100, 2)
    assert s.sections['loans'].possible == 4


def test_a_visit_with_nothing_to_score_has_no_percent():
    s = score(FORM, {}, today=TODAY)
    assert (s.earned, s.possible, s.percent, s.sections) == (0, 0, None, {})
    assert s.to_dict()['percent'] is None


def test_scores_aggregate_over_a_round():
    visits = [score(FORM, complete(), today=TODAY),  # 5.9 / 6
              score(FORM, complete(loans_ok='no', quality='poor'), today=TODAY),  # 0.9 / 6
              score(FORM, complete(loan_households=0, quality='na'), today=TODAY),  # nothing scored
              score(FORM, complete(loan_households=0), today=TODAY)]  # 2 / 2
    summary = aggregate_scores(visits)
    assert summary.visits == 4
    assert summary.earned == pytest.approx(5.9 + 0.9 + 2)
    assert summary.possible == pytest.approx(14)
    assert summary.percent == round(8.8 / 14 * 100, 2)
    # The mean of the visits' percentages leaves out the visit with nothing scored.
    assert summary.mean_percent == round((98.33 + 15 + 100) / 3, 2)
    assert (summary.min_percent, summary.max_percent) == (15, 100)
    assert summary.sections['loans'].possible == 8
    assert summary.to_dict()['sections']['other'] == {'earned': 4, 'possible': 6, 'percent': 66.67}


def test_an_empty_round_has_no_score():
    summary = aggregate_scores([])
    assert (summary.visits, summary.percent, summary.mean_percent, summary.min_percent) == (0, None, None, None)


# -- suggested findings ---------------------------------------------------------------------------------------


def test_findings_fill_their_text_with_the_answers():
    found = suggest_findings(FORM, complete(loans_ok='no', amount=1234.5), today=TODAY)
    assert [f.rule_id for f in found] == ['loans_misused', 'good_quality']
    misused, quality = found
    assert (misused.kind, misused.severity, misused.item_id) == ('limitation', 'high', 'loans_ok')
    assert misused.text_vi == 'Vốn vay của 40 hộ chưa đúng mục đích.'
    assert quality.text_vi == 'Chất lượng tốt; dư nợ 1.234,5 triệu đồng.'
    assert quality.text_en == 'Good quality; 1,234.5 million VND outstanding.'
    assert quality.severity is None and quality.item_id is None
    assert misused.to_dict()['category_en'] == 'Use of loans'


def test_a_rule_over_the_roster_shows_choice_labels():
    rows = [row('A-1', diary_seen='no'), row('A-2', diary_ok='no'), row('A-3')]
    found = suggest_findings(FORM, complete(level='commune', quality='fair', roster=rows), today=TODAY)
    (diaries,) = found
    assert diaries.text_vi == '2 hộ chưa ghi sổ tốt (cấp Cấp xã).'
    assert diaries.text_en == '2 households (Commune).'


def test_no_rule_fires_on_empty_answers():
    assert suggest_findings(FORM, {}, today=TODAY) == []


# -- households -----------------------------------------------------------------------------------------------


def test_household_rows_come_from_the_roster():
    rows = [row('A-1'), {'household_code': '  ', 'category': 'poor'}, 'junk',
            row(' A-3 ', head_name='  ', category='escaped')]
    out = household_rows(FORM, complete(level='commune', roster=rows))
    assert [(h.index, h.household_code, h.category, h.head_name) for h in out] == [
        (0, 'A-1', 'poor', 'Trần Thị Lan'),
        (3, 'A-3', 'escaped', None),
    ]
    assert out[1].answers == rows[3]
    assert out[1].answers is not rows[3]


def test_no_roster_no_households():
    assert household_rows(FORM, complete()) == []
    assert household_rows(FORM, {'roster': 'x'}) == []
    assert household_rows(FORM, None) == []


def test_a_boolean_answer_is_neither_yes_nor_no():
    # True is not a yes/no answer: it is refused at submit, and no rule reads it as 'yes' or as 'no'.
    answers = complete(loans_ok=True, quality='fair')
    assert errors_of(answers) == [('loans_ok', 'choice', None, None)]
    assert suggest_findings(FORM, answers, today=TODAY) == []
    assert 'loans_ok' in score(FORM, answers, today=TODAY).unscored


# --- regular expressions cannot hang a request ------------------------------------------------------------


def test_a_catastrophic_pattern_gives_up_with_an_error_instead_of_hanging() -> None:
    """``(a|a)+$`` backtracks exponentially on 'aaaa…!' (plain ``re`` would run for hours); the check
    stops after REGEX_TIMEOUT."""
    import time

    from inspect_flow.checklist import parse_checklist_text, validate_for_submit
    from inspect_flow.checklist.errors import ExpressionError
    from inspect_flow.checklist.expressions import AnswersContext, evaluate

    checklist = parse_checklist_text(
        'id: slow\nversion: "1"\ntitle: {vi: Mẫu chậm}\nsections:\n  - id: s\n    label: {vi: Phần}\n    items:\n'
        "      - id: code\n        type: text\n        label: {vi: Mã}\n        constraint: {pattern: '(a|a)+$'}\n"
    )
    started = time.perf_counter()
    errors = validate_for_submit(checklist, {'code': 'a' * 40 + '!'})
    assert time.perf_counter() - started < 2
    assert [(e.item_id, e.code) for e in errors] == [('code', 'pattern')]
    assert 'mẫu chạy quá lâu' in errors[0].message_vi

    started = time.perf_counter()
    with pytest.raises(ExpressionError) as err:
        evaluate("regex(${x}, '(a|a)+$')", AnswersContext({'x': 'a' * 40 + '!'}))
    assert time.perf_counter() - started < 2
    assert 'quá phức tạp' in err.value.message_vi


def test_a_wrong_answer_does_not_cascade_into_the_constraints_that_read_it(supervision) -> None:  # noqa: ANN001
    """``total_households`` is not a number: that is one error, not three (``poor_start`` and
    ``near_poor_start`` compare with it and cannot be judged)."""
    from inspect_flow.checklist import validate_for_submit

    base = {'total_households': 1000, 'poor_start': 1200, 'near_poor_start': 10}
    fields = {e.item_id: e.code for e in validate_for_submit(supervision, base) if e.item_id in base}
    assert fields == {'poor_start': 'constraint', 'near_poor_start': 'constraint'}  # the check itself still bites

    bad = dict(base, total_households='hai nghìn')
    fields = {e.item_id: e.code for e in validate_for_submit(supervision, bad) if e.item_id in base}
    assert fields == {'total_households': 'type'}
