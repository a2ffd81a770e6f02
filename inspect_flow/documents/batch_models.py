"""Document batches: the round's whole document set, rendered (and issued) item by item on the workers."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import JSONType, enum_column_type


class ItemState(enum.StrEnum):
    """Where one document of a batch stands."""

    pending = 'pending'
    running = 'running'
    done = 'done'
    failed = 'failed'


class DocumentBatch(Base):
    """One run over a round's document set: the date of issue and signer every numbered document gets."""

    __tablename__ = 'document_batches'

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey('plans.id', ondelete='CASCADE'), index=True)
    issue_date: Mapped[date] = mapped_column(sa.Date)
    #: ``SignerIn.as_dict()``: who signs the committee's documents.
    signer: Mapped[dict] = mapped_column(JSONType, default=dict)
    drafting_unit: Mapped[str | None] = mapped_column(sa.String(40))
    created_by: Mapped[str] = mapped_column(sa.String(120))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    finished_dt: Mapped[datetime | None] = mapped_column()

    items: Mapped[list[BatchItem]] = relationship(back_populates='batch', order_by='BatchItem.position',
                                                  cascade='all, delete-orphan')

    def __repr__(self) -> str:
        return f'<DocumentBatch {self.id} plan {self.plan_id}>'


class BatchItem(Base):
    """One document of a batch: what it is about, its state, and the number it reserved.

    The number is taken once, in a transaction of its own, and kept on the item: a run repeated after its worker
    died renders with the same number. ``UNIQUE (issuer_id, year, type_code, number)`` makes a second reservation
    of one number impossible, and ``UNIQUE (batch_id, document_id)`` two items of a batch on one document.
    """

    __tablename__ = 'document_batch_items'
    __table_args__ = (
        sa.UniqueConstraint('batch_id', 'slug'),
        sa.UniqueConstraint('issuer_id', 'year', 'type_code', 'number'),
        sa.UniqueConstraint('batch_id', 'document_id'),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey('document_batches.id', ondelete='CASCADE'), index=True)
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(30))
    slug: Mapped[str] = mapped_column(sa.String(60))
    label: Mapped[str] = mapped_column(sa.Text, default='')
    visit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('visits.id', ondelete='CASCADE'))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey('teams.id', ondelete='CASCADE'))
    state: Mapped[ItemState] = mapped_column(enum_column_type(ItemState), default=ItemState.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    #: The reserved number (numbered kinds): issuer, year, type code and number, as in the register.
    issuer_id: Mapped[int | None] = mapped_column(sa.ForeignKey('issuing_bodies.id'))
    year: Mapped[int | None] = mapped_column()
    type_code: Mapped[str | None] = mapped_column(sa.String(8))
    number: Mapped[int | None] = mapped_column()
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey('documents.id'))
    #: The PDF of an unnumbered annex (the working schedule), which is no issued document.
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    started_dt: Mapped[datetime | None] = mapped_column()
    finished_dt: Mapped[datetime | None] = mapped_column()

    batch: Mapped[DocumentBatch] = relationship(back_populates='items')

    def __repr__(self) -> str:
        return f'<BatchItem {self.id} {self.slug} {self.state}>'
