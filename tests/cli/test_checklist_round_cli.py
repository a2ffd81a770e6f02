"""A visit recorded against the pinned checklist from the command line: drafts, refusals per item,
suggested findings accepted or rejected, and pins that no longer change once the visits start."""

from __future__ import annotations

import json

import yaml

from inspect_flow.demo.round2019 import checklist_answers


def _setup_round(run) -> int:  # noqa: ANN001
    """Plan 1245 with one team, Nhuận Phú Tân scheduled, both checklists pinned; returns the visit id."""
    run('init')
    run('bodies', 'add', '--slug', 'bcd', '--name', 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
        '--abbreviation', 'BCĐCCTMTQG', '--header-line', 'BAN CHỈ ĐẠO', '--place', 'Bến Tre')
    run('plans', 'create', '--issuer', 'bcd', '--number', '1245', '--issue-date', '28/05/2019',
        '--subject', 'Kiểm tra, giám sát công tác giảm nghèo năm 2019', '--start', '05/07/2019', '--end', '24/07/2019')
    out = run('plans', 'checklists', '1245').stdout
    assert 'chưa áp dụng bộ câu hỏi nào' in out
    out = run('plans', 'checklists', '1245', '--defaults').stdout
    assert 'poverty-supervision@2019.1' in out and 'household-consultation@2019.1' in out
    assert 'Kiểm tra, giám sát công tác giảm nghèo và thực hiện Đề án phát triển đa dạng sinh kế' in out
    run('plans', 'targets', '1245', '838')
    run('people', 'add', '--name', 'Võ Thành Công', '--title', 'Phó Chủ tịch')
    run('teams', 'add', '1245', '5')
    run('teams', 'member', '1245', '5', 'Võ Thành Công', '--role', 'leader')
    run('plans', 'advance', '1245', 'schedule')
    run('schedule', 'add', '1245', '--team', '5', '--commune', '28936', '--date', '12/07/2019')
    run('plans', 'advance', '1245', 'start_visiting')
    return json.loads(run('plans', 'show', '1245', '--json').stdout)['visits'][0]['id']


class _Visit:
    """Just what :func:`checklist_answers` reads of a visit."""

    class commune:  # noqa: N801
        name = 'Nhuận Phú Tân'

    class starts_at:  # noqa: N801
        @staticmethod
        def date():  # noqa: ANN205
            import datetime

            return datetime.date(2019, 7, 12)


