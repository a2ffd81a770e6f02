"""Document batches: the round's whole document set, issued and rendered one item at a time, on the workers.

A batch (:class:`~inspect_flow.documents.batch_models.DocumentBatch`) has one item per document of the set
(:func:`~inspect_flow.documents.sources.document_set`): the plan, the decision forming the teams, the working
schedule, the minutes of every visit, the conclusion notice of every concluded unit, every team's report, the
round report. Each item is run by :func:`run_item` (the task ``inspect_flow.documents.render_item`` is a thin
shell over it) and its state (pending, running, done, failed with the reason) is kept in the database, where the
CLI's progress bar and the documents page read it.

Running an item is safe to repeat (delivery is *at least once*: a task whose worker died is run again):

1. **Reserve** (a short transaction, the item's row locked): a numbered document not yet issued takes the next
   number of its register (:func:`~inspect_flow.documents.numbering.allocate_number`) and keeps it on the item.
   A repeated run finds the number there and takes none; ``UNIQUE (issuer_id, year, type_code, number)`` on the
   items makes a second reservation of one number impossible.
2. **Render** (no transaction held, so the workers render side by side): the PDF/A with that number.
3. **Store** (a short transaction, the item locked again): the issued document, with the reserved number; a run
   that finds the item already done stores nothing (``UNIQUE (batch_id, document_id)``, and the register's own
   ``UNIQUE (issuer_id, year, type_code, number)`` on documents).

A document already issued (before the batch, or by an earlier batch) is taken as it is: no new number. The
unnumbered working schedule, and a plan numbered outside inspect_flow, are rendered and kept on the item. A
document that may not be issued yet (a visit not reviewed, no conclusion…) fails with the reason; running the
batch again (:func:`start_batch` resumes the unfinished batch) retries what is not done.

A number reserved for a document that someone issues by hand meanwhile stays unused: a gap in the register,
never a duplicate.
"""

from __future__ import annotations

import traceback
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from inspect_flow.core.db import request_session, utcnow
from inspect_flow.core.errors import Conflict, DomainError
from inspect_flow.documents import operations as ops
from inspect_flow.documents import sources
from inspect_flow.documents.batch_models import BatchItem, DocumentBatch, ItemState
from inspect_flow.documents.models import IssuedDocument
from inspect_flow.documents.numbering import allocate_number
from inspect_flow.documents.render import KINDS, render_pdf
from inspect_flow.documents.sources import SignerIn, Target
from inspect_flow.plans.models import Plan, Team
from inspect_flow.units.models import AdminUnit
from inspect_flow.visits.models import Visit

# --------------------------------------------------------------------------- starting and resuming


def open_batch(session: Session, plan: Plan) -> DocumentBatch | None:
    """The plan's unfinished batch (the latest), if any."""
    return session.scalar(sa.select(DocumentBatch).where(DocumentBatch.plan_id == plan.id,
                                                         DocumentBatch.finished_dt.is_(None))
                          .order_by(DocumentBatch.id.desc()).limit(1))


def latest_batch(session: Session, plan: Plan) -> DocumentBatch | None:
    """The plan's latest batch, finished or not."""
    return session.scalar(sa.select(DocumentBatch).where(DocumentBatch.plan_id == plan.id)
                          .order_by(DocumentBatch.id.desc()).limit(1))


def _item_for(target: Target, position: int) -> BatchItem:
    return BatchItem(kind=target.kind, slug=target.slug, label=target.label, position=position,
                     visit_id=target.visit.id if target.visit is not None else None,
                     unit_id=target.unit.id if target.unit is not None else None,
                     team_id=target.team.id if target.team is not None else None,
                     state=ItemState.pending, attempts=0)


