"""Follow-up across rounds from the command line: the 2026 demo checks the 2019 recommendations that followed to its
communes (``plans show --json`` ``follow_up``), the minutes carry the section (PDF read back), create-from and the
daily recurrence."""

from __future__ import annotations

import json

import pdfplumber

from inspect_flow.demo.round2026 import REFERENCE

REF_2019 = '1245/KH-BCĐCCTMTQG'
KEYS = {'recommendation_id', 'from_plan', 'addressee', 'text', 'deadline', 'state', 'verified_in_visit'}


def test_the_2026_demo_checks_the_2019_recommendations_and_the_minutes_say_so(run, tmp_path):  # noqa: ANN001
    run('demo', '--round', '2019', '--through', 'closed')
    run('demo', '--round', '2026', '--through', 'closed')
    plan = json.loads(run('plans', 'show', REFERENCE, '--json').stdout)
    items = plan['follow_up']
    assert items and all(KEYS <= set(i) and i['from_plan'] == REF_2019 for i in items)
    # The 2019 districts' recommendations follow to the 2025 communes that took over their communes: Mỏ Cày Bắc
    # to Nhuận Phú Tân, Ba Tri to Tân Xuân, Thạnh Phú to Đại Điền (the other five communes were not in Bến Tre).
    by_visit = {}
    for i in items:
        by_visit.setdefault(i['verified_in_visit'], set()).add(i['addressee'])
    visits = {v['id']: v['commune']['name'] for v in plan['visits']}
    assert {visits[k] for k in by_visit} == {'Xã Nhuận Phú Tân', 'Xã Tân Xuân', 'Xã Đại Điền'}
    npt = next(k for k, v in visits.items() if v == 'Xã Nhuận Phú Tân')
    assert by_visit[npt] == {'Ban Chỉ đạo huyện Mỏ Cày Bắc', 'UBND huyện Mỏ Cày Bắc', 'UBND xã Nhuận Phú Tân'}
    assert {i['state'] for i in items} == {'verified', 'overdue'}
    old = json.loads(run('plans', 'show', REF_2019, '--json').stdout)
    states = {r['id']: r['state'] for r in old['recommendations']}
    assert all(states[i['recommendation_id']] == i['state'] for i in items)

    listed = run('visits', 'follow-up', str(npt)).stdout
    assert 'UBND huyện Mỏ Cày Bắc' in listed and 'done' in listed

    out = tmp_path / 'docs'
    run('documents', 'render', REFERENCE, '--kind', 'minutes', '--visit', str(npt), '--out', str(out))
    pdf = next(out.glob('minutes-*.pdf'))
    with pdfplumber.open(pdf) as doc:
        text = ' '.join((p.extract_text() or '') for p in doc.pages).replace('\n', ' ')
    assert 'Kiểm tra việc thực hiện kiến nghị của các đợt kiểm tra trước' in text
    assert 'UBND huyện Mỏ Cày Bắc (1245/KH-BCĐCCTMTQG, hạn 31/12/2019)' in text
    assert 'Kết quả: đã thực hiện' in text and 'Kết quả: chưa thực hiện' in text
    assert 'Minh chứng: Quyết định kiện toàn tổ kiểm tra, giám sát của xã (2025)' in text
    # The notice to Xã Nhuận Phú Tân and the round report count them, one sentence each.
    run('documents', 'render', REFERENCE, '--kind', 'conclusion', '--unit', '28948', '--out', str(out),
        '--signer', 'Nguyễn Văn Hiếu')
    run('documents', 'render', REFERENCE, '--kind', 'report', '--out', str(out), '--signer', 'Nguyễn Văn Hiếu')
    texts = {}
    for kind in ('conclusion', 'report'):
        with pdfplumber.open(next(out.glob(f'{kind}-*.pdf'))) as doc:
            texts[kind] = ' '.join((p.extract_text() or '') for p in doc.pages).replace('\n', ' ')
    at_npt = [i for i in items if npt in i['visits']]
    outcomes = [sum(1 for i in at_npt if i['outcome'] == o) for o in ('done', 'partly_done', 'not_done')]
    assert len(at_npt) >= 3 and sum(outcomes) == len(at_npt), outcomes  # every one checked at Nhuận Phú Tân
    told = ', '.join(f'{n:02d} {label}' for n, label in zip(outcomes, ('đã thực hiện', 'thực hiện một phần',
                                                                      'chưa thực hiện'), strict=True) if n)
    assert (f'Đoàn đã kiểm tra việc thực hiện {len(at_npt):02d}/{len(at_npt):02d} kiến nghị của các đợt kiểm tra '
            f'trước: {told}.') in texts['conclusion']
    assert ' 00 ' not in texts['conclusion']  # an outcome nobody had is not counted out loud
    done = sum(1 for i in items if i['state'] == 'verified')
    assert (f'Các Đoàn đã kiểm tra việc thực hiện {len(items):02d}/{len(items):02d} kiến nghị của các đợt kiểm tra '
            f'trước: {done:02d} đã thực hiện') in texts['report']


def test_create_from_and_recur_on_the_command_line(run):  # noqa: ANN001
    run('demo', '--round', '2019', '--through', 'planning')
    assert 'Tạo' not in run('plans', 'recur', '--on', '2020-06-01').stdout
    run('plans', 'recurrence', REF_2019, 'half_yearly')
    before = run.snapshot()
    bad = run('plans', 'create-from', REF_2019, '--start', '2020-07-24', '--end', '2020-07-06', ok=False)
    assert bad.exit_code != 0 and run.snapshot() == before
    made = json.loads(run('plans', 'recur', '--on', '2019-12-06', '--json').stdout)
    assert [(m['fieldwork']['start'], m['fieldwork']['end']) for m in made] == [('2020-01-05', '2020-01-24')]
    assert json.loads(run('plans', 'recur', '--on', '2019-12-06', '--json').stdout) == []
    listing = {p['id']: p for p in json.loads(run('plans', 'list', '--json').stdout)}
    new = listing[made[0]['id']]
    assert new['state'] == 'planning' and new['by_recurrence'] and new['recurrence'] == 'half_yearly'
    assert 'năm 2020' in new['subject'] and new['teams'] == 9
    out = run('--lang', 'en', 'plans', 'create-from', REF_2019, '--start', '2020-07-06', '--end', '2020-07-24').stdout
    assert 'Created plan #' in out
