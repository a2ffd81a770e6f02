"""``inspect-flow documents``: render drafts, issue documents, list and export them.

* ``render PLAN --kind KIND|all [--visit ID|--unit CODE|--district CODE|--team N] --out DIR`` writes drafts
  (blank number and date), rendered from the data as it is now;
* ``issue PLAN --kind KIND [...] [--date DD/MM/YYYY] --signer NAME`` numbers, freezes and records
  one document (PDF/A, SHA-256, audit entry);
* ``list PLAN`` shows the register of the plan's issued documents;
* ``export DOC_ID --out DIR`` writes an issued document's frozen PDF, after checking its SHA-256;
* ``export-docx PLAN --kind KIND [...] --out DIR`` writes an editable DOCX of the draft;
* ``replace DOC_ID --reason "…"`` starts preparing a replacement of an issued document: what it carries can
  be corrected again until ``issue … --supersedes DOC_ID`` issues the replacement.
* ``batch PLAN --out DIR [--date …] --signer NAME`` numbers, issues and renders the whole set on the workers (in
  process without a broker), with a progress bar, then writes every PDF; run again, it resumes
  (:mod:`inspect_flow.documents.batch`).

Exit status: 0 on success, 1 on a refusal (one line on stderr), 2 on bad usage (click), 4 when a
stored PDF no longer matches its SHA-256.
"""

from __future__ import annotations

from pathlib import Path

import click

from inspect_flow.cli.context import DATE, CliContext, echo_json, pass_ctx

KIND_CHOICES = ['plan', 'team_decision', 'schedule', 'minutes', 'conclusion', 'team_report', 'report']
AUTHORITIES = ['TM.', 'KT.', 'Q.', 'TL.', 'TUQ.', 'none']


def _plan(session, ref):  # noqa: ANN001, ANN202
    from inspect_flow.plans.queries import get_plan

    return get_plan(session, ref)


def _target_options(func):  # noqa: ANN001, ANN202
    func = click.option('--team', type=int, metavar='N', help='The team (for --kind team_report).')(func)
    func = click.option('--district', metavar='CODE',
                        help='The district GSO code (for --kind conclusion, three tiers; same as --unit).')(func)
    func = click.option('--unit', metavar='CODE',
                        help='The concluded unit\'s GSO code (for --kind conclusion): the district (three tiers) or '
                             'the commune (two tiers).')(func)
    func = click.option('--visit', type=int, metavar='ID', help='The visit id (for --kind minutes).')(func)
    return func


def _signer_options(func):  # noqa: ANN001, ANN202
    func = click.option('--drafting-unit', metavar='CODE',
                        help='The drafting unit in "Lưu: VT, CODE" (e.g. BTXH).')(func)
    func = click.option('--signer-for', 'signer_for', metavar='TEXT',
                        help='Whom the authority prefix acts for: the head for KT./Q./TL./TUQ. (default "Trưởng ban"), '
                             'the collective body for TM. (default "Ban Chỉ đạo").')(func)
    func = click.option('--authority', type=click.Choice(AUTHORITIES), default='KT.', show_default=True,
                        help='The authority prefix of the signature ("none": signs in their own right).')(func)
    func = click.option('--signer-title', default='Phó Trưởng ban', show_default=True,
                        help="The signer's title.")(func)
    func = click.option('--signer', 'signer_name', metavar='NAME',
                        help="Who signs for the committee (plan, decision, notice, round report).")(func)
    return func


def _signer(signer_name, signer_title, authority, signer_for):  # noqa: ANN001, ANN202
    from inspect_flow.documents.sources import SignerIn, default_signer_for

    prefix = None if authority == 'none' else authority
    return SignerIn(name=signer_name, title=signer_title, prefix=prefix,
                    on_behalf_of=(signer_for or default_signer_for(prefix)) if prefix else None)


def _out_dir(out: str) -> Path:
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pages(data: bytes) -> int:
    import io

    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def _issued_filename(doc, label_slug: str) -> str:  # noqa: ANN001
    code = doc.type_code.replace('Đ', 'D')
    return f'{code}-{doc.number:02d}-{doc.year}-{label_slug}.pdf'


@click.group()
def documents() -> None:
    """Official documents of a round (văn bản): drafts, issuing with a number, PDF/A archive, DOCX."""


@documents.command('render')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--kind', 'kind', required=True, type=click.Choice([*KIND_CHOICES, 'all']),
              help='The kind of document, or "all" for the whole set.')
