"""The country's units from the vietnamadminunits package: the 2025 reform, its successions, idempotent reloads
that never change what a plan points at, and the whole country on both databases."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from inspect_flow.core import clock
from inspect_flow.core.errors import InvalidInput
from inspect_flow.units.catalog import read_catalog
from inspect_flow.units.loading import LEGACY_KNOWN_FROM, load_units
from inspect_flow.units.models import TWO_TIER_FROM, AdminUnit, UnitLevel, UnitSuccession
from inspect_flow.units.operations import (
    current_successor,
    former_district,
    former_districts,
    get_unit,
    successions_from,
    successions_into,
    units_on,
)
from tests import builders

NEW_YEAR_2026 = date(2026, 1, 1)
EVE = date(2025, 6, 30)


def _in_province(units: list[AdminUnit], code: str) -> list[AdminUnit]:
    def top(u: AdminUnit) -> AdminUnit:
        while u.parent is not None:
            u = u.parent
        return u
    return [u for u in units if top(u).code == code]


def test_the_package_lists_34_provinces_and_3321_communes_with_every_old_commune_taken_over():
    catalog = read_catalog()
    current = Counter((u.level, u.kind) for u in catalog.current)
    assert sum(n for (level, _), n in current.items() if level == 'province') == 34
    assert {k: n for (level, k), n in current.items() if level == 'commune'} == {
        'xa': 2621, 'phuong': 687, 'dac-khu': 13}
    legacy = Counter(u.level for u in catalog.legacy)
    assert legacy == {'province': 63, 'district': 696, 'commune': 10035}
    defaults = Counter(s.old_code for s in catalog.successions if s.level == 'commune' and s.is_default)
    assert set(defaults) == {u.code for u in catalog.legacy if u.level == 'commune'}
    assert set(defaults.values()) == {1}  # exactly one default successor per old commune


def test_vinh_long_2025_is_124_communes_directly_under_the_province(session):  # noqa: ANN001
    province = get_unit(session, '86', NEW_YEAR_2026)
    assert province.full_name == 'Tỉnh Vĩnh Long' and province.valid_from == TWO_TIER_FROM
    communes = [u for u in units_on(session, NEW_YEAR_2026, UnitLevel.commune) if u.parent_id == province.id]
    assert len(communes) == 124
    assert units_on(session, NEW_YEAR_2026, UnitLevel.district) == []
    # Bến Tre (83) and Trà Vinh (84) end with the reform; Vĩnh Long's code 86 means the new province after it.
    assert get_unit(session, '83', EVE).full_name == 'Tỉnh Bến Tre'
    with pytest.raises(InvalidInput):
        get_unit(session, '83', NEW_YEAR_2026)
    assert get_unit(session, '86', EVE).valid_to == TWO_TIER_FROM


def test_2019_nhuan_phu_tan_is_now_part_of_the_new_nhuan_phu_tan(session):  # noqa: ANN001
    old = get_unit(session, '28936', date(2019, 7, 12))
    assert old.district.full_name == 'Huyện Mỏ Cày Bắc'
    new = current_successor(session, old, NEW_YEAR_2026)
    assert (new.code, new.full_name, new.parent.full_name) == ('28948', 'Xã Nhuận Phú Tân', 'Tỉnh Vĩnh Long')
    assert [(s.successor.code, s.effective, s.is_default) for s in successions_from(session, old)] == [
        ('28948', TWO_TIER_FROM, True)]
    formed_from = {s.predecessor.code: s.predecessor.full_name for s in successions_into(session, new)}
    # The new commune took its code from one predecessor (Khánh Thạnh Tân) and its name from another.
    assert formed_from == {'28927': 'Xã Tân Thanh Tây', '28936': 'Xã Nhuận Phú Tân',
                           '28948': 'Xã Khánh Thạnh Tân'}
    assert [d.full_name for d in former_districts(session, new)] == ['Huyện Mỏ Cày Bắc']
    assert former_district(session, new).code == '838'
    assert current_successor(session, old, date(2019, 7, 12)) is None  # valid then: no successor needed


def test_the_2020_mergers_stay_true_and_lead_on_to_2025(session):  # noqa: ANN001
    assert get_unit(session, '28945', date(2019, 7, 5)).full_name == 'Xã Bình Khánh Đông'
    assert get_unit(session, '28945', date(2020, 6, 1)).full_name == 'Xã Bình Khánh'
    phuong_1 = get_unit(session, '28771', date(2019, 7, 5))
    an_hoi_2020 = current_successor(session, phuong_1, date(2021, 1, 1))
    assert (an_hoi_2020.full_name, an_hoi_2020.valid_from) == ('Phường An Hội', date(2020, 2, 1))
    an_hoi_2025 = current_successor(session, phuong_1, NEW_YEAR_2026)
    assert an_hoi_2025.valid_from == TWO_TIER_FROM and an_hoi_2025.parent.code == '86'


def test_2019_names_are_kept_and_later_names_follow_them(session):  # noqa: ANN001
    # The GSO wrote "Qưới Sơn" in 2019; the package writes "Quới Sơn" before the reform. Both stay true on their day.
    assert get_unit(session, '28807', date(2019, 7, 5)).full_name == 'Xã Qưới Sơn'
    assert get_unit(session, '28807', EVE).full_name == 'Xã Quới Sơn'
    assert get_unit(session, '28807', EVE).valid_from == LEGACY_KNOWN_FROM
    ben_tre_eve = _in_province(units_on(session, EVE, UnitLevel.commune), '83')
    assert len(ben_tre_eve) == 148  # after the 2023–2025 arrangements, as the package lists them


@pytest.mark.parametrize('provinces', [['86'], ['83'], ['84'], [' 86 ']])
def test_reloading_changes_nothing(session, provinces):  # noqa: ANN001
    """A pre-2025 code (83 Bến Tre, 84 Trà Vinh) loads the 2025 province it went into."""
    report = load_units(session, provinces)
    assert report.unchanged, report.as_dict()
    assert report.provinces == ['86']


@pytest.mark.parametrize('code', ['99', 'abc', '0'])
def test_an_unknown_province_is_named(session, code):  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        load_units(session, [code])
    assert exc.value.field == 'province' and code.strip() in exc.value.message


def _catalog_without(code: str, *, rename: str | None = None):
    catalog = read_catalog()
    current = []
    for u in catalog.current:
        if u.code == code and u.level == 'commune':
            if rename is None:
                continue
            u = dataclasses.replace(u, full_name=rename)
        current.append(u)
    return dataclasses.replace(catalog, current=tuple(current),
                               successions=tuple(s for s in catalog.successions if rename or s.new_code != code))


def test_a_corrected_package_is_applied_and_reported(session):  # noqa: ANN001
    renamed = load_units(session, ['86'], catalog=_catalog_without('28948', rename='Xã Nhuận Phú Tân Mới'))
    assert dict(renamed.changed) == {'commune': 1}
    assert get_unit(session, '28948', NEW_YEAR_2026).full_name == 'Xã Nhuận Phú Tân Mới'
    dropped = load_units(session, ['86'], catalog=_catalog_without('28948'))
    assert dict(dropped.ended) == {'commune': 1} and not dropped.kept
    unit = session.scalars(sa.select(AdminUnit).where(AdminUnit.code == '28948',
                                                      AdminUnit.valid_from == TWO_TIER_FROM)).one()
    assert unit.valid_to == clock.today()
    restored = load_units(session, ['86'])
    assert unit.valid_to is None and unit.full_name == 'Xã Nhuận Phú Tân'
    assert dict(restored.changed) == {'commune': 1}


def test_a_reload_never_ends_a_unit_a_plan_still_uses(session):  # noqa: ANN001
    plan = builders.new_plan(session)
    from inspect_flow.plans import operations as plan_ops

    # A round planned for next year, after the day a correction would end the unit.
    plan.fieldwork_start = clock.today().replace(month=1, day=1)
    plan.fieldwork_end = date(clock.today().year + 1, 3, 20)
    new_npt = get_unit(session, '28948', NEW_YEAR_2026)
    session.flush()
    session.execute(sa.text('DELETE FROM plan_target_units WHERE plan_id = :p'), {'p': plan.id})
    session.expire(plan, ['target_units'])
    plan_ops.set_targets(session, plan, ['28948'], actor='tester')
    before = {u.id: (u.valid_from, u.valid_to, u.full_name) for u in session.scalars(sa.select(AdminUnit))}
    report = load_units(session, ['86'], catalog=_catalog_without('28948'))
    assert [(unit, ref) for unit, ref, _ in report.kept] == [('28948 Xã Nhuận Phú Tân', plan.reference)]
    after = {u.id: (u.valid_from, u.valid_to, u.full_name) for u in session.scalars(sa.select(AdminUnit))}
    assert after[new_npt.id] == before[new_npt.id]


@pytest.mark.slow
def test_the_whole_country_loads_on_both_databases(session):  # noqa: ANN001
    report = load_units(session)
    assert len(report.provinces) == 34
    again = load_units(session)
    assert again.unchanged
    after = Counter(u.level for u in units_on(session, NEW_YEAR_2026))
    assert after == {'province': 34, 'commune': 3321}
    before = Counter(u.level for u in units_on(session, EVE))
    assert before == {'province': 63, 'district': 696, 'commune': 10035}
    # Every commune before the reform has exactly one default successor among the 3,321.
    defaults = session.execute(sa.select(UnitSuccession.predecessor_id, sa.func.count()).where(
        UnitSuccession.is_default, UnitSuccession.effective == TWO_TIER_FROM).group_by(
        UnitSuccession.predecessor_id)).all()
    eve_communes = {u.id for u in units_on(session, EVE, UnitLevel.commune)}
    assert eve_communes <= {pid for pid, n in defaults if n == 1}
    hanoi = get_unit(session, '00004', NEW_YEAR_2026)
    assert hanoi.full_name == 'Phường Ba Đình' and hanoi.parent.full_name == 'Thành phố Hà Nội'


@pytest.mark.parametrize(('code', 'start', 'end', 'message'), [
    ('28936', date(2026, 3, 2), date(2026, 3, 20),
     'Mã "28936" không có đơn vị hành chính trong thời gian kiểm tra 02/03/2026–20/03/2026: Xã Nhuận Phú Tân có '
     'hiệu lực từ 01/01/2019 đến 01/07/2025; nay thuộc Xã Nhuận Phú Tân (mã 28948).'),
    ('28771', date(2020, 1, 20), date(2020, 2, 10),
     'Phường 1 (mã 28771) hết hiệu lực từ 01/02/2020, trong thời gian kiểm tra 20/01/2020–10/02/2020.'),
    ('28948', date(2025, 6, 20), date(2025, 7, 10),
     'Xã Khánh Thạnh Tân (mã 28948) hết hiệu lực từ 01/07/2025, trong thời gian kiểm tra 20/06/2025–10/07/2025.'),
    ('77777', date(2026, 3, 2), date(2026, 3, 20), 'Không có đơn vị hành chính mã "77777".'),
])
def test_a_target_must_exist_throughout_the_fieldwork(session, code, start, end, message):  # noqa: ANN001
    from inspect_flow.units.operations import get_unit_for_period

    with pytest.raises(InvalidInput) as exc:
        get_unit_for_period(session, code, start, end)
    assert exc.value.message == message and exc.value.field == 'targets'
    assert get_unit_for_period(session, '28948', date(2026, 3, 2), date(2026, 3, 20)).full_name == 'Xã Nhuận Phú Tân'
