"""Administrative units: the 2019 snapshot, effective dating, codes reused after the 2020 mergers."""

from __future__ import annotations

from datetime import date

import pytest

from inspect_flow.core.errors import InvalidInput
from inspect_flow.units.models import UnitLevel
from inspect_flow.units.operations import get_unit, load_ben_tre_2019, snapshot_rows, split_name, units_on


def test_the_shipped_snapshot_has_164_communes_in_9_districts():
    rows = snapshot_rows()
    assert len(rows) == 164
    assert len({r['ma_huyen'] for r in rows}) == 9
    assert {r['loai'] for r in rows} == {'xa', 'phuong', 'thi-tran'}
    assert [r['ten_xa'] for r in rows if r['ma_xa'] == '28936'] == ['Xã Nhuận Phú Tân']


def test_2019_has_164_communes_and_2020_has_157(session):  # noqa: ANN001
    assert len(units_on(session, date(2019, 7, 5), UnitLevel.commune)) == 164
    assert len(units_on(session, date(2020, 3, 1), UnitLevel.commune)) == 157
    assert len(units_on(session, date(2019, 7, 5), UnitLevel.district)) == 9
    assert units_on(session, date(2025, 8, 1), UnitLevel.district) == []


def test_a_code_means_the_unit_of_its_day(session):  # noqa: ANN001
    assert get_unit(session, '28945', date(2019, 7, 5)).full_name == 'Xã Bình Khánh Đông'
    assert get_unit(session, '28945', date(2020, 6, 1)).full_name == 'Xã Bình Khánh'
    assert get_unit(session, '28777', date(2020, 6, 1)).full_name == 'Phường An Hội'
    with pytest.raises(InvalidInput) as exc:
        get_unit(session, '28771', date(2021, 1, 1))
    assert exc.value.message == 'Không có đơn vị hành chính mã "28771" vào ngày 01/01/2021.'


def test_a_commune_knows_its_district(session):  # noqa: ANN001
    npt = get_unit(session, '28936', date(2019, 7, 12))
    assert npt.name == 'Nhuận Phú Tân' and npt.kind == 'xa' and npt.level == UnitLevel.commune
    assert npt.district.full_name == 'Huyện Mỏ Cày Bắc' and npt.district.code == '838'
    assert get_unit(session, '28759', date(2019, 7, 12)).name == 'Phường 8'  # named by a number: keep the type


def test_loading_twice_adds_nothing(session):  # noqa: ANN001
    assert load_ben_tre_2019(session) == {'province': 0, 'district': 0, 'commune': 0, 'merged_2020': 0}


@pytest.mark.parametrize(('full', 'name', 'kind'), [
    ('Xã Qưới Sơn', 'Qưới Sơn', 'xa'), ('Thị trấn Mỏ Cày', 'Mỏ Cày', 'thi-tran'),
    ('Thành phố Bến Tre', 'Bến Tre', 'thanh-pho'), ('Phường 7', 'Phường 7', 'phuong'),
    ('Huyện Mỏ Cày Bắc', 'Mỏ Cày Bắc', 'huyen'),
])
def test_it_splits_names_keeping_gso_spellings(full, name, kind):  # noqa: ANN001
    assert split_name(full) == (name, kind)
