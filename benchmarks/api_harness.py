"""Load and fault harness for idempotent visit submissions (not a test: run it by hand).

    .venv/bin/python benchmarks/api_harness.py --matrix --cache /tmp/if_harness   # the README table
    .venv/bin/python benchmarks/api_harness.py --db sqlite --mode async --no-kill
    .venv/bin/python benchmarks/api_harness.py --db postgresql --mode sync --no-kill

It seeds a template database once per kind (a SQLite file, or a new PostgreSQL database on 127.0.0.1:5432
next to ``test``; with ``--cache`` both are kept and reused by later runs): ``--plans`` rounds in
``visiting``, each visiting all 164 communes, with one team per account in every round and one API token
per account (``--clients`` accounts). Each run works on a copy of the template. It starts gunicorn on
127.0.0.1 (``--workers`` processes × ``--threads``) and, for ``--mode async``, the intake worker
(``inspect-flow submissions process --loop``). ``--devices-per-account`` client threads per account share
out its visits (keep-alive ``http.client`` connections) and submit them one after another for
``--duration`` seconds, each with an Idempotency-Key, resending the same key on connection errors, 502
and 503. With kills, the harness kill -9s the process groups it started (the server, and the worker in
async mode) at random moments and restarts them. After the clients stop it waits for the queue to drain
(async), then checks that every acknowledged submission is stored exactly once: the visit is submitted,
it has exactly one ``submit`` audit row and its key row, and (async) its intake row is ``done``. It
counts "database is locked" in the logs and prints acknowledgments per second, p50/p99 latency of the
acknowledged requests (and from the first try, retries included), for async how fast the queue was
applied, and the CPU milliseconds per acknowledgment of the server, the database, the worker and the
clients (from /proc; in kill runs the killed processes' CPU is not counted).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
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


def _pg_admin():  # noqa: ANN202
    from inspect_flow.core.db import make_engine

    return make_engine(PG_ADMIN, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)


class Template:
    """A seeded database per kind; :meth:`copy` gives each run its own copy."""

    def __init__(self, kind: str, tmp: Path, clients: int, plans: int, cache: Path | None = None):
        self.kind, self.tmp = kind, tmp
        self.created: list[str] = []
        self.keep: set[str] = set()
        t0 = time.perf_counter()
        tag = f'{clients}c{plans}p'
        saved = cache / f'{kind}_{tag}.json' if cache else None
        if kind == 'sqlite':
            self.path = (cache or tmp) / f'template_{tag}.sqlite3'
            self.url = f'sqlite:///{self.path}'
        else:
            self.name = f'if_harness_cache_{tag}' if cache else f'if_harness_tmpl_{uuid.uuid4().hex[:8]}'
            self.url = PG_ADMIN.rsplit('/', 1)[0] + '/' + self.name
        if saved is not None and saved.exists():  # seeded by an earlier run with --cache
            self.plan = [(token, ids) for token, ids in json.loads(saved.read_text())]
            self.seeded = False
            from inspect_flow.core import migrate
            from inspect_flow.core.db import make_engine

            engine = make_engine(self.url, poolclass=sa.pool.NullPool)
            migrate.upgrade(engine)  # the schema may have moved on since it was seeded
            engine.dispose()
        else:
            if kind == 'postgresql':
                self._create(f'CREATE DATABASE {self.name}')
            self.plan = seed(self.url, clients, plans)
            self.seeded = True
            if saved is not None:
                saved.write_text(json.dumps(self.plan))
        if kind == 'postgresql' and cache:
            self.keep.add(self.name)
        self.seconds = time.perf_counter() - t0

    def _create(self, sql: str) -> None:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(sa.text(sql))
        admin.dispose()
        self.created.append(sql.split()[2])

    def copy(self) -> str:
        if self.kind == 'sqlite':
            path = self.tmp / f'run_{uuid.uuid4().hex[:8]}.sqlite3'
            shutil.copyfile(self.path, path)
            return f'sqlite:///{path}'
        name = f'if_harness_{uuid.uuid4().hex[:8]}'
        self._create(f'CREATE DATABASE {name} TEMPLATE {self.name}')
        return PG_ADMIN.rsplit('/', 1)[0] + '/' + name

    def drop(self) -> None:
        if self.kind != 'sqlite':
            admin = _pg_admin()
            with admin.connect() as conn:
                for name in reversed(self.created):
                    if name in self.keep:
                        continue
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
            admin.dispose()


def seed(url: str, clients: int, plans: int) -> list[tuple[str, list[int]]]:
    """*plans* rounds in ``visiting``, each visiting every commune once; one team per client in each round
    (the client's account is a member of all its teams, with one API token). Returns (token, visit ids)."""
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
    factory = make_session_factory(engine)
    day0 = date(2019, 7, 5)
    with unit_of_work(factory) as s:
        unit_ops.load_ben_tre_2019(s)
        province = unit_ops.get_unit(s, '83', day0)
        unit_ops.add_issuing_body(s, slug='bench', name='Ban Chỉ đạo', abbreviation='BCĐ',
                                  header_lines=['BAN CHỈ ĐẠO'], parent_header='UBND TỈNH BẾN TRE',
                                  place_name='Bến Tre', unit=province)
        tokens = []
        for c in range(clients):
            member = unit_ops.add_person(s, full_name=f'Thành viên {c}', unit=province)
            user = create_user(s, username=f'bench{c}', password='harness-pass-1', role='team_member',
                               full_name=f'Bench {c}', person=member)
            tokens.append(create_token(s, user)[1])
    visits: list[list[int]] = [[] for _ in range(clients)]
    for p in range(plans):
        with unit_of_work(factory) as s:
            from inspect_flow.accounts.models import User
            from inspect_flow.units.models import IssuingBody

            issuer = s.scalar(sa.select(IssuingBody).where(IssuingBody.slug == 'bench'))
            province = unit_ops.get_unit(s, '83', day0)
            units = unit_ops.units_on(s, day0, UnitLevel.commune)
            communes = [u.code for u in units]
            districts = sorted({u.parent.code for u in units})
            plan = plan_ops.create_plan(s, issuer=issuer, number=p + 1, subject=f'Harness {p + 1}',
                                        fieldwork_start=day0, fieldwork_end=day0 + timedelta(days=400),
                                        actor='harness')
            plan_ops.set_targets(s, plan, districts, actor='harness')
            teams = []
            for c in range(clients):
                team = plan_ops.add_team(s, plan, c + 1, actor='harness')
                leader = unit_ops.add_person(s, full_name=f'Trưởng đoàn {p}.{c}', unit=province)
                plan_ops.add_member(s, team, leader, TeamRole.leader, actor='harness')
                person = s.scalar(sa.select(User).where(User.username == f'bench{c}')).person
                plan_ops.add_member(s, team, person, TeamRole.member, actor='harness')
                teams.append(team)
            plan_ops.advance_plan(s, plan, 'schedule', actor='harness')
            made = []
            for k, code in enumerate(communes):
                c, m = k % clients, k // clients
                start = datetime(2019, 7, 5, 7, 0) + timedelta(days=m // 2, hours=(m % 2) * 5)
                visit, _ = plan_ops.schedule_visit(s, plan, teams[c], code, start, start + timedelta(hours=4),
                                                   actor='harness')
                made.append((c, visit))
            plan_ops.advance_plan(s, plan, 'start_visiting', actor='harness')
            s.flush()
            for c, visit in made:
                visits[c].append(visit.id)
    engine.dispose()
    return list(zip(tokens, visits, strict=True))


class ProcessGroup:
    """A process the harness starts in its own process group, so that it can kill -9 it with its children."""

    proc: subprocess.Popen | None = None
    kills = 0

    def kill(self) -> None:
        """kill -9 the whole group (e.g. the gunicorn master and its workers)."""
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


class Server(ProcessGroup):
    def __init__(self, url: str, port: int, workers: int, threads: int, log: Path):
        self.url, self.port, self.workers, self.threads, self.log = url, port, workers, threads, log

    def start(self) -> None:
        env = dict(os.environ, INSPECT_FLOW_DATABASE_URL=self.url, INSPECT_FLOW_SECRET_KEY='harness')
        with open(self.log, 'ab') as log:
            self.proc = subprocess.Popen(
                [sys.executable, '-m', 'gunicorn', '-w', str(self.workers), '-k', 'gthread',
                 '--threads', str(self.threads), '-b', f'127.0.0.1:{self.port}', '--log-level', 'warning',
                 'inspect_flow:create_app()'],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f'http://127.0.0.1:{self.port}/healthz', timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.05)
        raise RuntimeError('the server did not start; see ' + str(self.log))


class Worker(ProcessGroup):
    """The intake worker (``inspect-flow submissions process --loop``) in its own process group."""

    def __init__(self, url: str, log: Path, idle_ms: float, processes: int = 1):
        self.url, self.log, self.idle_ms, self.processes = url, log, idle_ms, processes

    def start(self) -> None:
        env = dict(os.environ, INSPECT_FLOW_DATABASE_URL=self.url)
        with open(self.log, 'ab') as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).parent / 'inspect-flow'), 'submissions', 'process', '--loop',
                 '--interval', '0.05', '--idle-ms', str(self.idle_ms), '--max-lag', '60',
                 '--workers', str(self.processes)],
                cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)


