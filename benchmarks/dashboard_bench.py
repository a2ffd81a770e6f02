"""Dashboard benchmark at national scale: every 2025 commune (3,321, loaded by ``inspect-flow units load``) visited
once a year by its province's round, three years of rounds (2024 in the predecessor communes of the three-tier
structure, 2025 and 2026 in the two-tier communes): about 1M checklist answers, 100k findings and 30k
recommendations at ``--scale 1``.

The data is built in bulk (SQLAlchemy Core ``insert`` of many rows at once), but as the application writes it:
plans made by :func:`plans.operations.create_plan` with their pinned checklists and teams, visits reviewed or
cancelled with their answers to the pinned checklist (the demo's answers) and their consulted households, findings in
the managed categories, conclusions per district (2024) or commune (2025, 2026), recommendations in every state
with deadlines and follow-up reports.

It then times, through the Flask test client (the whole request: query, template, response) and through the query
functions alone, every dashboard page: the round dashboard of the largest round (and its overdue list filtered),
the cross-round /dashboard with typical filters, and the API's /api/v1/dashboard; and the national export
``inspect-flow export xlsx --all --from 2024`` in a subprocess (wall time and the subprocess's peak RSS).

Every figure is measured at 10 %, 30 % and 100 % of ``--scale`` in the same run, and the growth between the
smallest and the largest is set beside n log n (n: findings).

Run: .venv/bin/python benchmarks/dashboard_bench.py [--scale 1] [--db sqlite|postgresql|both] [--runs 20]
A PostgreSQL database ``inspect_flow_bench`` is created from the admin URL (``--pg``) and dropped at the end.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from inspect_flow.core import migrate  # noqa: E402
from inspect_flow.core.db import make_engine  # noqa: E402

PG_DEFAULT = 'postgresql+psycopg://postgres@127.0.0.1:5432/test'
BENCH_DB = 'inspect_flow_bench'
ACTOR = 'bench'
YEARS = (2024, 2025, 2026)
TODAY = date(2026, 12, 2)
FINDINGS_PER_VISIT = 10
RECS_PER_VISIT = 3
TEAMS = 4
KIND_WEIGHTS = (('achievement', 40), ('limitation', 45), ('cause', 15))
SOURCES = ('report', 'records', 'household', 'observation')
TEXTS = {
    'achievement': 'Ban Chỉ đạo xã được kiện toàn, phân công nhiệm vụ cụ thể cho từng thành viên.',
    'limitation': 'Một số hộ sử dụng vốn vay chưa đúng mục đích; sổ nhật ký hộ gia đình ghi chép chưa thường xuyên.',
    'cause': 'Cán bộ phụ trách kiêm nhiệm nhiều việc, kinh phí cho công tác kiểm tra còn hạn chế.',
}
REC_TEXT = ('Rà soát việc sử dụng vốn vay của hộ nghèo, hộ cận nghèo; hướng dẫn hộ sử dụng vốn đúng mục đích, '
            'có hiệu quả.')


def _weighted(rng: random.Random, pairs) -> str:  # noqa: ANN001
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


# --- building the data ----------------------------------------------------------------------------------------

class Ids:
    """Hand out primary keys after the largest one in each table (so that rows can point at each other before
    they are written); the PostgreSQL sequences are moved past them at the end."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        if table not in self.next:
            self.next[table] = (self.conn.execute(sa.text(f'SELECT max(id) FROM {table}')).scalar() or 0) + 1
        n = self.next[table]
        self.next[table] = n + 1
        return n


def _bulk(conn: sa.Connection, table: sa.Table, rows: list[dict], chunk: int = 5000) -> None:
    for i in range(0, len(rows), chunk):
        conn.execute(table.insert(), rows[i:i + chunk])


