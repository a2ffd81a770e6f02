"""``SqliteWriterLock`` / ``writer_lock``: one writer at a time on a SQLite file, across threads and processes,
released by the kernel when its holder dies."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from inspect_flow.core.db import SqliteWriterLock, make_engine, writer_lock
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]

#: A process that takes the lock *rounds* times, writing "enter"/"exit" lines to a log while it holds it.
WORKER = '''
import os, sys, time
from pathlib import Path
from inspect_flow.core.db import SqliteWriterLock
db, log, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
lock = SqliteWriterLock(Path(db))
print('ready', flush=True)
sys.stdin.readline()
fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
for _ in range(rounds):
    with lock:
        os.write(fd, f'enter {os.getpid()}\\n'.encode())
        time.sleep(0.002)
        os.write(fd, f'exit {os.getpid()}\\n'.encode())
'''

#: A process that takes the lock, says so, and holds it until it is killed.
HOLDER = '''
import sys, time
from pathlib import Path
from inspect_flow.core.db import SqliteWriterLock
lock = SqliteWriterLock(Path(sys.argv[1]))
lock.acquire()
print('held', flush=True)
time.sleep(120)
'''


def python(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, '-c', script, *args], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def stop(p: subprocess.Popen) -> None:
    """Kill *p* (a process this test started) if it still runs, and close its pipes."""
    if p.poll() is None:
        p.kill()
    p.wait(10)
    for pipe in (p.stdin, p.stdout):
        if pipe is not None:
            pipe.close()


def held_elsewhere(lock: SqliteWriterLock) -> bool:
    """Probe the lock file from a descriptor of our own, without waiting."""
    fd = os.open(lock.path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def assert_serial(lines: list[str], expected_holds: int) -> None:
    """Every holder's enter is followed by its own exit before anyone else enters."""
    assert len(lines) == 2 * expected_holds
    for i in range(0, len(lines), 2):
        enter, exit_ = lines[i].split(), lines[i + 1].split()
        assert enter[0] == 'enter' and exit_ == ['exit', enter[1]], f'overlapping holders at line {i}: {lines[i:i + 2]}'


def test_threads_of_one_process_exclude_each_other(tmp_path):  # noqa: ANN001
    lock = SqliteWriterLock(tmp_path / 'db.sqlite3')
    counter = {'value': 0, 'inside': 0, 'most': 0}

    def work() -> None:
        for _ in range(40):
            with lock:
                counter['inside'] += 1
                counter['most'] = max(counter['most'], counter['inside'])
                value = counter['value']
                time.sleep(0.0002)  # a read-modify-write that loses updates without the lock
                counter['value'] = value + 1
                counter['inside'] -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert counter['most'] == 1, 'two threads held the lock at once'
    assert counter['value'] == 8 * 40
    assert not held_elsewhere(lock), 'released after the last holder'


def test_processes_exclude_each_other(tmp_path):  # noqa: ANN001
    db, log = tmp_path / 'db.sqlite3', tmp_path / 'holds.log'
    procs = [python(WORKER, str(db), str(log), '25') for _ in range(3)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == 'ready'
        for p in procs:  # start them together
            p.stdin.write('go\n')
            p.stdin.flush()
        # this process takes part too, through its own lock object on the same file
        lock = SqliteWriterLock(db)
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            for _ in range(25):
                with lock:
                    os.write(fd, f'enter {os.getpid()}\n'.encode())
                    time.sleep(0.002)
                    os.write(fd, f'exit {os.getpid()}\n'.encode())
        finally:
            os.close(fd)
        for p in procs:
            assert p.wait(60) == 0
    finally:
        for p in procs:
            stop(p)
    lines = log.read_text().splitlines()
    assert_serial(lines, 4 * 25)
    assert len({line.split()[1] for line in lines}) == 4


def _hold_in_child(lock: SqliteWriterLock, held, release) -> None:  # noqa: ANN001
    with lock:
        held.set()
        release.wait(30)


def test_a_forked_child_takes_the_lock_through_a_descriptor_of_its_own(tmp_path):  # noqa: ANN001
    """A child forked after the parent used the lock must not share the parent's descriptor (flock would then
    not exclude them)."""
    lock = SqliteWriterLock(tmp_path / 'db.sqlite3')
    with lock:  # the parent opens its descriptor
        pass
    ctx = multiprocessing.get_context('fork')
    held, release = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_hold_in_child, args=(lock, held, release), daemon=True)
    child.start()
    try:
        assert held.wait(30)
        got = threading.Event()

        def take() -> None:
            with lock:
                got.set()

        waiter = threading.Thread(target=take, daemon=True)
        waiter.start()
        assert not got.wait(0.3), 'the parent took the lock while its forked child held it'
        release.set()
        assert got.wait(10), 'the parent takes the lock once the child released it'
        waiter.join(10)
    finally:
        release.set()
        child.join(10)
        if child.is_alive():
            child.kill()
    assert child.exitcode == 0


def test_a_killed_holder_releases_the_lock(tmp_path):  # noqa: ANN001
    db = tmp_path / 'db.sqlite3'
    holder = python(HOLDER, str(db))
    try:
        assert holder.stdout.readline().strip() == 'held'
        lock = SqliteWriterLock(db)
        assert held_elsewhere(lock)
        got = threading.Event()

        def take() -> None:
            lock.acquire()
            got.set()

        waiter = threading.Thread(target=take, daemon=True)
        waiter.start()
        assert not got.wait(0.3), 'taken while another process held it'
        os.kill(holder.pid, signal.SIGKILL)
        assert holder.wait(10) == -signal.SIGKILL
        assert got.wait(1), 'the lock of a process killed with SIGKILL is free within a second'
        lock.release()
        assert not held_elsewhere(lock)
    finally:
        stop(holder)


def test_writer_lock_is_shared_per_file_and_absent_for_postgresql(tmp_path, monkeypatch):  # noqa: ANN001
    path = tmp_path / 'shared.sqlite3'
    first, second = make_engine(f'sqlite:///{path}'), make_engine(f'sqlite:///{path}')
    monkeypatch.chdir(tmp_path)
    relative = make_engine('sqlite:///shared.sqlite3')
    other = make_engine(f'sqlite:///{tmp_path / "other.sqlite3"}')
    memory = make_engine('sqlite://')
    postgres = make_engine(PG_URL)
    try:
        lock = writer_lock(first)
        assert isinstance(lock, SqliteWriterLock)
        assert lock.path == Path(f'{path.resolve()}-writer.lock')
        assert writer_lock(second) is lock, 'two engines on one file share one lock'
        assert writer_lock(relative) is lock, 'the same file named by a relative path'
        assert writer_lock(first) is lock
        assert writer_lock(other) is not lock and isinstance(writer_lock(other), SqliteWriterLock)
        assert writer_lock(memory) is None
        assert writer_lock(postgres) is None
        # engines sharing the lock exclude each other's threads
        with writer_lock(first):
            got = threading.Event()
            waiter = threading.Thread(target=lambda: (writer_lock(second).acquire(), got.set()), daemon=True)
            waiter.start()
            assert not got.wait(0.2)
        assert got.wait(10)
        writer_lock(second).release()
    finally:
        for engine in (first, second, relative, other, memory, postgres):
            engine.dispose()