@_target_options
@click.option('--out', 'out', required=True, type=click.Path(file_okay=False), help='Folder to write the PDFs to.')
@_signer_options
@click.option('--json', 'as_json', is_flag=True, help='Print what was written as JSON.')
@pass_ctx
def render(ctx: CliContext, plan_ref, kind, visit, unit, district, team, out, signer_name, signer_title, authority,  # noqa: ANN001
           signer_for, drafting_unit, as_json) -> None:
    """Render drafts from the current data (no number, no date). Without --visit/--unit/--team,
    every document of the kind is rendered."""
    from inspect_flow.documents import operations as ops

    signer = _signer(signer_name, signer_title, authority, signer_for)
    folder = _out_dir(out)
    rows = []
    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        if kind != 'all' and any(v is not None for v in (visit, unit, district, team)):
            drafts = [ops.render_draft(session, plan, kind, visit=visit, unit=unit, district=district, team=team,
                                       signer=signer, drafting_unit=drafting_unit)]
        else:
            drafts = ops.render_drafts(session, plan, None if kind == 'all' else [kind], signer=signer,
                                       drafting_unit=drafting_unit)
        for d in drafts:
            path = folder / d.filename
            path.write_bytes(d.pdf)
            issued = ops.current_issued(session, d.target)
            rows.append({'kind': d.target.kind, 'label': d.target.label, 'path': str(path), 'pages': _pages(d.pdf),
                         'issued': issued.reference if issued is not None else None,
                         'issued_id': issued.id if issued is not None else None})
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        note = ''
        if r['issued']:
            note = ctx.msg(f'  (đã ban hành số {r["issued"]}, #{r["issued_id"]}; bản nháp theo dữ liệu hiện tại)',
                           f'  (issued as {r["issued"]}, #{r["issued_id"]}; this draft shows the current data)')
        click.echo(f'{r["path"]}  {r["pages"]} {ctx.msg("trang", "pages")}  {r["label"]}{note}')


@documents.command('issue')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--kind', 'kind', required=True, type=click.Choice(KIND_CHOICES), help='The kind of document.')
@_target_options
@click.option('--date', 'issue_date', type=DATE, help='The date of issue, DD/MM/YYYY (default: today).')
@_signer_options
@click.option('--supersedes', type=int, metavar='DOC_ID', help='The issued document this one corrects.')
@click.option('--out', 'out', type=click.Path(file_okay=False), help='Also write the issued PDF to this folder.')
@click.option('--json', 'as_json', is_flag=True, help='Print the issued document as JSON.')
@pass_ctx
def issue(ctx: CliContext, plan_ref, kind, visit, unit, district, team, issue_date, signer_name, signer_title,  # noqa: ANN001
          authority, signer_for, drafting_unit, supersedes, out, as_json) -> None:
    """Issue a document: take its number now, freeze its PDF/A and SHA-256, record it in the audit trail."""
    from inspect_flow.documents import operations as ops

    signer = _signer(signer_name, signer_title, authority, signer_for)
    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        doc = ops.issue_document(session, plan, kind, visit=visit, unit=unit, district=district, team=team,
                                 issue_date=issue_date, signer=signer, drafting_unit=drafting_unit,
                                 supersedes=supersedes, actor=ctx.actor)
        data = _doc_row(session, doc)
        path = None
        if out:
            path = _out_dir(out) / _issued_filename(doc, ops.target_of(session, doc).slug)
            path.write_bytes(doc.pdf)
            data['path'] = str(path)
    if as_json:
        echo_json(data)
        return
    from inspect_flow.documents.vnformat import date_short

    click.echo(ctx.msg(f'Đã ban hành {data["label"]}: số {data["reference"]} ngày {date_short(doc.issue_date)} '
                       f'(#{data["id"]}, SHA-256 {data["sha256"][:16]}…).',
                       f'Issued {data["label"]}: {data["reference"]} of {doc.issue_date.isoformat()} '
                       f'(#{data["id"]}, SHA-256 {data["sha256"][:16]}…).'))
    if path is not None:
        click.echo(str(path))


def _doc_row(session, doc) -> dict:  # noqa: ANN001
    from inspect_flow.documents import operations as ops

    return {'id': doc.id, 'kind': doc.kind, 'reference': doc.reference, 'label': ops.document_label(session, doc),
            'issue_date': doc.issue_date.isoformat() if doc.issue_date else None, 'state': doc.state.value,
            'subject': doc.subject, 'sha256': doc.sha256, 'supersedes_id': doc.supersedes_id,
            'issued_by': doc.issued_by}