def body(visit_id: int) -> dict:
    return {'participants': [{'side': 'commune', 'full_name': 'Lê Văn Hùng', 'title': 'Chủ tịch UBND xã'}],
            'content': {'district_report': f'Báo cáo của buổi {visit_id}.', 'local_opinion': 'Thống nhất.'},
            'findings': [{'kind': 'limitation', 'category': 'Sử dụng vốn vay', 'text': f'Hạn chế {visit_id}.',
                          'severity': 'medium', 'source': 'records'}]}


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(len(v) * q))] * 1000, 1)


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def process_cpu(groups: dict[str, callable]) -> dict[str, float]:
    """CPU seconds used so far by the processes of each group (a predicate on the command line), from /proc."""
    hz = os.sysconf('SC_CLK_TCK')
    out = dict.fromkeys(groups, 0.0)
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f'/proc/{pid}/stat').read_text()
            cmd = Path(f'/proc/{pid}/cmdline').read_bytes().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        fields = stat.rsplit(')', 1)[1].split()
        for name, match in groups.items():
            if match(cmd, int(pid)):
                out[name] += (int(fields[11]) + int(fields[12])) / hz
                break
    return out


def queued(url: str) -> int:
    from inspect_flow.core.db import make_engine

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect().execution_options(sqlite_begin='DEFERRED') as conn:  # a reader: never waits in WAL
        n = conn.execute(sa.text("select count(*) from submission_intake where state = 'queued'")).scalar()
    engine.dispose()
    return n


