"""A 200-item form exercises every part of the engine at once (its timings: benchmarks/checklist_bench.py)."""

from __future__ import annotations

import datetime as dt

import yaml

from inspect_flow.checklist import (
    evaluate,
    parse_checklist_text,
    score,
    suggest_findings,
    validate_for_submit,
)

SECTIONS, PER_SECTION, ROSTER_ITEMS, ROWS = 19, 10, 7, 30
TODAY = dt.date(2019, 7, 23)


def big_checklist_text() -> str:
    """200 items: 19 sections of 10 (numbers with constraints over earlier items, yes/no with skip logic,
    choices, calculations over the section) and a household roster (the repeat, 7 items, 2 calculations
    over it); a finding rule per section."""
    sections, rules = [], []
    for s in range(SECTIONS):
        items = []
        for i in range(PER_SECTION):
            n = f's{s}_q{i}'
            kind = i % 5
            if kind == 0:
                items.append({'id': n, 'type': 'integer', 'label': f'Số liệu {n}', 'required': True,
                              'constraint': {'min': 0, 'max': 100_000}})
            elif kind == 1:
                items.append({'id': n, 'type': 'integer', 'label': f'Số liệu {n}', 'required': True,
                              'constraint': {'min': 0, 'expression': f'. <= ${{s{s}_q{i - 1}}}',
                                             'message': 'Không vượt quá mục trước'}})
            elif kind == 2:
                items.append({'id': n, 'type': 'yes_no', 'label': f'Câu hỏi {n}', 'required': True, 'weight': 1,
                              'relevant': f'${{s{s}_q{i - 2}}} > 0'})
            elif kind == 3:
                items.append({'id': n, 'type': 'select_one', 'label': f'Đánh giá {n}', 'weight': 2,
                              'relevant': f"${{s{s}_q{i - 1}}} = 'yes'",
                              'choices': [{'name': 'good', 'label': 'Tốt'}, {'name': 'fair', 'label': 'Khá'},
                                          {'name': 'poor', 'label': 'Kém'}],
                              'scores': {'good': 1, 'fair': 0.5, 'poor': 0}})
            else:
                items.append({'id': n, 'type': 'calculate',
                              'calculation': f'if(${{s{s}_q0}} > 0, round(${{s{s}_q1}} div ${{s{s}_q0}} * 100, 2), '
                                             f"'') + count-selected(${{s{s}_q3}})"})
        sections.append({'id': f'section_{s}', 'label': f'Phần {s + 1}', 'items': items})
        rules.append({'id': f'rule_{s}', 'when': f"${{s{s}_q3}} = 'fair' and ${{s{s}_q4}} > 50",
                      'kind': 'limitation', 'category': f'Phần {s + 1}', 'text': f'Tỷ lệ ${{s{s}_q4}}%.'})
    roster = {'id': 'household_roster', 'type': 'repeat', 'roster': 'households', 'label': 'Danh sách hộ',
              'items': [
                  {'id': 'household_code', 'type': 'text', 'label': 'Mã hộ', 'required': True,
                   'constraint': {'pattern': '[A-Z0-9-]{1,20}'}},
                  {'id': 'category', 'type': 'select_one', 'label': 'Đối tượng', 'required': True,
                   'choices': [{'name': c, 'label': c} for c in ('poor', 'near_poor', 'escaped')]},
                  *({'id': f'h_q{i}', 'type': 'yes_no', 'label': f'Hộ {i}', 'required': True, 'weight': 1,
                     **({'relevant': f"${{h_q{i - 1}}} = 'yes'"} if i > 2 else {})} for i in range(2, 6)),
                  {'id': 'h_problem', 'type': 'calculate', 'calculation': "if(${h_q2} = 'no', 1, 0)"},
              ]}
    sections.append({'id': 'households', 'label': 'Tham vấn hộ', 'items': [
        roster,
        {'id': 'households_consulted', 'type': 'calculate', 'calculation': 'count(${household_roster})'},
        {'id': 'household_problems', 'type': 'calculate', 'calculation': 'sum(${h_problem})'},
    ]})
    return yaml.safe_dump({'id': 'big', 'version': '1', 'title': 'Phiếu 200 mục', 'sections': sections,
                           'findings': rules}, allow_unicode=True, sort_keys=False)


def big_answers() -> dict:
    answers = {}
    for s in range(SECTIONS):
        answers |= {f's{s}_q0': 120 + s, f's{s}_q1': 60 + s, f's{s}_q2': 'yes', f's{s}_q3': 'fair',
                    f's{s}_q5': 10, f's{s}_q6': 5, f's{s}_q7': 'no', f's{s}_q8': 'poor'}
    answers['household_roster'] = [
        {'household_code': f'HH-{n:03d}', 'category': 'poor', **{f'h_q{i}': 'yes' for i in range(2, 6)}}
        for n in range(ROWS)
    ]
    return answers


def test_a_200_item_form_loads_and_evaluates_correctly():
    checklist = parse_checklist_text(big_checklist_text(), path='big.yaml')
    assert checklist.item_count == SECTIONS * PER_SECTION + 1 + ROSTER_ITEMS + 2 == 200
    answers = big_answers()
    ev = evaluate(checklist, answers, today=TODAY)
    errors = validate_for_submit(checklist, answers, today=TODAY)
    visit_score = score(checklist, answers, evaluation=ev)
    findings = suggest_findings(checklist, answers, evaluation=ev)
    # The answers are valid and every part of the form was used.
    assert errors == []
    assert ev.calculated['households_consulted'] == ROWS
    assert ev.calculated['s0_q4'] == 50 + 1  # 60/120 = 50 %, plus the one choice of s0_q3
    assert visit_score.possible > 0 and len(findings) == SECTIONS
