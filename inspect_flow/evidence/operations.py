"""Evidence files: storing them (size limit, type from the bytes, never from the name or the client's header;
photos decoded in full and re-encoded without metadata; PDFs with active content refused; one row per content
hash) and who may attach or see one.

Who may attach a file to an answer, a finding or a follow-up report, see its metadata or read it is one rule
(:func:`can_attach`): the users who uploaded its bytes, and those who may see an object that already holds it
(a visit whose answers or households refer to it, a finding, a follow-up report), by the access rules of
:mod:`inspect_flow.accounts.access`. Knowing a file's SHA-256 is not enough. Every door (pages, JSON API,
asynchronous intake) passes its user to the operations that attach evidence, which call
:func:`check_attachable`; the command line acts as the database's operator and is not checked.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.evidence.models import EvidenceFile, EvidenceUpload

#: The largest upload accepted, in bytes (a phone photo is 2–6 MB).
MAX_BYTES = 10 * 1024 * 1024
#: The longest side a stored photo keeps, in pixels (enough to read a document photographed on site).
MAX_SIDE = 2560
#: Refuse images that would decode to more pixels than this (decompression bombs).
MAX_PIXELS = 40_000_000

IMAGE_TYPES = {'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WEBP'}
DOCUMENT_TYPES = {'application/pdf'}
REF_RE = re.compile(r'^sha256:([0-9a-f]{64})$')
#: A reference anywhere in a text, in any case: what :func:`check_attachable` looks for (a superset of what is
#: served, so that nothing served escapes the check).
MENTION_RE = re.compile(r'sha256:([0-9a-f]{64})', re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    """The media type of *data* from its first bytes, or ``None`` when it is not an accepted type."""
    if data.startswith(b'\xff\xd8\xff'):
        return 'image/jpeg'
    if data.startswith(b'\x89PNG\r\n\x1a\n'):
        return 'image/png'
    if data[:4] == b'RIFF' and data[8:12] == b'WEBP':
        return 'image/webp'
    if data.startswith(b'%PDF-'):
        return 'application/pdf'
    return None


def size_text(size: int, lang: str = 'vi') -> str:
    """``10 MB``, ``512 KB``, ``1,5 MB`` (Vietnamese decimal comma) or ``1.5 MB``."""
    for unit, factor in (('MB', 1024 * 1024), ('KB', 1024)):
        if size >= factor:
            text = f'{size / factor:.1f}'.removesuffix('.0')
            return f'{text.replace(".", ",") if lang == "vi" else text} {unit}'
    return f'{size} byte' if lang == 'vi' else f'{size} bytes'


def _refuse(code: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput(code, vi, en, field='file')


_STRICT_LOCK = threading.Lock()
_strict_users = 0
_saved_flag = False


@contextlib.contextmanager
def strict_decoding() -> Iterator[None]:
    """Pillow refuses truncated images inside this block, whatever the process set.

    Importing WeasyPrint sets Pillow's process-wide ``ImageFile.LOAD_TRUNCATED_IMAGES``, which makes a
    truncated JPEG decode "successfully" with its missing part grey. The flag is turned off while any check
    runs (counted, so that overlapping checks in several threads restore the first value only when the last
    one ends), then restored.
    """
    from PIL import ImageFile

    global _strict_users, _saved_flag
    with _STRICT_LOCK:
        if _strict_users == 0:
            _saved_flag = ImageFile.LOAD_TRUNCATED_IMAGES
        _strict_users += 1
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        with _STRICT_LOCK:
            _strict_users -= 1
            if _strict_users == 0:
                ImageFile.LOAD_TRUNCATED_IMAGES = _saved_flag


def _to_srgb(image, icc: bytes | None):  # noqa: ANN001, ANN202
    """The picture converted from its embedded colour profile to sRGB, so that the profile (whose text tags
    could carry anything) can be dropped without changing the colours."""
    if not icc or image.mode not in ('RGB', 'RGBA', 'L', 'LA', 'CMYK'):
        return image
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = 'RGBA' if 'A' in image.mode else 'RGB'
        if image.mode == 'LA':
            image = image.convert('RGBA')
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile('sRGB'), outputMode=mode)
        return converted if converted is not None else image
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unreadable profile: dropped, the pixels kept as they are


def _reencode(data: bytes, media_type: str) -> tuple[bytes, int, int]:
    """Decode the whole image and re-encode its pixels only.

    Kept: the pixels, with the EXIF orientation applied (then dropped) and the colours converted to sRGB.
    Dropped: EXIF (GPS included), XMP, JPEG comments (COM) and APPn segments, ICC profiles, PNG text chunks,
    WebP metadata chunks: the new file is written from an image whose ``info`` is empty.
    A truncated or damaged image is refused, whether or not WeasyPrint has relaxed Pillow (:func:`strict_decoding`).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    broken = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
    try:
        with strict_decoding():
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refuse('evidence.too_many_pixels', 'Ảnh quá lớn (quá nhiều điểm ảnh).',
                                  'The image has too many pixels.')
                probe.verify()  # the container's own checks (chunk CRCs of a PNG …)
            with Image.open(io.BytesIO(data)) as probe:
                probe.load()  # a full decode: a truncated file fails here
                icc = probe.info.get('icc_profile')
                image = ImageOps.exif_transpose(probe)
    except broken:
        raise _refuse('evidence.broken_image', 'Tệp ảnh bị hỏng hoặc không đầy đủ (bị cắt cụt).',
                      'The image is damaged or incomplete (truncated).') from None
    if image.mode == 'P':  # a palette's transparency lives in ``info``, which is emptied below
        image = image.convert('RGBA' if 'transparency' in image.info else 'RGB')
    image = _to_srgb(image, icc)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    fmt = IMAGE_TYPES[media_type]
    if fmt == 'JPEG' and image.mode not in ('RGB', 'L'):
        image = image.convert('RGB')
    elif image.mode not in ('RGB', 'RGBA', 'L', 'LA'):
        image = image.convert('RGBA')
    image = image.copy()
    image.info.clear()  # Pillow's savers copy some of it (a JPEG's comment, a PNG's ICC profile) by default
    out = io.BytesIO()
    options = {'quality': 85, 'optimize': True} if fmt in ('JPEG', 'WEBP') else {'optimize': True}
    image.save(out, fmt, **options)  # no exif=, xmp=, icc_profile=, comment= or pnginfo=: no metadata written
    return out.getvalue(), image.width, image.height


