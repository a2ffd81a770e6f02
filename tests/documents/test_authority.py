"""Issuing checks NĐ 30's rules of signing authority and the date of issue, on the demo round (SQLite and
PostgreSQL): every refusal names its field, in Vietnamese and English, and takes no number."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_flow.core.errors import InvalidInput
from inspect_flow.documents import operations as ops
from inspect_flow.documents import sources
from inspect_flow.documents.numbering import last_number

NAME = 'Nguyễn Văn Minh'

#: (prefix, signs for, title) → None when NĐ 30 allows it, else (error code, field)
AUTHORITY = [
    ('TM.', 'Ban Chỉ đạo', 'Trưởng ban', None),
    ('TM.', 'Ủy ban nhân dân tỉnh', 'Chủ tịch', None),
    ('TM.', 'UBND huyện', 'Chủ tịch', None),
    ('TM.', 'Đoàn kiểm tra', 'Trưởng đoàn', None),
    ('TM.', 'Trưởng ban', 'Trưởng ban', ('document.tm_needs_body', 'signer_for')),  # the issue's case
    ('TM.', 'Chủ tịch', 'Chủ tịch', ('document.tm_needs_body', 'signer_for')),
    ('TM.', 'Ban Chỉ đạo', 'Phó Trưởng ban', ('document.tm_signed_by_deputy', 'signer_title')),
    ('KT.', 'Trưởng ban', 'Phó Trưởng ban', None),
    ('KT.', 'Giám đốc', 'Phó Giám đốc', None),
    ('KT.', 'Trưởng ban', 'Trưởng ban', ('document.kt_needs_deputy', 'signer_title')),
    ('KT.', 'Trưởng ban', 'Chánh Văn phòng', ('document.kt_needs_deputy', 'signer_title')),
    ('KT.', 'Ban Chỉ đạo', 'Phó Trưởng ban', ('document.body_needs_tm', 'signer_for')),
    ('KT.', 'Phó Trưởng ban', 'Phó Trưởng ban', ('document.signs_for_deputy', 'signer_for')),
    ('Q.', 'Trưởng ban', 'Phó Trưởng ban', None),
    ('Q.', 'Ban Chỉ đạo', 'Phó Trưởng ban', ('document.body_needs_tm', 'signer_for')),
    ('TL.', 'Trưởng ban', 'Chánh Văn phòng', None),
    ('TL.', 'Trưởng ban', 'Phó Trưởng ban', ('document.delegate_title', 'signer_title')),
    ('TL.', 'Trưởng ban', 'Trưởng ban', ('document.delegate_title', 'signer_title')),
    ('TUQ.', 'Giám đốc', 'Trưởng phòng Bảo trợ xã hội', None),
    ('TUQ.', 'Ban Chỉ đạo', 'Trưởng phòng', ('document.body_needs_tm', 'signer_for')),
    ('TUQ.', '', 'Trưởng phòng', ('document.authority_without_head', 'signer_for')),
    (None, None, 'Trưởng ban', None),
    (None, None, 'Phó Trưởng ban', ('document.deputy_needs_kt', 'authority')),
]


@pytest.mark.parametrize(('prefix', 'signs_for', 'title', 'refused'), AUTHORITY)
def test_the_rules_of_signing_authority(prefix, signs_for, title, refused):  # noqa: ANN001
    signer = sources.SignerIn(name=NAME, prefix=prefix, on_behalf_of=signs_for, title=title)
    if refused is None:
        signer.check_authority()
        return
    with pytest.raises(InvalidInput) as info:
        signer.check_authority()
    assert (info.value.code, info.value.field) == refused
    assert info.value.message_vi != info.value.message_en and 'Traceback' not in str(info.value)


def _numbers(session, plan) -> dict:  # noqa: ANN001
    return {k: last_number(session, plan.issuer, 2019, k) for k in ('KH', 'QĐ', 'TB', 'BB', 'BC')}


def _refusal(session, plan, kind, **kwargs):  # noqa: ANN001, ANN003, ANN202
    kwargs.setdefault('signer', sources.SignerIn(name=NAME))
    before = _numbers(session, plan)
    with pytest.raises(InvalidInput) as info:
        ops.issue_document(session, plan, kind, actor='van-thu', **kwargs)
    assert _numbers(session, plan) == before
    return info.value


@pytest.mark.parametrize(('prefix', 'signs_for', 'title', 'code', 'field'), [
    ('TM.', 'Trưởng ban', 'Trưởng ban', 'document.tm_needs_body', 'signer_for'),
    ('KT.', 'Trưởng ban', 'Trưởng ban', 'document.kt_needs_deputy', 'signer_title'),
    ('TL.', 'Trưởng ban', 'Phó Trưởng ban', 'document.delegate_title', 'signer_title'),
])
def test_issuing_refuses_a_signature_against_the_rules(demo_session, demo_plan, prefix, signs_for, title, code,  # noqa: ANN001
                                                        field):
    signer = sources.SignerIn(name=NAME, prefix=prefix, on_behalf_of=signs_for, title=title)
    exc = _refusal(demo_session, demo_plan, 'conclusion', district='838', issue_date=date(2019, 7, 15), signer=signer)
    assert (exc.code, exc.field) == (code, field)


def _last_deadline(session, plan, district: str) -> date:  # noqa: ANN001
    target = sources.resolve_target(session, plan, 'conclusion', district=district)
    return max(d for _k, d in sources.document_deadlines(session, target))


@pytest.mark.parametrize(('kind', 'target', 'day', 'code'), [
    ('team_decision', {}, date(2019, 5, 20), 'document.date_before_plan'),
    ('team_decision', {}, date(2019, 7, 6), 'document.date_after_fieldwork'),
    ('conclusion', {'district': '833'}, date(2019, 5, 1), 'document.date_before_plan'),
    ('conclusion', {'district': '838'}, 'after_deadlines', 'document.date_after_deadline'),
    ('minutes', {'visit': 'npt'}, 'after_deadlines', 'document.date_after_deadline'),
])
def test_issuing_checks_the_date_against_the_plan_and_the_deadlines(demo_session, demo_plan, kind, target, day,  # noqa: ANN001
                                                                     code):
    if target.get('visit') == 'npt':
        target = {'visit': next(v.id for v in demo_plan.visits if v.commune.code == '28936')}
    if day == 'after_deadlines':  # every deadline the document sets has passed
        day = date.fromordinal(_last_deadline(demo_session, demo_plan, '838').toordinal() + 1)
    exc = _refusal(demo_session, demo_plan, kind, issue_date=day, **target)
    assert (exc.code, exc.field) == (code, 'date')
    if code == 'document.date_after_deadline':
        assert 'kiến nghị 1' in exc.message_vi and 'recommendation 1' in exc.message_en


def test_a_plan_is_issued_before_its_fieldwork(demo_session, demo_plan):  # noqa: ANN001
    demo_plan.number, demo_plan.issue_date = None, None  # as if the plan were still a draft
    exc = _refusal(demo_session, demo_plan, 'plan', issue_date=date(2019, 7, 8))
    assert (exc.code, exc.field) == ('document.date_after_fieldwork', 'date')
    assert '05/7/2019' in exc.message_vi


def test_a_notice_signed_on_behalf_of_the_committee_is_issued(demo_session, demo_plan):  # noqa: ANN001
    signer = sources.SignerIn(name=NAME, prefix='TM.', on_behalf_of='Ban Chỉ đạo', title='Trưởng ban')
    doc = ops.issue_document(demo_session, demo_plan, 'conclusion', district='838', issue_date=date(2019, 7, 15),
                             signer=signer, actor='van-thu')
    from .test_lifecycle import _text

    text = _text(doc.pdf)
    assert 'TM. BAN CHỈ ĐẠO' in text and 'KT. TRƯỞNG BAN' not in text and 'PHÓ TRƯỞNG BAN' not in text