def run(template: Template, mode: str, kills: bool, *, workers: int, threads: int, duration: float,
        kill_min: float, kill_max: float, drain_timeout: float, idle_ms: float, per_token: int = 1,
        apply_workers: int = 1) -> dict:
    url = template.copy()
    tmp = template.tmp
    load_before = os.getloadavg()[0]
    cpu0 = cpu_times()
    tag = uuid.uuid4().hex[:6]
    port = free_port()
    server = Server(url, port, workers, threads, tmp / f'server_{tag}.log')
    worker = Worker(url, tmp / f'worker_{tag}.log', idle_ms, apply_workers) if mode == 'async' else None
    server.start()
    if worker:
        worker.start()
    acked: list[tuple[int, str]] = []
    latencies: list[float] = []
    first_try: list[float] = []
    statuses: dict[int, int] = {}
    errors = {'connection': 0}
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration
    done = threading.Event()
    exhausted = [0]

    def client(token: str, visit_ids: list[int]) -> None:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        headers = {'Authorization': f'Bearer {token}', 'Content-Type': 'application/json'}
        if mode == 'async':
            headers['Prefer'] = 'respond-async'
        for vid in visit_ids:
            if time.perf_counter() >= stop_at:
                return
            key = str(uuid.uuid4())
            payload = json.dumps(body(vid), ensure_ascii=False).encode()
            start = time.perf_counter()
            busy = 0
            while True:
                t0 = time.perf_counter()
                try:
                    conn.request('POST', f'/api/v1/visits/{vid}/submissions', body=payload,
                                 headers={**headers, 'Idempotency-Key': key})
                    r = conn.getresponse()
                    text = r.read()
                except (OSError, http.client.HTTPException):
                    with lock:
                        errors['connection'] += 1
                    conn.close()
                    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
                    time.sleep(0.02)
                    continue
                now = time.perf_counter()
                with lock:
                    statuses[r.status] = statuses.get(r.status, 0) + 1
                if r.status in (201, 202):
                    with lock:
                        acked.append((vid, key))
                        latencies.append(now - t0)
                        first_try.append(now - start)
                    break
                if r.status in (502, 503):
                    busy += 1
                    if busy > 500:  # ten seconds of refusals for one submission: the server is broken
                        raise RuntimeError(f'{r.status} {busy} times in a row: {text[:300]!r}')
                    time.sleep(0.02)
                    continue
                raise RuntimeError(f'unexpected {r.status}: {text[:300]!r}')
        with lock:
            exhausted[0] += 1

    def killer() -> None:
        while not done.wait(random.uniform(kill_min, kill_max)):
            victims = [server] if worker is None else random.choice([[server], [worker], [server, worker]])
            for v in victims:
                v.kill()
            for v in victims:
                v.start()

    for token, _ids in template.plan:  # warm each server thread up (imports, first queries) before measuring
        for _ in range(threads):
            requests.get(f'http://127.0.0.1:{port}/api/v1/me', headers={'Authorization': f'Bearer {token}'},
                         timeout=30)
    stop_at = time.perf_counter() + duration
    # each account's visits are shared out among its devices (a team's members submit with the same account)
    devices = [(token, ids[d::per_token]) for token, ids in template.plan for d in range(per_token)]
    threads_ = [threading.Thread(target=client, args=p) for p in devices]
    db_name = url.rsplit('/', 1)[1]
    groups = {'server': lambda cmd, _pid: f'127.0.0.1:{port}' in cmd and 'gunicorn' in cmd,
              'database': lambda cmd, _pid: cmd.startswith('postgres:') and f' {db_name} ' in cmd,
              'worker': lambda _cmd, pid: worker is not None and worker.proc is not None and pid == worker.proc.pid,
              'clients': lambda _cmd, pid: pid == os.getpid()}
    cpu_before = process_cpu(groups)
    t0 = time.perf_counter()
    for th in threads_:
        th.start()
    kt = threading.Thread(target=killer) if kills else None
    if kt:
        kt.start()
    for th in threads_:
        th.join()
    wall = time.perf_counter() - t0
    cpu1 = cpu_times()
    cpu_after = process_cpu(groups)
    drained = None
    if worker:
        deadline = time.perf_counter() + drain_timeout
        while time.perf_counter() < deadline and queued(url):
            time.sleep(0.2)
        drained = time.perf_counter() - t0
    done.set()
    if kt:
        kt.join()
    server.stop()
    if worker:
        worker.stop()
    log_text = (tmp / f'server_{tag}.log').read_text(errors='replace')
    if worker:
        log_text += (tmp / f'worker_{tag}.log').read_text(errors='replace')
    result = verify(url, acked, mode)
    result.update({
        'db': template.kind, 'mode': mode, 'kills': server.kills + (worker.kills if worker else 0),
        'clients': len(devices), 'workers': workers, 'threads': threads,
        'apply_workers': worker.processes if worker else 0,
        'acknowledged': len(acked), 'wall_s': round(wall, 2), 'acks_per_s': round(len(acked) / wall, 1),
        'p50_ms': _pct(latencies, 0.5), 'p99_ms': _pct(latencies, 0.99),
        'p99_first_try_ms': _pct(first_try, 0.99),
        'applied_per_s': round(len(acked) / drained, 1) if drained else round(len(acked) / wall, 1),
        'drain_s': round(drained - wall, 1) if drained else 0.0,
        'ran_out_of_visits': exhausted[0], 'connection_errors': errors['connection'], 'statuses': statuses,
        'database_is_locked_in_log': log_text.count('database is locked'),
        'loadavg_1m_before_after': (round(load_before, 2), round(os.getloadavg()[0], 2)),
        'machine_cpu_busy_pct': round(100 * (cpu1[0] - cpu0[0]) / max(cpu1[1] - cpu0[1], 1)),
        # CPU milliseconds per acknowledgment, by process group (server = gunicorn, database = its PostgreSQL
        # backends, clients = this harness); steadier than the rates on a shared machine
        **{f'cpu_ms_per_ack_{k}': round(1000 * (cpu_after[k] - cpu_before[k]) / max(len(acked), 1), 2)
           for k in groups},
    })
    return result


