"""Screenshots of the main pages at desktop (1280) and phone (390) widths, for a person to look at.

    .venv/bin/python -m tests.browser.screenshots [OUT_DIR]    (default /tmp/web_review)

Two demo databases are served: the 2019 round closed (plans, teams, findings, conclusions, documents,
inbox, dashboard, audit) and the same round while visiting (a schedule conflict, a visit form, the same
form refused with its errors, a visit waiting for the leader's review). Not a test: nothing is asserted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

WIDTHS = {'desktop': 1280, 'phone': 390}


def _database(folder: Path, name: str) -> str:
    from inspect_flow.core import migrate
    from inspect_flow.core.db import make_engine
    from inspect_flow.units.operations import load_ben_tre_2019

    url = f'sqlite:///{folder / name}.sqlite3'
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    migrate.upgrade(engine)
    with Session(engine) as s:
        load_ben_tre_2019(s)
        s.commit()
    engine.dispose()
    return url


def _serve(url: str, through: str, prepare):  # noqa: ANN001, ANN202
    from werkzeug.serving import make_server

    from inspect_flow import create_app
    from inspect_flow.accounts.operations import ensure_demo_accounts, use_fast_hashing
    from inspect_flow.core.db import make_session_factory, unit_of_work
    from inspect_flow.demo.round2019 import run_demo

    use_fast_hashing()
    app = create_app({'DATABASE_URL': url, 'SECRET_KEY': 'screens', 'SESSION_COOKIE_SECURE': False,
                      'REMEMBER_COOKIE_SECURE': False})
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        plan, _ = run_demo(s, through)
        ensure_demo_accounts(s)
        info = prepare(s, plan)
    server = make_server('127.0.0.1', 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f'http://127.0.0.1:{server.server_port}', info


def _prepare_closed(s, plan) -> dict:  # noqa: ANN001
    from inspect_flow.documents.operations import issue_document
    from inspect_flow.documents.sources import SignerIn

    issue_document(s, plan, 'conclusion', district='838', issue_date=datetime(2019, 8, 20).date(),
                   signer=SignerIn(name='Nguyễn Văn Hiếu'), actor='screens')
    rec = s.execute(sa.text("select r.id from recommendations r join admin_units a on a.id = r.addressee_unit_id "
                            "where a.code = '838' order by r.id limit 1")).scalar()
    visit = s.execute(sa.text('select id from visits order by id limit 1')).scalar()
    return {'plan': plan.id, 'rec': rec, 'visit': visit}


def _prepare_visiting(s, plan) -> dict:  # noqa: ANN001
    from inspect_flow.demo.round2019 import checklist_answers
    from inspect_flow.visits import operations as visit_ops
    from inspect_flow.visits.models import Visit

    visits = sorted(plan.visits, key=lambda v: v.id)
    v5 = next(v for v in visits if v.commune.code == '28936')  # team 5: ngan.ltk and cong.td5
    v2 = next(v for v in visits if v.team.number == 2)  # team 2: ngan.ltk again
    visit_ops.save_answers(s, v5, checklist_answers(4, v5), actor='screens')
    visit_ops.submit_visit(s, v5, actor='screens')
    return {'plan': plan.id, 'review': v5.id, 'form': s.get(Visit, v2.id).id}


def _prepare_scheduling(s, plan) -> dict:  # noqa: ANN001
    from inspect_flow.plans import operations as plan_ops

    team = next(t for t in plan.teams if t.number == 5)
    day = datetime.combine(plan.fieldwork_start, datetime.min.time())
    if not plan.visits:
        plan_ops.schedule_visit(s, plan, team, '28936', day.replace(hour=7, minute=30), day.replace(hour=11),
                                actor='screens')
    plan_ops.schedule_visit(s, plan, team, '28889', day.replace(hour=8), day.replace(hour=11, minute=30),
                            actor='screens')
    s.flush()
    return {'plan': plan.id}


def main(out: str = '/tmp/web_review') -> None:
    from playwright.sync_api import sync_playwright

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix='if-screens-'))
    os.environ['INSPECT_FLOW_INSTANCE'] = str(tmp)
    closed_srv, closed, c = _serve(_database(tmp, 'closed'), 'closed', _prepare_closed)
    visiting_srv, visiting, v = _serve(_database(tmp, 'visiting'), 'visiting', _prepare_visiting)
    scheduling_srv, scheduling, sc = _serve(_database(tmp, 'scheduling'), 'scheduling', _prepare_scheduling)
    p = c['plan']
    shots = [  # (name, base url, user, path, language, action)
        ('01-plans', closed, 'thao.vpt', '/plans', 'vi', None),
        ('02-plan', closed, 'thao.vpt', f'/plans/{p}', 'vi', None),
        ('03-plan-visiting', visiting, 'thao.vpt', f'/plans/{v["plan"]}', 'vi', None),
        ('04-teams', closed, 'thao.vpt', f'/plans/{p}/teams', 'vi', None),
        ('05-schedule-conflict', scheduling, 'thao.vpt', f'/plans/{sc["plan"]}/schedule', 'vi', None),
        ('06-visit-form', visiting, 'ngan.ltk', f'/visits/{v["form"]}', 'vi', None),
        ('07-visit-form-errors', visiting, 'ngan.ltk', f'/visits/{v["form"]}', 'vi', 'bad-submit'),
        ('08-review', visiting, 'cong.td5', f'/visits/{v["review"]}', 'vi', None),
        ('09-findings', closed, 'thao.vpt', f'/plans/{p}/findings', 'vi', None),
        ('10-conclusions', closed, 'thao.vpt', f'/plans/{p}/conclusions', 'vi', None),
        ('11-documents', closed, 'thao.vpt', f'/plans/{p}/documents', 'vi', None),
        ('12-inbox', closed, 'huyen.mcb', '/inbox', 'vi', None),
        ('13-recommendation', closed, 'huyen.mcb', f'/recommendations/{c["rec"]}', 'vi', None),
        ('14-dashboard', closed, 'thao.vpt', f'/plans/{p}/dashboard', 'vi', None),
        ('15-audit', closed, 'thao.vpt', f'/plans/{p}/history', 'vi', None),
        ('16-login', closed, None, '/login', 'vi', None),
        ('20-en-plan', closed, 'thao.vpt', f'/plans/{p}', 'en', None),
        ('21-en-visit-form', visiting, 'ngan.ltk', f'/visits/{v["form"]}', 'en', None),
        ('22-en-dashboard', closed, 'thao.vpt', f'/plans/{p}/dashboard', 'en', None),
        ('23-en-documents', closed, 'thao.vpt', f'/plans/{p}/documents', 'en', 'open-issue'),
        ('24-en-inbox', closed, 'huyen.mcb', '/inbox', 'en', None),
        ('25-en-history', closed, 'thao.vpt', f'/plans/{p}/history', 'en', None),
    ]
    only = set(sys.argv[2:])
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for name, base, username, path, lang, action in shots:
                if only and name not in only:
                    continue
                for kind, width in WIDTHS.items():
                    ctx = browser.new_context(base_url=base, viewport={'width': width, 'height': 900},
                                              is_mobile=kind == 'phone', has_touch=kind == 'phone',
                                              locale='en-GB' if lang == 'en' else 'vi-VN')
                    page = ctx.new_page()
                    if username:
                        page.goto('/login')
                        page.fill('#f-username', username)
                        page.fill('#f-password', 'bentre-2019')
                        page.click('form.card button[type=submit]')
                        page.wait_for_load_state()
                    if lang == 'en':
                        page.goto('/plans' if username != 'huyen.mcb' else '/inbox')
                        page.locator('.tools button[name=lang]').click()
                        page.wait_for_load_state()
                    page.goto(path)
                    if action == 'open-issue':
                        page.locator('#doc-conclusion-829 summary').click()
                    if action == 'bad-submit':
                        page.locator('.item[data-item="total_households"] input').fill('khoảng 2500')
                        page.locator('.item[data-item="dialogues_held"] input[value=yes]').check()
                        page.locator('[data-submit]').click()
                        page.wait_for_load_state()
                        page.locator('.item[data-item="total_households"]').screenshot(
                            path=str(folder / f'{name}-item-{kind}.png'))
                    page.screenshot(path=str(folder / f'{name}-{kind}.png'), full_page=True)
                    ctx.close()
            browser.close()
    finally:
        closed_srv.shutdown()
        visiting_srv.shutdown()
        scheduling_srv.shutdown()
    print(f'screenshots in {folder}')


if __name__ == '__main__':
    main(*sys.argv[1:2])
