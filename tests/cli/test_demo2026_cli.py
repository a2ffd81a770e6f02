"""The 2026 demo round (Tỉnh Vĩnh Long, two tiers) from the command line, and beside the 2019 round."""

from __future__ import annotations

import json

import pytest

from inspect_flow.demo.common import STAGES
from inspect_flow.demo.round2026 import REFERENCE, STOPS

REF_2019 = '1245/KH-BCĐCCTMTQG'
DISTRICTS_2019 = {'829', '831', '832', '833', '834', '835', '836', '837', '838'}


def _plan_json(run, ref: str):  # noqa: ANN001, ANN202
    return json.loads(run('plans', 'show', ref, '--json').stdout)


def test_the_2026_round_advances_stage_by_stage_and_closes(run):  # noqa: ANN001
    for stage in STAGES:
        out = run('demo', '--round', '2026', '--through', stage).stdout
        assert 'Dữ liệu mẫu: vòng kiểm tra mẫu năm 2026, tỉnh Vĩnh Long' in out
        assert f'Kế hoạch {REFERENCE}: {stage}' in out
        assert _plan_json(run, REFERENCE)['state'] == stage
    before = run.snapshot()
    assert 'Không có gì thay đổi' in run('demo', '--round', '2026', '--through', 'closed').stdout
    assert run.snapshot() == before
    plan = _plan_json(run, REFERENCE)
    assert len(plan['teams']) == 6 and len(plan['visits']) == 8
    assert sorted(v['commune']['code'] for v in plan['visits']) == sorted(s.commune for s in STOPS)
    assert all(v['starts_at'][:10] == str(s.day) for v in plan['visits'] for s in STOPS
               if s.commune == v['commune']['code'])
    assert len(plan['conclusions']) == 8 and plan['conflicts'] == []
    assert {r['state'] for r in plan['recommendations']} >= {'verified', 'done', 'in_progress', 'open'}


def test_make_demo_loads_both_rounds_and_leaves_2019_as_it_was(run):  # noqa: ANN001
    run('demo', '--round', '2019', '--through', 'closed')
    before = _plan_json(run, REF_2019)
    run('demo', '--round', '2026', '--through', 'closed')
    after = _plan_json(run, REF_2019)
    # The 2026 round checked the 2019 recommendations that followed to its communes: only their states moved.
    checked = {i['recommendation_id']: i['state'] for i in _plan_json(run, REFERENCE)['follow_up'] if i['outcome']}
    assert checked and all(i['from_plan'] == REF_2019 for i in _plan_json(run, REFERENCE)['follow_up'])
    for r in after['recommendations']:
        assert r['state'] == checked.get(r['id'], next(b['state'] for b in before['recommendations']
                                                       if b['id'] == r['id']))
    assert {k: v for k, v in after.items() if k != 'recommendations'} == {
        k: v for k, v in before.items() if k != 'recommendations'}
    assert len(after['teams']) == 9 and len(after['visits']) == 9
    assert {v['district']['code'] for v in after['visits']} == DISTRICTS_2019
    assert _plan_json(run, REFERENCE)['state'] == 'closed'
    listing = json.loads(run('plans', 'list', '--json').stdout)
    assert sorted(p['reference'] for p in listing) == sorted([REF_2019, REFERENCE])


def test_the_default_round_is_2019(run):  # noqa: ANN001
    out = run('demo', '--through', 'planning').stdout
    assert f'Kế hoạch {REF_2019}: planning' in out
    assert [p['reference'] for p in json.loads(run('plans', 'list', '--json').stdout)] == [REF_2019]


@pytest.mark.parametrize('args', [('--round', '2020'), ('--round', '2026', '--through', 'done')])
def test_a_bad_round_or_stage_is_refused_and_changes_nothing(run, args):  # noqa: ANN001
    before = run.snapshot()
    result = run('demo', *args, ok=False)
    assert result.exit_code == 2 and args[-1] in result.output
    assert run.snapshot() == before