def _communes(session: Session, scale: float) -> dict[int, list[tuple[int, int | None, int | None]]]:
    """The 2025 communes by province id, each with its default predecessor commune and that one's district
    (``scale`` keeps every k-th commune of each province)."""
    from inspect_flow.units.models import AdminUnit, UnitLevel, UnitSuccession

    rows = session.execute(sa.select(AdminUnit.id, AdminUnit.parent_id).where(
        AdminUnit.level == UnitLevel.commune, AdminUnit.valid_from >= date(2025, 7, 1),
        AdminUnit.valid_to.is_(None)).order_by(AdminUnit.code)).all()
    pred = {}
    old = sa.orm.aliased(AdminUnit)
    for successor, predecessor, district in session.execute(
            sa.select(UnitSuccession.successor_id, UnitSuccession.predecessor_id, old.parent_id)
            .join(old, old.id == UnitSuccession.predecessor_id)
            .where(UnitSuccession.is_default, old.level == UnitLevel.commune).order_by(UnitSuccession.id)):
        pred.setdefault(successor, (predecessor, district))
    by_province: dict[int, list] = defaultdict(list)
    for cid, province in rows:
        by_province[province].append((cid, *pred.get(cid, (None, None))))
    out = {}
    for province, communes in by_province.items():
        keep = max(1, round(len(communes) * scale))
        step = len(communes) / keep
        out[province] = [communes[int(i * step)] for i in range(keep)]
    return out