#: Action types that run something or leave the document: a PDF with one of them is refused.
_ACTIVE_ACTIONS = {'/JavaScript', '/Launch', '/SubmitForm', '/ImportData', '/GoToE', '/GoToR', '/Rendition',
                   '/RichMediaExecute', '/Movie', '/Sound'}
#: Keys that hold scripts, automatic actions, attached files or active media anywhere in a PDF.
_ACTIVE_KEYS = {'/JS': 'JavaScript', '/JavaScript': 'JavaScript', '/AA': 'automatic actions',
                '/EmbeddedFiles': 'embedded files', '/EF': 'embedded files', '/XFA': 'XFA forms',
                '/RichMedia': 'rich media', '/RichMediaContent': 'rich media'}


def pdf_active_content(data: bytes) -> str | None:
    """What active content the PDF carries (``'JavaScript'``, ``'automatic actions'``, ``'embedded files'`` …),
    or ``None`` when it has none.

    Every object of the file is read (qpdf, through pikepdf), compressed object streams included, with names
    decoded (``/J#53`` is ``/JS``): a dictionary with a script, an automatic action (``/AA``), embedded files,
    an XFA form or rich media, an action that runs or launches something, or an ``/OpenAction`` other than
    going to a page.

    :raise InvalidInput: the file cannot be read as a PDF, or is encrypted (its content cannot be checked)
    """
    import pikepdf

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise _refuse('evidence.pdf_encrypted', 'Tệp PDF có mật khẩu: không kiểm tra được nội dung.',
                      'The PDF is password-protected: its content cannot be checked.') from None
    except (pikepdf.PdfError, ValueError, OSError):
        raise _refuse('evidence.pdf_broken', 'Tệp PDF bị hỏng, không đọc được.',
                      'The PDF is damaged and cannot be read.') from None
    with pdf:
        if pdf.is_encrypted:
            raise _refuse('evidence.pdf_encrypted', 'Tệp PDF có mật khẩu: không kiểm tra được nội dung.',
                          'The PDF is password-protected: its content cannot be checked.')
        open_action = pdf.Root.get('/OpenAction')
        if isinstance(open_action, pikepdf.Dictionary) and open_action.get('/S') != pikepdf.Name.GoTo:
            return 'an automatic action'
        for obj in pdf.objects:
            found = _active_in(obj, pikepdf)
            if found is not None:
                return found
    return None


