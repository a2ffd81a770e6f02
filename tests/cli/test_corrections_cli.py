"""Corrections from the command line: edit and withdraw until the carrying document is issued, then through a
replacement; every refusal is one line ``Lỗi: …`` and changes nothing."""

from __future__ import annotations

import json

REF = '1245/KH-BCĐCCTMTQG'


def _show(run) -> dict:  # noqa: ANN001
    return json.loads(run('plans', 'show', REF, '--json').stdout)


def _refused(run, *args: str) -> str:  # noqa: ANN001
    before = run.snapshot()
    result = run(*args, ok=False)
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('Lỗi: '), result.stderr
    assert run.snapshot() == before
    return lines[0]


def test_corrections_until_issue_then_through_a_replacement(run):  # noqa: ANN001
    run('init')
    run('demo', '--through', 'conclusions')
    plan = _show(run)
    visit = next(v for v in plan['visits'] if v['district']['code'] == '838')
    finding = next(f for f in plan['findings'] if f['visit_id'] == visit['id'] and f['status'] == 'accepted'
                   and f['kind'] == 'limitation')
    other = next(f for f in plan['findings'] if f['visit_id'] != visit['id'] and f['status'] == 'accepted')

    # an empty overall assessment is refused, naming the field
    line = _refused(run, 'conclusions', 'add', REF, '--unit', '838', '--summary', '  ')
    assert 'Đánh giá chung' in line
    run('conclusions', 'add', REF, '--unit', '838', '--summary', 'Triển khai kịp thời.')
    run('recommendations', 'add', REF, '--unit', '838', '--text', 'Rà soát việc sử dụng vốn vay.',
        '--deadline', '31/10/2019')
    run('recommendations', 'add', REF, '--unit', '838', '--text', 'Kiến nghị trùng, sẽ rút.')
    recs = [r for r in _show(run)['recommendations']]
    keep, drop = recs[0]['id'], recs[1]['id']

    # a recommendation is drawn only from its own unit's findings
    assert 'Huyện Mỏ Cày Bắc' in _refused(run, 'recommendations', 'edit', str(keep), '--finding', str(other['id']))
    run('recommendations', 'edit', str(keep), '--finding', str(finding['id']), '--text', 'Rà soát lại vốn vay.')
    out = run('findings', 'edit', str(finding['id']), '--text', 'Hai hộ dùng vốn vay sai mục đích.').stdout
    assert out.strip() == 'Đã sửa: text.'
    # a stale version is refused
    _refused(run, 'conclusions', 'edit', REF, '--unit', '838', '--summary', 'Cũ.', '--version', '7')
    run('conclusions', 'edit', REF, '--unit', '838', '--summary', 'Triển khai kịp thời, đúng kế hoạch.',
        '--version', '1')
    assert run('recommendations', 'withdraw', str(drop), ok=False).exit_code == 2  # --reason is required
    run('recommendations', 'withdraw', str(drop), '--reason', 'Trùng với kiến nghị 1.')
    shown = {r['id']: r for r in _show(run)['recommendations']}
    assert shown[drop]['state'] == 'withdrawn' and shown[keep]['text'] == 'Rà soát lại vốn vay.'

    # the notice is issued: it locks its conclusion, recommendations and the unit's findings
    out = run('documents', 'issue', REF, '--kind', 'conclusion', '--unit', '838', '--date', '20/08/2019',
              '--signer', 'Nguyễn Văn An').stdout
    doc_id = json.loads(run('documents', 'list', REF, '--json').stdout)[0]['id']
    line = _refused(run, 'conclusions', 'edit', REF, '--unit', '838', '--summary', 'Sửa sau khi ban hành.')
    assert 'đã ban hành' in line and f'documents replace {doc_id}' in line
    _refused(run, 'recommendations', 'withdraw', str(keep), '--reason', 'x')
    _refused(run, 'findings', 'withdraw', str(finding['id']), '--reason', 'x')
    _refused(run, 'recommendations', 'add', REF, '--unit', '838', '--text', 'Thêm sau khi ban hành.')

    # a replacement being prepared opens corrections again; issuing it locks again
    out = run('documents', 'replace', str(doc_id), '--reason', 'Sửa đánh giá chung.').stdout
    assert '--supersedes' in out
    run('conclusions', 'edit', REF, '--unit', '838', '--summary', 'Đánh giá chung đã đính chính.')
    run('findings', 'withdraw', str(finding['id']), '--reason', 'Không đúng thực tế.')
    run('documents', 'issue', REF, '--kind', 'conclusion', '--unit', '838', '--date', '21/08/2019',
        '--signer', 'Nguyễn Văn An', '--supersedes', str(doc_id))
    _refused(run, 'conclusions', 'edit', REF, '--unit', '838', '--summary', 'Lần nữa.')
    history = json.loads(run('history', REF, '--json').stdout)
    assert any(h['entity'] == 'recommendation' and h['to'] == 'withdrawn' and h['comment'] == 'Trùng với kiến nghị 1.'
               for h in history)
    assert any(h['entity'] == 'conclusion' and h['action'] == 'update' for h in history)