def verify(url: str, acked: list[tuple[int, str]], mode: str) -> dict:
    from inspect_flow.core.db import make_engine

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect().execution_options(sqlite_begin='DEFERRED') as conn:
        submits = dict(conn.execute(sa.text(
            "select entity_id, count(*) from audit_entries where entity_type = 'visit' and trigger = 'submit' "
            'group by entity_id')).all())
        states = dict(conn.execute(sa.text('select id, state from visits')).all())
        keys = {k for (k,) in conn.execute(sa.text('select key from idempotency_keys'))}
        intake = {}
        for key, state in conn.execute(sa.text('select key, state from submission_intake')):
            intake.setdefault(key, []).append(state)
    engine.dispose()
    lost = [v for v, k in acked if states.get(v) != 'submitted' or submits.get(v, 0) == 0 or k not in keys
            or (mode == 'async' and intake.get(k) != ['done'])]
    duplicated = [v for v, n in submits.items() if n > 1] + [k for k, st in intake.items() if len(st) > 1]
    return {'lost': len(lost), 'duplicated': len(duplicated),
            'intake_failed': sum(st.count('failed') for st in intake.values()),
            'still_queued': sum(st.count('queued') for st in intake.values())}


COLUMNS = ('db', 'mode', 'kills', 'acknowledged', 'wall_s', 'acks_per_s', 'p50_ms', 'p99_ms', 'p99_first_try_ms',
           'applied_per_s', 'drain_s', 'lost', 'duplicated', 'database_is_locked_in_log', 'connection_errors',
           'machine_cpu_busy_pct', 'cpu_ms_per_ack_server', 'cpu_ms_per_ack_database', 'clients', 'workers',
           'threads', 'apply_workers')


