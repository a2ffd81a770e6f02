"""Make a backup archive of the database, and restore one into an empty database (see :mod:`inspect_flow.backup`)."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from inspect_flow.core import migrate
from inspect_flow.core.errors import Conflict, InvalidInput, Unavailable

FORMAT = 'inspect-flow-backup'
FORMAT_VERSION = 1
MANIFEST = 'manifest.json'
#: The member that holds the database, per kind.
DATABASE_MEMBER = {'sqlite': 'database.sqlite3', 'postgresql': 'database.pgdump'}
KIND_LABELS = {'sqlite': 'SQLite', 'postgresql': 'PostgreSQL'}
CHUNK = 1024 * 1024
#: A manifest larger than this is no manifest of ours (one of 100,000 evidence files is about 20 MB).
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

#: What the inventory reads: every evidence file's bytes, every issued document's frozen PDF.
_EVIDENCE_SQL = 'SELECT sha256, data FROM evidence_files ORDER BY id'
_DOCUMENTS_SQL = ("SELECT id, number, symbol, sha256, pdf FROM documents WHERE state = 'issued' AND pdf IS NOT NULL "
                  'ORDER BY id')


class _Contents:
    """The counts a result reads off its manifest's inventory."""

    manifest: dict

    @property
    def evidence_count(self) -> int:
        return len(self.manifest['contents']['evidence_files'])

    @property
    def document_count(self) -> int:
        return len(self.manifest['contents']['issued_documents'])


@dataclass(frozen=True)
class BackupResult(_Contents):
    path: Path
    manifest: dict


@dataclass(frozen=True)
class RestoreResult(_Contents):
    manifest: dict
    #: The revision the database was upgraded to after the restore, if the backup's was older.
    upgraded_to: str | None


# --- errors ---------------------------------------------------------------------------------------------------

def _not_a_backup(path: Path, why_vi: str, why_en: str) -> InvalidInput:
    return InvalidInput('backup.bad_archive', f'tệp {path} không phải bản sao lưu hợp lệ của inspect_flow: {why_vi}.',
                        f'{path} is not a valid inspect_flow backup: {why_en}.', field='file')


def _tool_failed(tool: str, done: subprocess.CompletedProcess) -> Unavailable:
    reason = (done.stderr or '').strip().splitlines()
    reason_text = reason[0] if reason else f'exit status {done.returncode}'
    return Unavailable('backup.tool_failed', f'{tool} thất bại: {reason_text}', f'{tool} failed: {reason_text}')


