"""Load and fault harness for idempotent visit submissions (not a test: run it by hand).

    .venv/bin/python benchmarks/api_harness.py --db sqlite --clients 16 --visits 40
    .venv/bin/python benchmarks/api_harness.py --db postgresql

It makes a scratch database (a SQLite file in a temporary folder, or a new PostgreSQL database on
127.0.0.1:5432 next to ``test``), seeds one round in the visiting stage with one team (and one API token)
per client and M visits per team, and starts gunicorn on 127.0.0.1. N client threads then submit their
visits with an Idempotency-Key each, retrying the same key on connection errors and 503. Meanwhile the
harness kill -9s the server's process group (only the one it started) at random moments and restarts
it. At the end it checks that every acknowledged submission is stored exactly once (the visit is
submitted, one ``submit`` audit row, one idempotency row), counts "database is locked" in the server
log, and prints submissions per second and p50/p99 latency of the acknowledged requests.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get('INSPECT_FLOW_TEST_PG_URL', 'postgresql+psycopg://postgres@127.0.0.1:5432/test')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def scratch_database(kind: str, tmp: Path) -> tuple[str, callable]:
    from inspect_flow.core.db import make_engine

    if kind == 'sqlite':
        return f'sqlite:///{tmp / "harness.sqlite3"}', lambda: None
    name = f'if_harness_{uuid.uuid4().hex[:8]}'
    admin = make_engine(PG_ADMIN, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE {name}'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))

    return PG_ADMIN.rsplit('/', 1)[0] + '/' + name, drop


def seed(url: str, clients: int, visits: int) -> list[tuple[str, list[int]]]:
    """One round in ``visiting``: per client a team, a member account with a token, *visits* visits."""
    from inspect_flow.accounts.operations import create_user, use_fast_hashing
    from inspect_flow.core import migrate
    from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
    from inspect_flow.integrations.tokens import create_token
    from inspect_flow.plans import operations as plan_ops
    from inspect_flow.plans.models import TeamRole
    from inspect_flow.units import operations as unit_ops
    from inspect_flow.units.models import UnitLevel

    use_fast_hashing()
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    migrate.upgrade(engine)
    out = []
    with unit_of_work(make_session_factory(engine)) as s:
        unit_ops.load_ben_tre_2019(s)
        day0 = date(2019, 7, 5)
        province = unit_ops.get_unit(s, '83', day0)
        issuer = unit_ops.add_issuing_body(s, slug='bench', name='Ban Chỉ đạo', abbreviation='BCĐ',
                                           header_lines=['BAN CHỈ ĐẠO'], parent_header='UBND TỈNH BẾN TRE',
                                           place_name='Bến Tre', unit=province)
        units = unit_ops.units_on(s, day0, UnitLevel.commune)
        communes = [u.code for u in units]
        used = {communes[k % len(communes)] for k in range(clients * visits)}
        districts = sorted({u.parent.code for u in units if u.code in used})
        plan = plan_ops.create_plan(s, issuer=issuer, number=1, subject='Harness', fieldwork_start=day0,
                                    fieldwork_end=day0 + timedelta(days=400), actor='harness')
        plan_ops.set_targets(s, plan, districts, actor='harness')
        teams = []
        for c in range(clients):
            team = plan_ops.add_team(s, plan, c + 1, actor='harness')
            leader = unit_ops.add_person(s, full_name=f'Trưởng đoàn {c}', unit=province)
            member = unit_ops.add_person(s, full_name=f'Thành viên {c}', unit=province)
            plan_ops.add_member(s, team, leader, TeamRole.leader, actor='harness')
            plan_ops.add_member(s, team, member, TeamRole.member, actor='harness')
            user = create_user(s, username=f'bench{c}', password='harness-pass-1', role='team_member',
                               full_name=f'Bench {c}', person=member)
            teams.append((team, create_token(s, user)[1]))
        plan_ops.advance_plan(s, plan, 'schedule', actor='harness')
        k = 0
        for c, (team, token) in enumerate(teams):
            ids = []
            for m in range(visits):
                start = datetime(2019, 7, 5, 7, 0) + timedelta(days=m // 2, hours=(m % 2) * 5)
                visit, _ = plan_ops.schedule_visit(s, plan, team, communes[k % len(communes)], start,
                                                   start + timedelta(hours=4), actor='harness')
                k += 1
                ids.append(visit)
            teams[c] = (token, ids)
        plan_ops.advance_plan(s, plan, 'start_visiting', actor='harness')
        s.flush()
        out = [(token, [v.id for v in ids]) for token, ids in teams]
    engine.dispose()
    return out


class Server:
    def __init__(self, url: str, port: int, workers: int, log: Path):
        self.url, self.port, self.workers, self.log = url, port, workers, log
        self.proc: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        env = dict(os.environ, INSPECT_FLOW_DATABASE_URL=self.url, INSPECT_FLOW_SECRET_KEY='harness')
        with open(self.log, 'ab') as log:
            self.proc = subprocess.Popen(
                [sys.executable, '-m', 'gunicorn', '-w', str(self.workers), '-k', 'gthread', '--threads', '4',
                 '-b', f'127.0.0.1:{self.port}', '--log-level', 'warning', 'inspect_flow:create_app()'],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f'http://127.0.0.1:{self.port}/healthz', timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError('the server did not start; see ' + str(self.log))

    def kill(self) -> None:
        """kill -9 the process group this harness started (gunicorn master and its workers)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def body(visit_id: int) -> dict:
    return {'participants': [{'side': 'commune', 'full_name': 'Lê Văn Hùng', 'title': 'Chủ tịch UBND xã'}],
            'content': {'district_report': f'Báo cáo của buổi {visit_id}.', 'local_opinion': 'Thống nhất.'},
            'findings': [{'kind': 'limitation', 'category': 'Sử dụng vốn vay', 'text': f'Hạn chế {visit_id}.',
                          'severity': 'medium', 'source': 'records'}]}