def test_a_visit_against_the_pinned_checklist(run, tmp_path) -> None:  # noqa: ANN001
    visit_id = _setup_round(run)
    answers = checklist_answers(0, _Visit)

    # A draft with a wrong answer is kept; the command says what still blocks a submit.
    draft = dict(answers, dialogues_count=0)
    del draft['coordination']
    (tmp_path / 'draft.yaml').write_text(yaml.safe_dump(draft, allow_unicode=True), 'utf-8')
    out = run('visits', 'answers', str(visit_id), str(tmp_path / 'draft.yaml')).stdout
    assert f'Đã lưu bản nháp #{visit_id}; còn 2 mục cần hoàn thiện trước khi nộp.' in out
    assert '  - coordination: ' in out and 'bắt buộc phải trả lời' in out
    assert '  - dialogues_count: ' in out

    # Submitting now is refused, item by item, and changes nothing.
    before = run.snapshot()
    refused = run('visits', 'submit', str(visit_id), ok=False)
    assert refused.exit_code == 1
    assert 'Lỗi: Phiếu kiểm tra còn 2 mục chưa đạt' in refused.stderr
    assert '  - coordination: ' in refused.stderr and '  - dialogues_count: ' in refused.stderr
    assert run.snapshot() == before

    english = run('visits', 'form', str(visit_id), lang='en').stdout
    assert '2 item(s) to complete:' in english and 'an answer is required' in english

    fix = {'coordination': answers['coordination'], 'dialogues_count': answers['dialogues_count']}
    (tmp_path / 'fix.json').write_text(json.dumps(fix), 'utf-8')
    run('visits', 'answers', str(visit_id), str(tmp_path / 'fix.json'))
    status = json.loads(run('visits', 'form', str(visit_id), '--json').stdout)
    assert status['complete'] is True and status['errors'] == []
    assert status['values']['participation_rate'] == 100
    out = run('visits', 'form', str(visit_id)).stdout
    assert 'Đủ điều kiện nộp.' in out
    assert '[limitation] Một số hộ sử dụng vốn vay không đúng mục đích.' in out

    out = run('visits', 'submit', str(visit_id)).stdout
    assert 'Đã nộp kết quả' in out and '4 hộ tham vấn' in out  # the plan's quota: 04 households per commune

    plan = json.loads(run('plans', 'show', '1245', '--json').stdout)
    suggested = [f for f in plan['findings'] if f['status'] == 'suggested']
    assert {f['rule_id'] for f in suggested} >= {'loans_misused', 'support_generic', 'reporting_late'}

    refused = run('visits', 'review', str(visit_id), ok=False)
    assert f'Còn {len(suggested)} kết quả do phiếu kiểm tra gợi ý chưa được chấp nhận hoặc loại bỏ.' in refused.stderr

    late = next(f['id'] for f in suggested if f['rule_id'] == 'reporting_late')
    loans = next(f['id'] for f in suggested if f['rule_id'] == 'loans_misused')
    assert run('findings', 'accept', str(late), str(loans), '--text', 'x', ok=False).exit_code == 1
    run('findings', 'reject', str(late))
    run('findings', 'accept', str(loans), '--text', 'Hộ NPT-01 dùng vốn vay chăn nuôi để sửa nhà.')
    rest = [str(f['id']) for f in suggested if f['id'] not in (late, loans)]
    assert run('findings', 'accept', rest[0], '--visit', str(visit_id), ok=False).exit_code == 1
    assert run('findings', 'accept', ok=False).exit_code == 1
    out = run('findings', 'accept', '--visit', str(visit_id)).stdout
    assert f'Đã chấp nhận {len(rest)} kết quả.' in out
    run('visits', 'review', str(visit_id))

    plan = json.loads(run('plans', 'show', '1245', '--json').stdout)
    by_id = {f['id']: f for f in plan['findings']}
    assert by_id[late]['status'] == 'rejected'
    assert by_id[loans]['text'] == 'Hộ NPT-01 dùng vốn vay chăn nuôi để sửa nhà.'

    # The forms are fixed for the rest of the round.
    refused = run('plans', 'checklists', '1245', '--unpin', 'poverty-supervision', ok=False)
    assert 'Không thể thay đổi bộ câu hỏi kiểm tra khi kế hoạch đang ở giai đoạn' in refused.stderr


def test_a_version_outside_the_plans_period_is_refused_naming_both_dates(run) -> None:  # noqa: ANN001
    """``--pin ID`` takes the version that applies on the fieldwork start; ``--pin ID@VERSION`` of one whose
    period excludes it is refused, naming both dates, and writes nothing."""
    run('init')
    run('bodies', 'add', '--slug', 'bcd', '--name', 'Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre',
        '--abbreviation', 'BCĐCCTMTQG', '--header-line', 'BAN CHỈ ĐẠO', '--place', 'Bến Tre')
    run('plans', 'create', '--issuer', 'bcd', '--number', '1245', '--issue-date', '28/05/2019',
        '--subject', 'Kiểm tra, giám sát công tác giảm nghèo năm 2019', '--start', '05/07/2019', '--end', '24/07/2019')
    out = run('plans', 'checklists', '1245', '--pin', 'poverty-supervision').stdout
    assert out.startswith('poverty-supervision@2019.1  ')
    before = run.snapshot()
    for lang, message in [
        ('vi', 'Bộ câu hỏi poverty-supervision phiên bản 2026.1 chỉ áp dụng từ ngày 01/07/2025; kế hoạch bắt đầu '
               'kiểm tra ngày 05/07/2019.'),
        ('en', "Checklist poverty-supervision version 2026.1 applies only from 01/07/2025; the plan's fieldwork "
               'starts on 05/07/2019.'),
    ]:
        refused = run('plans', 'checklists', '1245', '--pin', 'poverty-supervision@2026.1', ok=False, lang=lang)
        assert refused.exit_code != 0 and 'Traceback' not in refused.output
        assert message in refused.stderr
    assert run.snapshot() == before
