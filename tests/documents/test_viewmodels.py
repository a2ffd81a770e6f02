"""View models: plain, frozen data with the invariants a document needs."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest

from inspect_flow.documents.viewmodels import DocumentMeta, DocumentRef, IssuingBody, Recommendation, Signature

from . import samples

PLAIN_TYPES = (str, int, bool, date, datetime, time, type(None))


def _walk(value):
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _walk(item)
    else:
        yield value


@pytest.mark.parametrize('kind', list(samples.BUILDERS))
def test_it_holds_only_plain_values_and_tuples(kind):
    vm = samples.BUILDERS[kind]()
    assert dataclasses.is_dataclass(vm)
    for leaf in _walk(vm):
        assert isinstance(leaf, PLAIN_TYPES), type(leaf)
    with pytest.raises(dataclasses.FrozenInstanceError):
        vm.meta = None  # type: ignore[misc]


def test_it_stores_lists_as_tuples():
    body = IssuingBody(name='Ban', abbreviation='BCĐ', place_name='Bến Tre', header_lines=['Ban', 'chỉ đạo'])
    assert body.header_lines == ('Ban', 'chỉ đạo')
    assert body.printed_lines == ('BAN', 'CHỈ ĐẠO')


def test_it_ends_the_recipients_with_the_archive_line():
    meta = DocumentMeta(issuer=samples.issuer(), subject='S',
                        recipients=['UBND huyện Mỏ Cày Bắc;', '- Thành viên Đoàn'],
                        archive=['VT', 'BTXH'])
    assert meta.recipient_lines == ('- UBND huyện Mỏ Cày Bắc;', '- Thành viên Đoàn;', '- Lưu: VT, BTXH.')
    assert meta.is_draft


def test_it_builds_signature_lines_with_the_authority_prefix():
    assert samples.deputy_head().lines == ('KT. TRƯỞNG BAN', 'PHÓ TRƯỞNG BAN')
    assert Signature(title='Trưởng đoàn', name='A').lines == ('TRƯỞNG ĐOÀN',)
    with pytest.raises(ValueError):
        Signature(prefix='XX.', on_behalf_of='Trưởng ban', title='Phó Trưởng ban', name='A')
    with pytest.raises(ValueError):
        Signature(title='Trưởng ban', name=' ')
    unsigned = Signature(prefix='KT.', on_behalf_of='Trưởng ban', title='Phó Trưởng ban', name=None)
    assert unsigned.lines == ('KT. TRƯỞNG BAN', 'PHÓ TRƯỞNG BAN')  # a draft: who signs is not known yet


def test_a_draft_cites_an_unnumbered_plan_with_blanks():
    ref = DocumentRef(type_code='KH', number=None, issuer_abbreviation='BCĐCCTMTQG', issued_on=None,
                      issuer_name='Ban Chỉ đạo')
    assert ref.citation.startswith('Kế hoạch số \u00a0') and '/KH-BCĐCCTMTQG ngày \u00a0' in ref.citation


def test_it_cites_another_document():
    assert samples.plan_ref().citation == (
        'Kế hoạch số 1245/KH-BCĐCCTMTQG ngày 28/5/2019 của Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre'
    )
    with pytest.raises(ValueError):
        DocumentRef(type_code='ZZ', number=1, issuer_abbreviation='A', issued_on=date(2019, 1, 1), issuer_name='A')


def test_it_labels_recommendation_deadlines():
    assert Recommendation(text='t', addressee='a', deadline=date(2019, 9, 30)).deadline_label == 'trước ngày 30/9/2019'
    assert Recommendation(text='t', addressee='a', deadline_text='thường xuyên').deadline_label == 'thường xuyên'
    with pytest.raises(ValueError):
        Recommendation(text='t', addressee='')


def test_it_refuses_impossible_data():
    with pytest.raises(ValueError):
        samples.plan(fieldwork_end=date(2019, 7, 1))
    with pytest.raises(ValueError):
        samples.minutes(ended_at=datetime(2019, 7, 9, 7, 0))
    with pytest.raises(ValueError):
        DocumentMeta(issuer=samples.issuer(), subject='S', number=0)
    with pytest.raises(ValueError):
        DocumentMeta(issuer=samples.issuer(), subject='  ')


def test_it_builds_the_full_round_of_thirty_one_documents():
    docs = samples.full_round()
    assert len(docs) == 31
    assert [k for k, _ in docs].count('minutes') == 9
