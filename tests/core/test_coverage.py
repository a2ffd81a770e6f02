"""Coverage over a chosen grouping, in both structures: one commune per district (2019), per former district
(two tiers, through the successions of 01/07/2025), per cluster of communes, or none; and the random draw over
the same grouping."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from inspect_flow.core.errors import InvalidInput, TransitionRefused
from inspect_flow.plans import operations as plan_ops
from inspect_flow.plans.coverage import former_district_of, group_labels
from inspect_flow.plans.models import CoverageRule
from inspect_flow.plans.scheduling import find_conflicts
from inspect_flow.units import operations as unit_ops
from tests import builders

A = builders.ACTOR
#: Cụm 1: two communes of the former Huyện Mỏ Cày Bắc; Cụm 2: two wards of the former Thành phố Bến Tre.
CLUSTERS = [{'name': 'Cụm 1', 'communes': ['28948', '28915']}, {'name': 'Cụm 2', 'communes': ['28756', '28777']}]
NPT, PMT, PK, AH = '28948', '28915', '28756', '28777'  # 2026: Nhuận Phú Tân, Phước Mỹ Trung, Phú Khương, An Hội


def _plan(session, two_tier, rule, codes, clusters=None):  # noqa: ANN001, ANN202
    targets = None if not two_tier else sorted(set(codes) | {c for cl in clusters or [] for c in cl['communes']})
    plan = builders.new_plan(session, two_tier=two_tier, coverage=rule, clusters=clusters, targets=targets)
    plan_ops.advance_plan(session, plan, 'schedule', actor=A)
    for n, code in enumerate(codes, start=1):
        day = plan.fieldwork_start.replace(day=plan.fieldwork_start.day + n)
        plan_ops.schedule_visit(session, plan, plan.teams[n - 1], code, datetime.combine(day, datetime.min.time())
                                .replace(hour=8), datetime.combine(day, datetime.min.time()).replace(hour=11), actor=A)
    return plan


@pytest.mark.parametrize(('two_tier', 'rule', 'clusters', 'codes', 'expected'), [
    # Three tiers (2019): two communes of Huyện Mỏ Cày Bắc.
    (False, CoverageRule.per_district, None, ['28936', '28948'],
     ('coverage_one_per_district',
      'Huyện Mỏ Cày Bắc có 2 xã được xếp lịch; kế hoạch quy định mỗi huyện kiểm tra một xã.')),
    (False, CoverageRule.per_district, None, ['28936', '28951'], None),
    (False, CoverageRule.none, None, ['28936', '28948'], None),
    # Two tiers (2026): Nhuận Phú Tân and Phước Mỹ Trung were both of Huyện Mỏ Cày Bắc before 01/07/2025.
    (True, CoverageRule.per_former_district, None, [NPT, PMT],
     ('coverage_one_per_former_district',
      'Huyện Mỏ Cày Bắc (cũ) có 2 đơn vị cấp xã được xếp lịch (Xã Phước Mỹ Trung, Xã Nhuận Phú Tân); kế hoạch '
      'quy định mỗi huyện cũ kiểm tra một đơn vị cấp xã.')),
    (True, CoverageRule.per_former_district, None, [NPT, PK], None),
    (True, CoverageRule.per_cluster, CLUSTERS, [NPT, PMT],
     ('coverage_one_per_cluster',
      'Cụm 1 có 2 đơn vị cấp xã được xếp lịch (Xã Phước Mỹ Trung, Xã Nhuận Phú Tân); kế hoạch quy định mỗi cụm '
      'kiểm tra một đơn vị cấp xã.')),
    (True, CoverageRule.per_cluster, CLUSTERS, [NPT, PK], None),
    (True, CoverageRule.none, None, [NPT, PMT], None),
])
def test_the_coverage_rule_over_its_grouping(session, two_tier, rule, clusters, codes, expected):  # noqa: ANN001
    plan = _plan(session, two_tier, rule, codes, clusters)
    found = [(c.rule, c.vi) for c in find_conflicts(plan) if c.rule.startswith('coverage')]
    assert found == ([expected] if expected else [])
    if expected:
        by_districts = rule in (CoverageRule.per_district, CoverageRule.per_former_district)
        assert ('huyện' in expected[1].lower()) == by_districts
        with pytest.raises(TransitionRefused):
            plan_ops.advance_plan(session, plan, 'start_visiting', actor=A)


def test_a_cluster_without_a_visit_blocks_the_visits(session):  # noqa: ANN001
    plan = _plan(session, True, CoverageRule.per_cluster, [NPT], CLUSTERS)
    with pytest.raises(TransitionRefused) as exc:
        plan_ops.advance_plan(session, plan, 'start_visiting', actor=A)
    assert 'Chưa xếp lịch làm việc tại Cụm 2.' in exc.value.message


def test_the_former_district_of_a_two_tier_commune_comes_from_its_predecessors(session):  # noqa: ANN001
    day = builders.DAY_2026
    assert former_district_of(session, unit_ops.get_unit(session, NPT, day)).full_name == 'Huyện Mỏ Cày Bắc'
    assert former_district_of(session, unit_ops.get_unit(session, PK, day)).full_name == 'Thành phố Bến Tre'
    # A commune still in three tiers is grouped by its own district.
    assert former_district_of(session, unit_ops.get_unit(session, '28936', date(2019, 7, 5))).code == '838'


# --- the draw over the same grouping -------------------------------------------------------------------------

@pytest.mark.parametrize(('rule', 'clusters', 'targets', 'groups', 'labels'), [
    (CoverageRule.per_cluster, CLUSTERS, [NPT], {'Cụm 1': {NPT, PMT}, 'Cụm 2': {PK, AH}}, {'Cụm 1', 'Cụm 2'}),
    (CoverageRule.per_former_district, None, [NPT, PMT, PK, AH], {'838': {NPT, PMT}, '829': {PK, AH}},
     {'Huyện Mỏ Cày Bắc', 'Thành phố Bến Tre'}),
    (CoverageRule.none, None, [NPT, PMT, PK], {'*': {NPT, PMT, PK}}, {'Địa bàn kiểm tra'}),
])
def test_the_draw_takes_one_commune_per_group(session, rule, clusters, targets, groups, labels):  # noqa: ANN001
    plan = builders.new_plan(session, two_tier=True, coverage=rule, clusters=clusters, targets=targets)
    record = plan_ops.draw_communes(session, plan, per_group=1, seed='vinh-long-2026', actor=A)
    assert {k: set(v) for k, v in record.candidates.items()} == groups
    assert set(record.result) == set(groups)
    assert all(len(v) == 1 and set(v) <= groups[k] for k, v in record.result.items())
    assert plan_ops.replay_draw(record)
    again = plan_ops.draw_communes(session, plan, per_group=1, seed='vinh-long-2026', actor=A)
    assert again.result == record.result
    assert set(group_labels(session, plan, record.result).values()) == labels


@pytest.mark.parametrize(('two_tier', 'rule', 'message'), [
    (False, CoverageRule.per_district, 'Số xã mỗi huyện phải từ 1 trở lên.'),
    (True, CoverageRule.per_former_district, 'Số xã mỗi huyện cũ phải từ 1 trở lên.'),
    (True, CoverageRule.none, 'Số xã mỗi địa bàn phải từ 1 trở lên.'),
])
def test_the_draw_count_is_named_by_the_grouping(session, two_tier, rule, message):  # noqa: ANN001
    plan = builders.new_plan(session, two_tier=two_tier, coverage=rule)
    with pytest.raises(InvalidInput) as exc:
        plan_ops.draw_communes(session, plan, per_group=0, actor=A)
    assert exc.value.message == message and exc.value.field == 'per_group'


# --- clusters on the plan --------------------------------------------------------------------------------------

@pytest.mark.parametrize(('clusters', 'code', 'message'), [
    ([{'name': '', 'communes': [NPT]}], 'plan.cluster_name', 'Mỗi cụm phải có tên (ví dụ "Cụm 1").'),
    ([{'name': 'Cụm 1', 'communes': []}], 'plan.cluster_empty', 'Cụm 1 chưa có xã, phường nào.'),
    ([{'name': 'Cụm 1', 'communes': [NPT]}, {'name': 'Cụm 1', 'communes': [PK]}], 'plan.cluster_duplicate',
     'Tên cụm "Cụm 1" bị lặp.'),
    ([{'name': 'Cụm 1', 'communes': [NPT]}, {'name': 'Cụm 2', 'communes': [NPT]}], 'plan.cluster_overlap',
     'Xã Nhuận Phú Tân có trong cả Cụm 1 và Cụm 2.'),
    ([{'name': 'Cụm 1', 'communes': ['86']}], 'plan.cluster_not_commune',
     'Tỉnh Vĩnh Long (Cụm 1) không phải đơn vị cấp xã.'),
    ([{'name': 'Cụm 1', 'communes': ['838']}], 'plan.cluster_unknown_code',
     'Không có đơn vị hành chính mã "838" vào ngày 09/03/2026 (Cụm 1).'),
    ([], 'plan.clusters_required', 'Quy tắc "mỗi cụm một xã" cần danh sách cụm xã.'),
])
def test_bad_clusters_are_refused_naming_the_field(session, clusters, code, message):  # noqa: ANN001
    with pytest.raises(InvalidInput) as exc:
        builders.new_plan(session, two_tier=True, coverage=CoverageRule.per_cluster, clusters=clusters)
    assert (exc.value.code, exc.value.message) == (code, message)
    assert exc.value.field == 'clusters'


def test_the_2019_stored_rule_is_the_per_district_grouping():
    assert CoverageRule('one_commune_per_district') is CoverageRule.per_district
    assert CoverageRule('per_district') is CoverageRule.per_district
    assert CoverageRule.one_commune_per_district is CoverageRule.per_district
    assert CoverageRule.per_district.key == 'per_district'
    assert [r.value for r in CoverageRule] == ['none', 'one_commune_per_district', 'per_former_district',
                                               'per_cluster']
