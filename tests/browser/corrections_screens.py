"""Screenshots of the corrections on the findings and conclusions pages, at 1280 and 390 px (not a test).

    .venv/bin/python -m tests.browser.corrections_screens [OUT_DIR]    (default /tmp/corrections_screens)

The 2019 round at its conclusions stage: a conclusion and recommendations for every district; in Mỏ Cày Bắc a
withdrawn recommendation and a withdrawn finding; another district's notice issued (locked), a third one
issued with its replacement being prepared.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.screenshots import WIDTHS, _database, _serve


def _prepare(s, plan) -> dict:  # noqa: ANN001
    import sqlalchemy as sa

    from inspect_flow.documents import operations as doc_ops
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.findings import operations as ops
    from inspect_flow.findings.models import Finding, FindingStatus

    visits = sorted((v for v in plan.visits if v.state.value != 'cancelled'), key=lambda v: v.conclusion_unit.code)
    mine = next(v for v in visits if v.team.number == 5)
    for v in visits:
        unit = v.conclusion_unit
        c = ops.add_conclusion(s, plan, unit, summary=f'Ban Chỉ đạo {unit.full_name} triển khai kịp thời, đúng '
                               'kế hoạch; công tác rà soát hộ nghèo còn chậm.', actor='screens')
        ops.add_recommendation(s, plan, text='Chỉ đạo rà soát, sử dụng vốn vay đúng mục đích.', addressee_label='',
                               conclusion=c, addressee_unit=unit, deadline=date(2019, 10, 31), actor='screens')
    c = ops.get_conclusion(s, plan, mine.conclusion_unit)
    gone = ops.add_recommendation(s, plan, text='Kiến nghị nhập trùng.', addressee_label='', conclusion=c,
                                  addressee_unit=mine.conclusion_unit, actor='screens')
    ops.withdraw_recommendation(s, gone, reason='Trùng với kiến nghị 1.', actor='screens')
    finding = s.scalars(sa.select(Finding).where(Finding.visit_id == mine.id, Finding.status == FindingStatus.accepted)
                        .order_by(Finding.id.desc())).first()
    ops.withdraw_finding(s, finding, reason='Không đúng thực tế, đã xác minh lại.', actor='screens')
    others = [v for v in visits if v.conclusion_unit_id != mine.conclusion_unit_id]
    signer = SignerIn(name='Nguyễn Văn Hiếu')
    locked = doc_ops.issue_document(s, plan, 'conclusion', unit=others[0].conclusion_unit, actor='screens',
                                    issue_date=date(2019, 8, 20), signer=signer)
    reopened = doc_ops.issue_document(s, plan, 'conclusion', unit=others[1].conclusion_unit, actor='screens',
                                      issue_date=date(2019, 8, 20), signer=signer)
    doc_ops.open_replacement(s, reopened, reason='Đính chính thời hạn thực hiện kiến nghị.', actor='screens')
    s.flush()
    return {'plan': plan.id, 'mine': c.id, 'locked': locked.id, 'rec': c.active_recommendations[0].id}


def main(out: str = '/tmp/corrections_screens') -> None:
    from playwright.sync_api import sync_playwright

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix='if-screens-'))
    os.environ['INSPECT_FLOW_INSTANCE'] = str(tmp)
    srv, base, info = _serve(_database(tmp, 'conclusions'), 'conclusions', _prepare)
    p = info['plan']
    shots = [
        ('findings-leader', 'cong.td5', f'/plans/{p}/findings', ['.finding details:not(.withdraw) > summary']),
        ('conclusions-secretariat', 'thao.vpt', f'/plans/{p}/conclusions',
         [f'#rec-{info["rec"]} details:not(.withdraw) > summary', f'#conclusion-{info["mine"]} .withdrawn > summary',
          '.lock details > summary']),
    ]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, username, path, opens in shots:
                for kind, width in WIDTHS.items():
                    ctx = browser.new_context(base_url=base, viewport={'width': width, 'height': 900},
                                              is_mobile=kind == 'phone', has_touch=kind == 'phone', locale='vi-VN')
                    page = ctx.new_page()
                    page.goto('/login')
                    page.fill('#f-username', username)
                    page.fill('#f-password', 'bentre-2019')
                    page.click('form.card button[type=submit]')
                    page.wait_for_load_state()
                    page.goto(path)
                    for selector in opens:
                        page.locator(selector).first.click()
                    page.screenshot(path=str(folder / f'{name}-{kind}.png'), full_page=True)
                    if name.startswith('conclusions'):
                        page.locator(f'#conclusion-{info["mine"]}').screenshot(
                            path=str(folder / f'{name}-unit-{kind}.png'))
                        page.locator('.lock').first.locator('xpath=..').screenshot(
                            path=str(folder / f'{name}-locked-{kind}.png'))
                        page.locator('.lock.open').first.locator('xpath=..').screenshot(
                            path=str(folder / f'{name}-reopened-{kind}.png'))
                    else:
                        page.locator('.finding.status-withdrawn').first.screenshot(
                            path=str(folder / f'{name}-withdrawn-{kind}.png'))
                        page.locator('.finding details[open]').first.locator('xpath=../..').screenshot(
                            path=str(folder / f'{name}-edit-{kind}.png'))
                    ctx.close()
            browser.close()
    finally:
        srv.shutdown()
    print(f'screenshots in {folder}')


if __name__ == '__main__':
    main(*sys.argv[1:2])
