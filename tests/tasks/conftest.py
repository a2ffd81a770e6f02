"""A real Celery worker, started as ``inspect-flow worker`` in a process of its own, on the local Redis (or
RabbitMQ), against a test's own database. Each worker gets a queue of its own, so that parallel tests (and other
installations on the same broker) never take each other's tasks.

The worker is ended by its process id when the test ends; every wait has a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = 'redis://127.0.0.1:6379/0'
RABBITMQ_URL = 'amqp://guest:guest@127.0.0.1:5672//'


@dataclass
class Worker:
    """A worker process and how to reach it."""

    env: dict[str, str]
    log: Path
    args: tuple[str, ...] = ()
    proc: subprocess.Popen | None = None
    hostname: str = ''
    started: list[subprocess.Popen] = field(default_factory=list)

    def start(self, timeout: float = 60) -> None:
        """Start the worker and wait until it answers a ping."""
        self.hostname = f'w{uuid.uuid4().hex[:12]}@test'
        with self.log.open('ab') as out:
            self.proc = subprocess.Popen(
                [sys.executable, '-c', 'from inspect_flow.cli import main; main()', 'worker', '--concurrency=1',
                 f'--hostname={self.hostname}', *self.args],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(self.proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f'the worker exited ({self.proc.returncode}):\n{self.log.read_text()[-3000:]}')
            if self.ping(timeout=1.0):
                return
        raise AssertionError(f'the worker did not answer within {timeout} s:\n{self.log.read_text()[-3000:]}')

    def celery(self):  # noqa: ANN201
        """A Flask application (and its Celery) configured like the worker, in this process."""
        from inspect_flow import create_app

        saved = {k: os.environ.get(k) for k in self.env if k.startswith('INSPECT_FLOW_')}
        os.environ.update({k: v for k, v in self.env.items() if k.startswith('INSPECT_FLOW_')})
        try:
            app = create_app({'DATABASE_URL': self.env['INSPECT_FLOW_DATABASE_URL'], 'TESTING': True})
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return app

    def ping(self, timeout: float = 1.0) -> bool:
        """Whether this worker answers a broadcast ping within *timeout* seconds."""
        app = self._app()
        replies = app.extensions['celery'].control.ping(destination=[self.hostname], timeout=timeout) or []
        return any(self.hostname in reply for reply in replies)

    _cached = None

    def _app(self):  # noqa: ANN202
        if self._cached is None:
            self._cached = self.celery()
        return self._cached

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the worker's whole process group (the main process and its pool children)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        """End every process this worker started (TERM, then KILL after 10 s)."""
        for proc in self.started:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
                except ProcessLookupError:
                    pass
        if self._cached is not None:
            from kombu import pools

            self._cached.extensions['celery'].close()
            # kombu keeps one pool per broker address for the whole process, shared by every app on it: closed
            # above, it must be forgotten too, or the next worker's app (same address) gets the closed pool
            pools.reset()
            self._cached.extensions['inspect_flow.engine'].dispose()
            self._cached = None
            # kombu keeps its connection and producer pools per broker URL, process-wide: the pool closed above is
            # the one every later app on the same broker would get. Forget the closed pools.
            from kombu import pools

            pools.reset()


def _worker_env(db_url: str, broker: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith('INSPECT_FLOW_')}
    env.update(PYTHONPATH=str(ROOT), INSPECT_FLOW_DATABASE_URL=db_url, INSPECT_FLOW_BROKER_URL=broker,
               INSPECT_FLOW_QUEUE=f'test-{uuid.uuid4().hex}', INSPECT_FLOW_INSTANCE=str(tmp_path / 'instance'),
               INSPECT_FLOW_BROKER_VISIBILITY_TIMEOUT='5', **extra)
    return env


@pytest.fixture
def make_worker(tmp_path) -> Iterator:  # noqa: ANN001
    """``make_worker(db_url, broker=REDIS_URL, *args)``: a :class:`Worker`, not yet started; ended at teardown."""
    workers: list[Worker] = []

    def make(db_url: str, broker: str = REDIS_URL, *args: str, **extra: str) -> Worker:
        w = Worker(_worker_env(db_url, broker, tmp_path, **extra), tmp_path / f'worker{len(workers)}.log', args)
        workers.append(w)
        return w

    yield make
    for w in workers:
        w.stop()