def _run(tool: str, args: list[str], env: dict, timeout: float | None) -> None:
    if shutil.which(tool) is None:
        raise Unavailable('backup.no_tool', f'không tìm thấy chương trình {tool} (gói postgresql-client).',
                          f'the program {tool} was not found (package postgresql-client).')
    try:
        done = subprocess.run([tool, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise Unavailable('backup.timeout', f'{tool} chạy quá {timeout:g} giây.',
                          f'{tool} ran longer than {timeout:g} seconds.') from None
    if done.returncode != 0:
        raise _tool_failed(tool, done)


# --- helpers ----------------------------------------------------------------------------------------------------

def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open('rb') as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in DATABASE_MEMBER:
        raise InvalidInput('backup.unsupported_db', f'không sao lưu được cơ sở dữ liệu loại {name}.',
                           f'a {name} database cannot be backed up.')
    return name


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ':memory:':
        raise InvalidInput('backup.memory_db', 'cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.',
                           'an in-memory SQLite database cannot be backed up.')
    return Path(database)


def _libpq(engine: Engine) -> tuple[str, dict]:
    """The connection string for pg_dump / pg_restore (no password: that goes in ``PGPASSWORD``) and the
    environment to run them in."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env['PGPASSWORD'] = str(url.password)
    conninfo = url.set(drivername='postgresql', password=None).render_as_string(hide_password=False)
    return conninfo, env


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version('inspect_flow')
    except PackageNotFoundError:
        return 'unknown'


def _inventory(rows_evidence: Iterator, rows_documents: Iterator) -> dict:
    """The evidence files (their upload hash, the SHA-256 and size of the bytes kept) and the issued documents
    (id, reference, the SHA-256 and size of the frozen PDF), computed from the bytes themselves."""
    evidence = [{'sha256': sha, 'stored_sha256': hashlib.sha256(bytes(data)).hexdigest(), 'size': len(data)}
                for sha, data in rows_evidence]
    documents = [{'id': doc_id, 'reference': f'{number:02d}/{symbol}' if number is not None else symbol,
                  'sha256': hashlib.sha256(bytes(pdf)).hexdigest(), 'recorded_sha256': sha, 'size': len(pdf)}
                 for doc_id, number, symbol, sha, pdf in rows_documents]
    return {'evidence_files': evidence, 'issued_documents': documents}


def _sqlite_inventory(path: Path) -> dict:
    conn = sqlite3.connect(f'{path.resolve().as_uri()}?mode=ro', uri=True)
    try:
        return _inventory(iter(conn.execute(_EVIDENCE_SQL)), iter(conn.execute(_DOCUMENTS_SQL)))
    finally:
        conn.close()


def _sa_inventory(conn: sa.Connection) -> dict:
    streamed = conn.execution_options(stream_results=True, yield_per=50)
    return _inventory(iter(streamed.exec_driver_sql(_EVIDENCE_SQL)), iter(streamed.exec_driver_sql(_DOCUMENTS_SQL)))


# --- backup -----------------------------------------------------------------------------------------------------

def create_backup(engine: Engine, out: Path | str, *, overwrite: bool = False,
                  timeout: float | None = None) -> BackupResult:
    """Write a backup of the database behind *engine* to *out* (a ``.tar.gz``), written whole or not at all.

    SQLite is copied with its online backup API, PostgreSQL dumped with ``pg_dump --format=custom`` under the
    snapshot the inventory is read in, so that the archive and its manifest describe the same moment.

    :raise InvalidInput: *out* exists (without *overwrite*), the database is not initialised
    :raise Unavailable: pg_dump is missing or failed
    """
    out = Path(out)
    if out.exists() and not overwrite:
        raise InvalidInput('backup.exists', f'tệp {out} đã có; hãy chọn tên khác (hoặc --force để ghi đè).',
                           f'{out} already exists; choose another name (or --force to overwrite).', field='out')
    if out.is_dir():
        raise InvalidInput('backup.is_dir', f'{out} là một thư mục, không phải tệp.', f'{out} is a directory.',
                           field='out')
    kind = _kind(engine)
    revision = migrate.current_revision(engine)
    if revision is None:
        raise InvalidInput('backup.empty_db', 'cơ sở dữ liệu chưa được khởi tạo: không có gì để sao lưu.',
                           'the database has not been created: there is nothing to back up.')
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='.inspect-flow-backup-', dir=out.parent) as tmp:
        member = Path(tmp) / DATABASE_MEMBER[kind]
        if kind == 'sqlite':
            _sqlite_copy(_sqlite_path(engine), member)
            contents = _sqlite_inventory(member)
        else:
            contents = _pg_dump(engine, member, timeout)
        manifest = {
            'format': FORMAT, 'format_version': FORMAT_VERSION, 'app_version': _app_version(),
            'alembic_revision': revision, 'db_kind': kind,
            'created_dt': datetime.now(UTC).isoformat(timespec='seconds').replace('+00:00', 'Z'),
            'members': {member.name: {'sha256': _sha256_file(member), 'size': member.stat().st_size}},
            'contents': contents,
        }
        manifest_path = Path(tmp) / MANIFEST
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding='utf-8')
        partial = Path(tmp) / 'archive.tar.gz'
        with tarfile.open(partial, 'w:gz') as tar:
            tar.add(manifest_path, arcname=MANIFEST, recursive=False)
            tar.add(member, arcname=member.name, recursive=False)
        partial.chmod(0o600)  # it holds personal data and password hashes: for its owner only
        os.replace(partial, out)
    return BackupResult(out, manifest)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of the live database (SQLite's online backup API; the WAL's pages included)."""
    if not source.is_file():
        raise InvalidInput('backup.no_file', f'không có tệp cơ sở dữ liệu {source}.', f'{source} does not exist.')
    src = sqlite3.connect(f'{source.resolve().as_uri()}?mode=ro', uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_dump(engine: Engine, target: Path, timeout: float | None) -> dict:
    """Dump the database with pg_dump under a snapshot exported by a transaction that reads the inventory."""
    conninfo, env = _libpq(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level='REPEATABLE READ')
        with conn.begin():
            snapshot = conn.exec_driver_sql('SELECT pg_export_snapshot()').scalar_one()
            contents = _sa_inventory(conn)
            _run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', f'--snapshot={snapshot}',
                             f'--file={target}', f'--dbname={conninfo}'], env, timeout)
    return contents


# --- restore ----------------------------------------------------------------------------------------------------

def read_manifest(path: Path | str) -> dict:
    """The manifest of the archive at *path*, checked (format, version, members).

    :raise InvalidInput: not a backup archive, or one this version cannot read
    """
    path = Path(path)
    with _open_archive(path) as tar:
        return _manifest(path, tar)


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    if not path.is_file():
        raise InvalidInput('backup.no_file', f'không có tệp {path}.', f'{path} does not exist.', field='file')
    try:
        tar = tarfile.open(path, 'r:gz')
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise _not_a_backup(path, f'không đọc được ({exc})', f'it cannot be read ({exc})') from None
    try:
        yield tar
    except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise _not_a_backup(path, f'tệp bị hỏng ({exc})', f'the file is damaged ({exc})') from None
    finally:
        tar.close()


def _manifest(path: Path, tar: tarfile.TarFile) -> dict:
    members = tar.getmembers()
    names = [m.name for m in members]
    if MANIFEST not in names:
        raise _not_a_backup(path, f'không có {MANIFEST}', f'it has no {MANIFEST}')
    info = tar.getmember(MANIFEST)
    handle = tar.extractfile(info) if info.isreg() and info.size <= MAX_MANIFEST_BYTES else None
    try:
        manifest = json.loads(handle.read().decode('utf-8')) if handle else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        manifest = None
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT:
        raise _not_a_backup(path, f'{MANIFEST} không đúng định dạng', f'{MANIFEST} is not in the expected format')
    version = manifest.get('format_version')
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _not_a_backup(path, f'phiên bản định dạng {version!r} mới hơn phiên bản này đọc được ({FORMAT_VERSION})',
                            f'format version {version!r} is newer than this version reads ({FORMAT_VERSION})')
    kind = manifest.get('db_kind')
    listed = manifest.get('members')
    contents = manifest.get('contents')
    if (kind not in DATABASE_MEMBER or not isinstance(listed, dict) or set(listed) != {DATABASE_MEMBER[kind]}
            or not isinstance(manifest.get('alembic_revision'), str) or not isinstance(contents, dict)
            or not isinstance(contents.get('evidence_files'), list)
            or not isinstance(contents.get('issued_documents'), list)):
        raise _not_a_backup(path, f'{MANIFEST} thiếu hoặc sai trường', f'{MANIFEST} has missing or wrong fields')
    for name, facts in listed.items():
        if (not isinstance(facts, dict) or not isinstance(facts.get('sha256'), str)
                or not isinstance(facts.get('size'), int)):
            raise _not_a_backup(path, f'{MANIFEST} thiếu SHA-256 của {name}', f'{MANIFEST} lacks the SHA-256 of {name}')
    if sorted(names) != sorted([MANIFEST, *listed]) or not all(m.isreg() for m in members):
        raise _not_a_backup(path, 'các tệp bên trong không khớp với danh mục', 'its members do not match the manifest')
    return manifest


def _target_tables(engine: Engine) -> list[str]:
    """The tables already in the target database (outside the system schemas)."""
    with engine.connect() as conn:
        if engine.dialect.name == 'sqlite':
            rows = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%'")
        else:
            rows = conn.exec_driver_sql("SELECT table_schema || '.' || table_name FROM information_schema.tables "
                                        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")
        return sorted(r[0] for r in rows)


def restore_backup(path: Path | str, engine: Engine, *, timeout: float | None = None) -> RestoreResult:
    """Restore the archive at *path* into the EMPTY database behind *engine*, then upgrade it to this version's
    schema if the backup is older.

    Nothing is written to the target before the archive has been read whole and every member's SHA-256 matches
    its manifest. After the restore, the evidence files and the issued PDFs in the database are hashed again and
    compared with the manifest's inventory.

    :raise InvalidInput: not a backup (or damaged), a backup of another kind of database, of a newer schema
    :raise Conflict: the target database is not empty
    :raise Unavailable: pg_restore is missing or failed
    """
    path = Path(path)
    with _open_archive(path) as tar:
        manifest = _manifest(path, tar)
        kind = manifest['db_kind']
        target_kind = _kind(engine)
        if kind != target_kind:
            raise InvalidInput(
                'backup.other_kind',
                f'{path} là bản sao lưu {KIND_LABELS[kind]}, không khôi phục được vào {KIND_LABELS[target_kind]} '
                f'(chỉ khôi phục vào cùng loại cơ sở dữ liệu).',
                f'{path} is a {KIND_LABELS[kind]} backup and cannot be restored into {KIND_LABELS[target_kind]} '
                f'(only into the same kind of database).', field='file')
        _check_revision(path, manifest['alembic_revision'])
        if kind == 'sqlite':
            _sqlite_path(engine).parent.mkdir(parents=True, exist_ok=True)
        tables = _target_tables(engine)
        if tables:
            raise Conflict('backup.target_not_empty',
                           f'cơ sở dữ liệu đích không trống ({len(tables)} bảng, ví dụ {tables[0]}); '
                           'chỉ khôi phục vào một cơ sở dữ liệu trống.',
                           f'the target database is not empty ({len(tables)} tables, e.g. {tables[0]}); '
                           'restore only into an empty database.')
        with tempfile.TemporaryDirectory(prefix='inspect-flow-restore-') as tmp:
            member = _extract_checked(path, tar, manifest, Path(tmp))
            if kind == 'sqlite':
                _sqlite_restore(path, member, manifest, _sqlite_path(engine))
            else:
                _pg_restore(engine, member, timeout)
    engine.dispose()  # the pool's connections predate the restore
    with engine.connect() as conn:
        found = _sa_inventory(conn)
    if found != manifest['contents']:
        raise Conflict('backup.inventory_mismatch',
                       f'dữ liệu khôi phục từ {path} không khớp với danh mục (tệp minh chứng hoặc văn bản đã ban '
                       'hành).',
                       f'the data restored from {path} does not match its manifest (evidence files or issued '
                       f'documents).')
    upgraded = None
    if manifest['alembic_revision'] != migrate.head_revision():
        migrate.upgrade(engine)
        upgraded = migrate.head_revision()
    return RestoreResult(manifest, upgraded)


def _check_revision(path: Path, revision: str) -> None:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    try:
        known = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise InvalidInput('backup.unknown_revision',
                           f'{path} được tạo bởi phiên bản inspect_flow mới hơn (lược đồ {revision}); '
                           'hãy nâng cấp inspect_flow trước khi khôi phục.',
                           f'{path} was made by a newer inspect_flow (schema {revision}); upgrade inspect_flow '
                           'before restoring it.', field='file')


def _extract_checked(path: Path, tar: tarfile.TarFile, manifest: dict, folder: Path) -> Path:
    """Copy the database member out of the archive, checking its size and SHA-256 against the manifest."""
    (name, facts), = manifest['members'].items()
    target = folder / name
    handle = tar.extractfile(tar.getmember(name))
    digest = hashlib.sha256()
    size = 0
    with target.open('wb') as out:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size != facts['size'] or digest.hexdigest() != facts['sha256']:
        raise InvalidInput('backup.checksum',
                           f'tệp {path} bị hỏng: {name} không khớp SHA-256 trong danh mục; không có gì được ghi.',
                           f'{path} is damaged: {name} does not match the SHA-256 in its manifest; nothing was '
                           f'written.', field='file')
    return target


def _sqlite_restore(path: Path, member: Path, manifest: dict, target: Path) -> None:
    """Check the copy (integrity, inventory), then write it into the target with the backup API (one step)."""
    src = sqlite3.connect(member)
    try:
        ok = src.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    except sqlite3.DatabaseError:
        ok = False
    finally:
        src.close()
    if not ok or _sqlite_inventory(member) != manifest['contents']:
        raise InvalidInput('backup.bad_database', f'cơ sở dữ liệu trong {path} bị hỏng; không có gì được ghi.',
                           f'the database in {path} is damaged; nothing was written.', field='file')
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(member)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        dst.execute('PRAGMA journal_mode=WAL')
    finally:
        dst.close()
        src.close()


def _pg_restore(engine: Engine, member: Path, timeout: float | None) -> None:
    conninfo, env = _libpq(engine)
    _run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction',
                        f'--dbname={conninfo}', str(member)], env, timeout)