def start_batch(session: Session, plan: Plan, *, actor: str, issue_date: date | None = None,
                signer: SignerIn | None = None, drafting_unit: str | None = None) -> tuple[DocumentBatch, bool]:
    """Start a batch over *plan*'s document set, or resume its unfinished one; return it and whether it is new.

    Resuming puts the failed items back to pending, takes the signer, date and drafting unit given now (the
    batch's own otherwise; a number already reserved keeps its year), and adds the documents the round gained
    since (new visits).

    :raise Conflict: the plan has not been issued (it has no number: the documents carrying it out cannot be)
    """
    from inspect_flow.core.clock import today

    if plan.number is None or plan.issue_date is None:
        raise Conflict('batch.plan_not_issued',
                       f'Kế hoạch {plan.reference} chưa được ban hành (chưa có số và ngày); hãy ban hành kế hoạch '
                       'trước khi in cả bộ văn bản.',
                       f'Plan {plan.reference} has not been issued (no number and date); issue it before rendering '
                       'the document set.', field='plan')
    batch = open_batch(session, plan)
    created = batch is None
    if batch is None:
        batch = DocumentBatch(plan_id=plan.id, issue_date=issue_date or today(),
                              signer=(signer or SignerIn()).as_dict(), drafting_unit=drafting_unit,
                              created_by=actor, created_dt=utcnow())
        session.add(batch)
        session.flush()
    else:  # resuming: what failed is tried again, with the signer and date given now, if any
        if signer is not None and signer.name:
            batch.signer = signer.as_dict()
        if issue_date is not None:
            batch.issue_date = issue_date
        if drafting_unit:
            batch.drafting_unit = drafting_unit
        session.execute(sa.update(BatchItem).where(BatchItem.batch_id == batch.id, BatchItem.state == ItemState.failed)
                        .values(state=ItemState.pending, error=None))
    have = set(session.scalars(sa.select(BatchItem.slug).where(BatchItem.batch_id == batch.id)))
    position = session.scalar(sa.select(sa.func.max(BatchItem.position)).where(BatchItem.batch_id == batch.id)) or 0
    for target in sources.document_set(plan):
        if target.slug not in have:
            position += 1
            item = _item_for(target, position)
            item.batch_id = batch.id
            session.add(item)
    session.flush()
    return batch, created


def get_batch(session: Session, batch_id: int) -> DocumentBatch | None:
    return session.get(DocumentBatch, batch_id)


def unfinished_items(session: Session, batch: DocumentBatch) -> list[int]:
    """The ids of the items not done yet, in the set's order (what to send to the workers)."""
    return list(session.scalars(sa.select(BatchItem.id).where(BatchItem.batch_id == batch.id,
                                                              BatchItem.state != ItemState.done)
                                .order_by(BatchItem.position)))


# --------------------------------------------------------------------------- progress


@dataclass
class Progress:
    """How far a batch is: counts per state, and the failed items with their reasons."""

    batch_id: int
    total: int
    counts: dict[str, int]
    failures: list[dict] = field(default_factory=list)
    finished: bool = False

    @property
    def done(self) -> int:
        return self.counts.get('done', 0)

    @property
    def failed(self) -> int:
        return self.counts.get('failed', 0)

    @property
    def settled(self) -> int:
        """Items no worker will touch again without a new run: done or failed."""
        return self.done + self.failed

    def as_dict(self) -> dict:
        return {'batch': self.batch_id, 'total': self.total, 'done': self.done, 'failed': self.failed,
                'pending': self.counts.get('pending', 0), 'running': self.counts.get('running', 0),
                'finished': self.finished, 'failures': self.failures}


def progress(session: Session, batch: DocumentBatch, *, failures: int = 20) -> Progress:
    """Count *batch*'s items per state (one query), with up to *failures* failed items and their reasons."""
    rows = session.execute(sa.select(BatchItem.state, sa.func.count()).where(BatchItem.batch_id == batch.id)
                           .group_by(BatchItem.state)).all()
    counts = {ItemState(state).value: n for state, n in rows}
    failed = session.execute(sa.select(BatchItem.id, BatchItem.label, BatchItem.error)
                             .where(BatchItem.batch_id == batch.id, BatchItem.state == ItemState.failed)
                             .order_by(BatchItem.position).limit(failures)).all()
    return Progress(batch.id, sum(counts.values()), counts,
                    [{'item': i, 'label': label, 'error': error} for i, label, error in failed],
                    finished=batch.finished_dt is not None)


# --------------------------------------------------------------------------- running one item


