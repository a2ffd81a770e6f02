"""The record part of a visit (participants, reports heard, records checked, discussion, opinion, end time) saved
on its own, as the record page does: the same schema as a whole submission, every change audited, a refusal names
its field and stores nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import Conflict, InvalidInput
from inspect_flow.findings.models import FindingSource
from inspect_flow.visits import operations as visit_ops
from inspect_flow.visits.schemas import parse_submission
from inspect_flow.workflow.states import VisitState
from tests.builders import ACTOR, SUBMISSION, plan_at

RECORD = {
    'participants': [
        {'side': 'district', 'full_name': 'Nguyễn Văn Bình', 'title': 'Phó Chủ tịch UBND huyện', 'agency': ''},
        {'side': 'commune', 'full_name': 'Lê Văn Hùng', 'title': 'Chủ tịch UBND xã', 'agency': 'UBND xã'},
        {'side': 'invited', 'full_name': 'Võ Thị Sáu', 'title': 'Trưởng ấp Phú Hữu', 'agency': ''},
    ],
    'content': {'district_report': 'Huyện có 1.412 hộ nghèo.', 'commune_report': 'Xã có 112 hộ nghèo.',
                'records_checked': ['Sổ nhật ký hộ gia đình', 'Sổ theo dõi cấp thẻ bảo hiểm y tế'],
                'discussion': ['Mặt trận xã đề nghị hỗ trợ con giống.'], 'local_opinion': '', 'ended_at': '11:40'},
}


def _entries(session, visit) -> list[AuditEntry]:  # noqa: ANN001
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == 'visit',
                                                            AuditEntry.entity_id == visit.id,
                                                            AuditEntry.action == 'update')
                                .order_by(AuditEntry.id)))


def test_save_record_stores_edits_in_place_audits_and_writes_nothing_when_unchanged(session):  # noqa: ANN001
    plan = plan_at(session, 'visiting', complete=False)
    visit = plan.visits[0]
    assert visit.state == VisitState.scheduled
    changes = visit_ops.save_record(session, visit, RECORD, actor=ACTOR)
    assert visit.state == VisitState.in_progress  # the first thing recorded opens the visit
    assert set(changes) == {'participants', 'district_report', 'commune_report', 'records_checked', 'discussion',
                            'ended_at'}  # an empty opinion is no change
    assert [p.full_name for p in visit.participants] == ['Nguyễn Văn Bình', 'Lê Văn Hùng', 'Võ Thị Sáu']
    assert visit.content['records_checked'] == RECORD['content']['records_checked']
    assert visit.content['ended_at'] == '11:40' and visit.content['local_opinion'] == ''
    entries = _entries(session, visit)
    assert entries and 'participants' in entries[-1].changes

    # The same record again: nothing changes, nothing is audited.
    count, version = len(_entries(session, visit)), visit.version_id
    assert visit_ops.save_record(session, visit, RECORD, actor=ACTOR) == {}
    session.flush()
    assert len(_entries(session, visit)) == count and visit.version_id == version

    # A correction keeps the row (same id); a removed person goes; the opinion is recorded.
    first = visit.participants[0].id
    edited = {'participants': [dict(RECORD['participants'][0], title='Chủ tịch UBND huyện'),
                               RECORD['participants'][1]],
              'content': dict(RECORD['content'], local_opinion='Thống nhất với nhận xét của Đoàn.')}
    changes = visit_ops.save_record(session, visit, edited, actor=ACTOR)
    assert set(changes) == {'participants', 'local_opinion'}
    assert [(p.id == first, p.title) for p in visit.participants][0] == (True, 'Chủ tịch UBND huyện')
    assert len(visit.participants) == 2
    assert session.scalar(sa.select(sa.func.count()).select_from(sa.text('visit_participants'))
                          .where(sa.text('visit_id = :v')).params(v=visit.id)) == 2
    # Saved as it is typed: the same person's saves in one sitting make one entry, first old value → last new one.
    entries = _entries(session, visit)
    assert len(entries) == count
    assert entries[-1].changes['local_opinion'] == ['', 'Thống nhất với nhận xét của Đoàn.']
    assert entries[-1].changes['participants'][0] == []  # from nobody, as before the first save
    assert entries[-1].changes['participants'][1][0].endswith('Chủ tịch UBND huyện')
    # Someone else's save is an entry of its own.
    visit_ops.save_record(session, visit, RECORD, actor='other')
    session.flush()
    entries = _entries(session, visit)
    assert len(entries) == count + 1 and entries[-1].actor == 'other'
    assert set(entries[-1].changes) == {'participants', 'local_opinion'}


@pytest.mark.parametrize(('bad', 'field', 'words'), [
    ({'participants': [{'side': 'commune', 'full_name': '  ', 'title': 'Chủ tịch'}]}, 'participants.0.full_name',
     'Người tham dự 1, họ và tên: phải nhập'),
    ({'participants': [{'side': 'province', 'full_name': 'A'}]}, 'participants.0.side', 'thành phần'),
    ({'content': {'ended_at': '25:10'}}, 'content.ended_at', 'Giờ kết thúc'),
    ({'content': {'ended_at': '07:00'}}, 'content.ended_at', 'phải sau giờ bắt đầu (07:30)'),
    ({'content': {'records_checked': 'Sổ nhật ký'}}, 'content.records_checked', 'Hồ sơ'),
    ({'content': {'mood': 'vui'}}, 'content.mood', 'mood'),
])
def test_a_bad_record_names_its_field_and_stores_nothing(session, bad, field, words):  # noqa: ANN001
    plan = plan_at(session, 'visiting', complete=False)
    visit = plan.visits[0]
    before = (visit.state, dict(visit.content or {}), len(visit.participants))
    with pytest.raises(InvalidInput) as caught:
        visit_ops.save_record(session, visit, bad, actor=ACTOR)
    assert caught.value.field == field
    assert words in caught.value.localized('vi')
    assert (visit.state, dict(visit.content or {}), len(visit.participants)) == before
    assert _entries(session, visit) == []


def test_the_cli_submission_and_the_record_page_share_one_schema_and_one_end_time_rule(session):  # noqa: ANN001
    plan = plan_at(session, 'visiting', complete=False)
    visit = plan.visits[0]
    # What the page refuses, a submitted file is refused for too (same schema, same rule on the end time).
    with pytest.raises(InvalidInput):
        parse_submission({'participants': [{'side': 'commune', 'full_name': ''}]})
    with pytest.raises(InvalidInput) as caught:
        visit_ops.submit_visit(session, visit, actor=ACTOR, data=dict(SUBMISSION, content={'ended_at': '06:00'}))
    assert caught.value.field == 'content.ended_at'


def test_findings_of_any_kind_are_added_with_their_source_while_the_record_is_editable(session):  # noqa: ANN001
    plan = plan_at(session, 'visiting', complete=False)
    visit = plan.visits[0]
    f = visit_ops.add_visit_finding(session, visit, kind='cause', category='Tổ chức, chỉ đạo',
                                    text='Cán bộ xã kiêm nhiệm.', source='report', actor=ACTOR)
    assert f.visit_id == visit.id and f.source == FindingSource.report and visit.state == VisitState.in_progress
    with pytest.raises(InvalidInput) as caught:
        visit_ops.add_visit_finding(session, visit, kind='gossip', category='A', text='B', actor=ACTOR)
    assert caught.value.field == 'kind'
    with pytest.raises(InvalidInput) as caught:
        visit_ops.add_visit_finding(session, visit, kind='limitation', category='Hồ sơ', text='  ', actor=ACTOR)
    assert caught.value.field == 'text'
    visit_ops.submit_visit(session, visit, actor=ACTOR)
    with pytest.raises(Conflict):
        visit_ops.save_record(session, visit, RECORD, actor=ACTOR)
    with pytest.raises(Conflict):
        visit_ops.add_visit_finding(session, visit, kind='limitation', category='A', text='B', actor=ACTOR)
