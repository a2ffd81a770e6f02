"""View models built from the database (documents.sources), on the demo round, SQLite and PostgreSQL.

Expected values come from the rows themselves (queried here independently), never from constants.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.core.errors import Conflict, InvalidInput, NotFound
from inspect_flow.documents import sources, vnformat
from inspect_flow.documents import viewmodels as vm
from inspect_flow.findings.models import Conclusion, Finding, FindingKind, FindingStatus, Recommendation
from inspect_flow.units.models import AdminUnit
from inspect_flow.visits.models import HouseholdConsultation, ParticipantSide, Visit
from inspect_flow.workflow.states import VisitState
from tests import builders

from .conftest import open_demo_session

SIGNER = sources.SignerIn(name='Nguyễn Văn Minh')


def _npt_visit(session, plan) -> Visit:  # noqa: ANN001
    return next(v for v in plan.visits if v.commune.full_name == 'Xã Nhuận Phú Tân')


def _accepted(session, visit_ids, kind: FindingKind) -> list[str]:  # noqa: ANN001
    rows = session.scalars(sa.select(Finding.text).where(
        Finding.visit_id.in_(list(visit_ids)), Finding.kind == kind, Finding.status == FindingStatus.accepted)
        .order_by(Finding.id))
    return list(dict.fromkeys(t.strip().rstrip('.;,:').strip() for t in rows))


def test_the_document_set_has_one_minutes_per_visit_one_notice_per_district_one_report_per_team(demo_session,
                                                                                                 demo_plan):
    visits = [v for v in demo_plan.visits if v.state != VisitState.cancelled]
    targets = sources.document_set(demo_plan)
    kinds = [t.kind for t in targets]
    assert kinds[:3] == ['plan', 'team_decision', 'schedule'] and kinds[-1] == 'report'
    assert sorted(t.visit.id for t in targets if t.kind == 'minutes') == sorted(v.id for v in visits)
    districts = sorted({v.district.code for v in visits})
    assert sorted(t.unit.code for t in targets if t.kind == 'conclusion') == districts
    assert sorted(t.team.number for t in targets if t.kind == 'team_report') == sorted({v.team.number for v in visits})


def test_minutes_carry_the_visits_participants_households_and_findings(demo_session, demo_plan):
    visit = _npt_visit(demo_session, demo_plan)
    target = sources.resolve_target(demo_session, demo_plan, 'minutes', visit=visit.id)
    doc = sources.build_view_model(demo_session, target)
    assert isinstance(doc, vm.Minutes) and doc.meta.is_draft
    assert doc.started_at == visit.starts_at and doc.team_no == visit.team.number
    assert [p.name for p in doc.team_members][0] == visit.team.leader.full_name
    assert {p.name for p in doc.team_members} == {m.person.full_name for m in visit.team.members}
    local = [p.full_name for p in visit.participants if p.side != ParticipantSide.invited]
    invited = [p.full_name for p in visit.participants if p.side == ParticipantSide.invited]
    assert [p.name for p in doc.local_participants] == local
    assert [p.name for p in doc.invited] == invited
    codes = list(demo_session.scalars(sa.select(HouseholdConsultation.household_code)
                                      .where(HouseholdConsultation.visit_id == visit.id)
                                      .order_by(HouseholdConsultation.id)))
    assert len(doc.households) == len(codes) > 0
    for code, household in zip(codes, doc.households, strict=True):
        assert code in household.head
    for kind, field in ((FindingKind.achievement, 'achievements'), (FindingKind.limitation, 'limitations'),
                        (FindingKind.cause, 'causes')):
        # a commune's bare figure ("Có 118 hộ…") is printed with the commune's name ("Xã Nhuận Phú Tân có 118 hộ…")
        expected = [sources._attributed(text, visit) for text in _accepted(demo_session, [visit.id], kind)]
        assert list(getattr(doc, field)) == expected
    assert any(text.startswith('Xã Nhuận Phú Tân có ') for text in doc.achievements)
    recs = demo_session.scalars(sa.select(Recommendation).join(Conclusion).where(
        Conclusion.unit_id == visit.district_id, Recommendation.plan_id == demo_plan.id)
        .order_by(Recommendation.number)).all()
    assert [(r.text, r.addressee) for r in doc.recommendations] == [
        (r.text.rstrip('.'), r.addressee_label) for r in recs]
    commune_side = [p.full_name for p in visit.participants if p.side == ParticipantSide.commune]
    assert commune_side and doc.local_signature.name == commune_side[0]  # the inspected commune signs for itself
    assert doc.team_signature.name == visit.team.leader.full_name


def test_a_rejected_or_suggested_finding_is_not_printed(demo_session, demo_plan):
    visit = _npt_visit(demo_session, demo_plan)
    finding = demo_session.scalars(sa.select(Finding).where(Finding.visit_id == visit.id,
                                                            Finding.kind == FindingKind.limitation)).first()
    target = sources.resolve_target(demo_session, demo_plan, 'minutes', visit=visit.id)
    before = sources.build_view_model(demo_session, target).limitations
    finding.status = FindingStatus.rejected
    demo_session.flush()
    after = sources.build_view_model(demo_session, target).limitations
    assert finding.text.rstrip('.') in before
    assert finding.text.rstrip('.') not in after


def test_the_conclusion_notice_names_the_communes_and_numbers_the_recommendations(demo_session, demo_plan):
    district = demo_session.scalars(sa.select(AdminUnit).where(AdminUnit.code == '838')).one()
    target = sources.resolve_target(demo_session, demo_plan, 'conclusion', district='838')
    doc = sources.build_view_model(demo_session, target, signer=SIGNER, drafting_unit='BTXH')
    visits = [v for v in demo_plan.visits if v.district_id == district.id]
    assert doc.district == 'huyện Mỏ Cày Bắc'
    assert doc.communes == tuple(sorted({sources.lower_first(v.commune.full_name) for v in visits}))
    conclusion = demo_session.scalars(sa.select(Conclusion).where(Conclusion.plan_id == demo_plan.id,
                                                                  Conclusion.unit_id == district.id)).one()
    assert [(r.addressee, r.deadline) for r in doc.recommendations] == [
        (r.addressee_label, r.deadline) for r in conclusion.recommendations]
    assert doc.summary == (conclusion.summary.strip(),)
    assert doc.signature.lines == ('KT. TRƯỞNG BAN', 'PHÓ TRƯỞNG BAN') and doc.signature.name == 'Nguyễn Văn Minh'
    assert doc.meta.recipient_lines[-1] == '- Lưu: VT, BTXH.'
    assert doc.team_no == conclusion.team.number


def test_the_round_report_counts_and_tables_match_the_rows(demo_session, demo_plan):
    doc = sources.build_view_model(demo_session, sources.Target('report', demo_plan), signer=SIGNER)
    visit_ids = [v.id for v in demo_plan.visits if v.state != VisitState.cancelled]
    households = demo_session.scalar(sa.select(sa.func.count()).select_from(HouseholdConsultation)
                                     .where(HouseholdConsultation.visit_id.in_(visit_ids)))
    limitations = demo_session.scalar(sa.select(sa.func.count()).select_from(Finding).where(
        Finding.visit_id.in_(visit_ids), Finding.kind == FindingKind.limitation,
        Finding.status == FindingStatus.accepted))
    recs = demo_session.scalar(sa.select(sa.func.count()).select_from(Recommendation)
                               .where(Recommendation.plan_id == demo_plan.id,
                                      Recommendation.conclusion_id.is_not(None)))
    c = doc.counts
    assert (c.teams, c.districts, c.communes) == (9, 9, 9)
    assert (c.households_consulted, c.limitations, c.recommendations) == (households, limitations, recs)
    assert sum(r.households_consulted for r in doc.by_district) == households
    assert sum(r.limitations for r in doc.by_district) == limitations
    assert len(doc.by_district) == len(visit_ids)
    # By category: recount the communes per category straight from the findings.
    rows = demo_session.execute(sa.select(Finding.category, Finding.visit_id).where(
        Finding.visit_id.in_(visit_ids), Finding.kind == FindingKind.limitation,
        Finding.status == FindingStatus.accepted)).all()
    expected: dict[str, set[int]] = {}
    for category, visit_id in rows:
        expected.setdefault(category.strip(), set()).add(visit_id)
    assert {r.category: r.occurrences for r in doc.by_category} == {k: len(v) for k, v in expected.items()}
    occurrences = [r.occurrences for r in doc.by_category]
    assert occurrences == sorted(occurrences, reverse=True)
    # Bảng 3: the communes' own figures, summed.
    answers = [v.answers or {} for v in demo_plan.visits if v.id in visit_ids]
    if any('project_households_participating' in a for a in answers):
        assert sum(r.participating or 0 for r in doc.figures) == sum(
            int(a.get('project_households_participating') or 0) for a in answers)


def test_drafts_have_no_number_and_issued_ones_carry_theirs(demo_session, demo_plan):
    target = sources.resolve_target(demo_session, demo_plan, 'conclusion', district='838')
    draft = sources.build_view_model(demo_session, target)
    issued = sources.build_view_model(demo_session, target, number=7, issued_on=date(2019, 7, 15), signer=SIGNER)
    assert draft.meta.number is None and draft.meta.issued_on is None and draft.signature.name is None
    assert issued.meta.number == 7 and issued.meta.issued_on == date(2019, 7, 15)
    plan_doc = sources.build_view_model(demo_session, sources.Target('plan', demo_plan))
    assert (plan_doc.meta.number, plan_doc.meta.issued_on) == (demo_plan.number, demo_plan.issue_date)
    assert len(plan_doc.schedule) == len([v for v in demo_plan.visits if v.state != VisitState.cancelled])


@pytest.mark.parametrize(('kind', 'kwargs', 'error', 'code'), [
    ('memo', {}, InvalidInput, 'document.unknown_kind'),
    ('minutes', {}, InvalidInput, 'document.target_required'),
    ('conclusion', {}, InvalidInput, 'document.target_required'),
    ('team_report', {}, InvalidInput, 'document.target_required'),
    ('plan', {'visit': 1}, InvalidInput, 'document.target_not_allowed'),
    ('minutes', {'district': '838'}, InvalidInput, 'document.target_not_allowed'),
    ('minutes', {'visit': 987654}, NotFound, 'visit.not_found'),
    ('minutes', {'visit': 'abc'}, NotFound, 'visit.not_found'),
    ('conclusion', {'district': '999'}, InvalidInput, 'document.district_not_visited'),
    ('conclusion', {'district': '28936'}, InvalidInput, 'document.district_not_visited'),  # a commune code
    ('team_report', {'team': 42}, NotFound, 'document.team_not_in_plan'),
])
def test_it_refuses_what_does_not_belong_to_the_plan(demo_session, demo_plan, kind, kwargs, error, code):
    with pytest.raises(error) as info:
        sources.resolve_target(demo_session, demo_plan, kind, **kwargs)
    assert info.value.code == code
    assert info.value.message_vi != info.value.message_en  # bilingual


def test_it_refuses_a_visit_of_another_plan_and_a_cancelled_visit(demo_session, demo_plan):
    other = builders.plan_at(demo_session, 'scheduling')
    with pytest.raises(InvalidInput) as info:
        sources.resolve_target(demo_session, demo_plan, 'minutes', visit=other.visits[0].id)
    assert info.value.code == 'document.visit_not_in_plan'
    other.visits[0].state = VisitState.cancelled
    demo_session.flush()
    with pytest.raises(Conflict) as info:
        sources.resolve_target(demo_session, other, 'minutes', visit=other.visits[0].id)
    assert info.value.code == 'document.visit_cancelled'


def test_sqlite_and_postgresql_give_the_same_documents(demo_engines):
    """The whole document set, built on both databases, is the same data (so the PDFs are the same)."""
    from inspect_flow.demo.round2019 import find_demo_plan

    built = []
    for kind in ('sqlite', 'postgresql'):
        session, conn, outer = open_demo_session(demo_engines(kind))
        try:
            plan = find_demo_plan(session)
            data = sources.load_round(session, plan)
            built.append([dataclasses.asdict(sources.build_view_model(session, t, signer=SIGNER, data=data))
                          for t in sources.document_set(plan)])
        finally:
            session.close()
            outer.rollback()
            conn.close()
    assert len(built[0]) == 31
    for a, b in zip(built[0], built[1], strict=True):
        assert _diff(a, b) == []


def _diff(a, b, path=''):  # noqa: ANN001, ANN202
    """Where two nested values differ (for a readable failure)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in a.keys() | b.keys() for d in _diff(a.get(k), b.get(k), f'{path}.{k}')]
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f'{path}[{i}]')]
    return [] if a == b else [(path, a, b)]