def build(url: str, scale: float, seed: int = 2026) -> dict:
    """Create the schema and the national data in the (empty) database at *url*; return what was written."""
    from inspect_flow.accounts.models import Role
    from inspect_flow.accounts.operations import create_user, use_fast_hashing
    from inspect_flow.checklist.capture import household_rows
    from inspect_flow.demo.common import Households, checklist_answers
    from inspect_flow.findings.categories import vocabulary
    from inspect_flow.findings.models import Conclusion, Finding, FollowUpReport, Recommendation
    from inspect_flow.plans import operations as plan_ops
    from inspect_flow.plans.checklists import household_checklist, pin_default_checklists, visit_checklist
    from inspect_flow.plans.models import Plan, TeamRole, plan_target_units
    from inspect_flow.units.loading import load_units
    from inspect_flow.units.models import AdminUnit, Person
    from inspect_flow.units.operations import add_issuing_body
    from inspect_flow.visits.models import HouseholdConsultation, Visit

    use_fast_hashing()
    rng = random.Random(seed)
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    t0 = time.perf_counter()
    migrate.upgrade(engine)
    with Session(engine) as session:
        load_units(session)
        session.commit()
    t_units = time.perf_counter() - t0

    t0 = time.perf_counter()
    counts: dict[str, int] = defaultdict(int)
    with Session(engine) as session:
        categories = [c.name for c in vocabulary(session)]
        communes = _communes(session, scale)
        names = dict(session.execute(sa.select(AdminUnit.id, AdminUnit.name)).all())
        staff = create_user(session, username='bench.secretariat', password='bench-2026', role=Role.secretariat,
                            full_name='Văn phòng thường trực')
        from inspect_flow.integrations.tokens import create_token

        counts['token'] = create_token(session, staff, name='bench')[1]
        plans = []  # (plan id, year, two tiers, [(commune, district)], team ids, leader ids, plan)
        for p_index, (province_id, chosen) in enumerate(sorted(communes.items())):
            province = session.get(AdminUnit, province_id)
            body = add_issuing_body(session, slug=f'bcd-{province.code}', abbreviation='BCĐGN',
                                    name=f'Ban Chỉ đạo giảm nghèo {province.full_name}', place_name=province.name,
                                    unit=province, header_lines=['BAN CHỈ ĐẠO', 'GIẢM NGHÈO'],
                                    parent_header=f'UBND {province.full_name}'.upper())
            people = [Person(full_name=f'Cán bộ {k + 1} {province.name}', title='Chuyên viên', unit_id=province_id,
                             agency='Sở Nông nghiệp và Môi trường') for k in range(TEAMS * 2)]
            session.add_all(people)
            session.flush()
            for year in YEARS:
                start = date(year, 8, 1) if year < 2026 else date(year, 6, 1)
                start = start + timedelta(days=p_index % 20)
                end = start + timedelta(days=60)
                plan = plan_ops.create_plan(
                    session, issuer=body, number=100 + p_index, symbol='KH-BCĐGN',
                    issue_date=start - timedelta(days=20),
                    subject=f'Kiểm tra, giám sát công tác giảm nghèo năm {year} tại {province.full_name}',
                    fieldwork_start=start, fieldwork_end=end, households_per_commune=5, actor=ACTOR)
                leaders = []
                teams = []
                for n in range(TEAMS):
                    team = plan_ops.add_team(session, plan, n + 1, actor=ACTOR)
                    plan_ops.add_member(session, team, people[2 * n], TeamRole.leader, actor=ACTOR)
                    plan_ops.add_member(session, team, people[2 * n + 1], TeamRole.secretary, actor=ACTOR)
                    teams.append(team.id)
                    leaders.append(people[2 * n].id)
                pin_default_checklists(session, plan, actor=ACTOR)
                two_tier = year >= 2025
                if two_tier:
                    visited = [(c, None) for c, _p, _d in chosen]
                else:  # the predecessor communes (one per 2025 commune, each once) in their districts
                    seen: set[int] = set()
                    visited = []
                    for _c, p, d in chosen:
                        if p is not None and p not in seen:
                            seen.add(p)
                            visited.append((p, d))
                plans.append((plan.id, year, two_tier, visited, teams, leaders, plan, start))
            session.flush()
        session.commit()

        if True:
            conn = session.connection()
            ids = Ids(conn)
            plan_meta = {}
            for plan_id, _year, two_tier, visited, teams, leaders, plan, start in plans:
                checklist = visit_checklist(types.SimpleNamespace(plan=plan))
                households_form = household_checklist(plan)
                _bulk(conn, plan_target_units, [{'plan_id': plan_id, 'unit_id': c} for c, _d in visited])
                visits, households, findings, conclusions, recs, reports = [], [], [], [], [], []
                conclusion_of: dict[int, int] = {}
                rec_number: dict[int, int] = defaultdict(int)
                for i, (commune, district) in enumerate(visited):
                    vid = ids.take('visits')
                    team_index = i % TEAMS
                    day = start + timedelta(days=i // TEAMS % 60)
                    starts = datetime.combine(day, dtime(7, 30))
                    cancelled = rng.random() < 0.02
                    fake = types.SimpleNamespace(starts_at=starts, plan=plan,
                                                 commune=types.SimpleNamespace(name=names[commune]))
                    answers = {} if cancelled else checklist_answers(i, fake, Households())
                    counts['answers'] += _count_answers(answers)
                    reviewed = starts + timedelta(days=3)
                    visits.append({
                        'id': vid, 'plan_id': plan_id, 'team_id': teams[team_index], 'commune_id': commune,
                        'district_id': district, 'starts_at': starts, 'ends_at': starts + timedelta(hours=4),
                        'place': f'Hội trường UBND {names[commune]}', 'state': 'cancelled' if cancelled else 'reviewed',
                        'cancel_reason': 'Xã có lịch tiếp xúc cử tri trùng ngày làm việc' if cancelled else None,
                        'return_comment': None, 'answers': answers,
                        'content': {} if cancelled else {'reports_heard': 'Báo cáo của Ban Chỉ đạo xã.'},
                        'submitted_dt': None if cancelled else starts + timedelta(hours=5),
                        'reviewed_dt': None if cancelled else reviewed,
                        'reviewed_by_id': None if cancelled else leaders[team_index], 'version_id': 1})
                    if cancelled:
                        continue
                    if checklist is not None and checklist.roster is not None:
                        for row in household_rows(checklist, answers):
                            households.append({'id': ids.take('household_consultations'), 'visit_id': vid,
                                               'household_code': row.household_code, 'head_name': row.head_name,
                                               'category': row.category, 'answers': row.answers,
                                               'created_dt': reviewed})
                    # the same commune tends to show the same limitations year after year
                    local = random.Random(commune if two_tier else district or commune)
                    usual = local.sample(categories, 4)
                    limitation_ids = []
                    for k in range(FINDINGS_PER_VISIT):
                        kind = _weighted(rng, KIND_WEIGHTS)
                        status = _weighted(rng, (('accepted', 90), ('suggested', 4), ('rejected', 4),
                                                 ('withdrawn', 2)))
                        category = usual[k % 4] if kind == 'limitation' and rng.random() < 0.7 else rng.choice(
                            categories)
                        fid = ids.take('findings')
                        findings.append({
                            'id': fid, 'plan_id': plan_id, 'visit_id': vid, 'kind': kind, 'category': category,
                            'text': TEXTS[kind], 'severity': rng.choice(('low', 'medium', 'high'))
                            if kind == 'limitation' else None, 'source': rng.choice(SOURCES),
                            'checklist_item_id': None, 'rule_id': None, 'evidence': [], 'status': status,
                            'withdrawn_reason': 'Trùng với kết quả khác' if status == 'withdrawn' else None,
                            'created_by': ACTOR, 'created_dt': starts + timedelta(hours=5), 'updated_dt': None,
                            'version_id': 1})
                        if kind == 'limitation' and status == 'accepted':
                            limitation_ids.append(fid)
                    unit = district if district is not None else commune
                    if unit not in conclusion_of:
                        cid = conclusion_of[unit] = ids.take('conclusions')
                        conclusions.append({'id': cid, 'plan_id': plan_id, 'unit_id': unit,
                                            'team_id': teams[team_index], 'created_by': ACTOR,
                                            'summary': 'Nhìn chung, công tác giảm nghèo được triển khai đúng kế hoạch.',
                                            'created_dt': datetime.combine(start + timedelta(days=70), dtime(9)),
                                            'updated_dt': None, 'version_id': 1})
                    cid = conclusion_of[unit]
                    for k in range(RECS_PER_VISIT):
                        rid = ids.take('recommendations')
                        rec_number[cid] += 1
                        deadline = start + timedelta(days=70 + rng.choice((30, 60, 90, 180)))
                        state = _rec_state(rng, deadline)
                        recs.append({
                            'id': rid, 'plan_id': plan_id, 'conclusion_id': cid,
                            'finding_id': limitation_ids[k] if k < len(limitation_ids) else None,
                            'number': rec_number[cid], 'addressee_unit_id': commune, 'addressee_body_id': None,
                            'addressee_label': f'UBND {names[commune]}', 'text': REC_TEXT, 'deadline': deadline,
                            'state': state, 'created_by': ACTOR,
                            'created_dt': datetime.combine(start + timedelta(days=70), dtime(9)),
                            'verified_by_id': leaders[0] if state == 'verified' else None,
                            'withdrawn_reason': 'Đã có kiến nghị thay thế' if state == 'withdrawn' else None,
                            'version_id': 1})
                        if state in ('done', 'verified', 'in_progress'):
                            reports.append({
                                'id': ids.take('follow_up_reports'), 'recommendation_id': rid,
                                'reported_by': f'UBND {names[commune]}', 'report_date': min(deadline, TODAY),
                                'text': 'Đã rà soát và hướng dẫn các hộ sử dụng vốn vay đúng mục đích.',
                                'evidence': [], 'is_completed': state != 'in_progress',
                                'created_dt': datetime.combine(min(deadline, TODAY), dtime(10))})
                _bulk(conn, Visit.__table__, visits, 1000)
                _bulk(conn, HouseholdConsultation.__table__, households)
                _bulk(conn, Finding.__table__, findings)
                _bulk(conn, Conclusion.__table__, conclusions)
                _bulk(conn, Recommendation.__table__, recs)
                _bulk(conn, FollowUpReport.__table__, reports)
                for key, rows in (('visits', visits), ('households', households), ('findings', findings),
                                  ('conclusions', conclusions), ('recommendations', recs), ('reports', reports)):
                    counts[key] += len(rows)
                plan_meta[plan_id] = len(visited)
                del households_form
            conn.execute(sa.update(Plan.__table__).values(state='closed'))
            if conn.dialect.name == 'postgresql':
                for table in ('visits', 'household_consultations', 'findings', 'conclusions', 'recommendations',
                              'follow_up_reports'):
                    conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f'(SELECT coalesce(max(id), 1) FROM {table}))'))
            session.commit()
        if engine.dialect.name == 'postgresql':
            with engine.connect().execution_options(isolation_level='AUTOCOMMIT') as conn:
                conn.execute(sa.text('VACUUM ANALYZE'))
        else:
            with engine.begin() as conn:
                conn.execute(sa.text('ANALYZE'))
    engine.dispose()
    counts['plans'] = len(plans)
    counts['communes'] = sum(len(c) for c in communes.values())
    counts['units_s'] = t_units
    counts['build_s'] = time.perf_counter() - t0
    counts['largest_plan'] = max(plan_meta, key=plan_meta.get)
    counts['province'] = _province_code(url)
    return dict(counts)


