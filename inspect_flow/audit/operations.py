"""Writing the audit trail. Every write goes through here, in the caller's session and transaction.

An operation that records several entries and flushes between them (a whole visit submission: its
start, its record, its findings, its submit) may wrap itself in :func:`batched`: the entries are then
inserted together when the block ends, with one statement, instead of riding along with every flush of
the operation (one by one on SQLite, which reads each new id back). They are the same rows, in the same
order.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session

from inspect_flow.audit.models import AuditEntry
from inspect_flow.core.db import normalize_text, utcnow

logger = logging.getLogger('inspect_flow.audit')

#: ``session.info`` key of the entries held back by :func:`batched`.
_HELD = 'inspect_flow.audit.held'


def _plan_id(obj: Any) -> int | None:  # noqa: ANN401
    if type(obj).__name__ == 'Plan':
        return obj.id
    return getattr(obj, 'plan_id', None)


def _plain(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _add(obj: Any, entry: AuditEntry) -> AuditEntry:  # noqa: ANN401
    session = object_session(obj)
    if session is None:
        raise RuntimeError(f'{obj!r} is not attached to a session; cannot audit it')
    if obj.id is None:
        session.flush()
        entry.entity_id = obj.id
        entry.plan_id = _plan_id(obj)
    held = session.info.get(_HELD)
    if held is None:
        session.add(entry)
    else:
        held.append(entry)
    logger.info('%s %s#%s by %s', entry.action, entry.entity_type, entry.entity_id, entry.actor)
    return entry


@contextlib.contextmanager
def batched(session: Session) -> Iterator[None]:
    """Hold back the audit entries recorded inside the block and insert them together when it ends.

    The entries are complete when recorded (an object without an id is flushed first, as always); only
    their ``INSERT`` waits: one multi-row statement, without reading ids back, in the order they were
    recorded. If the block raises, they are added to the session instead, as they would have been
    without the block (the caller's rollback discards them with the rest of its work), unless the
    exception is a failed flush, which has already rolled back the transaction they belong to. Nested
    blocks join the outer one.
    """
    if _HELD in session.info:
        yield
        return
    held: list[AuditEntry] = []
    session.info[_HELD] = held
    try:
        yield
    except BaseException:
        del session.info[_HELD]
        if session.is_active:  # not when a failed flush has already rolled their transaction back
            session.add_all(held)
        raise
    del session.info[_HELD]
    if held:
        session.execute(_insert_statement(), [_row(entry) for entry in held])


@functools.cache
def _insert_statement() -> sa.Insert:
    # RETURNING makes SQLAlchemy send one multi-row INSERT (insertmanyvalues); without it psycopg's executemany
    # sends a statement per row
    table = AuditEntry.__table__
    return sa.insert(table).returning(table.c.id)


_COLUMNS = ('actor', 'plan_id', 'entity_type', 'entity_id', 'action', 'trigger', 'from_state', 'to_state', 'changes',
            'comment')


def _row(entry: AuditEntry) -> dict:
    """The entry's row, with the values the columns' defaults would give (every row has the same keys), its text in
    NFC (this insert does not pass through the flush that normalizes the others)."""
    normalize_text(entry)
    row = {name: getattr(entry, name) for name in _COLUMNS}
    row['created_dt'] = entry.created_dt or utcnow()
    if row['changes'] is None:
        row['changes'] = {}
    return row


def record_transition(obj: Any, *, trigger: str, from_state: str, to_state: str, actor: str,  # noqa: ANN401
                      comment: str | None = None, data: dict | None = None) -> AuditEntry:
    """Record a state change of *obj*."""
    return _add(obj, AuditEntry(
        actor=actor, plan_id=_plan_id(obj), entity_type=type(obj).__name__.lower(), entity_id=obj.id,
        action='transition', trigger=trigger, from_state=str(from_state), to_state=str(to_state),
        changes=data or {}, comment=comment,
    ))


def record_create(obj: Any, *, actor: str, fields: dict | None = None, comment: str | None = None) -> AuditEntry:  # noqa: ANN401
    """Record the creation of *obj* with its initial values."""
    return _add(obj, AuditEntry(
        actor=actor, plan_id=_plan_id(obj), entity_type=type(obj).__name__.lower(), entity_id=obj.id,
        action='create', changes={k: [None, _plain(v)] for k, v in (fields or {}).items()}, comment=comment,
    ))


def record_delete(obj: Any, *, actor: str, fields: dict | None = None, comment: str | None = None) -> AuditEntry:  # noqa: ANN401
    """Record the deletion of *obj* with the values it had."""
    return _add(obj, AuditEntry(
        actor=actor, plan_id=_plan_id(obj), entity_type=type(obj).__name__.lower(), entity_id=obj.id,
        action='delete', changes={k: [_plain(v), None] for k, v in (fields or {}).items()}, comment=comment,
    ))


def record_update(obj: Any, *, actor: str, changes: dict, comment: str | None = None) -> AuditEntry:  # noqa: ANN401
    """Record an edit of *obj* given as ``{field: [old, new]}``."""
    return _add(obj, AuditEntry(
        actor=actor, plan_id=_plan_id(obj), entity_type=type(obj).__name__.lower(), entity_id=obj.id,
        action='update', changes={k: [_plain(a), _plain(b)] for k, (a, b) in changes.items()}, comment=comment,
    ))


def apply_changes(obj: Any, values: dict[str, Any], *, actor: str, comment: str | None = None) -> dict:  # noqa: ANN401
    """Set *values* on *obj* and record one audit row with every field that really changed.

    :return: ``{field: [old, new]}`` of the changed fields (empty when nothing changed: no row is written)
    """
    changes = {}
    for key, new in values.items():
        old = getattr(obj, key)
        if old != new:
            changes[key] = [old, new]
            setattr(obj, key, new)
    if changes:
        record_update(obj, actor=actor, changes=changes, comment=comment)
    return changes


def record_event(session: Session, *, entity_type: str, entity_id: int, plan_id: int | None, action: str, actor: str,
                 trigger: str | None = None, fields: dict | None = None, comment: str | None = None) -> AuditEntry:
    """Record something that happened to an object without changing it (a reminder sent about it), by its type and
    id (the object need not be loaded)."""
    entry = AuditEntry(actor=actor, plan_id=plan_id, entity_type=entity_type, entity_id=entity_id, action=action,
                       trigger=trigger, changes={k: [None, _plain(v)] for k, v in (fields or {}).items()},
                       comment=comment)
    held = session.info.get(_HELD)
    if held is None:
        session.add(entry)
    else:
        held.append(entry)
    logger.info('%s %s#%s by %s', action, entity_type, entity_id, actor)
    return entry
