"""Screenshots of every picker in use and of the issuing-body form, at 390 and 1280 px, for a person to look at.

    .venv/bin/python -m tests.browser.picker_screens [OUT_DIR]    (default /tmp/picker_screens)

The 2019 round is served at the conclusions stage with the conclusion for Huyện Mỏ Cày Bắc written, so that its
recommendation form (the addressee picker) shows. Not a test: nothing is asserted.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.screenshots import WIDTHS, _database, _serve


def _prepare(s, plan) -> dict:  # noqa: ANN001
    from inspect_flow.findings import operations as f_ops
    from inspect_flow.units.loading import load_units
    from inspect_flow.units.operations import get_unit

    load_units(s, ['86'])  # Tỉnh Vĩnh Long since 01/07/2025: the units in force today

    district = get_unit(s, '838', plan.fieldwork_start)
    conclusion = f_ops.add_conclusion(s, plan, district, summary='Huyện đã triển khai đúng kế hoạch.', actor='screens')
    return {'plan': plan.id, 'conclusion': conclusion.id}


def main(out: str = '/tmp/picker_screens') -> None:
    from playwright.sync_api import sync_playwright

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix='if-picker-screens-'))
    os.environ['INSPECT_FLOW_INSTANCE'] = str(tmp)
    server, base, info = _serve(_database(tmp, 'conclusions'), 'conclusions', _prepare)
    p, c = info['plan'], info['conclusion']
    # (name, user, path, picker input, text typed, script on)
    shots = [
        ('addressee', 'thao.vpt', f'/plans/{p}/conclusions', f'#f-addressee_unit-{c}', 'nhuan phu tan', True),
        ('plan-issuer', 'thao.vpt', '/plans/new', '#f-issuer', 'ban chi', True),
        ('plan-targets-2026', 'thao.vpt', '/plans/new', '#f-targets', 'nhuan phu tan', True),
        ('account-unit', 'admin', '/users', '#f-unit', 'NHUẬN PHÚ', True),
        ('account-person', 'admin', '/users', '#f-person', 'nguyen', True),
        ('body-form', 'thao.vpt', '/bodies', '#f-unit', 'vinh long', True),
        ('account-person-nojs', 'admin', '/users', '#f-person', 'nguyen', False),
    ]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, username, path, box, text, script in shots:
                for kind, width in WIDTHS.items():
                    ctx = browser.new_context(base_url=base, viewport={'width': width, 'height': 900 if
                                                                       kind == 'desktop' else 844},
                                              is_mobile=kind == 'phone', has_touch=kind == 'phone', locale='vi-VN',
                                              java_script_enabled=script)
                    page = ctx.new_page()
                    page.goto('/login')
                    page.fill('#f-username', username)
                    page.fill('#f-password', 'bentre-2019')
                    page.click('form.card button[type=submit]')
                    page.wait_for_load_state()
                    page.goto(path)
                    if name == 'plan-targets-2026':
                        page.fill('#f-fieldwork_start', '2026-04-06')
                    field = page.locator(box)
                    field.scroll_into_view_if_needed()
                    if script:
                        field.click()  # selects a chosen value's label: typing replaces it
                        field.press_sequentially(text, delay=15)
                        page.locator(f'{box}-list li').first.wait_for()
                        page.evaluate('el => el.scrollIntoView({block: "center"})', field.element_handle())
                    else:
                        field.fill(text)
                        page.locator('form.card button.button').click()
                        page.wait_for_load_state()
                        page.locator('.picker-choices').scroll_into_view_if_needed()
                    page.screenshot(path=str(folder / f'{name}-{width}.png'))
                    if name == 'body-form':
                        page.locator('h2#new').evaluate('el => el.scrollIntoView()')
                        page.screenshot(path=str(folder / f'{name}-whole-{width}.png'), full_page=True)
                    ctx.close()
            browser.close()
    finally:
        server.shutdown()
    print(f'screenshots in {folder}')


if __name__ == '__main__':
    main(*sys.argv[1:2])
