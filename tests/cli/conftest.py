"""CLI fixtures: a runner bound to a fresh database, and a snapshot of every table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from inspect_flow.cli import cli
from inspect_flow.core.db import make_engine


class Cli:
    """Run ``inspect-flow`` commands against one database, as the console script does."""

    def __init__(self, url: str):
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True, lang: str = 'vi'):  # noqa: ANN204
        result = self.runner.invoke(cli, ['--db', self.url, '--as', 'thu-ky', '--lang', lang, *args],
                                    catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, f'{args}: exit {result.exit_code}\n{result.output}\n{result.stderr}'
        return result

    def snapshot(self) -> dict[str, list]:
        """Every row of every table, to prove that a refused command changed nothing."""
        engine = make_engine(self.url, poolclass=sa.pool.NullPool)
        meta = sa.MetaData()
        meta.reflect(engine)
        out = {}
        with engine.connect() as conn:
            for name, table in sorted(meta.tables.items()):
                rows = conn.execute(sa.select(table)).all()
                out[name] = sorted(tuple(map(repr, r)) for r in rows)
        engine.dispose()
        return out


@pytest.fixture
def run(db_url) -> Cli:  # noqa: ANN001
    return Cli(db_url)