def run(kind: str, clients: int, visits: int, workers: int, kill_min: float, kill_max: float, kills: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix='if_harness_'))
    url, drop = scratch_database(kind, tmp)
    try:
        plan = seed(url, clients, visits)
        port = free_port()
        server = Server(url, port, workers, tmp / 'server.log')
        server.start()
        base = f'http://127.0.0.1:{port}'
        acked: list[tuple[int, str]] = []
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = {'connection': 0}
        lock = threading.Lock()
        done = threading.Event()

        def client(token: str, visit_ids: list[int]) -> None:
            http = requests.Session()
            headers = {'Authorization': f'Bearer {token}'}
            for vid in visit_ids:
                key = str(uuid.uuid4())
                while True:
                    t0 = time.perf_counter()
                    try:
                        r = http.post(f'{base}/api/v1/visits/{vid}/submissions', json=body(vid), timeout=10,
                                      headers={**headers, 'Idempotency-Key': key})
                    except requests.RequestException:
                        with lock:
                            errors['connection'] += 1
                        http = requests.Session()
                        time.sleep(0.05)
                        continue
                    elapsed = time.perf_counter() - t0
                    with lock:
                        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    if r.status_code == 201:
                        with lock:
                            acked.append((vid, key))
                            latencies.append(elapsed)
                        break
                    if r.status_code in (502, 503):
                        time.sleep(0.05)
                        continue
                    raise RuntimeError(f'unexpected {r.status_code}: {r.text[:300]}')

        def killer() -> None:
            while not done.wait(random.uniform(kill_min, kill_max)):
                server.kill()
                server.start()

        threads = [threading.Thread(target=client, args=p) for p in plan]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        kt = threading.Thread(target=killer) if kills else None
        if kt:
            kt.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        done.set()
        if kt:
            kt.join()
        server.stop()
        log_text = (tmp / 'server.log').read_text(errors='replace')
        result = verify(url, acked)
        lat = sorted(latencies)
        result.update({
            'db': kind, 'clients': clients, 'visits_per_client': visits, 'gunicorn_workers': workers,
            'acknowledged': len(acked), 'expected': clients * visits, 'wall_s': round(wall, 2),
            'submissions_per_s': round(len(acked) / wall, 1),
            'p50_ms': round(statistics.median(lat) * 1000, 1) if lat else None,
            'p99_ms': round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 1) if lat else None,
            'kills': server.kills, 'connection_errors': errors['connection'], 'statuses': statuses,
            'database_is_locked_in_log': log_text.count('database is locked'),
        })
        return result
    finally:
        drop()


def verify(url: str, acked: list[tuple[int, str]]) -> dict:
    from inspect_flow.core.db import make_engine

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        submits = dict(conn.execute(sa.text(
            "select entity_id, count(*) from audit_entries where entity_type = 'visit' and trigger = 'submit' "
            'group by entity_id')).all())
        states = dict(conn.execute(sa.text('select id, state from visits')).all())
        keys = {k for (k,) in conn.execute(sa.text('select key from idempotency_keys'))}
    engine.dispose()
    lost = [v for v, k in acked if states.get(v) != 'submitted' or submits.get(v, 0) == 0 or k not in keys]
    duplicated = [v for v, n in submits.items() if n > 1]
    return {'lost': len(lost), 'duplicated': len(duplicated)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', choices=['sqlite', 'postgresql', 'both'], default='both')
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--visits', type=int, default=40, help='visits per client')
    parser.add_argument('--workers', type=int, default=2, help='gunicorn worker processes')
    parser.add_argument('--kill-min', type=float, default=1.0)
    parser.add_argument('--kill-max', type=float, default=3.0)
    parser.add_argument('--no-kill', action='store_true', help='measure throughput without faults')
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    kinds = ['sqlite', 'postgresql'] if args.db == 'both' else [args.db]
    failed = False
    for kind in kinds:
        res = run(kind, args.clients, args.visits, args.workers, args.kill_min, args.kill_max, not args.no_kill)
        print(res, flush=True)
        failed |= bool(res['lost'] or res['duplicated'] or res['acknowledged'] != res['expected'])
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
