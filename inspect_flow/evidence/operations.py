"""Storing evidence: size limit, type from the bytes (never from the name or the client's header),
photos re-encoded without metadata, one row per content hash."""

from __future__ import annotations

import hashlib
import io
import re

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.evidence.models import EvidenceFile

#: The largest upload accepted, in bytes (a phone photo is 2–6 MB).
MAX_BYTES = 10 * 1024 * 1024
#: The longest side a stored photo keeps, in pixels (enough to read a document photographed on site).
MAX_SIDE = 2560
#: Refuse images that would decode to more pixels than this (decompression bombs).
MAX_PIXELS = 40_000_000

IMAGE_TYPES = {'image/jpeg': 'JPEG', 'image/png': 'PNG', 'image/webp': 'WEBP'}
DOCUMENT_TYPES = {'application/pdf'}
REF_RE = re.compile(r'^sha256:([0-9a-f]{64})$')


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


def _reencode(data: bytes, media_type: str) -> tuple[bytes, int, int]:
    """Decode and re-encode an image: orientation applied, EXIF (GPS included), XMP and comments dropped."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise _refuse('evidence.too_many_pixels', 'Ảnh quá lớn (quá nhiều điểm ảnh).',
                              'The image has too many pixels.')
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse('evidence.broken_image', 'Tệp ảnh bị hỏng hoặc không đọc được.',
                      'The image is damaged or cannot be read.') from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    fmt = IMAGE_TYPES[media_type]
    if fmt == 'JPEG' and image.mode not in ('RGB', 'L'):
        image = image.convert('RGB')
    out = io.BytesIO()
    options = {'quality': 85, 'optimize': True} if fmt in ('JPEG', 'WEBP') else {'optimize': True}
    image.info.pop('exif', None)
    image.save(out, fmt, **options)  # no exif= / pnginfo= given: nothing of the original metadata is written
    return out.getvalue(), image.width, image.height


def store_evidence(session: Session, data: bytes, *, filename: str = '', actor: str,
                   max_bytes: int = MAX_BYTES, images_only: bool = False) -> EvidenceFile:
    """Store *data* once and return its row; the same bytes sent again return the first row.

    :raise InvalidInput: empty, too large, not an accepted type (JPEG, PNG, WebP photos; PDF documents),
        or a damaged image
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
    existing = session.scalar(sa.select(EvidenceFile).where(EvidenceFile.sha256 == digest))
    if existing is not None:
        return existing
    width = height = None
    stored = data
    if media_type in IMAGE_TYPES:
        stored, width, height = _reencode(data, media_type)
    row = EvidenceFile(sha256=digest, stored_sha256=hashlib.sha256(stored).hexdigest(), media_type=media_type,
                       size=len(stored), original_name=(filename or '')[-255:], width=width, height=height,
                       data=stored, created_by=actor)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        # Another request stored the same bytes in the meantime: use its row.
        return session.scalar(sa.select(EvidenceFile).where(EvidenceFile.sha256 == digest))
    return row


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