@contextmanager
def _transaction(factory: sessionmaker[Session], *, writes: bool = True) -> Iterator[Session]:
    """A short transaction of its own (on SQLite, queued for the one writer first), committed at the end."""
    session, lock = request_session(factory, writes=writes)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        if lock is not None:
            lock.release()


def _lock_item(session: Session, item_id: int) -> BatchItem | None:
    return session.scalar(sa.select(BatchItem).where(BatchItem.id == item_id).with_for_update())


def _target_of(session: Session, batch: DocumentBatch, item: BatchItem) -> Target:
    plan = session.get(Plan, batch.plan_id)
    return Target(item.kind, plan,
                  visit=session.get(Visit, item.visit_id) if item.visit_id else None,
                  unit=session.get(AdminUnit, item.unit_id) if item.unit_id else None,
                  team=session.get(Team, item.team_id) if item.team_id else None)


def _signer(batch: DocumentBatch) -> SignerIn:
    return SignerIn(**(batch.signer or {}))


def _finish(session: Session, item: BatchItem, state: ItemState, error: str | None = None) -> None:
    item.state = state
    item.error = error
    item.finished_dt = utcnow()
    session.flush()
    if state == ItemState.done:
        left = session.scalar(sa.select(sa.func.count()).where(BatchItem.batch_id == item.batch_id,
                                                               BatchItem.state != ItemState.done))
        if not left:
            batch = session.get(DocumentBatch, item.batch_id)
            batch.finished_dt = utcnow()
            session.flush()


def _fail(factory: sessionmaker[Session], item_id: int, error: str) -> str:
    with _transaction(factory) as session:
        item = _lock_item(session, item_id)
        if item is not None and item.state != ItemState.done:
            _finish(session, item, ItemState.failed, error)
    return 'failed'


