"""Plans pin the checklist versions that apply on their fieldwork start (``applies``), on both databases.

2019.1 of poverty-supervision has no ``applies`` (it applies always); 2026.1 applies from 01/07/2025. A 2019
round pins 2019.1, a 2026 round 2026.1; a version whose period excludes the fieldwork start is refused when
named explicitly, and the fieldwork start cannot move out of a pinned version's period.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from inspect_flow.checklist import ChecklistNotFound, find_checklist
from inspect_flow.core.errors import InvalidInput
from inspect_flow.plans import checklists as pinning
from inspect_flow.plans import operations as plan_ops
from tests.builders import ACTOR, new_plan

PINNED = Path(__file__).resolve().parents[1] / 'checklist' / 'pinned'


def _sha_of(name: str) -> str:
    return json.loads((PINNED / f'{name}.json').read_text('utf-8'))['sha256']


@pytest.mark.parametrize(('two_tier', 'versions'), [
    (False, {'poverty-supervision': '2019.1', 'household-consultation': '2019.1'}),
    (True, {'poverty-supervision': '2026.1', 'household-consultation': '2026.1'}),
])
def test_default_pins_follow_the_fieldwork_start(session, two_tier, versions) -> None:  # noqa: ANN001
    plan = new_plan(session, two_tier=two_tier)
    pins = pinning.pin_default_checklists(session, plan, actor=ACTOR)
    assert {p.checklist_id: p.version for p in pins} == versions
    assert {p.checklist_id: p.version for p in plan.checklists} == versions
    for pin in pins:
        assert pin.sha256 == find_checklist(pin.checklist_id, pin.version).sha256
    if not two_tier:  # the very content stored rounds and tests/checklist/pinned hold
        assert {p.checklist_id: p.sha256 for p in pins} == {
            'poverty-supervision': _sha_of('poverty-supervision@2019.1'),
            'household-consultation': _sha_of('household-consultation@2019.1')}
    else:
        form = pinning.pinned_checklist(plan, 'poverty-supervision')
        assert not form.has_item('level') and form.applies_on(plan.fieldwork_start)


@pytest.mark.parametrize(('two_tier', 'version'), [(False, '2019.1'), (True, '2026.1')])
def test_pin_by_id_without_a_version_takes_the_one_that_applies(session, two_tier, version) -> None:  # noqa: ANN001
    plan = new_plan(session, two_tier=two_tier)
    assert pinning.pin_by_id(session, plan, 'poverty-supervision', actor=ACTOR).version == version


def test_an_explicit_pin_outside_its_period_is_refused_naming_both_dates(session) -> None:  # noqa: ANN001
    plan = new_plan(session)  # fieldwork from 05/07/2019
    pinning.pin_default_checklists(session, plan, actor=ACTOR)
    before = {p.checklist_id: p.sha256 for p in plan.checklists}
    with pytest.raises(InvalidInput) as err:
        pinning.pin_by_id(session, plan, 'poverty-supervision@2026.1', actor=ACTOR)
    assert (err.value.code, err.value.field) == ('plan.checklist_not_applicable', 'version')
    assert err.value.message_vi == ('Bộ câu hỏi poverty-supervision phiên bản 2026.1 chỉ áp dụng từ ngày 01/07/2025; '
                                    'kế hoạch bắt đầu kiểm tra ngày 05/07/2019.')
    assert err.value.message_en == ('Checklist poverty-supervision version 2026.1 applies only from 01/07/2025; '
                                    "the plan's fieldwork starts on 05/07/2019.")
    assert {p.checklist_id: p.sha256 for p in plan.checklists} == before  # nothing changed
    # The version that applies always may still be named on a 2026 plan.
    later = new_plan(session, two_tier=True)
    assert pinning.pin_by_id(session, later, 'poverty-supervision@2019.1', actor=ACTOR).version == '2019.1'


def test_the_fieldwork_start_cannot_leave_a_pinned_versions_period(session) -> None:  # noqa: ANN001
    plan = new_plan(session, two_tier=True)  # 09/03/2026 – 20/03/2026
    pinning.pin_default_checklists(session, plan, actor=ACTOR)
    with pytest.raises(InvalidInput) as err:
        plan_ops.update_plan(session, plan, {'fieldwork_start': date(2025, 6, 30)}, actor=ACTOR)
    assert (err.value.code, err.value.field) == ('plan.checklist_not_applicable', 'fieldwork_start')
    assert 'từ ngày 01/07/2025' in err.value.message_vi and 'ngày 30/06/2025' in err.value.message_vi
    assert plan.fieldwork_start == date(2026, 3, 9)
    # Inside the period the date moves; with the 2019.1 versions pinned instead, any day will do.
    plan_ops.update_plan(session, plan, {'fieldwork_start': date(2025, 7, 1)}, actor=ACTOR)
    assert plan.fieldwork_start == date(2025, 7, 1)
    pinning.pin_by_id(session, plan, 'poverty-supervision@2019.1', actor=ACTOR)
    with pytest.raises(InvalidInput) as err:  # household-consultation 2026.1 is still pinned
        plan_ops.update_plan(session, plan, {'fieldwork_start': date(2025, 6, 30)}, actor=ACTOR)
    assert 'household-consultation phiên bản 2026.1' in err.value.message_vi
    pinning.pin_by_id(session, plan, 'household-consultation@2019.1', actor=ACTOR)
    plan_ops.update_plan(session, plan, {'fieldwork_start': date(2025, 6, 30)}, actor=ACTOR)
    assert plan.fieldwork_start == date(2025, 6, 30)


def test_a_checklist_none_of_whose_versions_applies_is_left_out(session, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Never the newest version regardless of its period: the checklist is not pinned, and asking for it by
    id names the day."""
    folder = tmp_path / 'checklists'
    folder.mkdir()
    text = (PINNED.parents[2] / 'checklists' / 'household-consultation.yaml').read_text('utf-8')  # 2019.1 only
    assert 'applies:' not in text
    (folder / 'household-consultation.yaml').write_text(
        text.replace('version: "2019.1"', 'version: "2019.1"\napplies: {until: "2019-01-01"}'), 'utf-8')
    monkeypatch.setenv('INSPECT_FLOW_CHECKLISTS', str(folder))
    plan = new_plan(session)
    assert pinning.pin_default_checklists(session, plan, actor=ACTOR) == []
    with pytest.raises(ChecklistNotFound) as err:
        pinning.pin_by_id(session, plan, 'household-consultation', actor=ACTOR)
    assert err.value.code == 'checklist.none_applies' and '05/07/2019' in err.value.message_vi
    assert plan.checklists == []
