"""Helpers for the background-work tests: a real HTTP receiver for webhooks, waits with a deadline, a worker's
queue drained."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

from amqp.exceptions import ChannelError

from inspect_flow.integrations import webhooks

T = TypeVar('T')
SECRET = 'bi-mat-cua-ben-nhan-' + 's' * 16


def wait_until(check: Callable[[], T], timeout: float, what: str, interval: float = 0.2) -> T:
    """Call *check* until it returns something true, and return that; fail naming *what* after *timeout* s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f'{what}: not within {timeout} s')
        time.sleep(interval)


class Receiver:
    """A real webhook receiver on 127.0.0.1:0 (a ThreadingHTTPServer in the test process).

    It answers the queued *statuses* in turn, then 200. With *hold_first*, the first request is held (no answer)
    until :attr:`release` is set, or 60 s at most: the test kills the worker meanwhile.
    """

    def __init__(self, statuses: list[int] | None = None, *, hold_first: bool = False):
        self.statuses = list(statuses or [])
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.first = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers['Content-Length']))
                with outer._lock:
                    outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    first = len(outer.received) == 1
                    status = outer.statuses.pop(0) if outer.statuses else 200
                outer.first.set()
                if first and hold_first:
                    outer.release.wait(60)
                try:
                    self.send_response(status)
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                except OSError:  # the sender was killed meanwhile
                    pass

            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = f'http://127.0.0.1:{self.server.server_port}/hook'
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def deliveries(self) -> list[tuple[dict[str, str], bytes]]:
        with self._lock:
            return list(self.received)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)


def check_signed(headers: dict[str, str], body: bytes, secret: str = SECRET) -> dict:
    """The delivery's signature verifies with *secret* (as a receiver checks it); return the payload."""
    assert webhooks.verify(secret, headers['x-inspectflow-timestamp'], body, headers['x-inspectflow-signature'])
    assert not webhooks.verify('x' * 32, headers['x-inspectflow-timestamp'], body, headers['x-inspectflow-signature'])
    return json.loads(body)


def queue_drained(worker, timeout: float = 60) -> None:  # noqa: ANN001
    """Wait until the worker's queue is empty and the worker runs and holds no task (seen twice, 0.5 s apart)."""
    app = worker._app()
    celery_app = app.extensions['celery']
    queue = celery_app.conf.task_default_queue

    def idle() -> bool:
        with celery_app.connection_for_write() as conn:
            try:
                waiting = conn.default_channel.queue_declare(queue=queue, passive=True).message_count
            except ChannelError:  # Redis: an empty queue is no key at all
                waiting = 0
        if waiting:
            return False
        inspect = celery_app.control.inspect(destination=[worker.hostname], timeout=2.0)
        active, reserved = inspect.active() or {}, inspect.reserved() or {}
        if worker.hostname not in active or worker.hostname not in reserved:
            return False  # no answer: not known to be idle
        return not active[worker.hostname] and not reserved[worker.hostname]

    def idle_twice() -> bool:
        if not idle():
            return False
        time.sleep(0.5)
        return idle()

    wait_until(idle_twice, timeout, 'the worker finished its tasks', interval=0.3)
