"""Text in NFC: every text and JSON value already stored is normalized to Unicode NFC

Revision ID: a8d4c2f6e1b3
Revises: a8d4c2e6f1b9
Create Date: 2026-12-02 06:00:00

From this revision on the ORM stores every string in NFC (inspect_flow.core.db.normalize_text); this
brings the rows written before it to the same form, so that a name typed in NFD yesterday and one typed in
NFC today are the same text. It works over the schema as it stands at this revision (reflected, not the
models of a later day): every String/Text/JSON column of every table but ``idempotency_keys`` (a key's
stored response is replayed byte for byte and its request hash was taken over the body as sent; keys are
pruned after days anyway) and ``alembic_version``. Only the rows that change are written, a thousand rows
read at a time in primary-key order.

A pinned checklist (``plan_checklists``) is stored with the SHA-256 of its canonical JSON; when its content
changes, the SHA-256 is computed again over the new content, if the old one matched the old content (a
content that did not match its SHA-256 stays refused as tampered).

Downgrade changes nothing: NFC is a valid spelling of the same text for the earlier code, and the NFD spelling
is not kept.
"""

import hashlib
import json
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = 'a8d4c2f6e1b3'
down_revision = 'a8d4c2e6f1b9'
branch_labels = None
depends_on = None

SKIPPED = {'alembic_version', 'idempotency_keys'}
CHUNK = 1000


def _nfc(value):  # noqa: ANN001, ANN202
    if isinstance(value, str):
        return value if value.isascii() or unicodedata.is_normalized('NFC', value) else \
            unicodedata.normalize('NFC', value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _canonical_sha256(content) -> str:  # noqa: ANN001
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def _text_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns
            if not c.primary_key and (isinstance(c.type, sa.JSON)
                                      or isinstance(c.type, sa.String) and not isinstance(c.type, sa.Enum))]


def _normalize_table(conn: sa.Connection, table: sa.Table) -> int:
    pk = list(table.primary_key.columns)
    columns = _text_columns(table)
    if len(pk) != 1 or not columns:
        return 0
    key = pk[0]
    changed, last = 0, None
    while True:
        q = sa.select(key, *columns).order_by(key).limit(CHUNK)
        if last is not None:
            q = q.where(key > last)
        rows = conn.execute(q).mappings().all()
        if not rows:
            return changed
        for row in rows:
            values = {}
            for col in columns:
                new = _nfc(row[col.name])
                if new != row[col.name]:
                    values[col.name] = new
            if table.name == 'plan_checklists' and 'content' in values and \
                    _canonical_sha256(row['content']) == row['sha256']:
                values['sha256'] = _canonical_sha256(values['content'])
            if values:
                conn.execute(sa.update(table).where(key == row[key.name]).values(**values))
                changed += 1
        last = rows[-1][key.name]


def upgrade() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    meta.reflect(bind=conn)
    for table in meta.sorted_tables:
        if table.name not in SKIPPED:
            _normalize_table(conn, table)


def downgrade() -> None:
    pass
