"""Apply benchmark: how fast the intake worker applies queued asynchronous submissions (not a test).

    .venv/bin/python benchmarks/apply_bench.py                       # both databases, both workloads
    .venv/bin/python benchmarks/apply_bench.py --db postgresql --workers 2
    .venv/bin/python benchmarks/apply_bench.py --compare e1e8691     # the same runs with that commit's code

It seeds a template database per kind with the load harness's seeding (``benchmarks/api_harness.py``:
rounds in ``visiting`` visiting all 164 communes, one team per account, one API token per account), and
copies it for each run. Each run queues ``--rows`` submissions for distinct visits exactly as the API does
(:func:`inspect_flow.intake.operations.accept` through an :class:`IntakeWriter`, from 16 threads), then drains
the queue with :func:`inspect_flow.intake.operations.process` in a new process (``--workers`` processes) and
prints applied/s, milliseconds per submission, CPU milliseconds per submission (the worker's, and its
PostgreSQL backends' from /proc: steadier than rates on a shared machine), and SQL statements per
submission (counted with a ``before_cursor_execute`` listener), medians over ``--runs`` runs.

Two workloads:

* ``harness``: the load harness's body (participants, content, one finding) on a plan without a checklist;
* ``checklist``: the demo round's whole record (the plans pin the shipped checklists: every item validated,
  five households from the roster, the checklist's rules as suggested findings, free findings).

``--compare REF`` checks REF out in a git worktree and drains each run's queue once with REF's code and
once with this tree's, alternately, on copies of the same queued database. Each drain also prints a digest
of what was stored (visits, findings, households, audit rows, webhook outbox; ids and times left out), so
that the two sides can be seen to store the same rows. ``--profile`` drains one queue under cProfile.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from api_harness import Template, body  # noqa: E402  (the harness's seeding and request body)

WARMUP = 20  # rows applied before the clock starts (imports, first statements, checklist parsing)


# --- building the queue -----------------------------------------------------------------------------

@contextlib.contextmanager
def pinned_checklists():
    """Make the harness's seeding pin the shipped checklists on each plan before it is scheduled."""
    from inspect_flow.plans import operations as plan_ops
    from inspect_flow.plans.checklists import pin_default_checklists

    real = plan_ops.advance_plan

    def advance(session, plan, trigger, **kw):  # noqa: ANN001, ANN003, ANN202
        if trigger == 'schedule':
            pin_default_checklists(session, plan, actor=kw.get('actor', 'bench'))
        return real(session, plan, trigger, **kw)

    plan_ops.advance_plan = advance
    try:
        yield
    finally:
        plan_ops.advance_plan = real


def template_for(kind: str, workload: str, rows: int, tmp: Path, clients: int = 8) -> Template:
    plans = math.ceil((rows + WARMUP) / 164)
    folder = tmp / f'{workload}_{kind}'
    folder.mkdir(parents=True, exist_ok=True)
    with pinned_checklists() if workload == 'checklist' else contextlib.nullcontext():
        return Template(kind, folder, clients, plans)


def queue_rows(url: str, template: Template, workload: str, n: int) -> int:
    """Queue *n* submissions for distinct visits through the API's intake code; return how many were queued."""
    from inspect_flow.accounts.models import User
    from inspect_flow.core.db import make_engine
    from inspect_flow.demo.round2019 import _submission
    from inspect_flow.intake import operations as intake
    from inspect_flow.intake.writer import IntakeWriter
    from inspect_flow.integrations.idempotency import request_fingerprint
    from inspect_flow.integrations.models import ApiToken
    from inspect_flow.visits.models import Visit

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    work = []
    with Session(engine) as s:
        users = {u.username: u for u in s.scalars(sa.select(User).where(User.username.like('bench%')))}
        tokens = {t.user_id: t.id for t in s.scalars(sa.select(ApiToken))}
        per_client = [ids for _token, ids in template.plan]
        order = [ids[k] for k in range(max(map(len, per_client))) for ids in per_client if k < len(ids)]
        client_of = {v: c for c, ids in enumerate(per_client) for v in ids}
        for i, visit_id in enumerate(order[:n]):
            user = users[f'bench{client_of[visit_id]}']
            if workload == 'checklist':
                raw = _submission(i % 9, s.get(Visit, visit_id))
            else:
                raw = body(visit_id)
            work.append((user.id, tokens[user.id], visit_id, raw))
    writer = IntakeWriter(engine)

    def send(item: tuple) -> int:
        user_id, token_id, visit_id, raw = item
        path = f'/api/v1/visits/{visit_id}/submissions'
        written = intake.accept(writer, user_id, visit_id, raw_text=json.dumps(raw, ensure_ascii=False),
                                key=str(uuid.uuid4()), fingerprint=request_fingerprint('POST', path, raw),
                                path=path, if_match=None, lang='vi', token_id=token_id)
        return written.status

    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(send, work))
    if writer._conn is not None:  # the writer thread keeps its connection; the copies need the database free
        writer._conn.close()
    writer.engine.dispose()
    engine.dispose()
    assert statuses.count(202) == len(work), statuses
    return len(work)