def _province_code(url: str) -> str:
    """The code of the province with the most communes (for the province filter)."""
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        code = conn.execute(sa.text(
            'SELECT u.code FROM issuing_bodies b JOIN admin_units u ON u.id = b.unit_id JOIN plans p '
            'ON p.issuer_id = b.id JOIN visits v ON v.plan_id = p.id GROUP BY u.code ORDER BY count(*) DESC, u.code '
            'LIMIT 1')).scalar()
    engine.dispose()
    return code


def _rec_state(rng: random.Random, deadline: date) -> str:
    """A state as the follow-up leaves it: most of the old ones done or verified; open ones past their deadline
    are marked overdue by the daily job (some not yet)."""
    if deadline < TODAY - timedelta(days=400):
        return _weighted(rng, (('verified', 60), ('done', 25), ('overdue', 10), ('withdrawn', 2), ('in_progress', 3)))
    if deadline < TODAY:
        return _weighted(rng, (('verified', 20), ('done', 30), ('overdue', 25), ('in_progress', 15), ('open', 8),
                               ('withdrawn', 2)))
    return _weighted(rng, (('open', 50), ('in_progress', 35), ('done', 13), ('withdrawn', 2)))


def _count_answers(value: object) -> int:
    """Answered values, a repeat's rows counted value by value."""
    if isinstance(value, dict):
        return sum(_count_answers(v) for v in value.values())
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return sum(_count_answers(v) for v in value)
    return 1


