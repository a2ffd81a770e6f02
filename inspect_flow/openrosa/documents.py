"""The XML documents of OpenRosa 1.0: the form list, a form's manifest, and the response to a submission."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from inspect_flow.openrosa.forms import XForm, md5_hash

XFORMS_LIST_NS = 'http://openrosa.org/xforms/xformsList'
MANIFEST_NS = 'http://openrosa.org/xforms/xformsManifest'
RESPONSE_NS = 'http://openrosa.org/http/response'
#: The header every OpenRosa answer carries, and its value.
VERSION_HEADER = ('X-OpenRosa-Version', '1.0')
CONTENT_TYPE = 'text/xml; charset=utf-8'


def _text(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding='utf-8', xml_declaration=True)


def form_list(forms: Iterable[tuple[XForm, str, str | None]]) -> bytes:
    """The ``xformsList`` of *forms*: ``(form, download URL, manifest URL or None)`` each."""
    root = ET.Element('xforms', xmlns=XFORMS_LIST_NS)
    for form, download_url, manifest_url in forms:
        entry = ET.SubElement(root, 'xform')
        _text(entry, 'formID', form.form_id)
        _text(entry, 'name', form.name)
        _text(entry, 'version', form.version)
        _text(entry, 'hash', form.hash)
        _text(entry, 'downloadUrl', download_url)
        if manifest_url is not None:
            _text(entry, 'manifestUrl', manifest_url)
    return _bytes(root)


def manifest(media: Iterable[tuple[str, bytes, str]]) -> bytes:
    """The ``manifest`` of a form's media: ``(file name, bytes, download URL)`` each."""
    root = ET.Element('manifest', xmlns=MANIFEST_NS)
    for name, data, url in media:
        entry = ET.SubElement(root, 'mediaFile')
        _text(entry, 'filename', name)
        _text(entry, 'hash', md5_hash(data))
        _text(entry, 'downloadUrl', url)
    return _bytes(root)


def response(message: str, *, nature: str = 'submit_success') -> bytes:
    """An ``OpenRosaResponse`` carrying *message* (``nature``: ``submit_success`` or ``error``)."""
    root = ET.Element('OpenRosaResponse', xmlns=RESPONSE_NS)
    ET.SubElement(root, 'message', nature=nature).text = message
    return _bytes(root)
