"""The command line and text typed in NFD (a terminal or a script that decomposes): stored and printed in NFC, a
person found by a name typed in NFD, no look-alike made, and the issue's double booking reported. Both databases."""

from __future__ import annotations

import json
import unicodedata

import sqlalchemy as sa

from inspect_flow.core.db import make_engine

NAME = 'Võ Thành Công'
AGENCY = 'Hội Nông dân tỉnh'


def nfd(text: str) -> str:
    return unicodedata.normalize('NFD', text)


def _every_text_is_nfc(url: str) -> int:
    """Check every text and JSON cell of every table; return how many non-ASCII texts were seen."""
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    meta = sa.MetaData()
    meta.reflect(engine)
    seen = 0

    def check(value, where) -> None:  # noqa: ANN001
        nonlocal seen
        if isinstance(value, str):
            if value[:1] in ('[', '{'):
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
                else:
                    return check(value, where)
            assert unicodedata.is_normalized('NFC', value), (where, value)
            seen += not value.isascii()
        elif isinstance(value, dict):
            for k, v in value.items():
                check(k, where)
                check(v, where)
        elif isinstance(value, list):
            for v in value:
                check(v, where)

    with engine.connect() as conn:
        for name, table in meta.tables.items():
            for row in conn.execute(sa.select(table)).mappings():
                for col, value in row.items():
                    check(value, f'{name}.{col}')
    engine.dispose()
    return seen


def test_a_round_typed_in_nfd_is_stored_and_printed_in_nfc_and_the_look_alike_is_refused(run):  # noqa: ANN001
    run('init')
    run('bodies', 'add', '--slug', 'bcd', '--name', nfd('Ban Chỉ đạo các Chương trình mục tiêu quốc gia tỉnh Bến Tre'),
        '--abbreviation', 'BCĐCCTMTQG', '--header-line', nfd('BAN CHỈ ĐẠO CÁC CHƯƠNG TRÌNH'),
        '--parent-header', nfd('UBND TỈNH BẾN TRE'), '--place', nfd('Bến Tre'))
    out = run('plans', 'create', '--issuer', 'bcd', '--number', '1245', '--start', '2019-07-05', '--end', '2019-07-24',
              '--subject', nfd('Kiểm tra, giám sát công tác giảm nghèo năm 2019')).stdout
    assert out.strip() == 'Đã tạo kế hoạch 1245/KH-BCĐCCTMTQG.'
    run('plans', 'targets', '1245', '838', '833')
    out = run('people', 'add', '--name', nfd(NAME), '--title', nfd('Phó Chủ tịch'), '--agency', nfd(AGENCY)).stdout
    pid = out.split(':')[0]
    assert out.strip() == f'{pid}: {NAME}'  # printed in NFC, diacritics whole

    # the look-alike, typed in NFD and in capitals: one line naming the field and the person, nothing written
    before = run.snapshot()
    refused = run('people', 'add', '--name', nfd(NAME.upper()), '--agency', nfd(AGENCY), ok=False)
    assert refused.exit_code != 0 and 'Traceback' not in refused.output
    assert refused.stderr.strip().splitlines() == [
        f'Lỗi: Họ và tên: đã có người "{NAME} ({AGENCY})", mã số {pid}; hãy chọn người này thay vì thêm mới.']
    english = run('people', 'add', '--name', nfd(NAME), '--agency', AGENCY, ok=False, lang='en')
    assert english.stderr.strip() == f'Error: Full name: "{NAME} ({AGENCY})" already exists, id {pid}; choose that ' \
                                     'person instead of adding a new one.'
    assert run.snapshot() == before

    # the name typed in NFD (or without marks) finds the same person: the second team, same hour
    run('teams', 'add', '1245', '5')
    run('teams', 'add', '1245', '6')
    run('teams', 'member', '1245', '5', nfd(NAME), '--role', 'leader')
    run('teams', 'member', '1245', '6', 'vo thanh cong', '--role', 'leader')
    people = json.loads(run('people', 'list', '--json').stdout)
    assert [p['name'] for p in people] == [NAME]
    run('plans', 'advance', '1245', 'schedule')
    run('schedule', 'add', '1245', '--team', '5', '--commune', '28936', '--date', '12/07/2019', '--start', '07:30',
        '--end', '11:30')
    out = run('schedule', 'add', '1245', '--team', '6', '--commune', '28849', '--date', '12/07/2019', '--start',
              '08:00', '--end', '10:00').stdout
    assert f'{NAME} (Đoàn 5 và Đoàn 6) có hai buổi làm việc trùng giờ ngày 12/07/2019' in out
    conflicts = run('schedule', 'conflicts', '1245', ok=False)
    assert conflicts.exit_code == 3 and f'{NAME} (Đoàn 5 và Đoàn 6)' in conflicts.stdout
    shown = json.loads(run('plans', 'show', '1245', '--json').stdout)
    assert shown['subject'] == 'Kiểm tra, giám sát công tác giảm nghèo năm 2019'
    assert 'person_double_booked' in [c['rule'] for c in shown['conflicts']]
    assert _every_text_is_nfc(run.url) > 100
