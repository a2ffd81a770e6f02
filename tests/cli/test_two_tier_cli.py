"""A two-tier round (Tỉnh Vĩnh Long, 2026) from the command line: communes as targets, coverage per cluster,
conclusions per commune with --unit, recommendations to a commune or a provincial department, and the 2019
--district form still accepted."""

from __future__ import annotations

import json

import pdfplumber
import yaml

SUBMISSION = {
    'participants': [{'side': 'commune', 'full_name': 'Lê Văn Hùng', 'title': 'Chủ tịch UBND xã'}],
    'content': {'commune_report': 'Báo cáo 6 tháng đầu năm 2026.', 'local_opinion': 'Thống nhất với kết luận.'},
    'households': [{'code': 'NPT-01', 'category': 'poor'}],
    'findings': [{'kind': 'limitation', 'category': 'Sử dụng vốn vay',
                  'text': 'Một số hộ sử dụng vốn vay không đúng mục đích.', 'severity': 'high'}],
}
REF = '07/KH-BCĐCCTMTQG'


def _show(run) -> dict:  # noqa: ANN001
    return json.loads(run('plans', 'show', REF, '--json').stdout)


def test_a_two_tier_round_from_the_command_line(run, tmp_path):  # noqa: ANN001
    run('init')
    run('bodies', 'add', '--slug', 'bcd-vl', '--name', 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Vĩnh Long',
        '--abbreviation', 'BCĐCCTMTQG', '--header-line', 'BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH',
        '--header-line', 'MỤC TIÊU QUỐC GIA', '--parent-header', 'UBND TỈNH VĨNH LONG', '--place', 'Vĩnh Long',
        '--unit', '86', '--on', '01/03/2026')
    run('bodies', 'add', '--slug', 'so-nnmt', '--name', 'Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long',
        '--abbreviation', 'SNNMT', '--place', 'Vĩnh Long', '--unit', '86', '--on', '01/03/2026')
    refused = run('plans', 'create', '--issuer', 'bcd-vl', '--number', '7', '--issue-date', '20/02/2026',
                  '--subject', 'Giám sát giảm nghèo bền vững năm 2026', '--start', '09/03/2026', '--end', '20/03/2026',
                  '--coverage', 'per_cluster', ok=False)
    assert refused.exit_code != 0 and 'cần danh sách cụm xã' in refused.stderr
    run('plans', 'create', '--issuer', 'bcd-vl', '--number', '7', '--issue-date', '20/02/2026',
        '--subject', 'Giám sát giảm nghèo bền vững năm 2026', '--start', '09/03/2026', '--end', '20/03/2026',
        '--coverage', 'per_cluster', '--cluster', 'Cụm 1: 28948, 28915', '--cluster', 'Cụm 2: 28756 28777')
    out = run('plans', 'targets', REF, '28948', '28756').stdout
    assert 'Xã Nhuận Phú Tân' in out and 'Huyện' not in out
    leader = run('people', 'add', '--name', 'Trần Văn Tâm', '--title', 'Phó Giám đốc',
                 '--agency', 'Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long', '--unit', '86',
                 '--on', '01/03/2026').stdout.split(':')[0]
    run('teams', 'add', REF, '1')
    run('teams', 'member', REF, '1', leader, '--role', 'leader')
    run('plans', 'advance', REF, 'schedule')
    draw = run('plans', 'draw', REF, '--per-group', '1', '--seed', 'vl-2026').stdout
    assert 'Cụm 1:' in draw and 'Cụm 2:' in draw
    run('schedule', 'add', REF, '--team', '1', '--commune', '28948', '--date', '10/03/2026')
    out = run('schedule', 'add', REF, '--team', '1', '--commune', '28915', '--date', '11/03/2026').stdout
    assert 'Cụm 1 có 2 đơn vị cấp xã được xếp lịch' in out and 'huyện' not in out.lower()
    second = [v for v in _show(run)['visits'] if v['commune']['code'] == '28915'][0]['id']
    run('schedule', 'remove', str(second))
    run('schedule', 'add', REF, '--team', '1', '--commune', '28756', '--date', '11/03/2026')
    run('plans', 'advance', REF, 'start_visiting')
    path = tmp_path / 'record.yaml'
    path.write_text(yaml.safe_dump(SUBMISSION, allow_unicode=True), encoding='utf-8')
    for v in _show(run)['visits']:
        run('visits', 'submit', str(v['id']), str(path))
    run('plans', 'advance', REF, 'start_findings')
    for v in _show(run)['visits']:
        run('visits', 'review', str(v['id']))
    run('plans', 'advance', REF, 'start_conclusions')

    run('conclusions', 'add', REF, '--unit', '28948', '--summary', 'Xã đã tập trung chỉ đạo.')
    run('conclusions', 'add', REF, '--district', '28756', '--summary', 'Phường đã tập trung chỉ đạo.')
    before = run.snapshot()
    bad = run('recommendations', 'add', REF, '--unit', '28948', '--addressee-unit', '28756',
              '--text', 'Rà soát hộ nghèo.', ok=False)
    assert bad.exit_code != 0 and 'Không gửi kiến nghị cho Phường Phú Khương được' in bad.stderr
    assert run.snapshot() == before
    run('recommendations', 'add', REF, '--unit', '28948', '--text', 'Rà soát hộ nghèo.', '--deadline', '30/09/2026')
    run('recommendations', 'add', REF, '--unit', '28948', '--addressee-body', 'so-nnmt',
        '--text', 'Hướng dẫn xã xây dựng mô hình sinh kế.', '--deadline', '30/09/2026')
    run('plans', 'advance', REF, 'close')

    plan = _show(run)
    assert plan['coverage'] == 'per_cluster' and plan['coverage_rule'] == 'per_cluster'
    assert plan['clusters'] == [{'name': 'Cụm 1', 'communes': ['28948', '28915']},
                                {'name': 'Cụm 2', 'communes': ['28756', '28777']}]
    assert {v['district'] is None for v in plan['visits']} == {True}
    assert sorted(v['conclusion_unit']['code'] for v in plan['visits']) == ['28756', '28948']
    assert sorted((c['unit']['code'], c['unit']['level'], c['district']) for c in plan['conclusions']) == [
        ('28756', 'commune', None), ('28948', 'commune', None)]
    assert [r['addressee'] for r in plan['recommendations']] == [
        'UBND xã Nhuận Phú Tân', 'Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long']

    out = run('documents', 'render', REF, '--kind', 'conclusion', '--unit', '28948', '--out', str(tmp_path)).stdout
    pdf_path = out.split()[0]
    with pdfplumber.open(pdf_path) as pdf:
        text = ' '.join(' '.join((p.extract_text() or '').split()) for p in pdf.pages)
    assert 'UBND TỈNH VĨNH LONG' in text and '- UBND xã Nhuận Phú Tân;' in text
    assert '- Sở Nông nghiệp và Môi trường tỉnh Vĩnh Long;' in text and 'huyện' not in text.lower()
    text_show = run('plans', 'show', REF).stdout
    assert 'Xã Nhuận Phú Tân  [reviewed]' in text_show
