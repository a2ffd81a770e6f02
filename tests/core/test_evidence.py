"""Evidence uploads: stored once per content hash, type from the bytes, photos without GPS data."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from inspect_flow.core.errors import InvalidInput, NotFound
from inspect_flow.evidence.models import EvidenceFile
from inspect_flow.evidence.operations import get_evidence, store_evidence
from tests import crafted_files as crafted

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
    pdf = crafted.plain_pdf()
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


# --- file hygiene (issue 18, item 7) ------------------------------------------------------------------------

def _stored_bytes(session, row) -> bytes:  # noqa: ANN001
    """The bytes as the database holds them (read back, not the object in memory)."""
    session.flush()
    session.expire(row)
    return session.scalar(sa.select(EvidenceFile.data).where(EvidenceFile.id == row.id))


@pytest.mark.parametrize(('make', 'media_type'), [
    (lambda: crafted.jpeg_with_everything(orientation=6), 'image/jpeg'),
    (crafted.png_with_text, 'image/png'),
    (crafted.webp_with_text, 'image/webp'),
])
def test_no_metadata_survives_the_re_encoding(session, make, media_type) -> None:  # noqa: ANN001
    original = make()
    assert crafted.GPS_TEXT in original or crafted.GPS_TEXT in Image.open(io.BytesIO(original)).info.get(
        'Description', '').encode()  # the fixture carries the text
    row = store_evidence(session, original, actor='tv')
    data = _stored_bytes(session, row)
    assert row.media_type == media_type
    for needle in (crafted.GPS_TEXT, b'GPS 10.24', b'Phone maker', b'Exif', b'xmpmeta', b'acsp', b'ICC_PROFILE',
                   b'tEXt', b'iTXt', b'zTXt', b'eXIf', b'XMP ', b'ICCP', b'EXIF'):
        assert needle not in data, needle
    stored = Image.open(io.BytesIO(data))
    assert not stored.info.get('icc_profile') and not stored.getexif()
    if media_type == 'image/jpeg':
        # only the JFIF header, quantization and Huffman tables, the frame and the scan: no COM, no other APPn
        assert set(crafted.jpeg_segments(data)) <= {0xE0, 0xDB, 0xC0, 0xC4, 0xDA}
        assert 'comment' not in stored.info
        assert stored.size == (48, 64)  # the orientation was applied before the EXIF went


def test_truncated_images_are_refused_while_weasyprint_is_imported(session) -> None:  # noqa: ANN001
    import weasyprint  # noqa: F401  (its import turns Pillow's LOAD_TRUNCATED_IMAGES on, process-wide)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    for data in (crafted.truncated_jpeg(), crafted.truncated_png()):
        with Image.open(io.BytesIO(data)) as relaxed:
            relaxed.load()  # Pillow alone accepts it under WeasyPrint's setting: the check must not rely on it
        with pytest.raises(InvalidInput) as err:
            store_evidence(session, data, filename='cut.jpg', actor='tv')
        assert err.value.code == 'evidence.broken_image' and err.value.field == 'file'
    assert _count(session) == 0
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for WeasyPrint
    whole = crafted.jpeg_with_everything()
    assert store_evidence(session, whole, actor='tv').media_type == 'image/jpeg'


def test_the_strict_check_restores_the_flag_across_overlapping_threads() -> None:
    import threading

    from PIL import ImageFile

    from inspect_flow.evidence.operations import strict_decoding

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    inside = threading.Barrier(4)
    seen = []

    def check() -> None:
        with strict_decoding():
            inside.wait(5)
            seen.append(ImageFile.LOAD_TRUNCATED_IMAGES)
            inside.wait(5)

    threads = [threading.Thread(target=check) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False] * 4 and ImageFile.LOAD_TRUNCATED_IMAGES is True


@pytest.mark.parametrize(('make', 'what'), [
    (crafted.pdf_open_action_js, 'automatic action'),
    (crafted.pdf_names_javascript, 'JavaScript'),
    (crafted.pdf_page_aa, 'automatic actions'),
    (crafted.pdf_launch_link, 'Launch'),
    (crafted.pdf_embedded_file, 'embedded files'),
    (crafted.pdf_js_in_object_stream, 'automatic action'),
    (crafted.pdf_hex_escaped_js, 'automatic actions'),
])
def test_pdfs_with_active_content_are_refused(session, make, what) -> None:  # noqa: ANN001
    with pytest.raises(InvalidInput) as err:
        store_evidence(session, make(), filename='bien-ban.pdf', actor='tv')
    assert err.value.code == 'evidence.pdf_active' and err.value.field == 'file'
    assert what in err.value.message_en and 'JavaScript' in err.value.message_vi
    assert _count(session) == 0


@pytest.mark.parametrize('make', [crafted.plain_pdf, crafted.pdf_open_action_goto])
def test_plain_pdfs_are_stored_as_sent(session, make) -> None:  # noqa: ANN001
    data = make()
    row = store_evidence(session, data, filename='bien-ban.pdf', actor='tv')
    assert _stored_bytes(session, row) == data  # unchanged: a signed document keeps its signature


def test_a_weasyprint_pdf_with_links_is_accepted_and_broken_or_locked_pdfs_are_refused(session) -> None:  # noqa: ANN001
    import pikepdf
    import weasyprint

    made = weasyprint.HTML(string='<p>Biên bản <a href="https://example.org">liên kết</a></p>').write_pdf()
    assert store_evidence(session, made, actor='tv').media_type == 'application/pdf'
    locked = io.BytesIO()
    with pikepdf.open(io.BytesIO(crafted.plain_pdf())) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner='o', user='u'))
    for data, code in ((locked.getvalue(), 'evidence.pdf_encrypted'),
                       (b'%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n', 'evidence.pdf_broken')):
        with pytest.raises(InvalidInput) as err:
            store_evidence(session, data, actor='tv')
        assert err.value.code == code


# --- who may attach and see a file (issue 18, item 1) -------------------------------------------------------

def test_mentions_find_every_reference_and_name_its_field() -> None:
    from inspect_flow.evidence.operations import mentions, refs_in

    a, b = 'a' * 64, 'b' * 64
    value = {'photo': f'sha256:{a}', 'roster': [{'x': 1}, {'pic': f'xem SHA256:{b.upper()} nhé'}],
             f'sha256:{b}': 'key'}
    assert sorted(mentions(value, 'answers')) == [(a, 'answers.photo'), (b, 'answers.roster.1.pic'),
                                                 (b, f'answers.sha256:{b}')]
    assert refs_in(value) == {a}  # what is served: exact references only


def test_a_finding_that_holds_a_file_lets_those_who_see_it_attach_it(session) -> None:  # noqa: ANN001
    from inspect_flow.accounts.models import Role
    from inspect_flow.accounts.operations import create_user, use_fast_hashing
    from inspect_flow.evidence.operations import can_attach, visible_evidence
    from inspect_flow.findings import operations as f_ops
    from inspect_flow.findings.models import FindingKind
    from tests import builders

    use_fast_hashing()
    plan = builders.plan_at(session, 'findings', complete=False)
    team_of = {v.team.number: v for v in plan.visits}
    members = {n: next(m.person for m in v.team.members if m.role.value == 'member') for n, v in team_of.items()}
    one = create_user(session, username='tv-doan-1', password='mat-khau-1', role=Role.team_member,
                      full_name='Thành viên 1', person=members[1])
    two = create_user(session, username='tv-doan-2', password='mat-khau-2', role=Role.team_member,
                      full_name='Thành viên 2', person=members[2])
    row = store_evidence(session, crafted.plain_pdf('Ho so'), actor='cli')  # no uploader: the command line
    assert not can_attach(session, one, row.sha256) and not can_attach(session, two, row.sha256)
    held = f_ops.add_finding(session, plan, visit=team_of[1], kind=FindingKind.limitation, category='Hồ sơ',
                             text='Thiếu biên bản.', evidence=[row.ref], actor='cli')
    assert can_attach(session, one, row.sha256) and visible_evidence(session, one, row.ref) is row
    assert not can_attach(session, two, row.sha256)
    with pytest.raises(NotFound):
        visible_evidence(session, two, row.ref)
    mine = builders.finding(session, plan, team_of[2])
    with pytest.raises(InvalidInput) as err:
        f_ops.update_finding(session, mine, {'evidence': ['Sổ theo dõi', row.ref]}, actor='api:tv-doan-2', by=two)
    assert (err.value.code, err.value.field) == ('evidence.not_found', 'evidence.1') and mine.evidence == []
    with pytest.raises(InvalidInput) as err:
        f_ops.add_finding(session, plan, visit=team_of[2], kind=FindingKind.limitation, category='Hồ sơ',
                          text='Khác.', evidence=[row.ref], actor='api:tv-doan-2', by=two)
    assert err.value.field == 'findings.0.evidence.0'
    f_ops.update_finding(session, held, {'evidence': [row.ref, 'Sổ theo dõi']}, actor='api:tv-doan-1', by=one)
    one.is_active = False
    assert not can_attach(session, one, row.sha256)


def test_a_palette_png_keeps_its_transparency_without_its_metadata(session) -> None:  # noqa: ANN001
    from PIL import PngImagePlugin

    image = Image.new('P', (10, 10), 0)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    info = PngImagePlugin.PngInfo()
    info.add_text('Comment', crafted.GPS_TEXT.decode())
    out = io.BytesIO()
    image.save(out, 'PNG', transparency=0, pnginfo=info)
    data = _stored_bytes(session, store_evidence(session, out.getvalue(), actor='tv'))
    stored = Image.open(io.BytesIO(data))
    assert stored.convert('RGBA').getpixel((0, 0))[3] == 0  # still transparent
    assert crafted.GPS_TEXT not in data and b'tEXt' not in data