def _message(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return f'{exc.message_vi} / {exc.message_en}'
    return ''.join(traceback.format_exception_only(exc)).strip()[:2000]


def _open_item(session: Session, item_id: int) -> tuple[BatchItem | None, str | None]:
    """Lock the item; with it, what ends its run here already: ``gone`` (no such item) or ``done``."""
    item = _lock_item(session, item_id)
    if item is None:
        return None, 'gone'
    return item, 'done' if item.state == ItemState.done else None


def run_item(factory: sessionmaker[Session], item_id: int) -> str:
    """Run the batch item *item_id* to its end; return what became of it (``done``, ``failed``, ``gone``).

    Safe to run again at any point, and by two workers at once: see the module's description.
    """
    # 1. claim the item; reserve its number (once)
    try:
        with _transaction(factory) as session:
            item, ended = _open_item(session, item_id)
            if ended:
                return ended
            batch = session.get(DocumentBatch, item.batch_id)
            target = _target_of(session, batch, item)
            item.state, item.attempts, item.error = ItemState.running, item.attempts + 1, None
            item.started_dt = utcnow()
            issued = ops.current_issued(session, target) if KINDS[item.kind].type_code else None
            if issued is not None and item.number is None:
                item.document_id = issued.id  # issued before: taken as it is, no new number
                _finish(session, item, ItemState.done)
                return 'done'
            numbered = KINDS[item.kind].type_code is not None and not (
                item.kind == 'plan' and issued is None)  # a plan numbered outside inspect_flow is rendered as it is
            if numbered and item.number is None:
                ops.check_issuable(session, target, issue_date=batch.issue_date, signer=_signer(batch))
                issuer = target.plan.issuer
                item.number = allocate_number(session, issuer, batch.issue_date.year, KINDS[item.kind].type_code)
                item.issuer_id, item.year, item.type_code = issuer.id, batch.issue_date.year, KINDS[item.kind].type_code
            session.flush()
    except DomainError as exc:
        return _fail(factory, item_id, _message(exc))

    # 2. render, holding no transaction: the view model from a read-only snapshot, then the PDF from it alone
    try:
        with _transaction(factory, writes=False) as session:
            item = session.get(BatchItem, item_id)
            batch = session.get(DocumentBatch, item.batch_id)
            target = _target_of(session, batch, item)
            # a minutes or a notice reads only its own unit's rows, not the whole (perhaps national) round
            unit = target.visit.conclusion_unit_id if target.visit is not None else item.unit_id
            data = sources.load_round(session, target.plan, units={unit}) if unit is not None else None
            if item.number is not None:
                view = sources.build_view_model(session, target, number=item.number, issued_on=batch.issue_date,
                                                signer=_signer(batch), drafting_unit=batch.drafting_unit, data=data)
                variant = ops.ISSUED_PDF_VARIANT
            else:
                view = sources.build_view_model(session, target, signer=_signer(batch),
                                                drafting_unit=batch.drafting_unit, data=data)
                variant = None
            kind = item.kind
        pdf = render_pdf(kind, view, pdf_variant=variant) if variant else render_pdf(kind, view)
    except Exception as exc:  # noqa: BLE001 - recorded on the item, with its reason
        return _fail(factory, item_id, _message(exc))

    # 3. store
    try:
        with _transaction(factory) as session:
            item, ended = _open_item(session, item_id)  # 'done': another run of this item stored it meanwhile
            if ended:
                return ended
            batch = session.get(DocumentBatch, item.batch_id)
            if item.number is None:
                item.pdf = pdf
            else:
                target = _target_of(session, batch, item)
                existing = ops.current_issued(session, target)
                if existing is not None:
                    item.document_id = existing.id  # issued by hand meanwhile: the reserved number stays unused
                else:
                    doc = ops.store_issued(session, target, item.type_code, item.number, batch.issue_date,
                                           _signer(batch), view, pdf, None, batch.created_by)
                    item.document_id = doc.id
            _finish(session, item, ItemState.done)
    except DomainError as exc:
        return _fail(factory, item_id, _message(exc))
    return 'done'


# --------------------------------------------------------------------------- the files


def ascii_slug(text: str) -> str:
    """``Xã Nhuận Phú Tân`` → ``xa-nhuan-phu-tan``: a file-name part any system and archive reads."""
    text = text.replace('đ', 'd').replace('Đ', 'D')
    text = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode('ascii').lower()
    out = ''.join(c if c.isalnum() else '-' for c in text)
    return '-'.join(p for p in out.split('-') if p)[:80]


def _about(session: Session, item: BatchItem) -> str:
    if item.visit_id:
        return ascii_slug(session.get(Visit, item.visit_id).commune.full_name)
    if item.unit_id:
        return ascii_slug(session.get(AdminUnit, item.unit_id).full_name)
    if item.team_id:
        return f'doan-{session.get(Team, item.team_id).number:02d}'
    return ''


def item_filename(session: Session, item: BatchItem, doc: IssuedDocument | None) -> str:
    """``0012-BB-2026-minutes-xa-an-thanh.pdf``: the number, type code and year when numbered, the kind, what it
    is about (ASCII, so that every unzip and file server shows it); the plan numbered outside inspect_flow with
    its own number, the working schedule (an annex, no number) as ``schedule.pdf``."""
    about = _about(session, item)
    parts = []
    if doc is not None:
        parts += [f'{doc.number:04d}', doc.type_code.replace('Đ', 'D'), str(doc.year)]
    elif item.kind == 'plan':
        plan = session.get(DocumentBatch, item.batch_id).plan_id
        plan = session.get(Plan, plan)
        if plan.number is not None:
            parts += [f'{plan.number:04d}', 'KH', str(plan.year)]
    parts.append(item.kind)
    if about:
        parts.append(about)
    return '-'.join(parts) + '.pdf'


def batch_files(session: Session, batch: DocumentBatch) -> Iterator[tuple[str, bytes]]:
    """``(file name, PDF)`` of every done item of *batch*, in the set's order (the PDFs read one at a time)."""
    items = session.scalars(sa.select(BatchItem).where(BatchItem.batch_id == batch.id,
                                                       BatchItem.state == ItemState.done)
                            .order_by(BatchItem.position))
    for item in items:
        doc = session.get(IssuedDocument, item.document_id) if item.document_id else None
        pdf = doc.pdf if doc is not None else item.pdf
        if pdf is not None:
            yield item_filename(session, item, doc), pdf
        if doc is not None:
            session.expunge(doc)  # one PDF in memory at a time
