"""Real files crafted for the evidence tests: PDFs with and without active content (built with pikepdf),
JPEGs carrying metadata in every place a JPEG can hold text."""

from __future__ import annotations

import io
import struct

import pikepdf
from PIL import Image

GPS_TEXT = b'GPS 10.2419N 106.3758E nha ong Nguyen Van A'
GPS_IFD = 0x8825


def _save(pdf: pikepdf.Pdf, **kw) -> bytes:  # noqa: ANN003
    out = io.BytesIO()
    pdf.save(out, **kw)
    return out.getvalue()


def plain_pdf(text: str = 'Bien ban') -> bytes:
    """A one-page PDF with a line of text, nothing active."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.pages[0]
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(f'BT /F1 12 Tf 72 770 Td ({text}) Tj ET'.encode())
    return _save(pdf)


def _with(build) -> bytes:  # noqa: ANN001
    pdf = pikepdf.open(io.BytesIO(plain_pdf()))
    kw = build(pdf) or {}
    return _save(pdf, **kw)


def _js_action(pdf: pikepdf.Pdf, script: str = "app.alert('x')") -> pikepdf.Object:
    return pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(script)))


def pdf_open_action_js() -> bytes:
    def build(pdf):  # noqa: ANN001, ANN202
        pdf.Root.OpenAction = _js_action(pdf)
    return _with(build)


def pdf_names_javascript() -> bytes:
    """Document-level JavaScript in the /Names tree."""
    def build(pdf):  # noqa: ANN001, ANN202
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String('init'), _js_action(pdf)])))
    return _with(build)


def pdf_page_aa() -> bytes:
    """A page-open automatic action (/AA /O) that runs JavaScript."""
    def build(pdf):  # noqa: ANN001, ANN202
        pdf.pages[0].AA = pikepdf.Dictionary(O=_js_action(pdf))
    return _with(build)


def pdf_launch_link() -> bytes:
    """A link annotation that launches a program."""
    def build(pdf):  # noqa: ANN001, ANN202
        action = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String('cmd.exe'))
        link = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                                    Rect=[0, 0, 100, 100], A=action))
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([link]))
    return _with(build)


def pdf_embedded_file() -> bytes:
    def build(pdf):  # noqa: ANN001, ANN202
        pdf.attachments['payload.exe'] = pikepdf.AttachedFileSpec(pdf, b'MZ\x90\x00 not really',
                                                                  mime_type='application/octet-stream')
    return _with(build)


def pdf_js_in_object_stream() -> bytes:
    """JavaScript inside a compressed object stream: not visible in the raw bytes."""
    def build(pdf):  # noqa: ANN001, ANN202
        pdf.Root.OpenAction = _js_action(pdf)
        return {'object_stream_mode': pikepdf.ObjectStreamMode.generate, 'compress_streams': True}
    data = _with(build)
    assert b'/JavaScript' not in data and b'/JS' not in data  # the check must really read the objects
    return data


def pdf_hex_escaped_js() -> bytes:
    """A page's automatic JavaScript with every name hex-escaped (``/J#53`` is ``/JS``): a classic way around
    byte scans."""
    data = pdf_page_aa()
    for name, escaped in ((b'/JavaScript', b'/Java#53cript'), (b'/JS', b'/J#53'), (b'/AA', b'/A#41')):
        assert name in data
        data = data.replace(name, escaped)
    assert b'/JS' not in data and b'/AA' not in data and b'/JavaScript' not in data
    return data


def pdf_open_action_goto() -> bytes:
    """An /OpenAction that only opens the first page fitted to the window (Word exports do this): harmless."""
    def build(pdf):  # noqa: ANN001, ANN202
        pdf.Root.OpenAction = pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit])
    return _with(build)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack('>BBH', 0xFF, marker, len(payload) + 2) + payload


def _icc_with_text(text: bytes) -> bytes:
    """An sRGB ICC profile whose description carries *text* (profiles have free-text tags)."""
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes()
    return profile + text  # trailing bytes after the tag table: still read as a profile by littleCMS


def jpeg_with_everything(size=(64, 48), orientation: int | None = None) -> bytes:  # noqa: ANN001
    """A JPEG with GPS text in a COM comment, EXIF (GPS IFD and a text field), XMP and an ICC profile."""
    image = Image.new('RGB', size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = 'Phone maker'
    exif[0x010E] = GPS_TEXT.decode()  # ImageDescription
    exif[GPS_IFD] = {1: 'N', 2: (10.0, 14.0, 31.0), 3: 'E', 4: (106.0, 22.0, 30.0)}
    if orientation:
        exif[0x0112] = orientation
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           b'<rdf:Description exif:GPSLatitude="10,14.5N" dc:description="' + GPS_TEXT + b'"/></rdf:RDF></x:xmpmeta>')
    out = io.BytesIO()
    image.save(out, 'JPEG', exif=exif.tobytes(), comment=GPS_TEXT, xmp=xmp, icc_profile=_icc_with_text(GPS_TEXT))
    data = out.getvalue()
    # one more comment and an application segment, written by hand after SOI
    extra = _segment(0xFE, b'second comment ' + GPS_TEXT) + _segment(0xEB, b'vendor ' + GPS_TEXT)
    return data[:2] + extra + data[2:]


def jpeg_segments(data: bytes) -> list[int]:
    """The markers of a JPEG's segments up to the start of scan (APPn = 0xE0…0xEF, COM = 0xFE)."""
    markers, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        pos += 2 + struct.unpack('>H', data[pos + 2:pos + 4])[0]
    return markers


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text('Comment', GPS_TEXT.decode())
    info.add_itxt('Description', GPS_TEXT.decode(), zip=True)
    exif = Image.Exif()
    exif[0x010E] = GPS_TEXT.decode()
    out = io.BytesIO()
    Image.new('RGB', (40, 30), (0, 90, 200)).save(out, 'PNG', pnginfo=info, exif=exif.tobytes(),
                                                  icc_profile=_icc_with_text(GPS_TEXT))
    return out.getvalue()


def webp_with_text() -> bytes:
    exif = Image.Exif()
    exif[0x010E] = GPS_TEXT.decode()
    out = io.BytesIO()
    Image.new('RGB', (40, 30), (0, 120, 60)).save(out, 'WEBP', exif=exif.tobytes(), xmp=b'<x>' + GPS_TEXT + b'</x>',
                                                  icc_profile=_icc_with_text(GPS_TEXT))
    return out.getvalue()


def truncated_jpeg(size=(320, 240)) -> bytes:  # noqa: ANN001
    """A real photo-like JPEG cut off in its scan data (no end-of-image marker)."""
    import random

    rnd = random.Random(7)
    image = Image.new('RGB', size)
    image.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(size[0] * size[1])])
    out = io.BytesIO()
    image.save(out, 'JPEG', quality=90)
    data = out.getvalue()
    return data[:len(data) * 2 // 3]


def truncated_png(size=(200, 150)) -> bytes:  # noqa: ANN001
    import random

    rnd = random.Random(8)
    image = Image.new('RGB', size)
    image.putdata([(rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)) for _ in range(size[0] * size[1])])
    out = io.BytesIO()
    image.save(out, 'PNG')
    data = out.getvalue()
    return data[:len(data) // 2]
