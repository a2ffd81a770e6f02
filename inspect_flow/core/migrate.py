"""Create, upgrade and downgrade the schema with Alembic, from code (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

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


def upgrade(engine: Engine, revision: str = 'head') -> None:
    """Upgrade the database behind *engine* to *revision* (creating it from nothing if needed)."""
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes['connection'] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str = 'base') -> None:
    """Downgrade the database behind *engine* to *revision*."""
    with engine.begin() as conn:
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
