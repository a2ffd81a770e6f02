"""The households quota from the command line: a short submit is done, and the command says what is short."""

from __future__ import annotations

import json

import yaml


def test_a_short_submit_says_the_shortfall(run, tmp_path):  # noqa: ANN001
    run('init')
    run('bodies', 'add', '--slug', 'bcd', '--name', 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
        '--abbreviation', 'BCĐCCTMTQG', '--header-line', 'BAN CHỈ ĐẠO', '--place', 'Bến Tre')
    run('plans', 'create', '--issuer', 'bcd', '--number', '1245', '--issue-date', '28/05/2019',
        '--subject', 'Kiểm tra, giám sát công tác giảm nghèo năm 2019', '--start', '05/07/2019', '--end', '24/07/2019',
        '--households', '3')
    run('plans', 'targets', '1245', '838')
    run('people', 'add', '--name', 'Võ Thành Công', '--title', 'Phó Chủ tịch')
    run('teams', 'add', '1245', '5')
    run('teams', 'member', '1245', '5', 'Võ Thành Công', '--role', 'leader')
    run('plans', 'advance', '1245', 'schedule')
    run('schedule', 'add', '1245', '--team', '5', '--commune', '28936', '--date', '12/07/2019')
    run('plans', 'advance', '1245', 'start_visiting')
    visit_id = json.loads(run('plans', 'show', '1245', '--json').stdout)['visits'][0]['id']
    record = {'households': [{'code': 'NPT-01', 'category': 'poor'}, {'code': 'NPT-02', 'category': 'escaped'}]}
    path = tmp_path / 'npt.yaml'
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding='utf-8')

    result = run('visits', 'submit', str(visit_id), str(path), lang='en')
    assert 'Submitted' in result.stdout
    assert result.stderr.strip() == 'Note: 2 of 3 households consulted (the plan asks 3 per commune); 1 short.'
    plan = json.loads(run('plans', 'show', '1245', '--json').stdout)
    assert plan['visits'][0]['state'] == 'submitted'
