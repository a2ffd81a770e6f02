"""Checklists bound to a round: pinned versions, submit validation, households, suggested findings, scores."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.checklist import find_checklist
from inspect_flow.core.errors import Conflict, InvalidInput, TransitionRefused
from inspect_flow.demo.round2019 import checklist_answers
from inspect_flow.findings.models import Finding, FindingStatus
from inspect_flow.paths import checklists_dir
from inspect_flow.plans import checklists as pinning
from inspect_flow.plans import operations as plan_ops
from inspect_flow.visits import capture
from inspect_flow.visits import operations as visit_ops
from inspect_flow.workflow.states import VisitState
from tests.builders import ACTOR, new_plan, schedule_all


def _visiting_plan(session, *, pin: bool = True):  # noqa: ANN001, ANN202
    plan = new_plan(session)
    if pin:
        pinning.pin_default_checklists(session, plan, actor=ACTOR)
    plan_ops.advance_plan(session, plan, 'schedule', actor=ACTOR)
    schedule_all(session, plan)
    plan_ops.advance_plan(session, plan, 'start_visiting', actor=ACTOR)
    return plan


def _visit(plan, team: int = 2):  # noqa: ANN001, ANN202
    return next(v for v in plan.visits if v.team.number == team)


def _findings(session, visit) -> dict[str, Finding]:  # noqa: ANN001
    return {f.rule_id: f for f in capture.visit_findings(session, visit) if f.rule_id}


# --- pinning ------------------------------------------------------------------------------------------------


def test_default_pins_store_the_whole_content_and_its_hash(session) -> None:  # noqa: ANN001
    plan = new_plan(session)
    pins = pinning.pin_default_checklists(session, plan, actor=ACTOR)
    shipped = find_checklist('poverty-supervision', '2019.1')  # a 2019 round: 2026.1 applies from 01/07/2025
    assert {p.checklist_id for p in pins} == {'poverty-supervision', 'household-consultation'}
    pin = next(p for p in pins if p.checklist_id == 'poverty-supervision')
    assert pin.sha256 == shipped.sha256
    assert pin.content == shipped.to_dict()
    assert pinning.pinned_checklist(plan, 'poverty-supervision') == shipped
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.entity_type == 'planchecklist', AuditEntry.action == 'create')) >= 2


def test_editing_or_deleting_the_file_later_changes_no_pinned_form(session, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    folder = tmp_path / 'checklists'
    shutil.copytree(checklists_dir(), folder)
    monkeypatch.setenv('INSPECT_FLOW_CHECKLISTS', str(folder))
    plan = _visiting_plan(session)
    before = pinning.pinned_checklist(plan, 'poverty-supervision')

    path = folder / 'poverty-supervision.yaml'
    text = path.read_text('utf-8')
    path.write_text(text.replace('version: "2019.1"', 'version: "2019.2"').replace(
        'Nhận xét, ghi chú khác', 'Nhận xét khác của Đoàn'), 'utf-8')
    edited = find_checklist('poverty-supervision', on=plan.fieldwork_start)
    assert edited.version == '2019.2' and edited.sha256 != before.sha256

    session.expire_all()
    assert pinning.pinned_checklist(plan, 'poverty-supervision') == before
    path.unlink()
    assert pinning.visit_checklist(_visit(plan)) == before
    # A new plan takes the file as it is now.
    other = new_plan(session)
    pinning.pin_by_id(session, other, 'household-consultation', actor=ACTOR)
    assert [p.checklist_id for p in other.checklists] == ['household-consultation']


def test_pins_cannot_change_once_visits_start(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    with pytest.raises(Conflict) as err:
        pinning.unpin_checklist(session, plan, 'poverty-supervision', actor=ACTOR)
    assert 'thay đổi bộ câu hỏi kiểm tra' in err.value.message_vi
    assert err.value.code == 'plan.wrong_stage'
    assert len(plan.checklists) == 2


def test_pin_unknown_checklist_or_version_is_named(session) -> None:  # noqa: ANN001
    plan = new_plan(session)
    with pytest.raises(Exception) as err:
        pinning.pin_by_id(session, plan, 'poverty-supervision@1999.9', actor=ACTOR)
    assert 'poverty-supervision phiên bản 1999.9' in err.value.message_vi
    assert plan.checklists == []


def test_tampered_pinned_content_is_refused(session) -> None:  # noqa: ANN001
    plan = new_plan(session)
    pin = pinning.pin_by_id(session, plan, 'poverty-supervision', actor=ACTOR)
    content = dict(pin.content)
    content['title'] = {'vi': 'Đã bị sửa trong cơ sở dữ liệu'}
    pin.content = content
    with pytest.raises(Conflict) as err:
        pinning.pinned_checklist(plan, 'poverty-supervision')
    assert err.value.code == 'plan.checklist_tampered'


# --- drafts and submit validation ----------------------------------------------------------------------------


def test_draft_keeps_partial_and_invalid_answers(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    errors = visit_ops.save_answers(session, visit, {'total_households': 'hai nghìn', 'level': 'commune'},
                                    actor=ACTOR)
    errors2 = visit_ops.save_answers(session, visit, {'poor_start': 5000}, actor=ACTOR)
    assert visit.state == VisitState.in_progress
    assert visit.answers == {'total_households': 'hai nghìn', 'level': 'commune', 'poor_start': 5000}
    fields = {e['field']: e for e in errors2}
    assert fields['total_households']['code'] == 'type'
    assert fields['committee_reconstituted']['code'] == 'required'
    assert len(errors2) >= len(errors) - 1


def test_draft_refuses_a_non_object_without_touching_saved_answers(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    visit_ops.save_answers(session, visit, {'level': 'commune'}, actor=ACTOR)
    with pytest.raises(InvalidInput):
        visit_ops.save_answers(session, visit, ['level', 'commune'], actor=ACTOR)
    assert visit.answers == {'level': 'commune'}


def test_incomplete_submit_is_refused_per_item_and_keeps_the_draft(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    answers = checklist_answers(4, visit)
    del answers['coordination']
    answers['poor_start'] = answers['total_households'] + 1
    answers['household_roster'][1]['category'] = 'giàu'
    with pytest.raises(TransitionRefused) as err:
        visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': answers})
    items = {i['field']: i for d in err.value.details for i in d.get('items', ())}
    assert items['coordination']['code'] == 'required'
    assert items['poor_start']['message'].endswith('Số hộ nghèo không thể lớn hơn tổng số hộ')
    assert items['household_roster.1.category']['code'] == 'choice'
    # poor_start now also breaks near_poor_start's constraint (poor + near-poor <= total): 4 items.
    assert items['near_poor_start']['code'] == 'constraint'
    assert len(items) == 4
    assert err.value.message_vi.startswith('Phiếu kiểm tra còn 4 mục chưa đạt: ')
    assert err.value.message_vi.endswith(' và 1 mục khác.')
    assert visit.state == VisitState.in_progress
    assert visit.answers['poor_start'] == answers['poor_start']


def test_skip_logic_hides_items_from_validation(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    answers = checklist_answers(4, visit)
    answers['loan_households'] = 0  # the loan questions are no longer relevant
    for item in ('loans_used_for_purpose', 'loans_fully_used', 'loan_amount', 'loan_overdue'):
        answers.pop(item)
    visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': answers})
    assert visit.state == VisitState.submitted


# --- after submit: households and suggested findings ----------------------------------------------------------


def test_submit_turns_the_roster_into_households_and_rules_into_suggestions(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    answers = checklist_answers(3, visit)  # i = 3: loans misused, communication limited
    visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': answers})

    codes = sorted(h.household_code for h in visit.households)
    assert codes == sorted(r['household_code'] for r in answers['household_roster'])
    assert len(visit.households) == 4  # a plan without a quota: the demo's four categories' worth
    assert {h.category.value for h in visit.households} == {'poor', 'escaped'}  # as the 2019 article says

    found = _findings(session, visit)
    assert found['loans_misused'].text == 'Một số hộ sử dụng vốn vay không đúng mục đích.'
    assert found['loans_misused'].category == 'Sử dụng vốn vay'
    assert found['communication_limited'].kind.value == 'limitation'
    assert found['participation_on_plan'].text == (
        f"Có {answers['project_households_participating']} hộ tham gia Đề án, đạt 100% kế hoạch.")
    assert 'coordination_not_consistent' not in found  # i = 3 → good coordination: that rule stays silent
    assert all(f.status == FindingStatus.suggested for f in found.values())
    assert all(f.source.value == 'checklist' for f in found.values())


def test_households_given_apart_from_the_answers_go_into_the_roster(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    answers = checklist_answers(1, visit)
    rows = answers.pop('household_roster')
    households = [{'code': r['household_code'], 'category': r['category'],
                   'answers': {k: v for k, v in r.items() if k not in ('household_code', 'category')}}
                  for r in rows]
    visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': answers, 'households': households})
    assert [r['household_code'] for r in visit.answers['household_roster']] == [h['code'] for h in households]
    assert len(visit.households) == len(households)


def test_households_given_twice_are_refused(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    answers = checklist_answers(1, visit)
    with pytest.raises(InvalidInput) as err:
        visit_ops.submit_visit(session, visit, actor=ACTOR, data={
            'answers': answers, 'households': [{'code': 'X-1', 'category': 'poor'}]})
    assert err.value.field == 'households'


def test_review_waits_until_every_suggestion_is_decided(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': checklist_answers(0, visit)})
    pending = [f for f in capture.visit_findings(session, visit) if f.status == FindingStatus.suggested]
    assert pending
    with pytest.raises(TransitionRefused) as err:
        visit_ops.review_visit(session, visit, reviewer=visit.team.leader, actor=ACTOR)
    assert f'Còn {len(pending)} kết quả do phiếu kiểm tra gợi ý' in err.value.message_vi
    first, *rest = pending
    capture.decide_suggestion(session, first, 'reject', actor=ACTOR)
    for f in rest:
        capture.decide_suggestion(session, f, 'accept', actor=ACTOR)
    visit_ops.review_visit(session, visit, reviewer=visit.team.leader, actor=ACTOR)
    assert visit.state == VisitState.reviewed
    assert first.status == FindingStatus.rejected
    with pytest.raises(Conflict):
        capture.decide_suggestion(session, first, 'accept', actor=ACTOR)


def test_resubmission_withdraws_stale_suggestions_and_keeps_decided_ones(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    answers = checklist_answers(0, visit)  # i = 0: loans misused, generic support, late reports
    visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': answers})
    found = _findings(session, visit)
    capture.decide_suggestion(session, found['loans_misused'], 'accept', actor=ACTOR,
                              values={'text': 'Hộ BTĐ-01 sử dụng vốn vay chăn nuôi để sửa nhà.'})
    assert 'reporting_late' in found and 'support_generic' in found

    visit_ops.return_visit(session, visit, reviewer=visit.team.leader, comment='Kiểm tra lại báo cáo', actor=ACTOR)
    answers['reports_on_time'] = 'yes'
    answers.pop('reports_late', None)
    answers['loans_used_for_purpose'] = 'yes'
    for row in answers['household_roster']:
        if row.get('loan_use_matches') == 'no':
            row['loan_use_matches'] = 'yes'
    visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': answers})

    after = _findings(session, visit)
    assert 'reporting_late' not in after  # withdrawn: the rule no longer holds and nobody had decided
    assert after['loans_misused'].status == FindingStatus.accepted  # decided: kept as the team wrote it
    assert after['loans_misused'].text == 'Hộ BTĐ-01 sử dụng vốn vay chăn nuôi để sửa nhà.'
    assert after['support_generic'].id == found['support_generic'].id  # not duplicated
    withdrawn = session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity_type == 'finding', AuditEntry.action == 'delete')).all()
    assert [e.changes['rule_id'][0] for e in withdrawn] == ['reporting_late']


def test_bad_decision_is_refused(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': checklist_answers(0, visit)})
    finding = next(iter(_findings(session, visit).values()))
    with pytest.raises(InvalidInput):
        capture.decide_suggestion(session, finding, 'maybe', actor=ACTOR)
    assert finding.status == FindingStatus.suggested


# --- scores and form status ----------------------------------------------------------------------------------


def test_scores_per_visit_and_per_round(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    for i, visit in enumerate(sorted(plan.visits, key=lambda v: v.team.number)):
        visit_ops.submit_visit(session, visit, actor=ACTOR, data={'answers': checklist_answers(i * 3, visit)})
    scores = [capture.visit_score(v) for v in plan.visits]
    assert all(0 < s.percent < 100 for s in scores)
    summary = capture.plan_scores(plan)
    assert summary.visits == 2
    assert summary.percent == round(sum(s.earned for s in scores) / sum(s.possible for s in scores) * 100, 2)
    assert summary.min_percent == min(s.percent for s in scores)


def test_form_status_reports_values_errors_and_suggestions(session) -> None:  # noqa: ANN001
    plan = _visiting_plan(session)
    visit = _visit(plan)
    answers = checklist_answers(2, visit)
    visit_ops.save_answers(session, visit, answers, actor=ACTOR)
    status = capture.form_status(visit)
    assert status.complete
    assert status.values['participation_rate'] == 100
    assert status.values['escaped_sustainably_rate'] == round(
        answers['escaped_sustainably'] / answers['project_households_participating'] * 100, 2)
    assert 'dialogues_count' in status.relevant and 'reports_late' not in status.relevant
    assert {s['rule_id'] for s in status.suggestions} >= {'committee_in_place', 'wrong_target_group'}


def test_a_plan_without_checklists_records_free_form(session) -> None:  # noqa: ANN001
    from tests.builders import SUBMISSION

    plan = _visiting_plan(session, pin=False)
    visit = _visit(plan)
    visit_ops.submit_visit(session, visit, actor=ACTOR, data=SUBMISSION)
    assert visit.state == VisitState.submitted
    assert capture.form_status(visit) is None
    assert sorted(h.household_code for h in visit.households) == ['H-01', 'H-02']