@documents.command('list')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--json', 'as_json', is_flag=True, help='Print JSON.')
@pass_ctx
def list_(ctx: CliContext, plan_ref: str, as_json: bool) -> None:
    """List the plan's issued documents (the register), corrections marked."""
    from inspect_flow.documents import operations as ops

    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        docs = ops.list_documents(session, plan)
        rows = [_doc_row(session, d) for d in docs]
        replaced = {d.supersedes_id: d.id for d in docs if d.supersedes_id}
        for r in rows:
            r['superseded_by'] = replaced.get(r['id'])
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(ctx.msg('Chưa ban hành văn bản nào.', 'No document has been issued yet.'))
    for r in rows:
        flags = []
        if r['supersedes_id']:
            flags.append(ctx.msg(f'thay thế #{r["supersedes_id"]}', f'replaces #{r["supersedes_id"]}'))
        if r['superseded_by']:
            flags.append(ctx.msg(f'đã bị thay thế bởi #{r["superseded_by"]}', f'replaced by #{r["superseded_by"]}'))
        extra = f'  [{"; ".join(flags)}]' if flags else ''
        click.echo(f'#{r["id"]:<4} {r["reference"]:<22} {r["issue_date"]}  {r["label"]}  {r["sha256"][:12]}{extra}')


@documents.command('replace')
@click.argument('doc_id', type=int)
@click.option('--reason', required=True, help='Why the issued document must be replaced.')
@pass_ctx
def replace(ctx: CliContext, doc_id: int, reason: str) -> None:
    """Start preparing a replacement of an issued document: what it carries can be corrected again."""
    from inspect_flow.documents import operations as ops

    with ctx.session() as session:
        doc = ops.get_document(session, doc_id)
        ops.open_replacement(session, doc, reason=reason, actor=ctx.actor)
        ref = doc.reference
    click.echo(ctx.msg(f'Đang soạn văn bản thay thế số {ref}: sửa nội dung, rồi ban hành với --supersedes {doc_id}.',
                       f'Preparing a replacement of {ref}: correct, then issue it with --supersedes {doc_id}.'))


@documents.command('export')
@click.argument('doc_id', type=int)
@click.option('--out', 'out', required=True, type=click.Path(file_okay=False), help='Folder to write the PDF to.')
@pass_ctx
def export(ctx: CliContext, doc_id: int, out: str) -> None:
    """Write an issued document's frozen PDF; refuse (exit 4) if it no longer matches its SHA-256."""
    from inspect_flow.documents import operations as ops

    with ctx.session() as session:
        doc = ops.get_document(session, doc_id)
        if not ops.verify_document(doc):
            click.echo(ctx.msg(f'Lỗi: tệp PDF của văn bản #{doc.id} không khớp mã SHA-256 đã ghi.',
                               f'Error: the PDF of document #{doc.id} does not match its recorded SHA-256.'), err=True)
            raise click.exceptions.Exit(4)
        path = _out_dir(out) / _issued_filename(doc, ops.target_of(session, doc).slug)
        path.write_bytes(doc.pdf)
    click.echo(str(path))


@documents.command('export-docx')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--kind', 'kind', required=True, type=click.Choice(KIND_CHOICES), help='The kind of document.')
@_target_options
@click.option('--out', 'out', required=True, type=click.Path(file_okay=False), help='Folder to write the DOCX to.')
@_signer_options
@pass_ctx
def export_docx(ctx: CliContext, plan_ref, kind, visit, unit, district, team, out, signer_name, signer_title, authority,  # noqa: ANN001
                signer_for, drafting_unit) -> None:
    """Write an editable DOCX of a draft, for officers who edit before signing."""
    from inspect_flow.documents import sources
    from inspect_flow.documents.docx_export import render_docx

    signer = _signer(signer_name, signer_title, authority, signer_for)
    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        target = sources.resolve_target(session, plan, kind, visit=visit, unit=unit, district=district, team=team)
        view = sources.build_view_model(session, target, signer=signer, drafting_unit=drafting_unit)
        path = _out_dir(out) / f'{target.slug}-draft.docx'
        path.write_bytes(render_docx(kind, view))
    click.echo(str(path))