def test_text_helpers_word_positions_and_negations():
    assert sources.person_position('Phó Chủ tịch', 'Hội Nông dân tỉnh Bến Tre') == \
        'Phó Chủ tịch Hội Nông dân tỉnh Bến Tre'
    assert sources.person_position('Trưởng phòng LĐTBXH huyện Mỏ Cày Bắc', 'UBND huyện Mỏ Cày Bắc') == \
        'Trưởng phòng LĐTBXH huyện Mỏ Cày Bắc'
    assert sources.person_position('Chủ tịch Ủy ban MTTQ Việt Nam xã', 'Ủy ban MTTQ Việt Nam xã Nhuận Phú Tân') == \
        'Chủ tịch Ủy ban MTTQ Việt Nam xã Nhuận Phú Tân'
    assert sources.person_position('Chuyên viên Phòng Bảo trợ xã hội, Phòng chống tệ nạn', 'Sở LĐTBXH') == \
        'Chuyên viên Phòng Bảo trợ xã hội, Phòng chống tệ nạn, Sở LĐTBXH'
    assert sources._negate('Hộ có kế hoạch sinh kế') == 'Hộ chưa có kế hoạch sinh kế'
    assert sources._negate('Đoàn đã xem Sổ nhật ký hộ gia đình') == 'Đoàn chưa xem Sổ nhật ký hộ gia đình'
    assert sources._negate('Hộ sử dụng vốn vay đúng mục đích') == 'Hộ không sử dụng vốn vay đúng mục đích'
    assert sources.short_name('Thành viên Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre') == \
        'Thành viên BCĐ các CTMTQG tỉnh Bến Tre'
    assert vnformat.date_short(date(2019, 7, 5)) == '05/7/2019'


def test_a_round_without_visits_has_only_its_plan_and_decision(demo_session):
    plan = builders.plan_at(demo_session, 'planning')
    assert [t.kind for t in sources.document_set(plan)] == ['plan', 'team_decision']
    doc = sources.build_view_model(demo_session, sources.Target('plan', plan), signer=SIGNER)
    assert doc.schedule == () and doc.meta.number == plan.number
    with pytest.raises(Conflict) as info:
        sources.build_view_model(demo_session, sources.Target('report', plan), signer=SIGNER)
    assert info.value.code == 'document.no_visits'
