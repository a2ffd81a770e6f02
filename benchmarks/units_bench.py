"""Units benchmark: load the whole country's administrative units (before and after the 2025 reform, with their
successions) into a new database, reload them (nothing to do), and report the database's size.

Runs SQLite and PostgreSQL side by side, alternating, so that both see the same machine. Prints medians.
Run: .venv/bin/python benchmarks/units_bench.py [--runs N] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from inspect_flow.core import migrate  # noqa: E402
from inspect_flow.core.db import make_engine  # noqa: E402
from inspect_flow.units.catalog import read_catalog  # noqa: E402
from inspect_flow.units.loading import load_units  # noqa: E402
from inspect_flow.units.operations import load_ben_tre_2019  # noqa: E402

PG_DEFAULT = 'postgresql+psycopg://postgres@127.0.0.1:5432/test'


def _timed(engine: sa.Engine, provinces: list[str] | None = None) -> tuple[float, object]:
    t0 = time.perf_counter()
    with Session(engine) as session:
        report = load_units(session, provinces)
        session.commit()
    return time.perf_counter() - t0, report


def _size(engine: sa.Engine, kind: str, path: Path | None) -> int:
    if kind == 'sqlite':  # the database file and its write-ahead log
        return sum(p.stat().st_size for p in path.parent.glob(path.name + '*') if not p.name.endswith('-shm'))
    with engine.connect() as conn:
        return conn.execute(sa.text('SELECT pg_database_size(current_database())')).scalar()


def one_run(kind: str, pg_url: str, tmp: Path) -> dict:
    """Create a database, load Bến Tre 2019 (as init does), then the whole country, then reload it."""
    path = None
    admin = None
    if kind == 'sqlite':
        path = tmp / f'units_{uuid.uuid4().hex[:8]}.sqlite3'
        url = f'sqlite:///{path}'
    else:
        name = f'if_bench_{uuid.uuid4().hex[:8]}'
        admin = make_engine(pg_url, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE {name}'))
        url = pg_url.rsplit('/', 1)[0] + '/' + name
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            load_ben_tre_2019(session)
            session.commit()
        empty = _size(engine, kind, path)
        load_s, report = _timed(engine)
        reload_s, again = _timed(engine)
        assert again.unchanged, again.as_dict()
        with engine.connect() as conn:
            units = conn.execute(sa.text('SELECT count(*) FROM admin_units')).scalar()
            successions = conn.execute(sa.text('SELECT count(*) FROM unit_successions')).scalar()
        return {'load': load_s, 'reload': reload_s, 'size': _size(engine, kind, path) - empty, 'total': _size(
            engine, kind, path), 'units': units, 'successions': successions, 'added': sum(report.added.values())}
    finally:
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS {url.rsplit("/", 1)[1]} WITH (FORCE)'))
            admin.dispose()
        if path is not None:
            for p in path.parent.glob(path.name + '*'):
                os.unlink(p)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--pg', default=os.environ.get('INSPECT_FLOW_TEST_PG_URL', PG_DEFAULT))
    args = parser.parse_args()
    t0 = time.perf_counter()
    catalog = read_catalog()
    print(f'inspect_flow units benchmark — {catalog.source}, medians of {args.runs} runs, alternating databases')
    print(f'  read the package data: {time.perf_counter() - t0:.2f} s ({len(catalog.legacy)} units before the '
          f'reform, {len(catalog.current)} after, {len(catalog.successions)} successions)')
    results: dict[str, list[dict]] = {'sqlite': [], 'postgresql': []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for kind in results:
                results[kind].append(one_run(kind, args.pg, Path(tmp)))
    for kind, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ('load', 'reload', 'size', 'total')}
        last = runs[-1]
        print(f'  {kind:<10} whole country: load {med["load"]:.2f} s, reload (no change) {med["reload"]:.2f} s; '
              f'{last["units"]:,} units and {last["successions"]:,} successions; units add '
              f'{med["size"] / 2**20:.1f} MiB (database {med["total"] / 2**20:.1f} MiB)')
    ratio = statistics.median(r['load'] for r in results['postgresql']) / statistics.median(
        r['load'] for r in results['sqlite'])
    print(f'  PostgreSQL / SQLite load time: {ratio:.2f}×')


if __name__ == '__main__':
    main()
