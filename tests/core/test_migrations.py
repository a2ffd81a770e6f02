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


def test_the_two_tier_migration_keeps_conclusions_and_documents_keyed_by_their_unit(databases, db_kind):  # noqa: ANN001
    """a8d4c2e6f1b9 renames conclusions.district_id and documents.district_id to unit_id: 2019 rows keep their
    districts down and up again."""
    from datetime import date

    from sqlalchemy.orm import Session

    from inspect_flow.documents import operations as doc_ops
    from inspect_flow.documents.sources import SignerIn
    from tests import builders

    engine = make_engine(databases.fresh(db_kind), poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        plan = builders.plan_at(session, 'closed')
        doc_ops.issue_document(session, plan, 'conclusion', district='838', actor='t', issue_date=date(2019, 8, 20),
                               signer=SignerIn(name='Nguyễn Văn An'))
        session.commit()
    query = ('select c.plan_id, a.code from conclusions c join admin_units a on a.id = c.{col} order by a.code',
             'select d.kind, a.code from documents d join admin_units a on a.id = d.{col} order by d.id')

    def rows(col: str) -> list:
        with engine.connect() as conn:
            return [conn.execute(sa.text(q.format(col=col))).all() for q in query]

    at_head = rows('unit_id')
    assert [[code for _, code in r] for r in at_head] == [['833', '838'], ['838']]
    migrate.downgrade(engine, 'a9d4e6f2c1b7')
    assert rows('district_id') == at_head
    migrate.upgrade(engine)
    assert rows('unit_id') == at_head
    engine.dispose()
