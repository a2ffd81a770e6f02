"""Backup and restore, round trip and bad input, on SQLite and on PostgreSQL.

The 2019 demo round is built once per database kind, with two evidence files and two issued documents (their
PDFs frozen in the database), and backed up once through ``inspect-flow backup``. Each test restores that archive
(or a damaged copy of it) into a new, empty database.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy.orm import Session

from inspect_flow.backup import operations as backup_ops
from inspect_flow.core import migrate
from inspect_flow.core.db import make_engine
from tests.cli.conftest import Cli
from tests.conftest import _pg_url

SIGNER_NAME = 'Nguyễn Văn Minh'


def _png(colour: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new('RGB', (64, 48), colour).save(buf, 'PNG')
    return buf.getvalue()


def _pdf() -> bytes:
    buf = io.BytesIO()
    Image.new('RGB', (200, 100), (250, 250, 250)).save(buf, 'PDF')
    return buf.getvalue()


def _build_round(url: str) -> dict:
    """The closed 2019 round, two evidence files and two issued documents; returns their digests."""
    from inspect_flow.demo.round2019 import run_demo
    from inspect_flow.documents import operations as docs
    from inspect_flow.documents.sources import SignerIn
    from inspect_flow.evidence.operations import store_evidence

    engine = make_engine(url, poolclass=sa.pool.NullPool)
    with Session(engine) as session:
        plan, _ = run_demo(session, 'closed')
        photo = store_evidence(session, _png((200, 30, 30)), filename='ảnh-hiện-trường.png', actor='t')
        scan = store_evidence(session, _pdf(), filename='biên-bản-scan.pdf', actor='t')
        visit = next(v for v in plan.visits if v.state.value == 'reviewed')
        minutes = docs.issue_document(session, plan, 'minutes', visit=visit.id, issue_date=visit.starts_at.date(),
                                      actor='van-thu')
        notice = docs.issue_document(session, plan, 'conclusion', district='838', issue_date=date(2019, 7, 15),
                                     signer=SignerIn(name=SIGNER_NAME), actor='van-thu')
        session.commit()
        facts = {'plan_id': plan.id,
                 'evidence': {photo.sha256: hashlib.sha256(photo.data).hexdigest(),
                              scan.sha256: hashlib.sha256(scan.data).hexdigest()},
                 'documents': {minutes.id: minutes.sha256, notice.id: notice.sha256}}
    engine.dispose()
    return facts


class Built:
    def __init__(self, url: str, archive: Path, facts: dict, snapshot: dict):
        self.url, self.archive, self.facts, self.snapshot = url, archive, facts, snapshot


@pytest.fixture(scope='module')
def built(databases, tmp_path_factory):  # noqa: ANN001, ANN201
    """``built(kind)`` → the demo round in a database of *kind*, and its backup made by the CLI."""
    cache: dict[str, Built] = {}

    def get(kind: str) -> Built:
        if kind not in cache:
            url = databases.fresh(kind)
            facts = _build_round(url)
            run = Cli(url)
            archive = tmp_path_factory.mktemp(f'backup-{kind}') / 'inspect-flow.tar.gz'
            result = run('backup', '--out', str(archive))
            assert f'Đã sao lưu vào {archive}' in result.output
            assert '2 tệp minh chứng, 2 văn bản đã ban hành' in result.output
            cache[kind] = Built(url, archive, facts, run.snapshot())
        return cache[kind]

    return get


@pytest.fixture
def empty_url(databases, db_kind, tmp_path):  # noqa: ANN001, ANN201
    """A new database with nothing in it (no tables), dropped after the test."""
    if db_kind == 'sqlite':
        yield f'sqlite:///{tmp_path / "restored" / "inspect_flow.sqlite3"}'
        return
    databases._require_pg()
    name = f'if_empty_{uuid.uuid4().hex[:10]}'
    databases._create_pg(name)
    url = _pg_url(name)
    yield url
    databases.release(url)


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive, 'r:gz') as tar:
        return json.load(tar.extractfile(backup_ops.MANIFEST))


def test_the_archive_has_a_manifest_with_the_sha256_of_every_member(built, db_kind):
    b = built(db_kind)
    manifest = _manifest(b.archive)
    assert b.archive.stat().st_mode & 0o777 == 0o600  # personal data and password hashes: its owner's only
    assert [p.name for p in b.archive.parent.iterdir()] == [b.archive.name]  # no temporary file left beside it
    assert (manifest['format'], manifest['format_version'], manifest['db_kind']) == \
        ('inspect-flow-backup', 1, db_kind)
    assert manifest['alembic_revision'] == migrate.head_revision()
    assert manifest['app_version']
    member = backup_ops.DATABASE_MEMBER[db_kind]
    with tarfile.open(b.archive, 'r:gz') as tar:
        assert sorted(tar.getnames()) == sorted([backup_ops.MANIFEST, member])
        data = tar.extractfile(member).read()
    assert manifest['members'][member] == {'sha256': hashlib.sha256(data).hexdigest(), 'size': len(data)}
    contents = manifest['contents']
    assert {e['sha256']: e['stored_sha256'] for e in contents['evidence_files']} == b.facts['evidence']
    assert {d['id']: d['sha256'] for d in contents['issued_documents']} == b.facts['documents']


def test_a_restore_gives_back_the_same_plans_documents_and_evidence(built, db_kind, empty_url):
    b = built(db_kind)
    run = Cli(empty_url)
    result = run('restore', str(b.archive))
    assert 'Đã khôi phục' in result.output and 'đã kiểm tra SHA-256' in result.output
    # every row of every table, the plans, the issued PDFs and the evidence bytes among them
    assert run.snapshot() == b.snapshot
    engine = make_engine(empty_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            pdfs = dict(conn.execute(sa.text("SELECT id, pdf FROM documents WHERE state = 'issued'")).all())
            evidence = dict(conn.execute(sa.text('SELECT sha256, data FROM evidence_files')).all())
            plan = conn.execute(sa.text('SELECT subject, number FROM plans WHERE id = :id'),
                                {'id': b.facts['plan_id']}).one()
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
    assert {i: hashlib.sha256(p).hexdigest() for i, p in pdfs.items()} == b.facts['documents']
    assert {s: hashlib.sha256(d).hexdigest() for s, d in evidence.items()} == b.facts['evidence']
    assert plan.number == 1245
    # and the restored database works: the CLI reads the round and verifies the documents
    listed = json.loads(run('documents', 'list', f"#{b.facts['plan_id']}", '--json').output)
    assert {r['id']: r['sha256'] for r in listed} == b.facts['documents']


def test_restoring_into_a_database_that_has_tables_is_refused(built, db_kind):
    b = built(db_kind)
    run = Cli(b.url)  # the source database itself: full
    result = run('restore', str(b.archive), ok=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('Lỗi: cơ sở dữ liệu đích không trống')
    assert run.snapshot() == b.snapshot


def test_a_file_that_is_not_a_backup_is_named_and_nothing_is_written(db_kind, empty_url, tmp_path):
    bogus = tmp_path / 'not-a-backup.tar.gz'
    bogus.write_bytes(b'hello, this is not an archive\n')
    run = Cli(empty_url)
    result = run('restore', str(bogus), ok=False)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1
    assert lines[0].startswith(f'Lỗi: tệp {bogus} không phải bản sao lưu hợp lệ')
    assert _tables(empty_url) == []


def test_a_tar_without_our_manifest_is_refused(db_kind, empty_url, tmp_path):
    other = tmp_path / 'other.tar.gz'
    payload = tmp_path / 'notes.txt'
    payload.write_text('ghi chú', encoding='utf-8')
    with tarfile.open(other, 'w:gz') as tar:
        tar.add(payload, arcname='notes.txt')
    result = Cli(empty_url)('restore', str(other), ok=False, lang='en')
    assert result.stderr.strip() == f'Error: {other} is not a valid inspect_flow backup: it has no manifest.json.'
    assert _tables(empty_url) == []


def _rewrite(source: Path, target: Path, change) -> None:  # noqa: ANN001
    """Copy the archive *source* to *target*, passing each member's bytes through ``change(name, data)``."""
    with tarfile.open(source, 'r:gz') as src, tarfile.open(target, 'w:gz') as dst:
        for info in src.getmembers():
            data = change(info.name, src.extractfile(info).read())
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def test_a_damaged_member_is_found_by_its_sha256_before_anything_is_written(built, db_kind, empty_url, tmp_path):
    b = built(db_kind)
    damaged = tmp_path / 'damaged.tar.gz'
    member = backup_ops.DATABASE_MEMBER[db_kind]

    def flip(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        middle = len(data) // 2
        return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]

    _rewrite(b.archive, damaged, flip)
    result = Cli(empty_url)('restore', str(damaged), ok=False)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1
    assert lines[0] == (f'Lỗi: tệp {damaged} bị hỏng: {member} không khớp SHA-256 trong danh mục; '
                        'không có gì được ghi.')
    assert _tables(empty_url) == []