def copy_database(kind: str, url: str, tmp: Path) -> str:
    from inspect_flow.core.db import make_engine

    if kind == 'sqlite':
        src = Path(url.removeprefix('sqlite:///'))
        path = tmp / f'copy_{uuid.uuid4().hex[:8]}.sqlite3'
        shutil.copyfile(src, path)
        return f'sqlite:///{path}'
    name = f'if_apply_{uuid.uuid4().hex[:8]}'
    admin = make_engine(url.rsplit('/', 1)[0] + '/test', isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE {name} TEMPLATE {url.rsplit("/", 1)[1]}'))
    admin.dispose()
    return url.rsplit('/', 1)[0] + '/' + name


def drop_database(kind: str, url: str) -> None:
    from inspect_flow.core.db import make_engine

    if kind == 'sqlite':
        for suffix in ('', '-wal', '-shm', '-writer.lock'):
            Path(url.removeprefix('sqlite:///') + suffix).unlink(missing_ok=True)
        return
    admin = make_engine(url.rsplit('/', 1)[0] + '/test', isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS {url.rsplit("/", 1)[1]} WITH (FORCE)'))
    admin.dispose()


# --- draining (in a child process, with whichever inspect_flow is first on its path) -------------------

def _counting_factory(url: str):  # noqa: ANN202
    from inspect_flow.core.db import make_engine, make_session_factory

    engine = make_engine(url)
    counts: dict[str, int] = {}
    backends: set[int] = set()

    @sa.event.listens_for(engine, 'before_cursor_execute')
    def _count(_conn, _cursor, statement, _params, _context, executemany):  # noqa: ANN001
        verb = statement.lstrip().split(None, 1)[0].upper()
        counts[verb] = counts.get(verb, 0) + 1

    if engine.dialect.name == 'postgresql':
        @sa.event.listens_for(engine, 'connect')
        def _backend(dbapi_conn, _record):  # noqa: ANN001
            backends.add(dbapi_conn.info.backend_pid)

    return engine, make_session_factory(engine), counts, backends


def _cpu_of(pids: set[int]) -> float:
    """CPU seconds used so far by the processes *pids* (PostgreSQL backends), from /proc."""
    hz = os.sysconf('SC_CLK_TCK')
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / hz
    return total


def _measured(url: str, batch: int, max_batch_ms: float | None, warmup: int = 0, profile: Path | None = None,
              start_at: float | None = None) -> dict:
    """Drain the queue in this process: done, failed, seconds, CPU seconds (this process, its backends), statements."""
    import inspect_flow.api.views  # noqa: F401  (imports and schema building are not what is measured)
    from inspect_flow.intake import operations as intake

    engine, factory, counts, backends = _counting_factory(url)
    options = {'batch': batch} if max_batch_ms is None else {'batch': batch, 'max_batch_ms': max_batch_ms}
    if warmup:
        intake.process(factory, limit=warmup, **options)
    counts.clear()
    while start_at is not None and time.time() < start_at:
        time.sleep(0.001)
    prof = None
    if profile is not None:
        import cProfile

        prof = cProfile.Profile()
    db0, cpu0, t0 = _cpu_of(backends), time.process_time(), time.perf_counter()
    if prof is not None:
        prof.enable()
    result = intake.process(factory, **options)
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    seconds, cpu, db = time.perf_counter() - t0, time.process_time() - cpu0, _cpu_of(backends) - db0
    engine.dispose()
    return {'done': result.done, 'failed': result.failed, 'seconds': seconds, 'cpu': cpu, 'db_cpu': db,
            'counts': counts}


def _drain_worker(url: str, batch: int, max_batch_ms: float | None, start_at: float, out) -> None:  # noqa: ANN001
    """One of several worker processes: wait for the common start, drain, report."""
    out.put(_measured(url, batch, max_batch_ms, start_at=start_at))


def drain(url: str, workers: int, batch: int, max_batch_ms: float | None, profile: Path | None) -> dict:
    """Apply WARMUP rows untimed, then drain the rest with *workers* processes; return the figures."""
    import multiprocessing

    import inspect_flow.api.views  # noqa: F401  (imported before the workers fork)
    from inspect_flow.core.db import make_engine
    from inspect_flow.intake import operations as intake

    if workers == 1:
        parts = [_measured(url, batch, max_batch_ms, warmup=WARMUP, profile=profile)]
    else:
        engine, factory, _counts, _backends = _counting_factory(url)
        intake.process(factory, limit=WARMUP, batch=batch)
        engine.dispose()
        ctx = multiprocessing.get_context('fork')
        out = ctx.Queue()
        start_at = time.time() + 0.5
        procs = [ctx.Process(target=_drain_worker, args=(url, batch, max_batch_ms, start_at, out))
                 for _ in range(workers)]
        for p in procs:
            p.start()
        parts = [out.get() for _ in procs]
        for p in procs:
            p.join()
    counts: dict[str, int] = {}
    for part in parts:
        for verb, n in part['counts'].items():
            counts[verb] = counts.get(verb, 0) + n
    processed = max(sum(p['done'] + p['failed'] for p in parts), 1)
    seconds = max(p['seconds'] for p in parts)
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    figures = {'done': sum(p['done'] for p in parts), 'failed': sum(p['failed'] for p in parts), 'seconds': seconds,
               'applied_per_s': processed / seconds if seconds else 0.0,
               'ms_per_row': 1000 * seconds / processed,
               'cpu_ms_per_row': 1000 * sum(p['cpu'] for p in parts) / processed,
               'db_cpu_ms_per_row': 1000 * sum(p['db_cpu'] for p in parts) / processed,
               'statements_per_row': sum(counts.values()) / processed,
               'by_verb': {k: round(v / processed, 2) for k, v in sorted(counts.items())},
               'digest': digest(engine)}
    engine.dispose()
    return figures


def digest(engine: sa.Engine) -> dict:
    """What was stored, without ids and times: a hash per table and the row counts."""
    queries = {
        'visits': 'select id, state, version_id, content, answers from visits order by id',
        'participants': 'select visit_id, side, full_name, title, agency from visit_participants '
                        'order by visit_id, full_name',
        'households': 'select visit_id, household_code, category, head_name, answers from household_consultations '
                      'order by visit_id, household_code',
        'findings': 'select visit_id, kind, category, text, severity, source, status, checklist_item_id, rule_id, '
                    'evidence, created_by from findings order by visit_id, kind, category, text',
        'audit': 'select actor, plan_id, entity_type, action, trigger, from_state, to_state, changes, comment '
                 'from audit_entries',
        'outbox': 'select event from webhook_outbox',
        'intake': 'select visit_id, state, response_status from submission_intake order by visit_id, id',
    }
    out = {}
    with engine.connect().execution_options(sqlite_begin='DEFERRED') as conn:
        for name, sql in queries.items():
            rows = [json.dumps([_plain(v) for v in row], sort_keys=True, ensure_ascii=False, default=str)
                    for row in conn.execute(sa.text(sql))]
            rows.sort()  # audit and outbox rows: compared as a multiset (their insert order is not the point)
            out[name] = (len(rows), hashlib.sha256('\n'.join(rows).encode()).hexdigest()[:12])
    return out


def _plain(value):  # noqa: ANN001, ANN202
    if isinstance(value, str) and value[:1] in '{[':
        with contextlib.suppress(ValueError):
            return json.loads(value)  # SQLite returns JSON columns as text, PostgreSQL as objects
    return value


# --- the parent ---------------------------------------------------------------------------------------

def run_child(code_root: Path, url: str, args: argparse.Namespace, profile: Path | None = None) -> dict:
    """Drain *url* in a new process whose ``inspect_flow`` is the one under *code_root*."""
    env = dict(os.environ, PYTHONPATH=str(code_root))
    cmd = [sys.executable, str(Path(__file__).resolve()), '--child', url, '--workers', str(args.workers),
           '--batch', str(args.batch)]
    if args.max_batch_ms is not None:
        cmd += ['--max-batch-ms', str(args.max_batch_ms)]
    if profile is not None:
        cmd += ['--profile-to', str(profile)]
    out = subprocess.run(cmd, env=env, cwd=code_root, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f'drain failed ({code_root}):\n{out.stderr[-3000:]}')
    return json.loads(out.stdout.strip().splitlines()[-1])


def worktree(ref: str, tmp: Path) -> Path:
    path = tmp / f'baseline_{ref[:12]}'
    subprocess.run(['git', 'worktree', 'add', '--detach', str(path), ref], cwd=ROOT, check=True,
                   capture_output=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', choices=['sqlite', 'postgresql', 'both'], default='both')
    parser.add_argument('--workload', choices=['harness', 'checklist', 'both'], default='both')
    parser.add_argument('--rows', type=int, default=2000, help='submissions queued and drained per run')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--workers', type=int, default=1, help='worker processes draining the queue together')
    parser.add_argument('--batch', type=int, default=50)
    parser.add_argument('--max-batch-ms', type=float, help="the worker's default unless given")
    parser.add_argument('--compare', metavar='REF', help='also drain each queue with the code of this git commit')
    parser.add_argument('--profile', action='store_true', help='drain one queue per case under cProfile')
    parser.add_argument('--child', metavar='URL', help=argparse.SUPPRESS)
    parser.add_argument('--profile-to', type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(drain(args.child, args.workers, args.batch, args.max_batch_ms, args.profile_to)))
        return

    kinds = ['sqlite', 'postgresql'] if args.db == 'both' else [args.db]
    workloads = ['harness', 'checklist'] if args.workload == 'both' else [args.workload]
    tmp = Path(tempfile.mkdtemp(prefix='if_apply_'))
    sides = [('this tree', ROOT)]
    base = None
    if args.compare:
        base = worktree(args.compare, tmp)
        sides.insert(0, (f'{args.compare[:12]}', base))
    print(f'# apply benchmark: {args.rows} submissions per run, {args.runs} runs, {args.workers} worker(s), '
          f'batch {args.batch} / {args.max_batch_ms or "default"} ms; {os.cpu_count()} cores; '
          f'load average {os.getloadavg()[0]:.2f}', flush=True)
    table = []
    try:
        for workload in workloads:
            for kind in kinds:
                template = template_for(kind, workload, args.rows, tmp)
                print(f'## {workload} on {kind}: template seeded in {template.seconds:.0f} s', flush=True)
                results: dict[str, list[dict]] = {name: [] for name, _ in sides}
                try:
                    queued_url = template.copy()
                    queue_rows(queued_url, template, workload, args.rows + WARMUP)
                    if args.profile:
                        url = copy_database(kind, queued_url, tmp)
                        stats = tmp / f'{workload}_{kind}.prof'
                        run_child(ROOT, url, args, profile=stats)
                        drop_database(kind, url)
                        print_profile(stats)
                    for run in range(args.runs):
                        order = sides if run % 2 == 0 else sides[::-1]  # alternate who goes first
                        for name, root in order:
                            url = copy_database(kind, queued_url, tmp)
                            res = run_child(root, url, args)
                            drop_database(kind, url)
                            results[name].append(res)
                            print(f'  run {run + 1} {name:<12} done {res["done"]} failed {res["failed"]}: '
                                  f'{res["applied_per_s"]:.1f}/s, {res["ms_per_row"]:.2f} ms per row, CPU '
                                  f'{res["cpu_ms_per_row"]:.2f} ms (+ database {res["db_cpu_ms_per_row"]:.2f}), '
                                  f'{res["statements_per_row"]:.1f} statements per row {res["by_verb"]}',
                                  flush=True)
                    drop_database(kind, queued_url)
                finally:
                    template.drop()
                digests = {name: rs[-1]['digest'] for name, rs in results.items()}
                for name, rs in results.items():
                    table.append((workload, kind, name, statistics.median(r['applied_per_s'] for r in rs),
                                  statistics.median(r['ms_per_row'] for r in rs),
                                  statistics.median(r['cpu_ms_per_row'] for r in rs),
                                  statistics.median(r['db_cpu_ms_per_row'] for r in rs),
                                  statistics.median(r['statements_per_row'] for r in rs), rs[-1]['failed']))
                if len(digests) > 1:
                    same = len({json.dumps(d, sort_keys=True) for d in digests.values()}) == 1
                    print(f'  stored rows identical on both sides: {same}')
                    if not same:
                        for name, d in digests.items():
                            print(f'    {name}: {d}')
                else:
                    print(f'  stored: { {k: v[0] for k, v in next(iter(digests.values())).items()} }')
    finally:
        if base is not None:
            subprocess.run(['git', 'worktree', 'remove', '--force', str(base)], cwd=ROOT, check=False)
        if not os.environ.get("APPLY_BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
    print('\n| workload | database | code | applied/s | ms per submission | CPU ms per submission (+ database) | '
          'SQL statements per submission | failed |\n|---|---|---|---|---|---|---|---|')
    for workload, kind, name, rate, ms, cpu, db, stmts, failed in table:
        extra = f' (+ {db:.2f})' if kind == 'postgresql' else ''
        print(f'| {workload} | {kind} | {name} | {rate:.0f} | {ms:.2f} | {cpu:.2f}{extra} | {stmts:.1f} | {failed} |')
    print('(medians over the runs)')
    print(f'load average after: {os.getloadavg()[0]:.2f}')


def print_profile(path: Path, top: int = 35) -> None:
    import io
    import pstats

    buf = io.StringIO()
    pstats.Stats(str(path), stream=buf).sort_stats('cumulative').print_stats(top)
    print(buf.getvalue())
    buf = io.StringIO()
    pstats.Stats(str(path), stream=buf).sort_stats('tottime').print_stats(top)
    print(buf.getvalue())


if __name__ == '__main__':
    main()
