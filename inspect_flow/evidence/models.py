"""Evidence files, keyed by the SHA-256 of the bytes the client sent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspect_flow.core.db import Base, utcnow


class EvidenceFile(Base):
    """One uploaded file. Sending the same bytes again finds this row instead of storing a copy.

    ``sha256`` is the hash of the bytes as uploaded (what a retrying client can compute);
    ``stored_sha256`` that of the bytes kept (a photo is re-encoded without EXIF).
    """

    __tablename__ = 'evidence_files'

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    stored_sha256: Mapped[str] = mapped_column(sa.String(64))
    media_type: Mapped[str] = mapped_column(sa.String(80))
    size: Mapped[int] = mapped_column()
    original_name: Mapped[str] = mapped_column(sa.String(255), default='')
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_by: Mapped[str] = mapped_column(sa.String(120), default='')
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def ref(self) -> str:
        """How an answer or a finding refers to this file: ``sha256:<hex>``."""
        return f'sha256:{self.sha256}'

    def __repr__(self) -> str:
        return f'<EvidenceFile {self.sha256[:12]} {self.media_type} {self.size}>'


class EvidenceUpload(Base):
    """Who sent a file's bytes. A file is stored once, but each user who uploaded the same bytes has a row:
    having sent the bytes, they may attach the file (see :func:`inspect_flow.evidence.operations.can_attach`).
    ``original_name`` is the name that user gave it."""

    __tablename__ = 'evidence_uploads'
    __table_args__ = (sa.UniqueConstraint('evidence_id', 'user_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(sa.ForeignKey('evidence_files.id', ondelete='CASCADE'))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey('users.id', ondelete='CASCADE'), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255), default='')
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