def test_a_truncated_archive_is_named(built, db_kind, empty_url, tmp_path):
    b = built(db_kind)
    cut = tmp_path / 'cut.tar.gz'
    data = b.archive.read_bytes()
    cut.write_bytes(data[:len(data) * 2 // 3])
    result = Cli(empty_url)('restore', str(cut), ok=False)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 1 and str(cut) in lines[0] and lines[0].startswith('Lỗi: tệp ')
    assert _tables(empty_url) == []


def test_a_backup_of_the_other_kind_of_database_is_refused(built, db_kind, empty_url):
    other = 'postgresql' if db_kind == 'sqlite' else 'sqlite'
    b = built(other)
    result = Cli(empty_url)('restore', str(b.archive), ok=False, lang='en')
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and 'only into the same kind of database' in lines[0] and str(b.archive) in lines[0]
    assert _tables(empty_url) == []


def test_a_manifest_of_a_newer_schema_is_refused(built, db_kind, empty_url, tmp_path):
    b = built(db_kind)
    newer = tmp_path / 'newer.tar.gz'

    def bump(name: str, data: bytes) -> bytes:
        if name != backup_ops.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest['alembic_revision'] = 'ffffffffffff'
        return json.dumps(manifest).encode()

    _rewrite(b.archive, newer, bump)
    result = Cli(empty_url)('restore', str(newer), ok=False)
    assert result.stderr.strip().startswith(f'Lỗi: {newer} được tạo bởi phiên bản inspect_flow mới hơn')
    assert _tables(empty_url) == []


def test_backup_refuses_to_overwrite_a_file(built, db_kind, tmp_path):
    b = built(db_kind)
    existing = tmp_path / 'kept.tar.gz'
    existing.write_bytes(b'keep me')
    result = Cli(b.url)('backup', '--out', str(existing), ok=False)
    assert result.stderr.strip() == f'Lỗi: tệp {existing} đã có; hãy chọn tên khác (hoặc --force để ghi đè).'
    assert existing.read_bytes() == b'keep me'


def _tables(url: str) -> list[str]:
    if url.startswith('sqlite:///') and not Path(url.removeprefix('sqlite:///')).exists():
        return []
    engine = make_engine(url, poolclass=sa.pool.NullPool)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(min_value=0, max_value=1, exclude_max=True), bit=st.integers(min_value=0, max_value=7))
def test_a_flipped_bit_anywhere_is_refused_or_harmless(built, position, bit):
    """Whatever byte of the archive is damaged, the restore is refused in one line naming the file with nothing
    written, or (a byte gzip does not check, such as its header's timestamp) gives back exactly the same data."""
    import tempfile

    b = built('sqlite')
    data = bytearray(b.archive.read_bytes())
    at = int(position * len(data))
    data[at] ^= 1 << bit
    with tempfile.TemporaryDirectory() as tmp:
        damaged = Path(tmp) / 'flipped.tar.gz'
        damaged.write_bytes(bytes(data))
        url = f'sqlite:///{Path(tmp) / "target.sqlite3"}'
        run = Cli(url)
        result = run('restore', str(damaged), ok=False)
        if result.exit_code == 0:
            assert run.snapshot() == b.snapshot, at
        else:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and str(damaged) in lines[0] and lines[0].startswith('Lỗi: '), (at, lines)
            assert _tables(url) == [], at


def test_a_backup_taken_while_evidence_is_being_stored_is_consistent(built, db_kind, databases, empty_url, tmp_path):
    """The dump and its manifest describe one moment (SQLite: the copy itself; PostgreSQL: pg_dump runs under the
    snapshot the inventory was read in), although another connection keeps storing evidence files meanwhile."""
    import threading

    from inspect_flow.core.db import make_session_factory
    from inspect_flow.evidence.operations import store_evidence

    source = databases.fresh(db_kind)
    engine = make_engine(source)
    factory = make_session_factory(engine)
    stop, stored, errors = threading.Event(), [], []

    def keep_storing() -> None:
        i = 0
        while not stop.is_set() and i < 400:
            i += 1
            try:
                with factory() as session:
                    store_evidence(session, _png((i % 256, (i // 256) % 256, 77)), filename=f'{i}.png', actor='t')
                    session.commit()
                stored.append(i)
            except Exception as exc:  # noqa: BLE001  (reported below)
                errors.append(exc)
                return

    writer = threading.Thread(target=keep_storing, daemon=True)
    try:
        writer.start()
        while not stored and writer.is_alive():
            stop.wait(0.05)
        result = backup_ops.create_backup(engine, tmp_path / 'live.tar.gz', timeout=300)
        during = len(stored)
    finally:
        stop.set()
        writer.join(timeout=60)
        engine.dispose()
    assert not writer.is_alive() and errors == []
    assert 1 <= result.evidence_count <= during + 1
    restored = make_engine(empty_url, poolclass=sa.pool.NullPool)
    try:
        backup_ops.restore_backup(result.path, restored, timeout=300)  # compares the inventory itself
        with restored.connect() as conn:
            count = conn.execute(sa.text('SELECT count(*) FROM evidence_files')).scalar_one()
    finally:
        restored.dispose()
    assert count == result.evidence_count
    databases.release(source)
