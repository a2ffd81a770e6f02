"""A whole round run from the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re

import yaml

SUBMISSION = {
    'participants': [
        {'side': 'district', 'full_name': 'Nguyễn Văn Bình', 'title': 'Phó Chủ tịch UBND huyện'},
        {'side': 'commune', 'full_name': 'Lê Văn Hùng', 'title': 'Chủ tịch UBND xã'},
    ],
    'content': {'district_report': 'Báo cáo 6 tháng đầu năm.', 'local_opinion': 'Thống nhất với kết luận.',
                'records_checked': ['Sổ nhật ký hộ gia đình'], 'ended_at': '11:15'},
    'households': [{'code': 'NPT-01', 'category': 'poor'}, {'code': 'NPT-02', 'category': 'escaped'}],
    'findings': [
        {'kind': 'achievement', 'category': 'Kiện toàn Ban Chỉ đạo', 'text': 'Đã kiện toàn Ban Chỉ đạo xã.'},
        {'kind': 'limitation', 'category': 'Sử dụng vốn vay', 'text': 'Một số hộ sử dụng vốn vay không đúng mục đích.',
         'severity': 'high', 'source': 'household'},
    ],
}


def _plan_json(run, ref='1245/KH-BCĐCCTMTQG'):  # noqa: ANN001, ANN202
    return json.loads(run('plans', 'show', ref, '--json').stdout)


def test_it_runs_a_whole_round_from_scratch(run, tmp_path):  # noqa: ANN001
    run('init')
    run('bodies', 'add', '--slug', 'bcd', '--name', 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
        '--abbreviation', 'BCĐCCTMTQG', '--header-line', 'BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH',
        '--header-line', 'MỤC TIÊU QUỐC GIA', '--parent-header', 'UBND TỈNH BẾN TRE', '--place', 'Bến Tre')
    out = run('plans', 'create', '--issuer', 'bcd', '--number', '1245', '--issue-date', '28/05/2019',
              '--subject', 'Kiểm tra, giám sát công tác giảm nghèo năm 2019', '--start', '2019-07-05',
              '--end', '24/07/2019', '--one-commune-per-district', '--households', '2').stdout
    assert out.strip() == 'Đã tạo kế hoạch 1245/KH-BCĐCCTMTQG.'
    run('plans', 'targets', '1245', '838')
    leader = run('people', 'add', '--name', 'Võ Thành Công', '--title', 'Phó Chủ tịch',
                 '--agency', 'Hội Nông dân tỉnh', '--unit', '83').stdout.split(':')[0]
    run('people', 'add', '--name', 'Lê Hoàng Việt', '--title', 'Chuyên viên')
    run('teams', 'add', '1245', '5')
    run('teams', 'member', '1245', '5', leader, '--role', 'leader')
    run('teams', 'member', '1245', '5', 'Lê Hoàng Việt', '--role', 'secretary')
    run('plans', 'advance', '1245', 'schedule')

    out = run('schedule', 'add', '1245', '--team', '5', '--commune', '28936', '--date', '12/07/2019').stdout
    assert 'Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc (Đoàn 5, 12/07/2019)' in out
    # a second commune of the same district breaks the coverage rule: shown, then resolved
    out = run('schedule', 'add', '1245', '--team', '5', '--commune', '28924', '--date', '2019-07-15').stdout
    assert 'mỗi huyện kiểm tra một xã' in out
    refused = run('plans', 'advance', '1245', 'start_visiting', ok=False)
    assert refused.exit_code == 1 and 'Lịch còn xung đột' in refused.stderr
    extra = [v for v in _plan_json(run)['visits'] if v['commune']['code'] == '28924'][0]['id']
    assert run('schedule', 'conflicts', '1245', ok=False).exit_code == 3
    run('schedule', 'remove', str(extra))
    run('schedule', 'conflicts', '1245')
    run('plans', 'advance', '1245', 'start_visiting')

    visit_id = _plan_json(run)['visits'][0]['id']
    path = tmp_path / 'npt.yaml'
    path.write_text(yaml.safe_dump(SUBMISSION, allow_unicode=True), encoding='utf-8')
    assert 'Đã nộp kết quả' in run('visits', 'submit', str(visit_id), str(path)).stdout
    run('visits', 'return', str(visit_id), '--comment', 'Bổ sung ý kiến của Mặt trận xã.')
    json_path = tmp_path / 'npt.json'
    json_path.write_text(json.dumps(SUBMISSION, ensure_ascii=False), encoding='utf-8')
    run('visits', 'submit', str(visit_id), str(json_path))
    run('plans', 'advance', '1245', 'start_findings')
    run('visits', 'review', str(visit_id))
    run('findings', 'add', '1245', '--kind', 'cause', '--category', 'Nhận thức', '--text',
        'Một bộ phận hộ nghèo còn trông chờ vào sự hỗ trợ của Nhà nước.')
    run('plans', 'advance', '1245', 'start_conclusions')
    run('conclusions', 'add', '1245', '--district', '838', '--summary', 'Huyện đã tập trung chỉ đạo.')
    out = run('recommendations', 'add', '1245', '--district', '838', '--addressee', 'UBND huyện Mỏ Cày Bắc',
              '--text', 'Rà soát việc sử dụng vốn vay của hộ tham gia Đề án.', '--deadline', '31/10/2019').stdout
    rec_id = out.strip().rstrip('.').split('#')[1]
    run('plans', 'advance', '1245', 'close')
    run('recommendations', 'report', rec_id, '--text', 'Đã rà soát 120 hồ sơ vay.', '--by', 'UBND huyện Mỏ Cày Bắc',
        '--completed', '--evidence', 'Báo cáo số 45/BC-UBND')
    run('recommendations', 'verify', rec_id)

    plan = _plan_json(run)
    assert plan['state'] == 'closed'
    assert plan['visits'][0]['state'] == 'reviewed' and plan['visits'][0]['households'] == 2
    assert {f['kind'] for f in plan['findings']} == {'achievement', 'limitation', 'cause'}
    assert len(plan['findings']) == 3  # the resubmission added no duplicate
    assert plan['recommendations'][0]['state'] == 'verified'
    assert plan['conclusions'][0]['district']['name'] == 'Huyện Mỏ Cày Bắc'

    history = json.loads(run('history', '1245', '--json').stdout)
    transitions = [(h['entity'], h['trigger'], h['from'], h['to']) for h in history if h['action'] == 'transition']
    assert ('plan', 'close', 'conclusions', 'closed') in transitions
    assert ('visit', 'return_for_correction', 'submitted', 'returned') in transitions
    assert ('recommendation', 'verify', 'done', 'verified') in transitions
    assert all(h['actor'] == 'thu-ky' for h in history)
    table = run('history', '1245').stdout  # the table speaks human: names, labels, dd/mm/yyyy HH:MM
    assert 'Kế hoạch: 1245/KH-BCĐCCTMTQG' in table and 'Kết luận → Đã kết thúc' in table
    assert 'Xã: Xã Nhuận Phú Tân' in table and 'Huyện Mỏ Cày Bắc' in table
    assert re.search(r'^\d{2}/\d{2}/\d{4} \d{2}:\d{2}  thu-ky', table, re.M), table[:300]
    assert 'Hoàn thành: đã hoàn thành' in table
    assert 'issueddocument' not in table and 'True' not in table and 'T0' not in table
    listing = json.loads(run('plans', 'list', '--json').stdout)
    assert [p['reference'] for p in listing] == ['1245/KH-BCĐCCTMTQG']


def test_the_demo_runs_through_closed_and_twice_duplicates_nothing(run):  # noqa: ANN001
    out = run('demo', '--through', 'closed').stdout
    assert 'Kế hoạch 1245/KH-BCĐCCTMTQG: closed' in out
    before = run.snapshot()
    again = run('demo', '--through', 'closed').stdout
    assert 'Không có gì thay đổi' in again
    assert run.snapshot() == before
    plan = _plan_json(run)
    assert len(plan['teams']) == 9 and len(plan['visits']) == 9
    assert len({v['district']['code'] for v in plan['visits']}) == 9
    npt = [v for v in plan['visits'] if v['commune']['name'] == 'Xã Nhuận Phú Tân']
    assert npt and npt[0]['district']['name'] == 'Huyện Mỏ Cày Bắc'
    assert all('2019-07-05' <= v['starts_at'][:10] <= '2019-07-24' for v in plan['visits'])
    assert len(plan['conclusions']) == 9 and plan['conflicts'] == []
    states = {r['state'] for r in plan['recommendations']}
    assert 'verified' in states and 'done' in states


def test_the_demo_advances_stage_by_stage(run):  # noqa: ANN001
    for stage in ['planning', 'scheduling', 'visiting', 'findings', 'conclusions', 'closed']:
        run('demo', '--through', stage)
        assert _plan_json(run)['state'] == stage
    assert 'Không có gì thay đổi' in run('demo', '--through', 'visiting').stdout
    assert _plan_json(run)['state'] == 'closed'


def test_english_output(run):  # noqa: ANN001
    run('demo', '--through', 'scheduling')
    out = run('plans', 'show', '1245', lang='en').stdout
    assert 'State: scheduling' in out
    assert 'No visit is scheduled in Huyện Mỏ Cày Bắc.' in out
