"""Create, upgrade and downgrade the schema with Alembic, from code (no alembic.ini needed)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / 'migrations'
FILE_TEMPLATE = '%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s'


def alembic_config(engine: Engine | None = None) -> Config:
    """Return an Alembic config pointing at the package's migrations (and at *engine* when given)."""
    cfg = Config()
    cfg.set_main_option('script_location', str(MIGRATIONS_DIR))
    cfg.set_main_option('file_template', FILE_TEMPLATE)
    if engine is not None:
        cfg.set_main_option('sqlalchemy.url', engine.url.render_as_string(hide_password=False).replace('%', '%%'))
    return cfg


@contextmanager
def _migration_connection(engine: Engine) -> Iterator[Connection]:
    """One transaction for the whole migration. On SQLite, foreign keys are off meanwhile (the pragma works
    only outside a transaction): batch mode rebuilds a table by dropping it, and a DROP TABLE with foreign
    keys on deletes the rows that refer to it with ON DELETE CASCADE (rebuilding ``plans`` would empty the
    round). The references are checked before the transaction commits."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == 'sqlite'
        if sqlite:
            conn.connection.driver_connection.execute('PRAGMA foreign_keys=OFF')
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    broken = conn.exec_driver_sql('PRAGMA foreign_key_check').all()
                    if broken:
                        raise RuntimeError(f'The migration left rows with broken references: {broken[:5]}')
        finally:
            if sqlite:
                conn.connection.driver_connection.execute('PRAGMA foreign_keys=ON')


def upgrade(engine: Engine, revision: str = 'head') -> None:
    """Upgrade the database behind *engine* to *revision* (creating it from nothing if needed)."""
    with _migration_connection(engine) as conn:
        cfg = alembic_config()
        cfg.attributes['connection'] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = 'base') -> None:
    """Downgrade the database behind *engine* to *revision*."""
    with _migration_connection(engine) as conn:
        cfg = alembic_config()
        cfg.attributes['connection'] = conn
        command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """Return the newest revision shipped with the package."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