def _active_in(obj, pikepdf, depth: int = 0) -> str | None:  # noqa: ANN001
    """Active content in *obj* or the direct objects inside it (indirect ones are visited on their own)."""
    if depth > 64:
        return None
    if isinstance(obj, pikepdf.Stream):
        obj = obj.stream_dict
    if isinstance(obj, pikepdf.Dictionary):
        for key in obj.keys():
            if key in _ACTIVE_KEYS:
                return _ACTIVE_KEYS[key]
        kind = obj.get('/S')
        if isinstance(kind, pikepdf.Name) and str(kind) in _ACTIVE_ACTIONS:
            return f'a {str(kind)[1:]} action'
        if obj.get('/Subtype') in (pikepdf.Name.FileAttachment, pikepdf.Name.RichMedia):
            return 'embedded files'
        children = obj.values()
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return None
    for child in children:
        if isinstance(child, (pikepdf.Dictionary, pikepdf.Array)) and not child.is_indirect:
            found = _active_in(child, pikepdf, depth + 1)
            if found is not None:
                return found
    return None


def _check_pdf(data: bytes) -> None:
    what = pdf_active_content(data)
    if what is not None:
        raise _refuse('evidence.pdf_active', 'Tệp PDF có nội dung chủ động (JavaScript, hành động tự chạy hoặc tệp '
                      'đính kèm) nên không được nhận. Hãy in lại thành PDF thường (Print to PDF) rồi gửi lại.',
                      f'The PDF carries active content ({what}) and is not accepted. Print it again to a plain '
                      'PDF ("Print to PDF") and send that.')


def store_evidence(session: Session, data: bytes, *, filename: str = '', actor: str, uploaded_by: int | None = None,
                   max_bytes: int = MAX_BYTES, images_only: bool = False) -> EvidenceFile:
    """Store *data* once and return its row; the same bytes sent again return the first row.

    *uploaded_by* (a user id) is recorded as one of the file's uploaders, also when the bytes were stored
    before: having sent them, that user may attach the file.

    :raise InvalidInput: empty, too large, not an accepted type (JPEG, PNG, WebP photos; PDF documents),
        a damaged or truncated image, a PDF with active content (JavaScript, automatic actions, embedded files)
    """
    if not data:
        raise _refuse('evidence.empty', 'Tệp rỗng.', 'The file is empty.')
    if len(data) > max_bytes:
        limit_vi, limit_en = size_text(max_bytes, 'vi'), size_text(max_bytes, 'en')
        raise _refuse('evidence.too_large', f'Tệp quá lớn: tối đa {limit_vi}.',
                      f'The file is too large: at most {limit_en}.')
    media_type = sniff(data)
    if media_type is None or (images_only and media_type not in IMAGE_TYPES):
        accepted_vi = 'ảnh JPEG, PNG, WebP' + ('' if images_only else ' hoặc tệp PDF')
        accepted_en = 'JPEG, PNG or WebP photos' + ('' if images_only else ', or PDF files')
        raise _refuse('evidence.bad_type', f'Loại tệp không được chấp nhận; chỉ nhận {accepted_vi}.',
                      f'This kind of file is not accepted; only {accepted_en}.')
    digest = hashlib.sha256(data).hexdigest()
    name = (filename or '')[-255:]
    existing = session.scalar(sa.select(EvidenceFile).where(EvidenceFile.sha256 == digest))
    if existing is not None:
        _record_upload(session, existing, uploaded_by, name)
        return existing
    width = height = None
    stored = data
    if media_type in IMAGE_TYPES:
        stored, width, height = _reencode(data, media_type)
    else:
        _check_pdf(data)
    row = EvidenceFile(sha256=digest, stored_sha256=hashlib.sha256(stored).hexdigest(), media_type=media_type,
                       size=len(stored), original_name=name, width=width, height=height,
                       data=stored, created_by=actor)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another request stored the same bytes in the meantime: use its row.
        row = session.scalar(sa.select(EvidenceFile).where(EvidenceFile.sha256 == digest))
    _record_upload(session, row, uploaded_by, name)
    return row


