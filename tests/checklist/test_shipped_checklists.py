"""The shipped checklists (checklists/*.yaml): they validate, they capture the seed facts, their rules fire."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspect_flow.checklist import (
    Checklist,
    evaluate,
    household_rows,
    list_checklists,
    load_checklist,
    suggest_findings,
    validate_for_submit,
)
from inspect_flow.checklist.registry import checklist_files
from inspect_flow.checklist.schema import ItemType

from .conftest import (
    SHIPPED_DIR,
    TODAY,
    commune_answers,
    consultation_answers,
    district_answers,
    household,
)

SHIPPED_FILES = checklist_files(SHIPPED_DIR)
#: Checklists as plans pinned them with an earlier engine: ``{sha256, content}`` (see the note in each file).
PINNED = sorted((Path(__file__).parent / 'pinned').glob('*.json'))


def test_the_checklist_folder_holds_the_two_checklists_of_the_issue():
    assert {c.id for c in list_checklists(SHIPPED_DIR)} >= {'poverty-supervision', 'household-consultation'}


@pytest.mark.parametrize('path', SHIPPED_FILES, ids=lambda p: p.name)
def test_every_shipped_file_validates(path):
    checklist = load_checklist(path)
    assert checklist.item_count > 0
    assert checklist.source == path


@pytest.mark.parametrize('path', SHIPPED_FILES, ids=lambda p: p.name)
def test_a_pinned_copy_rebuilds_the_same_checklist(path):
    checklist = load_checklist(path)
    data = checklist.to_dict()
    again = Checklist.from_dict(data)
    assert again == checklist
    assert again.sha256 == checklist.sha256
    assert again.canonical_json() == checklist.canonical_json()
    assert again.item_ids == checklist.item_ids


@pytest.mark.parametrize('path', PINNED, ids=lambda p: p.stem)
def test_content_pinned_by_an_earlier_engine_still_rebuilds_to_its_sha256(path):
    """A plan rebuilds its pinned checklist and checks the SHA-256: the engine may never change what the
    canonical form of stored content is, or ongoing rounds could no longer open their forms."""
    pinned = json.loads(path.read_text(encoding='utf-8'))
    checklist = Checklist.from_dict(pinned['content'])
    assert checklist.sha256 == pinned['sha256']
    assert checklist.to_dict() == pinned['content']


@pytest.mark.parametrize('path', PINNED, ids=lambda p: p.stem)
def test_a_shipped_version_keeps_its_content(path):
    """Editing a shipped checklist needs a new version: the same id and version must keep the same content."""
    pinned = json.loads(path.read_text(encoding='utf-8'))
    same = [c for c in list_checklists(SHIPPED_DIR)
            if (c.id, c.version) == (pinned['content']['id'], pinned['content']['version'])]
    for checklist in same:
        assert checklist.sha256 == pinned['sha256'], f'{checklist.source}: changed without a new version'


@pytest.mark.parametrize('path', SHIPPED_FILES, ids=lambda p: p.name)
def test_every_shipped_label_is_bilingual(path):
    checklist = load_checklist(path)
    labelled = [checklist.title, *(s.label for s in checklist.sections)]
    labelled += [i.label for i in checklist.iter_items() if i.label is not None]
    labelled += [c.label for i in checklist.iter_items() for c in i.choices or ()]
    labelled += [r.category for r in checklist.findings] + [r.text for r in checklist.findings]
    missing = [label.vi for label in labelled if not label.en]
    assert missing == []


@pytest.mark.parametrize('path', SHIPPED_FILES, ids=lambda p: p.name)
def test_every_shipped_checklist_accepts_complete_answers_and_refuses_empty_ones(path):
    checklist = load_checklist(path)
    complete = {
        'poverty-supervision': commune_answers(),
        'household-consultation': consultation_answers(),
    }[checklist.id]
    assert validate_for_submit(checklist, complete, today=TODAY) == []
    required = {i.id for i in checklist.iter_items() if i.required and checklist.parent(i.id) is None}
    errors = validate_for_submit(checklist, {}, today=TODAY)
    assert {e.item_id for e in errors} <= required
    assert errors and all(e.code == 'required' for e in errors)


@pytest.mark.parametrize('suffix', ['', '-2026'])
def test_the_household_form_asks_what_the_roster_asks(suffix):
    """household-consultation.yaml and the roster of poverty-supervision.yaml ask the same questions; so do
    their 2026.1 versions (household-consultation-2026.yaml, poverty-supervision-2026.yaml)."""
    supervision = load_checklist(SHIPPED_DIR / f'poverty-supervision{suffix}.yaml')
    consultation = load_checklist(SHIPPED_DIR / f'household-consultation{suffix}.yaml')
    assert supervision.version == consultation.version and supervision.applies == consultation.applies
    roster = {i.id: i for i in supervision.roster.items}
    form = {i.id: i for i in consultation.iter_items()}
    shared = [name for name in roster if name in form]
    assert set(shared) >= {'household_code', 'category', 'support_received', 'in_project', 'right_target',
                           'has_livelihood_plan', 'diary_seen', 'diary_up_to_date', 'received_loan',
                           'loan_use_matches', 'opinion'}
    for name in shared:
        assert roster[name] == form[name], name
    # The form's only extras are the date and a photo; the roster's only extras are per-row calculations.
    assert {n for n in form if n not in roster} == {'consultation_date', 'records_photo'}
    assert all(roster[n].type == ItemType.calculate for n in roster if n not in form)


# -- the seed facts -----------------------------------------------------------------------------------------


def test_the_seed_project_figures_are_calculated(supervision):
    ev = evaluate(supervision, district_answers(), today=TODAY)
    assert ev.calculated['participation_rate'] == 100  # 1,968 of 1,968
    assert ev.calculated['escaped_sustainably_rate'] == 38.36  # 755 of 1,968
    assert ev.calculated['poverty_rate_start'] == round(1_450 / 38_000 * 100, 2)
    assert ev.calculated['disbursement_rate'] == 75


@pytest.mark.parametrize(
    ('planned', 'participating', 'sustainable', 'participation', 'sustainable_rate'),
    [
        (1_968, 1_968, 755, 100, 38.36),
        (2_000, 1_968, 755, 98.4, 38.36),
        (1_968, 984, 0, 50, 0),
        (3, 1, 1, 33.33, 100),
        (3, 2, 1, 66.67, 50),
        (0, 0, 0, '', ''),  # nothing planned: no rate rather than a division by zero
    ],
)
def test_the_project_rates_follow_the_answers(supervision, planned, participating, sustainable, participation,
                                              sustainable_rate):
    answers = district_answers(project_households_planned=planned, project_households_participating=participating,
                               escaped_sustainably=sustainable, livelihood_plans=0, escaped_households=0)
    ev = evaluate(supervision, answers, today=TODAY)
    assert ev.calculated['participation_rate'] == participation
    assert ev.calculated['escaped_sustainably_rate'] == sustainable_rate


def test_the_seed_facts_become_suggested_achievements(supervision):
    found = {f.rule_id: f for f in suggest_findings(supervision, district_answers(), today=TODAY)}
    participation = found['participation_on_plan']
    assert participation.kind == 'achievement'
    assert participation.text_vi == 'Có 1.968 hộ tham gia Đề án, đạt 100% kế hoạch.'
    assert participation.text_en == '1,968 households take part in the project, 100% of the plan.'
    exits = found['sustainable_exits']
    assert exits.text_vi == 'Có 755 hộ tham gia Đề án thoát nghèo bền vững, đạt 38,36%.'
    assert exits.text_en == '755 participating households escaped poverty sustainably (38.36%).'
    assert exits.item_id == 'escaped_sustainably_rate'
    # Everything is in order: no limitation is suggested.
    assert [f.rule_id for f in found.values() if f.kind != 'achievement'] == []


def test_participation_below_plan_is_not_an_achievement(supervision):
    answers = district_answers(project_households_planned=2_000)
    assert 'participation_on_plan' not in {f.rule_id for f in suggest_findings(supervision, answers, today=TODAY)}


def test_loans_not_used_for_their_purpose_suggest_a_limitation(supervision):
    answers = district_answers(loans_used_for_purpose='no')
    (finding,) = [f for f in suggest_findings(supervision, answers, today=TODAY) if f.kind == 'limitation']
    assert finding.rule_id == 'loans_misused'
    assert (finding.category_vi, finding.category_en) == ('Sử dụng vốn vay', 'Use of loans')
    assert finding.text_vi == 'Một số hộ sử dụng vốn vay không đúng mục đích.'
    assert finding.severity == 'high'
    assert finding.item_id == 'loans_used_for_purpose'


#: rule → answers that make it fire (on top of a visit where everything is in order).
LIMITATIONS_AND_CAUSES = [
    ('committee_not_in_place', {'members_assigned': 'no'}),
    ('committee_not_in_place', {'committee_reconstituted': 'no'}),
    ('coordination_not_consistent', {'coordination': 'partial'}),
    ('coordination_not_consistent', {'coordination': 'weak'}),
    ('communication_limited', {'communication_reach': 'limited'}),
    ('communication_limited', {'dialogues_held': 'no'}),
    ('loans_misused', {'loans_used_for_purpose': 'no'}),
    ('loans_not_fully_used', {'loans_fully_used': 'no'}),
    ('wrong_target_group', {'participants_right_target': 'no'}),
    ('support_generic', {'livelihood_plans_specific': 'no'}),
    ('diaries_not_kept_well', {'diaries_kept': 'no'}),
    ('diaries_not_kept_well', {'diaries_up_to_date': 'irregular'}),
    ('no_linkage_groups', {'linkage_groups': 'no'}),
    ('exits_not_sustainable', {'re_impoverished': 3}),
    ('monitoring_irregular', {'internal_monitoring': 'irregular'}),
    ('monitoring_irregular', {'internal_monitoring': 'none'}),
    ('reporting_late', {'reports_on_time': 'no'}),
    ('reliance_on_state', {'households_dependent': 'yes'}),
    ('single_livelihood', {'single_livelihood': 'yes'}),
]


@pytest.mark.parametrize(('rule', 'changes'), LIMITATIONS_AND_CAUSES, ids=lambda v: v if isinstance(v, str) else '')
def test_each_limitation_and_cause_fires_on_its_answer_alone(supervision, rule, changes):
    found = suggest_findings(supervision, district_answers(**changes), today=TODAY)
    assert [f.rule_id for f in found if f.kind != 'achievement'] == [rule]


def test_every_limitation_and_cause_rule_has_a_case(supervision):
    rules = {r.id for r in supervision.findings if r.kind.value != 'achievement'}
    assert rules == {rule for rule, _ in LIMITATIONS_AND_CAUSES}


def test_a_rule_text_shows_the_answer(supervision):
    (finding,) = [f for f in suggest_findings(supervision, district_answers(re_impoverished=3), today=TODAY)
                  if f.rule_id == 'exits_not_sustainable']
    assert finding.text_vi == 'Một số hộ thoát nghèo chưa thật sự bền vững (3 hộ tái nghèo).'
    assert finding.text_en == 'Some exits from poverty are not sustainable (3 households fell back into poverty).'


@pytest.mark.parametrize(
    ('row_changes', 'rule', 'count_item'),
    [
        ({'loan_use_matches': 'no'}, 'loans_misused', 'households_loan_misused'),
        ({'diary_seen': 'no'}, 'diaries_not_kept_well', 'households_diary_problem'),
        ({'diary_up_to_date': 'no'}, 'diaries_not_kept_well', 'households_diary_problem'),
        ({'right_target': 'no'}, 'wrong_target_group', 'households_wrong_target'),
    ],
)
def test_what_one_consulted_household_shows_fires_the_visit_rule(supervision, row_changes, rule, count_item):
    rows = [household('MCN-AT-001'), household('MCN-AT-002', **row_changes), household('MCN-AT-003')]
    answers = commune_answers(rows)
    ev = evaluate(supervision, answers, today=TODAY)
    assert ev.calculated['households_consulted'] == 3
    assert ev.calculated[count_item] == 1
    found = suggest_findings(supervision, answers, today=TODAY, evaluation=ev)
    assert [f.rule_id for f in found if f.kind != 'achievement'] == [rule]


def test_an_answer_hidden_by_skip_logic_fires_no_rule(supervision):
    # No household has a loan, so the loan questions are not asked; a stale "no" stays stored but is ignored.
    answers = district_answers(loan_households=0, loans_used_for_purpose='no', loans_fully_used='no')
    assert validate_for_submit(supervision, answers, today=TODAY) == []
    found = suggest_findings(supervision, answers, today=TODAY)
    assert [f.rule_id for f in found if f.kind != 'achievement'] == []


def test_the_household_section_is_asked_only_at_commune_level(supervision):
    district = evaluate(supervision, district_answers(household_roster=[household('X-1')]), today=TODAY)
    assert 'household_roster' not in district.relevant
    assert district.calculated['households_consulted'] == ''
    errors = validate_for_submit(supervision, district_answers(level='commune'), today=TODAY)
    assert [(e.item_id, e.code) for e in errors] == [('household_roster', 'required')]


def test_the_consultation_form_rules(consultation):
    assert suggest_findings(consultation, consultation_answers(perceived_benefit='some'), today=TODAY) == []
    cases = {
        'loan_misused': {'loan_use_matches': 'no'},
        'wrong_target': {'right_target': 'no'},
        'no_livelihood_plan': {'has_livelihood_plan': 'no'},
        'diary_not_kept_well': {'diary_up_to_date': 'no'},
        'support_useful': {},
    }
    assert {r.id for r in consultation.findings} == set(cases)
    for rule, changes in cases.items():
        answers = consultation_answers(**({'perceived_benefit': 'some', **changes} if changes else {}))
        assert [f.rule_id for f in suggest_findings(consultation, answers, today=TODAY)] == [rule]


def test_the_consultation_form_is_one_household(consultation):
    (row,) = household_rows(consultation, consultation_answers())
    assert (row.index, row.household_code, row.category, row.head_name) == (None, 'MCN-AT-017', 'escaped',
                                                                           'Nguyễn Văn Tư')
