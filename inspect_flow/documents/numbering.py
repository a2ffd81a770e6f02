"""The number register: numbers per issuer, per year, per kind, allocated atomically at issue time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from inspect_flow.core.errors import InvalidInput
from inspect_flow.documents.models import NumberRegister
from inspect_flow.units.models import IssuingBody

#: Document type codes of Decree 30/2020/NĐ-CP Appendix III used by a round.
TYPE_CODES = ('KH', 'QĐ', 'BB', 'TB', 'BC')


def allocate_number(session: Session, issuer: IssuingBody, year: int, type_code: str) -> int:
    """Take the next number of *issuer*'s register for *year* and *type_code*, and return it.

    One ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement: on PostgreSQL the row lock
    serialises concurrent issuers until their transactions end; on SQLite the transaction already holds
    the write lock (``BEGIN IMMEDIATE``). A rolled-back issue gives its number back, so the register has
    no gap and no duplicate.

    :raise InvalidInput: an unknown type code
    """
    if type_code not in TYPE_CODES:
        raise InvalidInput('document.bad_type', f'Loại văn bản "{type_code}" không có trong sổ đăng ký.',
                           f'The document type "{type_code}" is not registered.', field='type_code')
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == 'postgresql' else sqlite.insert
    stmt = insert(NumberRegister).values(issuer_id=issuer.id, year=year, kind=type_code, last_number=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=['issuer_id', 'year', 'kind'],
        set_={'last_number': NumberRegister.__table__.c.last_number + 1},
    ).returning(NumberRegister.__table__.c.last_number)
    return session.execute(stmt).scalar_one()


def last_number(session: Session, issuer: IssuingBody, year: int, type_code: str) -> int:
    """Return the last number allocated (0 when none yet)."""
    value = session.scalar(sa.select(NumberRegister.last_number).where(
        NumberRegister.issuer_id == issuer.id, NumberRegister.year == year, NumberRegister.kind == type_code))
    return value or 0
