"""Workflow benchmark: `demo --through closed` on each database, and the cost of one transition.

Prints medians of repeated runs, side by side in one run (the machines here are shared and noisy).
Run: .venv/bin/python benchmarks/workflow_bench.py [--runs N] [--pg URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inspect_flow.core import migrate
from inspect_flow.core.db import make_engine, make_session_factory, unit_of_work
from inspect_flow.demo.round2019 import find_demo_plan, run_demo
from inspect_flow.workflow.machines import VISIT_MACHINE, fire
from inspect_flow.workflow.states import VisitState

PG_DEFAULT = 'postgresql+psycopg://postgres@127.0.0.1:5432/test'


def _fresh(kind: str, pg: str, tmp: Path) -> tuple[str, callable]:
    if kind == 'sqlite':
        return f'sqlite:///{tmp / f"{uuid.uuid4().hex}.sqlite3"}', lambda: None
    name = f'if_bench_{uuid.uuid4().hex[:8]}'
    admin = make_engine(pg, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE {name}'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))

    return pg.rsplit('/', 1)[0] + '/' + name, drop


def _demo_database(kind: str, pg: str, tmp: Path, through: str):  # noqa: ANN202
    """A new database holding the demo round up to *through*: (engine, drop)."""
    url, drop = _fresh(kind, pg, tmp)
    engine = make_engine(url)
    migrate.upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as s:
        run_demo(s, through)
    return engine, drop


def demo_times(kind: str, runs: int, pg: str, tmp: Path) -> tuple[list[float], list[float]]:
    """Return (init+demo seconds, demo-only seconds) per run, each on a new database."""
    total, demo_only = [], []
    for _ in range(runs):
        url, drop = _fresh(kind, pg, tmp)
        t0 = time.perf_counter()
        engine = make_engine(url)
        migrate.upgrade(engine)
        t1 = time.perf_counter()
        with unit_of_work(make_session_factory(engine)) as s:
            run_demo(s, 'closed')
        t2 = time.perf_counter()
        total.append(t2 - t0)
        demo_only.append(t2 - t1)
        engine.dispose()
        drop()
    return total, demo_only


def transition_costs(kind: str, pg: str, tmp: Path, cycles: int = 300) -> dict[str, float]:
    """Median µs of one transition (return ↔ resubmit) with its audit row: in memory, and flushed."""
    engine, drop = _demo_database(kind, pg, tmp, 'findings')
    out = {}
    with Session(engine) as s:
        plan = find_demo_plan(s)
        visit = plan.visits[0]
        leader = visit.team.leader
        assert visit.state == VisitState.submitted
        for label, flush in (('in memory (guards + audit row added)', False), ('flushed to the database', True)):
            samples = []
            for _ in range(cycles):
                t0 = time.perf_counter()
                fire(visit, 'return_for_correction', actor='bench', reviewer=leader, comment='x')
                if flush:
                    s.flush()
                t1 = time.perf_counter()
                fire(visit, 'submit', actor='bench')
                if flush:
                    s.flush()
                samples.append((t1 - t0) * 1e6)
            out[label] = statistics.median(samples)
            s.flush()
        s.rollback()
    engine.dispose()
    drop()
    return out


def submission_costs(kind: str, pg: str, tmp: Path, rounds: int = 3) -> list[float]:
    """ms per whole visit submission against the pinned checklist, committed: validation of every item,
    5 households from the roster, ~13 findings (rules and free text) with their audit rows, the transition."""
    from inspect_flow.demo.round2019 import _submission
    from inspect_flow.visits import operations as visit_ops

    samples = []
    for _ in range(rounds):
        engine, drop = _demo_database(kind, pg, tmp, 'visiting')
        with Session(engine) as s:
            visits = sorted(find_demo_plan(s).visits, key=lambda v: v.team.number)
            work = [(v.id, _submission(i, v)) for i, v in enumerate(visits)]
        for visit_id, data in work:
            with Session(engine) as s:
                visit = visit_ops.get_visit(s, visit_id)
                t0 = time.perf_counter()
                visit_ops.submit_visit(s, visit, actor='bench', data=data)
                s.commit()
                samples.append((time.perf_counter() - t0) * 1e3)
        engine.dispose()
        drop()
    return samples


def bare_machine_cost(n: int = 20000) -> tuple[float, float]:
    """µs per transition of the shared machine on a plain object without guards, and bytes per object."""
    from transitions import Machine

    machine = Machine(model=None, states=['a', 'b'], initial=None, auto_transitions=False,
                      transitions=[['go', 'a', 'b'], ['back', 'b', 'a']])

    class Obj:
        state = 'a'

    objs = [Obj() for _ in range(n)]
    go, back = machine.events['go'], machine.events['back']
    t0 = time.perf_counter()
    for o in objs:
        go.trigger(o)
        back.trigger(o)
    elapsed = time.perf_counter() - t0
    # memory in a second pass: tracemalloc slows the interpreter down, so it is not timed
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for o in objs:
        go.trigger(o)
        back.trigger(o)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, 'filename'))
    return elapsed / (2 * n) * 1e6, max(grown, 0) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--pg', default=PG_DEFAULT)
    args = parser.parse_args()
    assert len(VISIT_MACHINE.models) == 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(f'inspect_flow workflow benchmark — medians of {args.runs} runs, each on a new database')
        for kind in ('sqlite', 'postgresql'):
            total, demo_only = demo_times(kind, args.runs, args.pg, tmp)
            print(f'  demo --through closed, {kind:<10}: init+demo {statistics.median(total):.2f} s, '
                  f'demo alone {statistics.median(demo_only):.2f} s '
                  f'(min {min(demo_only):.2f}, max {max(demo_only):.2f})')
        for kind in ('sqlite', 'postgresql'):
            for label, us in transition_costs(kind, args.pg, tmp).items():
                print(f'  one visit transition, {kind:<10} {label}: {us:.0f} µs')
        for kind in ('sqlite', 'postgresql'):
            ms = submission_costs(kind, args.pg, tmp)
            print(f'  one visit submission (checklist, 5 households, ~13 findings), {kind:<10}: '
                  f'median {statistics.median(ms):.1f} ms over {len(ms)} (min {min(ms):.1f})')
        per, mem = bare_machine_cost()
        print(f'  bare shared machine, no guards: {per:.1f} µs per transition, {mem:.1f} bytes per object '
              f'(models registered: {len(VISIT_MACHINE.models)})')


if __name__ == '__main__':
    main()
