"""The schema is made only by migrations: they go up and down, and match the models exactly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import inspect_flow.models  # noqa: F401
from inspect_flow.core import migrate
from inspect_flow.core.db import Base, make_engine


def test_migrations_go_down_and_up_again(databases, db_kind):  # noqa: ANN001
    engine = make_engine(databases.fresh(db_kind), poolclass=sa.pool.NullPool)
    assert migrate.current_revision(engine) == migrate.head_revision()
    migrate.downgrade(engine, 'base')
    assert migrate.current_revision(engine) is None
    assert set(sa.inspect(engine).get_table_names()) <= {'alembic_version'}
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert set(Base.metadata.tables) <= set(sa.inspect(engine).get_table_names())
    engine.dispose()


def test_the_migrated_schema_matches_the_models(databases, db_kind):  # noqa: ANN001
    engine = make_engine(databases.fresh(db_kind), poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={'compare_type': True})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == []


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(tmp_path):  # noqa: ANN001
    engine = make_engine(f'sqlite:///{tmp_path / "x.sqlite3"}')
    with engine.connect() as conn:
        assert conn.exec_driver_sql('PRAGMA journal_mode').scalar() == 'wal'
        assert conn.exec_driver_sql('PRAGMA foreign_keys').scalar() == 1
        assert conn.exec_driver_sql('PRAGMA busy_timeout').scalar() == 10000
    engine.dispose()
