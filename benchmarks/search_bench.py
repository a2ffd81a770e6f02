"""Unit search benchmark: what a picker's request costs with the whole country loaded (~13,400 units).

Loads every unit (before and after the 2025 reform) into a new SQLite file and a new PostgreSQL database once, then
times ``units.search.search_units`` for typical queries (a commune name typed without marks, a word prefix, a
single common word, words in another order, nothing found, a province filter), alternating the databases, and prints
the median and 95th percentile per query in milliseconds, with the number of rows the query matched.
Run: .venv/bin/python benchmarks/search_bench.py [--repeat N] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from inspect_flow.core import migrate  # noqa: E402
from inspect_flow.core.db import make_engine  # noqa: E402
from inspect_flow.units.loading import load_units  # noqa: E402
from inspect_flow.units.operations import load_ben_tre_2019  # noqa: E402
from inspect_flow.units.search import search_units  # noqa: E402

PG_DEFAULT = 'postgresql+psycopg://postgres@127.0.0.1:5432/test'
D2019 = date(2019, 7, 5)
D2026 = date(2026, 4, 6)
QUERIES = [  # (label, query, day, keyword arguments)
    ('commune 2026, no marks', 'nhuan phu tan', D2026, {}),
    ('commune 2019, marks and capitals', 'NHUẬN PHÚ TÂN', D2019, {}),
    ('word prefix, 2026', 'phu', D2026, {}),
    ('common word, 2019', 'an', D2019, {}),
    ('words in another order', 'tan phu nhuan', D2026, {}),
    ('nothing found', 'khong co xa nay', D2026, {}),
    ('one province, communes', 'phu', D2026, {'province': '86', 'level': 'commune'}),
]


def _database(kind: str, pg_url: str, tmp: Path) -> tuple[str, sa.Engine | None]:
    if kind == 'sqlite':
        return f'sqlite:///{tmp / f"search_{uuid.uuid4().hex[:8]}.sqlite3"}', None
    name = f'if_search_{uuid.uuid4().hex[:8]}'
    admin = make_engine(pg_url, isolation_level='AUTOCOMMIT', poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE {name}'))
    return pg_url.rsplit('/', 1)[0] + '/' + name, admin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--repeat', type=int, default=30)
    parser.add_argument('--pg', default=os.environ.get('INSPECT_FLOW_TEST_PG_URL', PG_DEFAULT))
    args = parser.parse_args()
    engines: dict[str, sa.Engine] = {}
    admins: list[tuple[sa.Engine, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for kind in ('sqlite', 'postgresql'):
                url, admin = _database(kind, args.pg, Path(tmp))
                if admin is not None:
                    admins.append((admin, url.rsplit('/', 1)[1]))
                engine = make_engine(url)
                migrate.upgrade(engine)
                with Session(engine) as session:
                    load_ben_tre_2019(session)
                    load_units(session)
                    session.commit()
                    if kind == 'postgresql':
                        session.execute(sa.text('ANALYZE admin_units'))
                        session.commit()
                engines[kind] = engine
            with engines['sqlite'].connect() as conn:
                units = conn.execute(sa.text('SELECT count(*) FROM admin_units')).scalar()
            print(f'inspect_flow unit search — {units:,} units, {args.repeat} searches per query and database, '
                  'alternating; one session per search (as a request); ms')
            print(f'  {"query":<34} {"SQLite p50":>10} {"p95":>7}   {"PostgreSQL p50":>14} {"p95":>7}   matches')
            for label, q, day, kw in QUERIES:
                times: dict[str, list[float]] = {'sqlite': [], 'postgresql': []}
                found = {}
                for _ in range(args.repeat):
                    for kind, engine in engines.items():
                        t0 = time.perf_counter()
                        with Session(engine) as session:
                            result = search_units(session, q, day, **kw)
                        times[kind].append((time.perf_counter() - t0) * 1000)
                        found[kind] = len(result)
                assert found['sqlite'] == found['postgresql'], (label, found)
                s, p = (sorted(times[k]) for k in ('sqlite', 'postgresql'))
                p95 = max(0, round(0.95 * len(s)) - 1)
                print(f'  {label:<34} {statistics.median(s):>10.2f} {s[p95]:>7.2f}   {statistics.median(p):>14.2f} '
                      f'{p[p95]:>7.2f}   {found["sqlite"]}')
        finally:
            for engine in engines.values():
                engine.dispose()
            for admin, name in admins:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
                admin.dispose()


if __name__ == '__main__':
    main()