def _writable_folder(ctx: CliContext, out: str) -> Path:
    """The output folder, created if need be, checked writable before any work starts."""
    import tempfile

    from inspect_flow.core.errors import InvalidInput

    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix='.inspect-flow-', delete=True):
            pass
    except OSError as exc:
        raise InvalidInput('batch.out_not_writable', f'Không ghi được vào thư mục {out}: {exc.strerror or exc}.',
                           f'Cannot write to the folder {out}: {exc.strerror or exc}.', field='out') from exc
    return path


@documents.command('batch')
@click.argument('plan_ref', metavar='PLAN')
@click.option('--out', 'out', required=True, type=click.Path(file_okay=False), help='Folder to write the PDFs to.')
@click.option('--date', 'issue_date', type=DATE,
              help='The date of issue of the documents numbered by this batch, DD/MM/YYYY (default: today).')
@_signer_options
@click.option('--timeout', type=click.FloatRange(min=1), default=None, metavar='SECONDS',
              help='Stop waiting after this long (the workers go on; run the command again to resume).')
@pass_ctx
def batch(ctx: CliContext, plan_ref, out, issue_date, signer_name, signer_title, authority, signer_for,  # noqa: ANN001
          drafting_unit, timeout) -> None:
    """Issue and render the round's whole document set on the workers (in process when no broker is set),
    with a progress bar; then write every PDF into --out. Run it again to resume an interrupted batch."""
    import sys
    import time

    from inspect_flow import create_app
    from inspect_flow.core.errors import DomainError
    from inspect_flow.documents import batch as batches
    from inspect_flow.tasks.app import dispatch, in_process

    folder = _writable_folder(ctx, out)
    signer = _signer(signer_name, signer_title, authority, signer_for)
    with ctx.session() as session:
        plan = _plan(session, plan_ref)
        the_batch, created = batches.start_batch(session, plan, actor=ctx.actor, issue_date=issue_date,
                                                 signer=signer, drafting_unit=drafting_unit)
        batch_id, plan_label = the_batch.id, plan.reference
        todo = batches.unfinished_items(session, the_batch)
        total = batches.progress(session, the_batch).total
    click.echo(ctx.msg(f'{"Bắt đầu" if created else "Tiếp tục"} lô văn bản #{batch_id} của kế hoạch {plan_label}: '
                       f'{total} văn bản, còn {len(todo)}.',
                       f'{"Starting" if created else "Resuming"} batch #{batch_id} of plan {plan_label}: '
                       f'{total} documents, {len(todo)} to do.'), err=True)
    app = create_app({'DATABASE_URL': ctx.db_url} if ctx.db_url else None)
    factory = app.extensions['inspect_flow.sessions']

    def current() -> batches.Progress:
        with factory() as session:
            return batches.progress(session, batches.get_batch(session, batch_id))

    deadline = time.monotonic() + timeout if timeout else None
    with app.app_context(), click.progressbar(length=total, label=ctx.msg('Văn bản', 'Documents'),
                                              file=sys.stderr, show_pos=True) as bar:
        seen = total - len(todo)
        bar.update(seen)
        eager = in_process(app)
        for item_id in todo:
            dispatch('inspect_flow.documents.render_item', item_id)
            if eager:
                bar.update(1)
        seen = total if eager else seen
        while not eager:
            state = current()
            bar.update(state.settled - seen)
            seen = max(seen, state.settled)
            if state.settled >= state.total:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise DomainError('batch.timeout', f'Hết thời gian chờ: lô #{batch_id} mới xong {state.settled}/'
                                  f'{state.total} văn bản; các tác vụ vẫn chạy, hãy chạy lại lệnh để tiếp tục.',
                                  f'Timed out: batch #{batch_id} has {state.settled}/{state.total} documents '
                                  'settled; the workers go on; run the command again to resume.')
            time.sleep(0.5)
    state = current()
    written = 0
    with factory() as session:
        for name, pdf in batches.batch_files(session, batches.get_batch(session, batch_id)):
            (folder / name).write_bytes(pdf)
            written += 1
    app.extensions['inspect_flow.engine'].dispose()
    click.echo(ctx.msg(f'Đã ghi {written} tệp PDF vào {folder}.', f'Wrote {written} PDF files to {folder}.'))
    if state.failed:
        for f in state.failures:
            click.echo(f'  #{f["item"]} {f["label"]}: {f["error"]}', err=True)
        raise DomainError('batch.failed', f'{state.failed} văn bản chưa làm được (xem lý do ở trên); sửa rồi chạy lại '
                          'lệnh để tiếp tục lô.',
                          f'{state.failed} documents could not be done (reasons above); fix them and run the command '
                          'again to resume the batch.')