def table(rows: list[dict]) -> str:
    lines = ['| ' + ' | '.join(COLUMNS) + ' |', '|' + '---|' * len(COLUMNS)]
    for r in rows:
        lines.append('| ' + ' | '.join(str(r.get(c)) for c in COLUMNS) + ' |')
    return '\n'.join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', choices=['sqlite', 'postgresql', 'both'], default='both')
    parser.add_argument('--mode', choices=['sync', 'async', 'both'], default='both')
    parser.add_argument('--matrix', action='store_true', help='both DBs × sync/async × no-kill/kill')
    parser.add_argument('--clients', type=int, default=8, help='accounts (each with its token and its visits)')
    parser.add_argument('--devices-per-account', type=int, default=2,
                        help='concurrent clients per account, sharing out its visits (clients × this in all)')
    parser.add_argument('--plans', type=int, default=100, help='rounds to seed (164 visits each)')
    parser.add_argument('--duration', type=float, default=10.0, help='seconds the clients keep submitting')
    parser.add_argument('--workers', type=int, default=2, help='gunicorn worker processes')
    parser.add_argument('--threads', type=int, default=8, help='threads per gunicorn worker')
    parser.add_argument('--kill-min', type=float, default=0.3)
    parser.add_argument('--kill-max', type=float, default=0.8)
    parser.add_argument('--idle-ms', type=float, default=200.0,
                        help='async: the worker waits while submissions arrived within this many ms')
    parser.add_argument('--apply-workers', type=int,
                        help='async: intake worker processes (submissions process --workers); default 1 on SQLite '
                             '(its writers take turns), 2 on PostgreSQL')
    parser.add_argument('--drain-timeout', type=float, default=600.0)
    parser.add_argument('--no-kill', action='store_true', help='measure throughput without faults')
    parser.add_argument('--json', type=Path, help='also write the results here')
    parser.add_argument('--cache', type=Path, help='keep the seeded templates in this folder (and, on PostgreSQL, '
                                                   'a database named after it) and reuse them on the next run')
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    kinds = ['sqlite', 'postgresql'] if args.db == 'both' or args.matrix else [args.db]
    modes = ['sync', 'async'] if args.mode == 'both' or args.matrix else [args.mode]
    kill_modes = [False, True] if args.matrix else [not args.no_kill]
    rows, failed = [], False
    tmp = Path(tempfile.mkdtemp(prefix='if_harness_'))
    for kind in kinds:
        if args.cache:
            args.cache.mkdir(parents=True, exist_ok=True)
        template = Template(kind, tmp, args.clients, args.plans, args.cache)
        print(f"# {kind}: {'seeded' if template.seeded else 'reused'} {sum(len(v) for _, v in template.plan)} visits "
              f'in {template.seconds:.0f} s', flush=True)
        try:
            for mode in modes:
                for kills in kill_modes:
                    # two processes on both: SQLite's writers queue on a file lock (core/db.py SqliteWriterLock)
                    res = run(template, mode, kills, workers=args.workers, threads=args.threads,
                              duration=args.duration, kill_min=args.kill_min, kill_max=args.kill_max,
                              drain_timeout=args.drain_timeout, idle_ms=args.idle_ms,
                              per_token=args.devices_per_account,
                              apply_workers=args.apply_workers or (2 if kind == 'postgresql' else 1))
                    print(res, flush=True)
                    rows.append(res)
                    failed |= bool(res['lost'] or res['duplicated'] or res['still_queued'])
        finally:
            template.drop()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
