"""The worker runs: ``inspect-flow worker`` on Redis and on RabbitMQ, and ``/healthz`` sees it."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from inspect_flow.cli import cli
from inspect_flow.core import migrate
from inspect_flow.core.db import make_engine
from tests.tasks.conftest import RABBITMQ_URL, REDIS_URL


def _init(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    engine.dispose()


@pytest.mark.parametrize('broker', [REDIS_URL, RABBITMQ_URL], ids=['redis', 'rabbitmq'])
def test_worker_answers_and_health_sees_it(make_worker, databases, broker):  # noqa: ANN001
    url = databases.fresh('sqlite')
    try:
        _init(url)
        worker = make_worker(url, broker)
        app = worker.celery()
        client = app.test_client()
        body = client.get('/healthz').get_json()
        assert body['checks']['workers'] == {'ok': False, 'detail': 'no worker answered'}
        worker.start()
        body = client.get('/healthz').get_json()
        assert body['checks']['workers']['ok'] is True, body
        assert body['status'] == 'ok'
        worker.kill()
        assert not worker.ping(timeout=1.0)
    finally:
        databases.release(url)


def test_without_broker_tasks_run_in_process(databases, monkeypatch):  # noqa: ANN001
    monkeypatch.delenv('INSPECT_FLOW_BROKER_URL', raising=False)
    from inspect_flow import create_app
    from inspect_flow.tasks.app import dispatch, in_process

    url = databases.fresh('sqlite')
    app = create_app({'DATABASE_URL': url, 'TESTING': True})
    assert in_process(app)
    assert 'inspect_flow.workers_health' not in app.extensions  # /healthz: workers "not configured"
    with app.app_context():
        result = dispatch('inspect_flow.ping')
    assert result.get() == {'pid': os.getpid()}  # it ran here, in this process
    databases.release(url)


def test_worker_without_broker_is_one_line_error(databases, monkeypatch):  # noqa: ANN001
    monkeypatch.delenv('INSPECT_FLOW_BROKER_URL', raising=False)
    url = databases.fresh('sqlite')
    result = CliRunner().invoke(cli, ['--db', url, 'worker'])
    databases.release(url)
    assert result.exit_code != 0
    assert 'INSPECT_FLOW_BROKER_URL' in result.output
    assert 'Traceback' not in result.output
