"""Render view models to HTML (Jinja2) and to PDF (WeasyPrint).

Two steps, kept apart so tests and previews can check content without rasterising:

* :func:`render_html` fills a template under ``templates/documents/`` from a view model. It uses a
  plain :class:`jinja2.Environment` (no Flask) with autoescape and ``StrictUndefined``; user text is
  data, never template source.
* :func:`html_to_pdf` lays the HTML out with WeasyPrint through :class:`AssetFetcher`, which reads
  nothing but the application's assets and font files. :func:`render_pdf` chains the two.

Per process: one Jinja environment, one :class:`weasyprint.text.fonts.FontConfiguration` (so the
``@font-face`` fonts are loaded once) and one image cache. They are rebuilt after a ``fork``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import jinja2

from inspect_flow.documents import vnformat
from inspect_flow.documents.fetcher import AssetFetcher
from inspect_flow.documents.viewmodels import (
    ConclusionNotice,
    Minutes,
    Plan,
    RoundReport,
    TeamDecision,
    TeamReport,
    WorkSchedule,
)
from inspect_flow.paths import assets_dir, templates_dir

#: The PDF variant of issued (archived) documents.
ISSUED_PDF_VARIANT = 'pdf/a-2b'


@dataclass(frozen=True)
class KindSpec:
    """How one kind of document renders.

    :param type_code: the code of its symbol (KH, QĐ, BB, TB, BC), ``None`` for an unnumbered annex
    :param dated: whether the header has a place-and-date line (minutes have none)
    :param title: the title printed above the subject, when it is not the bare type name
    """

    kind: str
    template: str
    model: type
    type_code: str | None
    landscape: bool = False
    dated: bool = True
    title: str | None = None


#: The kinds of document, keyed as in ``documents.models.IssuedDocument.kind``.
KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec('plan', 'documents/plan.html', Plan, vnformat.TypeCode.KH),
        KindSpec('team_decision', 'documents/team_decision.html', TeamDecision, vnformat.TypeCode.QD),
        KindSpec('schedule', 'documents/schedule.html', WorkSchedule, None, landscape=True),
        KindSpec('minutes', 'documents/minutes.html', Minutes, vnformat.TypeCode.BB, dated=False,
                 title='BIÊN BẢN LÀM VIỆC'),
        KindSpec('conclusion', 'documents/conclusion.html', ConclusionNotice, vnformat.TypeCode.TB),
        KindSpec('team_report', 'documents/team_report.html', TeamReport, vnformat.TypeCode.BC),
        KindSpec('report', 'documents/report.html', RoundReport, vnformat.TypeCode.BC),
    )
}


class UnknownKind(ValueError):
    """No template for this kind of document, or the view model does not fit it."""


# --------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class FontFace:
    """One ``@font-face`` of the document family: Times New Roman if installed, else Liberation Serif."""

    local_name: str
    url: str | None
    weight: str
    style: str


#: Where distributions put Liberation Serif (Debian fonts-liberation2 first).
LIBERATION_DIRS = (
    '/usr/share/fonts/truetype/liberation2',
    '/usr/share/fonts/truetype/liberation',
    '/usr/share/fonts/liberation-serif',
    '/usr/share/fonts/liberation',
)
_FACES = (
    ('Times New Roman', 'Regular', 'normal', 'normal'),
    ('Times New Roman Bold', 'Bold', 'bold', 'normal'),
    ('Times New Roman Italic', 'Italic', 'normal', 'italic'),
    ('Times New Roman Bold Italic', 'BoldItalic', 'bold', 'italic'),
)


@lru_cache(maxsize=1)
def font_faces() -> tuple[FontFace, ...]:
    """The four faces, each ``local("Times New Roman …")`` then the Liberation Serif file.

    An office may drop its own Liberation or Times files under ``assets/fonts/``; they win.
    """
    dirs = [assets_dir() / 'fonts', *map(Path, LIBERATION_DIRS)]
    faces = []
    for local_name, suffix, weight, style in _FACES:
        url = None
        for folder in dirs:
            candidate = folder / f'LiberationSerif-{suffix}.ttf'
            if candidate.is_file():
                url = candidate.resolve().as_uri()
                break
        faces.append(FontFace(local_name, url, weight, style))
    return tuple(faces)


# --------------------------------------------------------------------------- Jinja


def _list_item(text: str, last: bool = False) -> str:
    return text.rstrip().rstrip('.;,:') + ('.' if last else ';')


def _strip_end(text: str) -> str:
    return text.rstrip().rstrip('.;,:')


def _roman(value: int) -> str:
    numerals = ((10, 'X'), (9, 'IX'), (5, 'V'), (4, 'IV'), (1, 'I'))
    out = []
    for number, letters in numerals:
        while value >= number:
            out.append(letters)
            value -= number
    return ''.join(out)


def _environment(folder: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        auto_reload=False,
    )
    env.filters.update(
        vn_upper=vnformat.vn_upper,
        end_mark=vnformat.end_mark,
        list_item=_list_item,
        strip_end=_strip_end,
        roman=_roman,
        pad2=vnformat.pad2,
        date_short=vnformat.date_short,
        date_words=vnformat.date_words,
        time_vn=vnformat.format_time,
        clock=vnformat.format_clock,
        int_vn=vnformat.format_int,
    )
    env.globals.update(
        national_name=vnformat.NATIONAL_NAME,
        national_motto=vnformat.NATIONAL_MOTTO,
        date_range=vnformat.date_range,
        percent=vnformat.format_percent,
    )
    return env


_ENVIRONMENTS: dict[str, jinja2.Environment] = {}


def environment() -> jinja2.Environment:
    """The Jinja environment over :func:`templates_dir` (one per folder, per process)."""
    folder = str(templates_dir())
    env = _ENVIRONMENTS.get(folder)
    if env is None:
        env = _ENVIRONMENTS[folder] = _environment(folder)
    return env


def kind_spec(kind: str, view_model: object | None = None) -> KindSpec:
    """Return the :class:`KindSpec` of *kind*, checking that *view_model* fits it.

    :raise UnknownKind: for an unknown kind or a view model of another type
    """
    try:
        spec = KINDS[kind]
    except KeyError:
        raise UnknownKind(f'unknown document kind {kind!r}; expected one of {", ".join(KINDS)}') from None
    if view_model is not None and not isinstance(view_model, spec.model):
        raise UnknownKind(f'{kind} renders a {spec.model.__name__}, not a {type(view_model).__name__}')
    return spec


def _context(spec: KindSpec, vm) -> dict:
    if isinstance(vm, WorkSchedule):
        issuer, subject, when = vm.issuer, vm.subject, None
        number_line = place_date = ''
        title = f'Lịch làm việc: {subject}'
    else:
        meta = vm.meta
        issuer, subject, when = meta.issuer, meta.subject, meta.issued_on
        number_line = vnformat.number_line(meta.number, spec.type_code, issuer.abbreviation)
        place_date = vnformat.place_date_line(issuer.place_name, meta.issued_on) if spec.dated else ''
        reference = vnformat.reference(meta.number, spec.type_code, issuer.abbreviation).replace('\u00a0', '')
        title = f'{vnformat.TYPE_LABELS[spec.type_code]} {reference}: {subject}'
    return {
        'doc': vm,
        'kind': spec.kind,
        'landscape': spec.landscape,
        'type_name': spec.title or (vnformat.TYPE_NAMES[spec.type_code] if spec.type_code else ''),
        'number_line': number_line,
        'place_date': place_date,
        'fonts': font_faces(),
        'pdf_title': title,
        'pdf_author': issuer.name,
        'pdf_created': when.isoformat() if isinstance(when, date) else '',
    }


def render_html(kind: str, view_model) -> str:
    """Render *view_model* with the template of *kind* and return the complete HTML document.

    :param kind: one of :data:`KINDS` (``plan``, ``team_decision``, ``schedule``, ``minutes``,
        ``conclusion``, ``team_report``, ``report``)
    :param view_model: the matching dataclass of :mod:`inspect_flow.documents.viewmodels`
    :raise UnknownKind: for an unknown kind or a view model of another type
    """
    spec = kind_spec(kind, view_model)
    return environment().get_template(spec.template).render(_context(spec, view_model))


# --------------------------------------------------------------------------- WeasyPrint

_PER_PROCESS: dict[str, object] = {}


def _font_config():
    """One FontConfiguration per process (rebuilt in a forked child: fontconfig state is not fork-safe)."""
    from weasyprint.text.fonts import FontConfiguration

    if _PER_PROCESS.get('pid') != os.getpid():
        _PER_PROCESS.clear()
        _PER_PROCESS.update(pid=os.getpid(), font_config=FontConfiguration(), image_cache={})
    return _PER_PROCESS['font_config'], _PER_PROCESS['image_cache']


def html_to_pdf(html: str, *, pdf_variant: str | None = None, url_fetcher: AssetFetcher | None = None) -> bytes:
    """Lay out *html* with WeasyPrint and return the PDF.

    :param pdf_variant: ``None`` for a plain PDF, or a WeasyPrint variant such as
        :data:`ISSUED_PDF_VARIANT` (``pdf/a-2b``) for archived, issued documents
    :param url_fetcher: the fetcher to use (tests pass one to inspect its log); a fresh
        :class:`AssetFetcher` by default
    """
    from weasyprint import HTML
    from weasyprint.pdf import VARIANTS

    if pdf_variant is not None and pdf_variant not in VARIANTS:
        raise ValueError(f'unknown PDF variant {pdf_variant!r}')
    font_config, image_cache = _font_config()
    fetcher = url_fetcher if url_fetcher is not None else AssetFetcher()
    document = HTML(string=html, base_url=assets_dir().as_uri() + '/', url_fetcher=fetcher)
    with warnings.catch_warnings():
        # XXX WeasyPrint 70 opens its bundled sRGB2014.icc for the PDF/A output intent and never
        # closes it (weasyprint/pdf/__init__.py), so every PDF/A render leaks one ResourceWarning,
        # an error under pytest's filterwarnings=error. The file is read whole and dropped at once,
        # so silencing this one category here is harmless.
        warnings.simplefilter('ignore', ResourceWarning)
        return document.write_pdf(font_config=font_config, pdf_variant=pdf_variant, cache=image_cache)


def render_pdf(kind: str, view_model, *, pdf_variant: str | None = None,
               url_fetcher: AssetFetcher | None = None) -> bytes:
    """Render *view_model* as a PDF: :func:`render_html` then :func:`html_to_pdf`.

    Drafts and previews use the default; issuing uses ``pdf_variant=ISSUED_PDF_VARIANT``.
    """
    return html_to_pdf(render_html(kind, view_model), pdf_variant=pdf_variant, url_fetcher=url_fetcher)


def output_filename(kind: str, view_model) -> str:
    """A file name for the PDF: ``KH-1245-2019.pdf``; ``minutes-draft.pdf`` for a draft."""
    spec = kind_spec(kind, view_model)
    if spec.type_code is None or view_model.meta.number is None:
        return f'{kind}-draft.pdf' if spec.type_code else f'{kind}.pdf'
    meta = view_model.meta
    year = meta.issued_on.year if meta.issued_on else 'x'
    return f'{spec.type_code.replace("Đ", "D")}-{vnformat.pad2(meta.number)}-{year}.pdf'