# --- measuring ------------------------------------------------------------------------------------------------

def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def measure_pages(url: str, info: dict, runs: int) -> dict[str, tuple[float, float, float, float]]:
    """{page: (p50 ms, p95 ms, query p50 ms, the page's CPU time in this process p50 ms)} timed through the Flask
    test client and the query functions."""
    import re

    os.environ['INSPECT_FLOW_TODAY'] = TODAY.isoformat()
    from inspect_flow import create_app
    from inspect_flow.plans.analytics import CrossFilters, cross_dashboard
    from inspect_flow.plans.dashboard import OverdueFilters, round_dashboard
    from inspect_flow.plans.models import Plan

    app = create_app({'DATABASE_URL': url, 'TESTING': True, 'SESSION_COOKIE_SECURE': False, 'SECRET_KEY': 'bench',
                      'REMEMBER_COOKIE_SECURE': False, 'RENDER_CACHE_DIR': tempfile.mkdtemp(prefix='if-bench-')})
    client = app.test_client()
    page = client.get('/login').get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = client.post('/login', data={'username': 'bench.secretariat', 'password': 'bench-2026', 'csrf_token': token})
    assert r.status_code in (302, 303), r.status_code
    plan_id, province = info['largest_plan'], info['province']
    category = 'Sử dụng vốn vay'
    pages = {
        'round dashboard (largest round)': (f'/plans/{plan_id}/dashboard', ('round', {})),
        'overdue list, >90 days by lateness': (f'/plans/{plan_id}/dashboard?late=90&sort=late',
                                               ('round', {'late': '90', 'sort': 'late'})),
        '/dashboard (all)': ('/dashboard', ('cross', {})),
        '/dashboard?from=2025': ('/dashboard?from=2025', ('cross', {'from': '2025'})),
        '/dashboard?province=P': (f'/dashboard?province={province}', ('cross', {'province': province})),
        '/dashboard?category=C': (f'/dashboard?category={category}', ('cross', {'category': category})),
        '/dashboard?from&province&category': (
            f'/dashboard?from=2025&province={province}&category={category}',
            ('cross', {'from': '2025', 'province': province, 'category': category})),
        '/api/v1/dashboard?from=2025': ('/api/v1/dashboard?from=2025', ('cross', {'from': '2025'})),
    }
    engine = app.extensions['inspect_flow.engine']
    out = {}
    for name, (path, (kind, args)) in pages.items():
        times, cpu = [], []
        for n in range(runs + 2):
            c0 = time.process_time()
            t0 = time.perf_counter()
            r = client.get(path, headers={'Authorization': f'Bearer {info["token"]}'} if '/api/' in path else {})
            dt = time.perf_counter() - t0
            if r.status_code == 404 and path.startswith('/api/'):
                break  # no API route on this code yet
            assert r.status_code == 200, (path, r.status_code)
            if n >= 2:
                times.append(dt * 1000)
                cpu.append((time.process_time() - c0) * 1000)
        if not times:
            continue
        qtimes = []
        with Session(engine) as session:
            plan = session.get(Plan, plan_id)
            for n in range(runs + 2):
                t0 = time.perf_counter()
                if kind == 'round':
                    round_dashboard(session, plan, day=TODAY, filters=OverdueFilters.parse(args))
                else:
                    cross_dashboard(session, day=TODAY, filters=CrossFilters.parse(args))
                dt = time.perf_counter() - t0
                session.expunge_all()
                plan = session.get(Plan, plan_id)
                if n >= 2:
                    qtimes.append(dt * 1000)
        out[name] = (statistics.median(times), _pct(times, 0.95), statistics.median(qtimes), statistics.median(cpu))
    engine.dispose()
    return out