def _record_upload(session: Session, row: EvidenceFile, user_id: int | None, name: str) -> None:
    if user_id is None:
        return
    known = sa.select(EvidenceUpload.id).where(EvidenceUpload.evidence_id == row.id,
                                               EvidenceUpload.user_id == user_id)
    if session.scalar(known) is not None:
        return
    try:
        with session.begin_nested():
            session.add(EvidenceUpload(evidence_id=row.id, user_id=user_id, original_name=name))
            session.flush()
    except IntegrityError:
        pass  # the same user's concurrent upload of the same bytes recorded it


_EXTENSIONS = {'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf'}


def content_disposition(row: EvidenceFile) -> str:
    """How a file is served: photos inline, documents as a download, under a name made here (the uploader's name
    is never echoed into a header): ``minh-chung-<first 12 hex of the hash>.<ext>``."""
    disposition = 'inline' if row.media_type in IMAGE_TYPES else 'attachment'
    return f'{disposition}; filename="minh-chung-{row.sha256[:12]}.{_EXTENSIONS.get(row.media_type, "bin")}"'


def get_evidence(session: Session, ref: str) -> EvidenceFile:
    """The file named by *ref* (``sha256:<hex>`` or the bare hex digest).

    :raise NotFound: no such file
    """
    match = REF_RE.match(ref) or re.match(r'^([0-9a-f]{64})$', ref or '')
    row = session.scalar(sa.select(EvidenceFile).where(EvidenceFile.sha256 == match.group(1))) if match else None
    if row is None:
        raise NotFound('evidence.not_found', 'Không tìm thấy tệp minh chứng.', 'No such evidence file.',
                       field='file')
    return row


# --- who may attach and see a file -----------------------------------------------------------------------

