"""What the OpenRosa server keeps of each submission it received: the instance, its bytes, how it was taken."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from inspect_flow.core.db import Base, utcnow


class OpenRosaSubmission(Base):
    """One submission from ODK Collect or KoboCollect, by its ``instanceID`` (the phone's UUID for a filled form).

    The XML is kept as received, so that a resend of the same instance is recognised by its bytes (answered
    201 again, nothing written twice) and a different one under the same id is refused (409). ``outcome``:

    * ``submitted``: the answers became the visit's record and the visit was submitted for review;
    * ``draft``: the answers were kept as the visit's draft, because the server's checks refused the submit
      (``problems`` lists each, shown on the visit page) — the submission is never lost;
    * ``replaced``: a later edit of the form (its ``deprecatedID`` names this one) took its place.
    """

    __tablename__ = 'openrosa_submissions'

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    visit_id: Mapped[int] = mapped_column(sa.ForeignKey('visits.id', ondelete='CASCADE'), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey('users.id', ondelete='CASCADE'))
    #: The app token it came with (kept after the token is revoked or gone).
    token_id: Mapped[int | None] = mapped_column()
    #: The form version the phone filled (``version`` attribute of the instance's root).
    form_version: Mapped[str] = mapped_column(sa.String(80), default='')
    #: The instance this one edits (``meta/deprecatedID``), if any.
    deprecated_id: Mapped[str | None] = mapped_column(sa.String(120))
    #: The instance that edited this one, once it did.
    replaced_by: Mapped[str | None] = mapped_column(sa.String(120))
    xml_sha256: Mapped[str] = mapped_column(sa.String(64))
    xml: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    #: ``[{"field", "message", "message_en"}]``: why the submit was refused (``draft``).
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: ``{file name: "sha256:…" or null}``: the attachments the form names, and the evidence each became
    #: (null: not received yet; Collect may send them in a later request of the same instance).
    attachments: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f'<OpenRosaSubmission {self.instance_id} visit={self.visit_id} {self.outcome}>'