def measure_export(url: str) -> tuple[float, float, int, float]:
    """(seconds, peak RSS MiB, file bytes, CPU seconds) of ``inspect-flow export xlsx --all --from 2024``, run in a
    subprocess."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / 'national.xlsx'
        code = ('import resource, sys, time\n'
                'from inspect_flow.cli import cli\n'
                't0 = time.perf_counter()\n'
                f'cli(["--db", {url!r}, "export", "xlsx", "--all", "--from", "2024", "--out", {str(out)!r}], '
                'standalone_mode=False)\n'
                'u = resource.getrusage(resource.RUSAGE_SELF)\n'
                'print("BENCH", time.perf_counter() - t0, u.ru_maxrss, u.ru_utime + u.ru_stime)\n')
        env = {**os.environ, 'PYTHONPATH': str(ROOT), 'INSPECT_FLOW_TODAY': TODAY.isoformat()}
        p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, timeout=1800,
                           check=False)
        line = next((ln for ln in p.stdout.splitlines() if ln.startswith('BENCH')), None)
        if p.returncode != 0 or line is None:
            raise RuntimeError(f'export failed: {p.stderr[-2000:]}')
        _tag, seconds, rss_kib, cpu = line.split()
        return float(seconds), int(rss_kib) / 1024, out.stat().st_size, float(cpu)


def baseline_rss() -> float:
    """Peak RSS (MiB) of a subprocess that only imports the CLI and the exports (what any export starts from)."""
    code = ('import resource\nfrom inspect_flow.cli import cli\nimport inspect_flow.exports.operations, openpyxl\n'
            'print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n')
    p = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300, check=True,
                       env={**os.environ, 'PYTHONPATH': str(ROOT)})
    return int(p.stdout.split()[-1]) / 1024


# --- databases ------------------------------------------------------------------------------------------------

class Database:
    def __init__(self, kind: str, pg_url: str, tmp: Path, name: str = BENCH_DB) -> None:
        self.kind, self.pg_url, self.tmp, self.name = kind, pg_url, tmp, name
        self.url = ''

    def fresh(self) -> str:
        self.drop()
        if self.kind == 'sqlite':
            path = self.tmp / 'bench.sqlite3'
            for p in self.tmp.glob('bench.sqlite3*'):
                p.unlink()
            self.url = f'sqlite:///{path}'
        else:
            admin = make_engine(self.pg_url, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE {self.name}'))
            admin.dispose()
            self.url = self.pg_url.rsplit('/', 1)[0] + '/' + self.name
        return self.url

    def drop(self) -> None:
        if self.kind == 'postgresql':
            admin = make_engine(self.pg_url, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS {self.name} WITH (FORCE)'))
            admin.dispose()
        else:
            for p in self.tmp.glob('bench.sqlite3*'):
                p.unlink()


def _nlogn(n: float) -> float:
    return n * math.log(max(n, 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--scale', type=float, default=1.0, help='Fraction of the national data at the largest step.')
    parser.add_argument('--db', choices=('sqlite', 'postgresql', 'both'), default='both')
    parser.add_argument('--runs', type=int, default=20, help='Timed requests per page and step.')
    parser.add_argument('--steps', default='0.1,0.3,1', help='Fractions of --scale measured, smallest first.')
    parser.add_argument('--no-export', action='store_true', help='Skip the national XLSX export.')
    parser.add_argument('--pg', default=os.environ.get('INSPECT_FLOW_TEST_PG_URL', PG_DEFAULT),
                        help='Admin URL of the PostgreSQL server (the benchmark database is made beside it).')
    parser.add_argument('--pg-db', default=BENCH_DB, help='Name of the benchmark database (created, then dropped).')
    args = parser.parse_args()
    kinds = ('sqlite', 'postgresql') if args.db == 'both' else (args.db,)
    steps = [float(s) * args.scale for s in args.steps.split(',')]
    print(f'inspect_flow dashboard benchmark — scale {args.scale:g}, steps {", ".join(f"{s:g}" for s in steps)}, '
          f'{args.runs} timed requests per page; today pinned to {TODAY}; {os.cpu_count()} CPUs')
    base_rss = baseline_rss()
    results: dict[str, dict[float, dict]] = defaultdict(dict)
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            db = Database(kind, args.pg, Path(tmp), args.pg_db)
            try:
                for step in steps:
                    url = db.fresh()
                    info = build(url, step)
                    print(f'\n[{kind} {step:g}] {info["communes"]:,} communes, {info["plans"]} rounds, '
                          f'{info["visits"]:,} visits, {info["answers"]:,} answers, {info["households"]:,} '
                          f'households, {info["findings"]:,} findings, {info["recommendations"]:,} recommendations, '
                          f'{info["reports"]:,} follow-up reports; units {info["units_s"]:.1f} s, '
                          f'rounds built in {info["build_s"]:.1f} s', flush=True)
                    pages = measure_pages(url, info, args.runs)
                    for name, (p50, p95, q50, c50) in pages.items():
                        print(f'  {name:<38} page p50 {p50:7.1f} ms  p95 {p95:7.1f} ms (CPU here {c50:6.1f} ms)  '
                              f'query p50 {q50:7.1f} ms', flush=True)
                    export = None if args.no_export else measure_export(url)
                    if export:
                        print(f'  national XLSX export: {export[0]:.1f} s ({export[3]:.1f} s CPU), peak RSS '
                              f'{export[1]:.0f} MiB '
                              f'(imports alone {base_rss:.0f} MiB), {export[2] / 2**20:.1f} MiB file', flush=True)
                    results[kind][step] = {'info': info, 'pages': pages, 'export': export}
            finally:
                db.drop()
    # growth between the smallest and the largest step, beside n log n
    print('\nGrowth from the smallest to the largest step (n = findings):')
    for kind, by_step in results.items():
        lo, hi = by_step[min(by_step)], by_step[max(by_step)]
        n0, n1 = lo['info']['findings'], hi['info']['findings']
        print(f'  {kind}: data ×{n1 / n0:.1f}, n log n ×{_nlogn(n1) / _nlogn(n0):.1f}')
        for name in hi['pages']:
            a, b = lo['pages'][name], hi['pages'][name]
            print(f'    {name:<38} p50 ×{b[0] / a[0]:5.2f}  p95 ×{b[1] / a[1]:5.2f}')
        if hi['export'] and lo['export']:
            print(f'    {"national XLSX export":<38} time ×{hi["export"][0] / lo["export"][0]:5.2f}  '
                  f'peak RSS ×{hi["export"][1] / lo["export"][1]:5.2f}')
    print('\nMarkdown table:')
    for kind, by_step in results.items():
        steps_here = sorted(by_step)
        print(f'\n{kind}: | page | ' + ' | '.join(f'{s:g}: p50 / p95 ms' for s in steps_here) + ' |')
        for name in by_step[steps_here[-1]]['pages']:
            cells = [by_step[s]['pages'].get(name) for s in steps_here]
            print(f'| {name} | ' + ' | '.join(f'{c[0]:.0f} / {c[1]:.0f}' if c else '–' for c in cells) + ' |')
        if by_step[steps_here[-1]]['export']:
            print('| national XLSX export (s, peak RSS MiB) | ' + ' | '.join(
                f'{by_step[s]["export"][0]:.1f} s, {by_step[s]["export"][1]:.0f} MiB' for s in steps_here) + ' |')


if __name__ == '__main__':
    main()
