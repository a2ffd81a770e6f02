"""A national round, measured: its document set rendered by 1 and by 2 Celery worker processes (prints figures).

Run: ``.venv/bin/python benchmarks/national_round.py [--scale 0.05] [--admin-url URL] [--broker URL] [--keep]``

1. A dedicated PostgreSQL database (``inspect_flow_national``) is created from the admin connection, migrated,
   and the whole country's post-2025 units loaded (34 provinces, 3,321 communes, as ``inspect-flow units load``).
2. A two-tier round is built with bulk inserts (not one ORM operation at a time): one team per province (a
   leader and a member each), one reviewed visit per commune with its participants and a finding, one
   conclusion and one recommendation per commune; the plan at its conclusions. Its document set: the plan,
   the decision forming the teams (issued before, as a round does), the working schedule, the minutes of every
   visit, the conclusion notice of every commune, every team's report and the round report.
3. The set is rendered as a document batch (``inspect_flow.documents.batch``, the task
   ``inspect_flow.documents.render_item``) by a real worker on Redis: ``inspect-flow worker --concurrency 1``,
   then ``--concurrency 2``. ``--scale`` renders that fraction of the items (every n-th item of the set, so
   every kind in proportion; the same items in both runs), issued, numbered and stored, each run on a clean register.

Printed: documents per second for each run, the efficiency of the added worker
(throughput(2) / (2 × throughput(1))), the peak RSS of each worker process (``VmHWM``), and the machine's load
average (the two cores are shared). The database is dropped at the end unless ``--keep``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

DB_NAME = 'inspect_flow_national'
ACTOR = 'benchmark'
FIELDWORK = (date(2026, 3, 2), date(2026, 5, 29))
ISSUE_DATE = date(2026, 6, 15)


def create_database(admin_url: str) -> str:
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE {DB_NAME}'))
    engine.dispose()
    return admin_url.rsplit('/', 1)[0] + '/' + DB_NAME


def drop_database(admin_url: str) -> None:
    engine = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)'))
    engine.dispose()


def build_round(url: str) -> tuple[int, int]:
    """Migrate, load the country's units, build the round; return (plan id, communes)."""
    from inspect_flow.core import migrate
    from inspect_flow.core.db import make_engine
    from inspect_flow.documents import operations as ops
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.findings.models import Conclusion, Finding, FindingKind, Recommendation
    from inspect_flow.plans import operations as plan_ops
    from inspect_flow.plans.models import Plan, TeamRole
    from inspect_flow.units import operations as unit_ops
    from inspect_flow.units.loading import load_units
    from inspect_flow.units.models import AdminUnit, UnitLevel
    from inspect_flow.visits.models import ParticipantSide, Visit, VisitParticipant
    from inspect_flow.workflow.states import PlanState, VisitState

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    migrate.upgrade(engine)
    t0 = time.perf_counter()
    with Session(engine) as s:
        load_units(s)
        s.commit()
    print(f'units loaded in {time.perf_counter() - t0:.1f} s')
    t0 = time.perf_counter()
    with Session(engine) as s:
        provinces = list(s.scalars(sa.select(AdminUnit).where(AdminUnit.level == UnitLevel.province,
                                                              AdminUnit.valid_from >= date(2025, 7, 1))
                                   .order_by(AdminUnit.code)))
        communes = s.execute(sa.select(AdminUnit.id, AdminUnit.parent_id, AdminUnit.full_name)
                             .where(AdminUnit.level == UnitLevel.commune, AdminUnit.valid_from >= date(2025, 7, 1),
                                    AdminUnit.valid_to.is_(None))
                             .order_by(AdminUnit.code)).all()
        nation = provinces[0]
        body = unit_ops.add_issuing_body(
            s, slug='bcd-quoc-gia', name='Ban Chỉ đạo Trung ương các Chương trình mục tiêu quốc gia',
            abbreviation='BCĐTW', header_lines=['BAN CHỈ ĐẠO TRUNG ƯƠNG', 'CÁC CHƯƠNG TRÌNH MTQG'],
            place_name='Hà Nội', unit=nation)
        plan = plan_ops.create_plan(s, issuer=body, number=1, subject='Kiểm tra, giám sát công tác giảm nghèo năm 2026',
                                    fieldwork_start=FIELDWORK[0], fieldwork_end=FIELDWORK[1],
                                    issue_date=date(2026, 2, 10), actor=ACTOR)
        team_of: dict[int, int] = {}
        leader_of: dict[int, int] = {}
        for n, province in enumerate(provinces, start=1):
            team = plan_ops.add_team(s, plan, n, actor=ACTOR)
            leader = unit_ops.add_person(s, full_name=f'Trưởng đoàn số {n:02d}', title='Phó Vụ trưởng',
                                         agency='Bộ Nông nghiệp và Môi trường', unit=province)
            plan_ops.add_member(s, team, leader, TeamRole.leader, actor=ACTOR)
            member = unit_ops.add_person(s, full_name=f'Thành viên Đoàn {n:02d}', title='Chuyên viên',
                                         agency='Bộ Nông nghiệp và Môi trường', unit=province)
            plan_ops.add_member(s, team, member, TeamRole.member, actor=ACTOR)
            team_of[province.id] = team.id
            leader_of[team.id] = leader.id
        s.flush()
        ops.issue_document(s, plan, 'team_decision', actor=ACTOR, issue_date=date(2026, 2, 20),
                           signer=SignerIn(name='Nguyễn Văn An', title='Phó Trưởng ban', prefix='KT.',
                                           on_behalf_of='Trưởng ban'))
        plan_id = plan.id
        # the visits, in bulk: one a commune, each team's communes on successive working days
        rows, seq = [], {}
        for commune_id, province_id, _name in communes:
            team_id = team_of[province_id]
            k = seq[team_id] = seq.get(team_id, -1) + 1
            when = datetime.combine(FIELDWORK[0] + timedelta(days=k // 2 % 80), datetime.min.time()) + \
                timedelta(hours=7 if k % 2 == 0 else 13, minutes=30)
            rows.append({'plan_id': plan_id, 'team_id': team_id, 'commune_id': commune_id, 'district_id': None,
                         'starts_at': when, 'ends_at': when + timedelta(hours=4), 'state': VisitState.reviewed,
                         'place': 'Hội trường UBND', 'answers': {}, 'content': {
                             'district_report': 'Báo cáo kết quả thực hiện Chương trình năm 2026.',
                             'local_opinion': 'Thống nhất với kết quả làm việc của Đoàn.'},
                         'submitted_dt': when + timedelta(hours=5), 'reviewed_dt': when + timedelta(days=1),
                         'reviewed_by_id': leader_of[team_id], 'version_id': 1})
        s.execute(sa.insert(Visit), rows)
        visits = s.execute(sa.select(Visit.id, Visit.commune_id).where(Visit.plan_id == plan_id)).all()
        s.execute(sa.insert(VisitParticipant), [
            {'visit_id': v, 'side': ParticipantSide.commune, 'full_name': 'Lê Văn Hùng', 'title': 'Chủ tịch UBND',
             'agency': ''} for v, _ in visits])
        s.execute(sa.insert(Finding), [
            {'plan_id': plan_id, 'visit_id': v, 'kind': FindingKind.limitation, 'category': 'Sử dụng vốn vay',
             'text': 'Một số hộ sử dụng vốn vay chưa đúng mục đích.', 'created_by': ACTOR, 'version_id': 1}
            for v, _ in visits])
        s.execute(sa.insert(Conclusion), [
            {'plan_id': plan_id, 'unit_id': c, 'summary': 'Địa phương đã triển khai đầy đủ các chính sách giảm '
             'nghèo.', 'created_by': ACTOR, 'version_id': 1} for _, c in visits])
        conclusions = s.execute(sa.select(Conclusion.id, Conclusion.unit_id)
                                .where(Conclusion.plan_id == plan_id)).all()
        names = {c: name for c, _p, name in communes}
        s.execute(sa.insert(Recommendation), [
            {'plan_id': plan_id, 'conclusion_id': cid, 'number': 1, 'addressee_unit_id': unit_id,
             'addressee_label': f'UBND {names[unit_id]}', 'text': 'Tăng cường kiểm tra việc sử dụng vốn vay.',
             'deadline': date(2026, 12, 31), 'created_by': ACTOR, 'version_id': 1} for cid, unit_id in conclusions])
        s.execute(sa.update(Plan).where(Plan.id == plan_id).values(state=PlanState.conclusions))
        s.commit()
    engine.dispose()
    print(f'round built in {time.perf_counter() - t0:.1f} s: {len(provinces)} teams, {len(communes)} communes')
    return plan_id, len(communes)


def reset(url: str, plan_id: int) -> None:
    """Forget the batches and what they issued (the decision issued before them stays), registers included."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text('DELETE FROM document_batch_items'))
        conn.execute(sa.text('DELETE FROM document_batches'))
        conn.execute(sa.text("DELETE FROM documents WHERE plan_id = :p AND kind <> 'team_decision'"), {'p': plan_id})
        conn.execute(sa.text("DELETE FROM number_registers WHERE kind <> 'QĐ'"))
    engine.dispose()


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f'/proc/{pid}/task/{pid}/children').read_text().split()]
    except OSError:
        return []


def peak_rss_mb(pid: int) -> float:
    for line in Path(f'/proc/{pid}/status').read_text().splitlines():
        if line.startswith('VmHWM:'):
            return int(line.split()[1]) / 1024
    return 0.0


def run(url: str, plan_id: int, broker: str, concurrency: int, scale: float, timeout: float) -> dict:
    from inspect_flow import create_app
    from inspect_flow.documents import batch as batches
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.plans.models import Plan
    from inspect_flow.tasks.app import dispatch

    reset(url, plan_id)
    queue = f'bench-{uuid.uuid4().hex[:8]}'
    env = {k: v for k, v in os.environ.items() if not k.startswith('INSPECT_FLOW_')}
    env.update(PYTHONPATH=str(ROOT), INSPECT_FLOW_DATABASE_URL=url, INSPECT_FLOW_BROKER_URL=broker,
               INSPECT_FLOW_QUEUE=queue)
    os.environ.update(INSPECT_FLOW_BROKER_URL=broker, INSPECT_FLOW_QUEUE=queue)
    app = create_app({'DATABASE_URL': url})
    factory = app.extensions['inspect_flow.sessions']
    with factory() as s:
        batch, _ = batches.start_batch(s, s.get(Plan, plan_id), actor=ACTOR, issue_date=ISSUE_DATE,
                                       signer=SignerIn(name='Nguyễn Văn An', title='Phó Trưởng ban', prefix='KT.',
                                                       on_behalf_of='Trưởng ban'))
        s.commit()
        batch_id, items = batch.id, batches.unfinished_items(s, batch)
    chosen = items[::max(1, round(1 / scale))] if scale < 1 else items  # every n-th: all kinds, in proportion
    log = open(f'/tmp/national-worker-{concurrency}.log', 'wb')  # noqa: SIM115
    worker = subprocess.Popen([sys.executable, '-c', 'from inspect_flow.cli import main; main()', 'worker',
                               f'--concurrency={concurrency}', '--loglevel=warning',
                               f'--hostname=bench{concurrency}-{queue}@local'],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    peaks: dict[int, float] = {}
    try:
        deadline = time.monotonic() + 60
        celery = app.extensions['celery']
        while not (celery.control.ping(destination=[f'bench{concurrency}-{queue}@local'], timeout=1.0) or []):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f'the worker did not start (see /tmp/national-worker-{concurrency}.log)')
        time.sleep(1.0)  # the pool's processes up and warm
        start = time.perf_counter()
        with app.app_context():
            for item_id in chosen:
                dispatch('inspect_flow.documents.render_item', item_id)
        chosen_set = tuple(chosen)
        deadline = time.monotonic() + timeout
        while True:
            for child in children(worker.pid):
                try:
                    peaks[child] = max(peaks.get(child, 0.0), peak_rss_mb(child))
                except OSError:
                    pass
            with factory() as s:
                settled = s.scalar(sa.select(sa.func.count()).where(
                    batches.BatchItem.id.in_(chosen_set),
                    batches.BatchItem.state.in_([batches.ItemState.done, batches.ItemState.failed])))
            if settled >= len(chosen):
                break
            if time.monotonic() > deadline:
                raise SystemExit(f'timed out after {timeout} s with {settled}/{len(chosen)} documents')
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        with factory() as s:
            failed = s.execute(sa.select(batches.BatchItem.label, batches.BatchItem.error).where(
                batches.BatchItem.batch_id == batch_id, batches.BatchItem.state == batches.ItemState.failed)).all()
            kinds = dict(s.execute(sa.select(batches.BatchItem.kind, sa.func.count()).where(
                batches.BatchItem.id.in_(chosen_set)).group_by(batches.BatchItem.kind)).all())
            numbers = s.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(
                sa.tuple_(sa.column('type_code'), sa.column('number'))))).select_from(sa.table('documents'))).one()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=30)
        log.close()
        app.extensions['celery'].close()
        app.extensions['inspect_flow.engine'].dispose()
    for label, error in failed[:5]:
        print(f'  failed: {label}: {error}')
    return {'docs': len(chosen), 'total': len(items), 'elapsed': elapsed, 'rate': len(chosen) / elapsed,
            'failed': len(failed), 'peaks': sorted(peaks.values()), 'kinds': kinds, 'numbers': numbers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--scale', type=float, default=1.0, help='the fraction of the set to render (0 < s ≤ 1)')
    parser.add_argument('--admin-url', default='postgresql+psycopg://postgres@127.0.0.1:5432/postgres')
    parser.add_argument('--broker', default='redis://127.0.0.1:6379/0')
    parser.add_argument('--timeout', type=float, default=3600, help='seconds to wait for one run')
    parser.add_argument('--keep', action='store_true', help='keep the database at the end')
    args = parser.parse_args()
    url = create_database(args.admin_url)
    try:
        plan_id, communes = build_round(url)
        results = {}
        for n in (1, 2):
            results[n] = r = run(url, plan_id, args.broker, n, args.scale, args.timeout)
            print(f'concurrency {n}: {r["docs"]} of {r["total"]} documents in {r["elapsed"]:.1f} s = '
                  f'{r["rate"]:.2f} documents/s; failed {r["failed"]}; kinds {r["kinds"]}; '
                  f'peak RSS per worker process {", ".join(f"{p:.0f} MB" for p in r["peaks"])}; '
                  f'documents {r["numbers"][0]}, distinct numbers {r["numbers"][1]}; '
                  f'load average {os.getloadavg()[0]:.2f}')
        one, two = results[1]['rate'], results[2]['rate']
        print(f'\nnational round: {communes} communes, {results[1]["total"]} documents in the set, '
              f'scale {args.scale} ({results[1]["docs"]} rendered per run)')
        print(f'throughput: 1 worker {one:.2f} docs/s, 2 workers {two:.2f} docs/s; '
              f'efficiency of the added worker {two / (2 * one):.2f} (goal ≥ 0.9); cores {os.cpu_count()}')
    finally:
        if not args.keep:
            drop_database(args.admin_url)


if __name__ == '__main__':
    main()
