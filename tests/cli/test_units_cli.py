"""`inspect-flow units load | list | show`: a code means the unit of its day, with its history."""

from __future__ import annotations

import json

import pytest


def test_show_gives_validity_parent_predecessors_and_successors(run):  # noqa: ANN001
    old = json.loads(run('units', 'show', '28936', '--on', '12/07/2019', '--json').output)
    assert (old['name'], old['valid_from'], old['parent']['name']) == ('Xã Nhuận Phú Tân', '2019-01-01',
                                                                       'Huyện Mỏ Cày Bắc')
    assert old['valid_to'] == '2025-07-01'
    assert [{k: v for k, v in s.items() if k != 'id'} for s in old['successors']] == [
        {'code': '28948', 'name': 'Xã Nhuận Phú Tân', 'level': 'commune', 'date': '2025-07-01', 'is_default': True}]
    assert old['now_part_of']['name'] == 'Xã Nhuận Phú Tân'
    new = json.loads(run('units', 'show', '28948', '--on', '2026-03-01', '--json').output)
    assert {k: v for k, v in new['parent'].items() if k != 'id'} == {'code': '86', 'name': 'Tỉnh Vĩnh Long',
                                                                      'level': 'province'}
    assert [p['code'] for p in new['predecessors']] == ['28927', '28936', '28948']
    assert new['valid_to'] is None and new['successors'] == []
    # The same code, before the reform, is another commune.
    assert json.loads(run('units', 'show', '28948', '--on', '2019-07-12', '--json').output)['name'] == \
        'Xã Khánh Thạnh Tân'


def test_show_in_text_names_what_it_became(run):  # noqa: ANN001
    out = run('units', 'show', '28936', '--on', '2019-07-12').output
    assert '28936  Xã Nhuận Phú Tân  (từ 01/01/2019 đến 01/07/2025)' in out
    assert 'Chuyển thành: 28948 Xã Nhuận Phú Tân (01/07/2025)' in out
    assert 'Nay thuộc: Xã Nhuận Phú Tân' in out


@pytest.mark.parametrize(('args', 'count'), [
    (['--province', '86', '--on', '2026-01-01', '--level', 'commune'], 124),
    (['--province', '86', '--on', '2026-01-01', '--level', 'district'], 0),
    (['--province', '83', '--on', '2019-07-05', '--level', 'commune'], 164),
    (['--province', '83', '--on', '2019-07-05', '--level', 'district'], 9),
    (['--district', '838', '--on', '2019-07-05'], 13),
    (['--on', '2026-01-01', '--level', 'province'], 1),
])
def test_list_filters_by_province_day_and_level(run, args, count):  # noqa: ANN001
    rows = json.loads(run('units', 'list', *args, '--json').output)
    assert len(rows) == count


@pytest.mark.parametrize(('args', 'message'), [
    (['units', 'show', '99999', '--on', '2026-01-01'],
     'Lỗi: Không có đơn vị hành chính mã "99999" vào ngày 01/01/2026.'),
    (['units', 'list', '--province', '83', '--on', '2026-01-01'],
     'Lỗi: Không có đơn vị hành chính mã "83" vào ngày 01/01/2026.'),
    (['units', 'load', '--province', '99'], 'Lỗi: Không có tỉnh, thành phố mã "99".'),
])
def test_an_unknown_code_gets_one_line(run, args, message):  # noqa: ANN001
    before = run.snapshot()
    result = run(*args, ok=False)
    assert result.exit_code != 0 and 'Traceback' not in result.output
    assert message in result.output
    assert run.snapshot() == before


def test_load_reports_and_is_idempotent(run):  # noqa: ANN001
    out = run('units', 'load', '--province', '84').output
    assert 'Nguồn: vietnamadminunits 1.0.4; phạm vi: 86.' in out
    assert 'Thêm: 0.' in out and 'Sửa: 0.' in out and 'Kết thúc hiệu lực: 0.' in out
    report = json.loads(run('units', 'load', '--province', '86', '--json').output)
    assert report['added'] == {} and report['changed'] == {} and report['ended'] == {}