def refs_in(value: Any) -> set[str]:  # noqa: ANN401
    """The digests an answer, a finding's or a report's evidence refers to: every string that is exactly
    ``sha256:<hex>``, at any depth. This is what the pages serve."""
    if isinstance(value, str):
        match = REF_RE.match(value)
        return {match.group(1)} if match else set()
    if isinstance(value, dict):
        return set().union(*(refs_in(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(refs_in(v) for v in value)) if value else set()
    return set()


def mentions(value: Any, path: str = '') -> Iterator[tuple[str, str]]:  # noqa: ANN401
    """``(digest, field)`` for every ``sha256:<hex>`` written anywhere in *value* (keys and texts included, in
    any case), the field in dot notation (``roster.0.photo``, ``findings.1.evidence.0``)."""
    if isinstance(value, str):
        for match in MENTION_RE.finditer(value):
            yield match.group(1).lower(), path
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f'{path}.{key}' if path else str(key)
            if isinstance(key, str):
                yield from mentions(key, sub)
            yield from mentions(item, sub)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from mentions(item, f'{path}.{index}' if path else str(index))


def _file_id(session: Session, digest: str) -> int | None:
    return session.scalar(sa.select(EvidenceFile.id).where(EvidenceFile.sha256 == digest))


def _holders_seen(session: Session, user, digest: str) -> bool:  # noqa: ANN001
    """*user* may see a visit, a finding or a follow-up report that holds the file (by :func:`refs_in`)."""
    from inspect_flow.accounts import access
    from inspect_flow.findings.models import Finding, FollowUpReport
    from inspect_flow.plans.models import Plan
    from inspect_flow.visits.models import HouseholdConsultation, Visit

    needle = f'%sha256:{digest}%'

    def like(column):  # noqa: ANN001, ANN202
        return sa.cast(column, sa.Text).like(needle)

    for visit in session.scalars(sa.select(Visit).where(like(Visit.answers))):
        if digest in refs_in(visit.answers) and access.can_view_visit(user, visit):
            return True
    for household in session.scalars(sa.select(HouseholdConsultation).where(like(HouseholdConsultation.answers))):
        if digest in refs_in(household.answers) and access.can_view_visit(user, household.visit):
            return True
    for finding in session.scalars(sa.select(Finding).where(like(Finding.evidence))):
        if digest in refs_in(finding.evidence) and \
                access.can_view_finding(user, finding, session.get(Plan, finding.plan_id)):
            return True
    for report in session.scalars(sa.select(FollowUpReport).where(like(FollowUpReport.evidence))):
        rec = report.recommendation
        if digest in refs_in(report.evidence) and \
                access.can_view_recommendation(user, rec, session.get(Plan, rec.plan_id)):
            return True
    return False


def can_attach(session: Session, user, digest: str) -> bool:  # noqa: ANN001
    """*user* may attach the stored file *digest* (and see it): they uploaded its bytes, or they may see an
    object that already holds it. A file that is not stored cannot be attached (nobody could see it, and a
    reference kept ahead of an upload would let its writer see the file once someone sends it)."""
    if user is None or not user.is_active:
        return False
    file_id = _file_id(session, digest)
    if file_id is None:
        return False
    uploaded = sa.select(EvidenceUpload.id).where(EvidenceUpload.evidence_id == file_id,
                                                  EvidenceUpload.user_id == user.id)
    if session.scalar(uploaded) is not None:
        return True
    return _holders_seen(session, user, digest)


def check_attachable(session: Session, user, value: Any, *, field: str = '', held: Iterable[str] = ()) -> None:  # noqa: ANN001, ANN401
    """Refuse *value* (answers, a list of evidence, a whole submission) if it refers to a file *user* may not
    attach (:func:`can_attach`). *held*: digests the edited object holds already (they stay).

    :raise InvalidInput: ``evidence.not_found``, naming the field; a file that is not stored and a file the
        user may not see are refused alike
    """
    held = set(held)
    decided: dict[str, bool] = {}
    for digest, path in mentions(value, field):
        if digest in held:
            continue
        if digest not in decided:
            decided[digest] = can_attach(session, user, digest)
        if not decided[digest]:
            raise InvalidInput('evidence.not_found',
                               'Không tìm thấy tệp minh chứng này trong các tệp bạn đã tải lên hoặc được xem; '
                               'hãy tải tệp lên.',
                               'This evidence file is not among the files you uploaded or may see; upload the file.',
                               field=path or 'evidence')


def visible_evidence(session: Session, user, ref: str) -> EvidenceFile:  # noqa: ANN001
    """The file named by *ref*, if *user* may see it (:func:`can_attach`).

    :raise NotFound: no such file, or not the user's to see (alike)
    """
    row = get_evidence(session, ref)
    if not can_attach(session, user, row.sha256):
        raise NotFound('evidence.not_found', 'Không tìm thấy tệp minh chứng.', 'No such evidence file.',
                       field='file')
    return row


def upload_name(session: Session, user, row: EvidenceFile) -> str:  # noqa: ANN001
    """The name *user* gave the file when they uploaded it, else the name it was first stored under."""
    if user is not None:
        name = session.scalar(sa.select(EvidenceUpload.original_name).where(
            EvidenceUpload.evidence_id == row.id, EvidenceUpload.user_id == user.id))
        if name is not None:
            return name
    return row.original_name
