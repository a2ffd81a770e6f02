"""Finding units, issuing bodies and people by name (inspect_flow/units/search.py), on both databases."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.errors import InvalidInput
from inspect_flow.units import operations as unit_ops
from inspect_flow.units import search
from inspect_flow.units.models import UnitLevel

D2019 = date(2019, 7, 5)
D2026 = date(2026, 3, 2)


NFD = unicodedata.normalize('NFD', 'Nhuận Phú Tân')


@pytest.mark.parametrize(('q', 'day', 'first'), [
    ('nhuan phu tan', D2019, 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre'),
    ('NHUẬN PHÚ TÂN', D2019, 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre'),
    (NFD, D2019, 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre'),
    ('  Nhuận   phú tân ', D2019, 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre'),
    ('phu tan nhuan', D2019, 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre'),  # words in another order
    ('nhuan phu tan', D2026, 'Xã Nhuận Phú Tân — Tỉnh Vĩnh Long'),  # the 2025 commune, its province as parent
    ('mo cay', D2019, 'Huyện Mỏ Cày Bắc — Tỉnh Bến Tre'),  # districts before communes
    ('ĐỊNH THỦY', D2019, 'Xã Định Thủy — Huyện Mỏ Cày Nam, Tỉnh Bến Tre'),  # đ/Đ
    ('dinh thuy', D2019, 'Xã Định Thủy — Huyện Mỏ Cày Nam, Tỉnh Bến Tre'),
    ('ben tre', D2019, 'Tỉnh Bến Tre'),
    ('28936', D2019, 'Xã Nhuận Phú Tân — Huyện Mỏ Cày Bắc, Tỉnh Bến Tre'),  # a code still finds its unit
])
def test_units_are_found_by_name_ignoring_case_marks_and_form(session, q, day, first):  # noqa: ANN001
    found = search.search_units(session, q, day)
    assert found, q
    assert found[0].label == first


def test_a_2019_commune_is_not_offered_for_a_2026_plan_nor_a_2025_one_for_2019(session):  # noqa: ANN001
    in_2026 = search.search_units(session, 'nhuan phu tan', D2026)
    assert [(m.code, m.label) for m in in_2026] == [('28948', 'Xã Nhuận Phú Tân — Tỉnh Vĩnh Long')]
    in_2019 = search.search_units(session, 'nhuan phu tan', D2019)
    assert [m.code for m in in_2019] == ['28936']
    # Phường 1, 3, 2 became Phường An Hội (code 28777) on 01/02/2020; Phường 1 is found in 2019 only
    assert [m.label for m in search.search_units(session, 'phuong 1', date(2019, 12, 31), level='commune')][:1] == [
        'Phường 1 — Thành phố Bến Tre, Tỉnh Bến Tre']
    assert 'Phường 1 — Thành phố Bến Tre, Tỉnh Bến Tre' not in [
        m.label for m in search.search_units(session, 'phuong 1', date(2020, 2, 1))]


def test_word_prefix_before_substring_then_level_and_name(session):  # noqa: ANN001
    found = search.search_units(session, 'an', D2019, limit=50)
    labels = [m.label for m in found]
    ranks = [search._rank(search.search_key(m.name), 'an') for m in found]
    assert ranks == sorted(ranks), labels  # "An Thạnh", "Phước An"… before "Thạnh Phú Đông"… ("…thanh…")
    assert ranks[0] == 0 and 1 in ranks
    # within a rank, districts before communes, then by name
    zeros = [m for m, r in zip(found, ranks, strict=True) if r == 0]
    keys = [(0 if m.level == 'district' else 1, search.search_key(m.name)) for m in zeros]
    assert keys == sorted(keys)


@pytest.mark.parametrize(('kwargs', 'expected'), [
    ({'level': 'district'}, {'district'}),
    ({'level': UnitLevel.commune}, {'commune'}),
    ({'level': 'province'}, {'province'}),
])
def test_level_filter(session, kwargs, expected):  # noqa: ANN001
    found = search.search_units(session, 'ben tre', D2019, **kwargs) + search.search_units(
        session, 'mo cay', D2019, **kwargs) + search.search_units(session, 'an', D2019, **kwargs)
    assert found and {m.level for m in found} == expected


def test_province_filter_and_limit(session):  # noqa: ANN001
    in_86 = search.search_units(session, 'xa', D2026, province='86')
    assert in_86 and all(m.label.endswith('Tỉnh Vĩnh Long') or m.label == 'Tỉnh Vĩnh Long' for m in in_86)
    in_83 = search.search_units(session, 'xa', D2019, province='83', limit=5)
    assert len(in_83) == 5 and all(m.label.endswith('Tỉnh Bến Tre') for m in in_83)
    assert len(search.search_units(session, 'xa', D2019)) == search.DEFAULT_LIMIT
    assert search.search_units(session, '', D2019) == [] and search.search_units(session, '   ', D2019) == []
    assert search.search_units(session, 'zzzz khong co', D2019) == []
    assert search.search_units(session, '100%_', D2019) == []  # LIKE wildcards are plain text


@pytest.mark.parametrize(('call', 'field'), [
    (lambda s: search.search_units(s, 'x', D2019, level='huyen'), 'level'),
    (lambda s: search.search_units(s, 'x', D2019, province='99'), 'province'),
    (lambda s: search.search_units(s, 'x', D2026, province='83'), 'province'),  # Bến Tre ended in 2025
    (lambda s: search.search_units(s, 'x', D2019, province='838'), 'province'),  # a district, not a province
    (lambda s: search.search_units(s, 'x' * 101, D2019), 'q'),
    (lambda s: search.search_units(s, 'x', D2019, limit=0), 'limit'),
    (lambda s: search.search_bodies(s, 'x', limit=51), 'limit'),
    (lambda s: search.search_people(s, 'y' * 200), 'q'),
])
def test_bad_parameters_name_their_field(session, call, field):  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        call(session)
    assert exc.value.field == field
    assert exc.value.message_vi and exc.value.message_en


def test_people_and_bodies(session):  # noqa: ANN001
    province = unit_ops.get_unit(session, '83', D2019)
    for name in ('Đặng Thị Tuyết Mai', 'Nguyễn Văn Đông', 'Lê Văn Hùng'):
        unit_ops.add_person(session, full_name=name, title='Chuyên viên', agency='Sở LĐTBXH', unit=province)
    unit_ops.add_issuing_body(session, name='Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
                              abbreviation='BCĐCCTMTQG', place_name='Bến Tre', slug='t-bcd')
    unit_ops.add_issuing_body(session, name='Sở Lao động - Thương binh và Xã hội tỉnh Bến Tre',
                              abbreviation='SLĐTBXH', place_name='Bến Tre', slug='t-so')
    assert [m.label for m in search.search_people(session, 'DANG THI')] == [
        'Đặng Thị Tuyết Mai — Chuyên viên, Sở LĐTBXH']
    assert [m.name for m in search.search_people(session, 'đông')] == ['Nguyễn Văn Đông']
    assert [m.name for m in search.search_people(session, unicodedata.normalize('NFD', 'Hùng'))] == ['Lê Văn Hùng']
    bodies = search.search_bodies(session, 'ban chi dao')
    assert [b.code for b in bodies] == ['t-bcd']
    assert bodies[0].label == 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre (BCĐCCTMTQG)'
    assert [b.code for b in search.search_bodies(session, 'slđtbxh')] == ['t-so']  # by abbreviation
    assert [b.code for b in search.search_bodies(session, 'ben tre')] == ['t-bcd', 't-so']  # by name
    assert len(search.search_people(session, 'van', limit=1)) == 1


# --- creating an issuing body -------------------------------------------------------------------------

GOOD = {'name': 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Vĩnh Long', 'abbreviation': 'bcđcctmtqg',
        'place_name': 'Vĩnh Long', 'parent_header': 'UBND TỈNH VĨNH LONG'}


@pytest.mark.parametrize(('changes', 'field', 'code'), [
    ({'name': '  '}, 'name', 'issuer.name_required'),
    ({'abbreviation': ''}, 'abbreviation', 'issuer.abbreviation_required'),
    ({'place_name': ''}, 'place_name', 'issuer.place_name_required'),
    ({'name': 'A' * 251}, 'name', 'issuer.name_too_long'),
    ({'abbreviation': 'A' * 41}, 'abbreviation', 'issuer.abbreviation_too_long'),
    ({'abbreviation': 'BCĐ/CT'}, 'abbreviation', 'issuer.bad_abbreviation'),
    ({'place_name': 'V' * 81}, 'place_name', 'issuer.place_name_too_long'),
    ({'parent_header': 'U' * 121}, 'parent_header', 'issuer.parent_header_too_long'),
    ({'header_lines': ['A', 'B', 'C', 'D', 'E']}, 'header_lines', 'issuer.too_many_header_lines'),
    ({'header_lines': ['X' * 121]}, 'header_lines', 'issuer.header_lines_too_long'),
    ({'slug': 'Có Dấu'}, 'slug', 'issuer.bad_slug'),
    ({'slug': 'a' * 61}, 'slug', 'issuer.slug_too_long'),
    ({'slug': 'test-bcd'}, 'slug', 'issuer.duplicate_slug'),
])
def test_a_bad_issuing_body_is_refused_naming_the_field(session, changes, field, code):  # noqa: ANN001
    from tests.builders import issuer

    issuer(session)  # slug test-bcd
    before = session.query(AuditEntry).count()
    with pytest.raises(InvalidInput) as exc:
        unit_ops.add_issuing_body(session, **{**GOOD, **changes}, actor='thao.vpt', reuse=False)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert exc.value.message_vi != exc.value.message_en
    assert session.query(AuditEntry).count() == before


def test_an_issuing_body_gets_a_unique_slug_from_its_name_and_is_audited(session):  # noqa: ANN001
    nfd = {**GOOD, 'name': unicodedata.normalize('NFD', GOOD['name'])}
    first = unit_ops.add_issuing_body(session, **nfd, header_lines=['  BAN CHỈ ĐẠO ', ''], actor='thao.vpt',
                                      reuse=False)
    second = unit_ops.add_issuing_body(session, **GOOD, actor='thao.vpt', reuse=False)
    assert first.slug == 'ban-chi-dao-cac-chuong-trinh-muc-tieu-quoc-gia-tinh-vinh'  # cut between words, <= 60
    assert second.slug == first.slug + '-2'
    assert first.name == GOOD['name'] and unicodedata.is_normalized('NFC', first.name)
    assert first.abbreviation == 'BCĐCCTMTQG' and first.header_lines == ['BAN CHỈ ĐẠO']
    assert second.header_lines == [GOOD['name'].upper()]
    entry = session.query(AuditEntry).filter_by(entity_type='issuingbody', entity_id=first.id).one()
    assert entry.action == 'create' and entry.actor == 'thao.vpt'
    assert entry.changes['abbreviation'] == [None, 'BCĐCCTMTQG'] and entry.changes['slug'][1] == first.slug
