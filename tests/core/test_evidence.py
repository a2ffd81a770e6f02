"""Evidence uploads: stored once per content hash, type from the bytes, photos without GPS data."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.evidence.models import EvidenceFile
from inspect_flow.evidence.operations import get_evidence, store_evidence

GPS_IFD = 0x8825


def _jpeg_with_gps(size=(64, 48), orientation: int | None = None) -> bytes:  # noqa: ANN001
    image = Image.new('RGB', size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = 'Phone maker'  # Make
    exif[GPS_IFD] = {1: 'N', 2: (10.0, 14.0, 31.0), 3: 'E', 4: (106.0, 22.0, 30.0)}  # Bến Tre
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, 'JPEG', exif=exif.tobytes())
    return out.getvalue()


def _count(session) -> int:  # noqa: ANN001
    return session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile))


def test_a_photo_loses_its_gps_data_and_keeps_its_picture(session) -> None:  # noqa: ANN001
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the fixture really carries GPS
    row = store_evidence(session, original, filename='anh-buoi-lam-viec.jpg', actor='tv')
    stored = Image.open(io.BytesIO(row.data))
    assert stored.format == 'JPEG' and stored.size == (64, 48)
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert b'Phone maker' not in row.data
    assert row.media_type == 'image/jpeg' and row.ref == f'sha256:{row.sha256}'
    assert row.stored_sha256 != row.sha256


def test_orientation_is_applied_before_the_metadata_goes(session) -> None:  # noqa: ANN001
    row = store_evidence(session, _jpeg_with_gps((64, 48), orientation=6), actor='tv')  # rotated 90°
    assert (row.width, row.height) == (48, 64)


def test_the_same_bytes_twice_are_stored_once(session) -> None:  # noqa: ANN001
    data = _jpeg_with_gps()
    first = store_evidence(session, data, filename='a.jpg', actor='tv')
    again = store_evidence(session, data, filename='a-gui-lai.jpg', actor='tv')
    assert again.id == first.id and _count(session) == 1
    assert get_evidence(session, first.ref).id == first.id
    assert get_evidence(session, first.sha256).id == first.id


def test_png_and_pdf_are_accepted(session) -> None:  # noqa: ANN001
    out = io.BytesIO()
    Image.new('RGBA', (10, 10), (0, 0, 255, 128)).save(out, 'PNG')
    assert store_evidence(session, out.getvalue(), actor='tv').media_type == 'image/png'
    pdf = b'%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'
    row = store_evidence(session, pdf, filename='bien-ban.pdf', actor='tv')
    assert row.media_type == 'application/pdf' and row.data == pdf


@pytest.mark.parametrize(('data', 'code', 'kw'), [
    (b'', 'evidence.empty', {}),
    (b'<html><script>alert(1)</script></html>', 'evidence.bad_type', {}),
    (b'MZ\x90\x00 pretending to be a photo', 'evidence.bad_type', {}),
    (b'%PDF-1.4 a document where only photos go', 'evidence.bad_type', {'images_only': True}),
    (b'\xff\xd8\xff\xe0 truncated jpeg', 'evidence.broken_image', {}),
    (b'%PDF-' + b'x' * 2048, 'evidence.too_large', {'max_bytes': 1024}),
])
def test_bad_uploads_are_refused_and_nothing_is_stored(session, data, code, kw) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as err:
        store_evidence(session, data, filename='photo.jpg', actor='tv', **kw)
    assert err.value.code == code and err.value.field == 'file'
    assert _count(session) == 0


def test_unknown_reference_is_not_found(session) -> None:  # noqa: ANN001
    for ref in ('sha256:' + '0' * 64, 'nonsense', ''):
        with pytest.raises(NotFound):
            get_evidence(session, ref)


@pytest.mark.parametrize(('limit', 'vi', 'en'), [
    (10 * 1024 * 1024, 'tối đa 10 MB', 'at most 10 MB'),
    (1536 * 1024, 'tối đa 1,5 MB', 'at most 1.5 MB'),
    (512 * 1024, 'tối đa 512 KB', 'at most 512 KB'),
    (100, 'tối đa 100 byte', 'at most 100 bytes'),
])
def test_the_size_limit_is_stated_in_units_a_person_reads(session, limit, vi, en) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as err:
        store_evidence(session, b'%PDF-' + b'x' * limit, actor='tv', max_bytes=limit)
    assert vi in err.value.message_vi and en in err.value.message_en
