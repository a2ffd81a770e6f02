"""Alembic environment: runs against the connection or URL handed over by :mod:`inspect_flow.core.migrate`."""

from __future__ import annotations

from alembic import context

import inspect_flow.models  # noqa: F401  (fills Base.metadata)
from inspect_flow.core.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on a live connection (ours, or one made from the configured URL)."""
    connection = config.attributes.get('connection')
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option('sqlalchemy.url') or None)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == 'sqlite',  # ALTER TABLE on SQLite needs batch mode
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit('Offline (SQL script) migrations are not supported; run `inspect-flow init`.')
run_migrations_online()
