"""A checklist spelled in NFD (a file saved by another editor, an XLSForm from another machine) is the same
checklist as its NFC copy: the same content, the same SHA-256 a plan pins."""

from __future__ import annotations

import unicodedata

import openpyxl
import pytest

from inspect_flow.checklist import Checklist, load_checklist
from inspect_flow.checklist.xlsform import export_xlsform, import_xlsform

from .conftest import SHIPPED_DIR

SHIPPED = sorted(SHIPPED_DIR.glob('*.yaml'))


def _nfd(text: str) -> str:
    return unicodedata.normalize('NFD', text)


@pytest.mark.parametrize('path', SHIPPED, ids=[p.stem for p in SHIPPED])
def test_an_nfd_copy_of_a_checklist_file_has_the_same_sha256(tmp_path, path) -> None:  # noqa: ANN001
    text = path.read_text('utf-8')
    assert unicodedata.is_normalized('NFC', text) and _nfd(text) != text  # the copies really differ
    (tmp_path / 'nfc.yaml').write_text(text, 'utf-8')
    (tmp_path / 'nfd.yaml').write_bytes(_nfd(text).encode('utf-8'))
    nfc_copy, nfd_copy = load_checklist(tmp_path / 'nfc.yaml'), load_checklist(tmp_path / 'nfd.yaml')
    assert nfd_copy.sha256 == nfc_copy.sha256 == load_checklist(path).sha256
    assert nfd_copy.to_dict() == nfc_copy.to_dict()
    assert nfd_copy.title.vi == unicodedata.normalize('NFC', nfd_copy.title.vi)


def test_plain_data_in_nfd_rebuilds_the_same_checklist() -> None:
    checklist = load_checklist(SHIPPED[0])

    def nfd_all(value):  # noqa: ANN001, ANN202
        if isinstance(value, str):
            return _nfd(value)
        if isinstance(value, dict):
            return {k: nfd_all(v) for k, v in value.items()}
        if isinstance(value, list):
            return [nfd_all(v) for v in value]
        return value

    data = nfd_all(checklist.to_dict())
    assert data != checklist.to_dict()
    assert Checklist.from_dict(data).sha256 == checklist.sha256


def test_an_xlsform_typed_in_nfd_imports_as_the_same_checklist(tmp_path) -> None:  # noqa: ANN001
    checklist = load_checklist(SHIPPED_DIR / 'poverty-supervision.yaml')
    form = export_xlsform(checklist, tmp_path / 'nfc.xlsx')
    book = openpyxl.load_workbook(form)
    changed = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and _nfd(cell.value) != cell.value:
                    cell.value = _nfd(cell.value)
                    changed += 1
    assert changed > 50
    book.save(tmp_path / 'nfd.xlsx')
    from_nfc, _ = import_xlsform(form)
    from_nfd, _ = import_xlsform(tmp_path / 'nfd.xlsx')
    assert Checklist.from_dict(from_nfd).sha256 == Checklist.from_dict(from_nfc).sha256 == checklist.sha256
