"""Issued documents and the number register (sổ đăng ký văn bản đi)."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import enum_column_type
from inspect_flow.units.models import IssuingBody


class DocumentState(enum.StrEnum):
    """A document is a draft (re-rendered from current data) until it is issued (numbered and frozen)."""

    draft = 'draft'
    issued = 'issued'


class NumberRegister(Base):
    """The last number used, per issuer, per year, per document kind (KH, QĐ, BB, TB, BC).

    Numbers restart at 01 on 1 January. A number is allocated only at the moment of issue, by an
    atomic increment of this row, so two officers issuing at once never get the same number and no
    number is skipped.
    """

    __tablename__ = 'number_registers'

    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey('issuing_bodies.id'), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f'<NumberRegister {self.issuer_id} {self.year} {self.kind} {self.last_number}>'


class IssuedDocument(Base):
    """A document of a round: a draft, or an issued document with its number, frozen PDF and SHA-256.

    A correction is a new document that ``supersedes`` the old one; an issued document never changes.
    """

    __tablename__ = 'documents'
    __table_args__ = (sa.UniqueConstraint('issuer_id', 'year', 'type_code', 'number'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    issuer_id: Mapped[int] = mapped_column(sa.ForeignKey('issuing_bodies.id'))
    #: The kind of document in inspect_flow: plan, team_decision, schedule, minutes, conclusion, team_report, report.
    kind: Mapped[str] = mapped_column(sa.String(30))
    #: The type code of the symbol: KH, QĐ, BB, TB, BC.
    type_code: Mapped[str] = mapped_column(sa.String(8))
    year: Mapped[int] = mapped_column()
    number: Mapped[int | None] = mapped_column()
    symbol: Mapped[str] = mapped_column(sa.String(60))
    subject: Mapped[str] = mapped_column(sa.Text, default='')
    state: Mapped[DocumentState] = mapped_column(enum_column_type(DocumentState), default=DocumentState.draft)
    issue_date: Mapped[date | None] = mapped_column(sa.Date)
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('visits.id'))
    #: The unit a conclusion notice is about (a district in three tiers, a commune in two tiers).
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey('teams.id'))
    supersedes_id: Mapped[int | None] = mapped_column(sa.ForeignKey('documents.id'))
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    issued_by: Mapped[str | None] = mapped_column(sa.String(120))
    issued_dt: Mapped[datetime | None] = mapped_column()
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    issuer: Mapped[IssuingBody] = relationship()
    supersedes: Mapped[IssuedDocument | None] = relationship(remote_side=[id])

    @property
    def reference(self) -> str:
        """``12/TB-BCĐCCTMTQG``, or ``…/TB-BCĐCCTMTQG`` for a draft."""
        number = f'{self.number:02d}' if self.number is not None else '…'
        return f'{number}/{self.symbol}'

    def __repr__(self) -> str:
        return f'<IssuedDocument {self.id} {self.kind} {self.reference} {self.state}>'


#: What an issued document is: none of it may change once it is issued.
FROZEN_FIELDS = ('plan_id', 'issuer_id', 'kind', 'type_code', 'year', 'number', 'symbol', 'subject', 'state',
                 'issue_date', 'visit_id', 'unit_id', 'team_id', 'supersedes_id', 'pdf', 'sha256', 'issued_by',
                 'issued_dt')


def _was_issued(target: IssuedDocument) -> bool:
    history = sa.inspect(target).attrs.state.history
    before = history.deleted[0] if history.deleted else target.state
    return before == DocumentState.issued


@event.listens_for(IssuedDocument, 'before_update')
def _refuse_changes_to_issued(_mapper, _connection, target: IssuedDocument) -> None:
    """An issued document is frozen: a correction is a new document that supersedes it."""
    from inspect_flow.core.errors import Conflict

    if not _was_issued(target):
        return
    state = sa.inspect(target)
    changed = [f for f in FROZEN_FIELDS if state.attrs[f].history.has_changes()]
    if changed:
        raise Conflict('document.frozen', f'Văn bản {target.reference} đã ban hành, không sửa được '
                       f'({", ".join(changed)}); hãy ban hành văn bản mới thay thế.',
                       f'Document {target.reference} is issued and cannot change ({", ".join(changed)}); '
                       'issue a new document that replaces it.')


@event.listens_for(IssuedDocument, 'before_delete')
def _refuse_delete_of_issued(_mapper, _connection, target: IssuedDocument) -> None:
    from inspect_flow.core.errors import Conflict

    if _was_issued(target):
        raise Conflict('document.frozen', f'Văn bản {target.reference} đã ban hành, không xóa được.',
                       f'Document {target.reference} is issued and cannot be deleted.')


class DocumentReplacement(Base):
    """A replacement of an issued document being prepared (đang soạn văn bản thay thế).

    Opening one unlocks what the issued document carries (findings, a conclusion and its recommendations) for
    corrections again; issuing the replacement (``issue_document(..., supersedes=…)``) closes it, and from then
    on the new document locks the same things. At most one is open per issued document.
    """

    __tablename__ = 'document_replacements'

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey('documents.id'), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    opened_by: Mapped[str] = mapped_column(sa.String(120))
    opened_dt: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey('documents.id'))
    closed_dt: Mapped[datetime | None] = mapped_column()

    document: Mapped[IssuedDocument] = relationship(foreign_keys=[document_id])

    @property
    def plan_id(self) -> int:
        """The round of the document (its audit rows show in the round's history)."""
        return self.document.plan_id

    def __repr__(self) -> str:
        return f'<DocumentReplacement {self.id} of {self.document_id}>'
