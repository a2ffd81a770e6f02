"""The history speaks human (inspect_flow/audit/labels.py): each stored value and its label, table-driven."""

from __future__ import annotations

from datetime import datetime

import pytest

from inspect_flow.accounts.operations import create_user, use_fast_hashing
from inspect_flow.audit.labels import Describer, describe, signer_text, when_text
from inspect_flow.audit.models import AuditEntry
from tests import builders

use_fast_hashing()

#: (field, stored value, entity type, label in Vietnamese, label in English); ``{team1}`` etc. are filled in.
VALUES = [
    ('completed', True, 'recommendation', 'đã hoàn thành', 'completed'),
    ('completed', False, 'recommendation', 'chưa', 'not yet'),
    ('completed', None, 'recommendation', '∅', '∅'),
    ('district', '838', 'conclusion', 'Huyện Mỏ Cày Bắc', 'Huyện Mỏ Cày Bắc'),
    ('commune', '28936', 'visit', 'Xã Nhuận Phú Tân', 'Xã Nhuận Phú Tân'),
    ('targets', ['833', '838'], 'plan', 'Huyện Mỏ Cày Nam, Huyện Mỏ Cày Bắc', 'Huyện Mỏ Cày Nam, Huyện Mỏ Cày Bắc'),
    ('team', 5, 'visit', 'Đoàn 5', 'Team 5'),
    ('team_id', '{team1}', 'visit', 'Đoàn 1', 'Team 1'),
    ('deadline', '2019-12-31', 'recommendation', '31/12/2019', '31/12/2019'),
    ('starts_at', '2019-07-12T07:30:00', 'visit', '12/07/2019 07:30', '12/07/2019 07:30'),
    ('signer', {'name': 'Nguyễn Văn Hiếu', 'title': 'Phó Trưởng ban', 'prefix': 'KT.', 'on_behalf_of': 'Trưởng ban'},
     'issueddocument', 'Phó Trưởng ban — Nguyễn Văn Hiếu (KT. Trưởng ban)',
     'Phó Trưởng ban — Nguyễn Văn Hiếu (KT. Trưởng ban)'),
    ('signer', {'name': 'Võ Văn A', 'title': 'Trưởng ban', 'prefix': None, 'on_behalf_of': None}, 'issueddocument',
     'Trưởng ban — Võ Văn A', 'Trưởng ban — Võ Văn A'),
    ('kind', 'limitation', 'finding', 'Hạn chế, tồn tại', 'Limitation'),
    ('kind', 'conclusion', 'issueddocument', 'Thông báo kết luận', 'Conclusion notice'),
    ('status', 'accepted', 'finding', 'đã chấp nhận', 'accepted'),
    ('severity', 'high', 'finding', 'cao', 'high'),
    ('role', 'leader', 'team', 'Trưởng đoàn', 'Team leader'),
    ('sha256', 'db08bb32ec4d8be4724a1fbb391f85aa', 'issueddocument', 'db08bb32ec4d…', 'db08bb32ec4d…'),
    ('draw_result', {'838': ['28936']}, 'plan', 'Huyện Mỏ Cày Bắc: Xã Nhuận Phú Tân',
     'Huyện Mỏ Cày Bắc: Xã Nhuận Phú Tân'),
    ('subject', 'Kiểm tra 2019-07-05T08:00 (không phải ngày)', 'plan', 'Kiểm tra 2019-07-05T08:00 (không phải ngày)',
     'Kiểm tra 2019-07-05T08:00 (không phải ngày)'),
]


@pytest.fixture
def plan(session):  # noqa: ANN001, ANN201
    return builders.new_plan(session)


def test_each_value_reads_as_people_say_it(session, plan):  # noqa: ANN001
    vi, en = Describer(session, plan, 'vi'), Describer(session, plan, 'en')
    wrong = []
    for name, value, entity, want_vi, want_en in VALUES:
        if value == '{team1}':
            value = plan.teams[0].id
        got = (vi.value(name, value, entity), en.value(name, value, entity))
        if got != (want_vi, want_en):
            wrong.append((name, value, got))
    assert wrong == []


#: (stored actor, what the history shows)
ACTORS = [
    ('web:{user}', 'Đặng Thu Thảo'),
    ('api:{user}', 'Đặng Thu Thảo (API)'),
    ('collect:{user}', 'Đặng Thu Thảo (ODK Collect)'),
    ('cli:root', 'root (dòng lệnh)'),
    ('demo', 'Dữ liệu mẫu'),
    ('web:nobody-here', 'nobody-here'),
]


def test_the_actor_is_the_persons_name(session, plan):  # noqa: ANN001
    user = create_user(session, username=f'thao{plan.number}', password='mot-mat-khau-dai', role='secretariat',
                       full_name='Đặng Thu Thảo')
    describer = Describer(session, plan)
    assert [describer.actor(stored.format(user=user.username)) for stored, _ in ACTORS] == [s for _, s in ACTORS]


def test_a_row_names_the_object_and_shows_local_time(session, plan):  # noqa: ANN001
    team = plan.teams[0]
    entry = AuditEntry(actor='cli:root', plan_id=plan.id, entity_type='team', entity_id=team.id, action='create',
                       changes={'member': [None, 'Nguyễn Văn A'], 'role': [None, 'leader']},
                       created_dt=datetime(2019, 7, 11, 17, 30))  # UTC: 00:30 the next day in Vietnam
    transition = AuditEntry(actor='demo', plan_id=plan.id, entity_type='plan', entity_id=plan.id,
                            action='transition', from_state='planning', to_state='scheduling',
                            created_dt=datetime(2019, 7, 1, 1, 0))
    row, moved = describe(session, [entry, transition], plan=plan)
    assert row.when == '12/07/2019 00:30' and row.who == 'root (dòng lệnh)' and row.what == 'Đoàn: 1'
    assert row.action == 'tạo' and [(c.label, c.old, c.new) for c in row.changes] == [
        ('Thành viên', '∅', 'Nguyễn Văn A'), ('Vai trò', '∅', 'Trưởng đoàn')]
    assert row.details == ['Thành viên: Nguyễn Văn A', 'Vai trò: Trưởng đoàn']  # created: no "∅ →"
    edit = AuditEntry(actor='demo', plan_id=plan.id, entity_type='recommendation', entity_id=1, action='update',
                      changes={'deadline': ['2019-10-31', '2019-11-30'], 'content': [None, {'a': 1}]},
                      created_dt=datetime(2019, 8, 1))
    assert describe(session, [edit], plan=plan)[0].details == ['Thời hạn: 31/10/2019 → 30/11/2019',
                                                               'Nội dung biên bản']
    assert moved.what == f'Kế hoạch: {plan.reference}' and moved.transition == ('Lập kế hoạch', 'Xếp lịch')
    assert when_text(datetime(2019, 12, 31, 20, 0)) == '01/01/2020 03:00'
    assert signer_text({'name': '', 'title': ''}) == '∅'
