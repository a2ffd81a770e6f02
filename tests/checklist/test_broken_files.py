"""The corpus of broken checklist files: each one is refused with its own clear error.

tests/checklist/broken/ holds one file per defect; broken/expected.json holds, for each, the error code,
the line, the field and the exact message in Vietnamese and in English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from inspect_flow.checklist import ChecklistFileError, load_checklist, parse_checklist_text
from inspect_flow.checklist.errors import ChecklistError
from inspect_flow.core.errors import LANGUAGE, DomainError, InvalidInput

BROKEN = Path(__file__).parent / 'broken'
TABLE = json.loads((BROKEN / 'expected.json').read_text(encoding='utf-8'))['files']
FILES = sorted(p.name for p in BROKEN.glob('*.yaml'))


def test_the_corpus_and_the_table_name_the_same_files():
    assert len(FILES) >= 12
    assert FILES == sorted(TABLE)


def test_every_file_has_a_different_defect():
    # Two entries with the same message would mean two files test the same thing.
    assert len({entry['en'] for entry in TABLE.values()}) == len(TABLE)
    assert len({entry['defect'] for entry in TABLE.values()}) == len(TABLE)


@pytest.mark.parametrize('name', FILES)
def test_the_file_is_refused_with_its_exact_error(name):
    expected = TABLE[name]
    with pytest.raises(ChecklistFileError) as info:
        load_checklist(BROKEN / name)
    exc = info.value
    assert (exc.code, exc.line, exc.field) == (expected['code'], expected['line'], expected['field'])
    assert exc.message_vi == expected['vi']
    assert exc.message_en == expected['en']
    assert exc.path == str(BROKEN / name)
    # A user error, not a crash: the front ends show it and exit non-zero.
    assert isinstance(exc, ChecklistError | InvalidInput | DomainError)
    assert exc.status == 422


@pytest.mark.parametrize('name', FILES)
def test_the_message_names_the_file_the_line_and_the_field(name):
    expected = TABLE[name]
    vi, en = expected['vi'], expected['en']
    assert vi.startswith(f'Tệp {name}, dòng {expected["line"]}')
    assert en.startswith(f'File {name}, line {expected["line"]}')
    if expected['field'] is not None:
        assert f', trường {expected["field"]}: ' in vi
        assert f', field {expected["field"]}: ' in en
    # No Python internals leak into the message.
    for text in (vi, en):
        assert 'Traceback' not in text and 'pydantic' not in text.lower() and 'ValidationError' not in text


@pytest.mark.parametrize('name', [n for n in FILES if TABLE[n]['field']])
def test_the_line_is_where_the_field_is_written(name):
    """The reported line holds the field's key (or, for a missing key, the mapping that lacks it)."""
    expected = TABLE[name]
    lines = (BROKEN / name).read_text(encoding='utf-8').splitlines()
    line = lines[expected['line'] - 1]
    keys = [p for p in re.split(r'[.\[\]]', expected['field']) if p and not p.isdigit()]
    if expected['code'] == 'checklist.missing_field':
        # The key is not written: the line opens the mapping that lacks it.
        assert line.lstrip().startswith('- ') or expected['line'] == 1, line
    else:
        # The last key, or its parent for shorthand such as ``text: …`` standing for ``text: {vi: …}``.
        assert any(re.search(rf'(^|[\s{{,-]){re.escape(k)}\b', line) for k in keys[-2:]), (keys, line)


@pytest.mark.parametrize('lang', ['vi', 'en'])
def test_the_language_follows_the_front_end(lang):
    expected = TABLE['unknown_type.yaml']
    token = LANGUAGE.set(lang)
    try:
        with pytest.raises(ChecklistFileError) as info:
            load_checklist(BROKEN / 'unknown_type.yaml')
        assert str(info.value) == expected[lang]
        assert info.value.message == expected[lang]
    finally:
        LANGUAGE.reset(token)


def test_the_error_lists_every_problem_in_file_order():
    text = """\
id: many-problems
version: "1"
title: Nhiều lỗi
sections:
  - id: policies
    label: Chính sách
    items:
      - id: loans_used_for_purpose
        type: yes_no
        label: Vốn vay đúng mục đích
        relevant: ${loan_households} > 0
      - id: loan_households
        type: integer
        label: Số hộ vay vốn
      - id: remarks
        type: text
        label: Nhận xét
        weight: 1
      - id: coordination
        type: select_one
        label: Phối hợp
"""
    with pytest.raises(ChecklistFileError) as info:
        parse_checklist_text(text, path='many.yaml')
    exc = info.value
    assert [(d['line'], d['code'], d['field']) for d in exc.details] == [
        (11, 'checklist.later_reference', 'sections[0].items[0].relevant'),
        (18, 'checklist.field_not_allowed', 'sections[0].items[2].weight'),
        (19, 'checklist.missing_field', 'sections[0].items[3].choices'),
    ]
    assert exc.line == 11
    assert all(d['message'] and d['message_en'] for d in exc.details)


def test_content_without_a_file_names_the_field_but_no_file_or_line():
    from inspect_flow.checklist import Checklist

    with pytest.raises(ChecklistError) as info:
        Checklist.from_dict({'id': 'x', 'version': '1', 'title': 'X', 'sections': [
            {'id': 's', 'label': 'S', 'items': [{'id': 'a', 'type': 'checkbox', 'label': 'A'}]}]})
    assert info.value.message_en.startswith("Field sections[0].items[0].type: unknown item type 'checkbox'")
    assert info.value.message_vi.startswith("Trường sections[0].items[0].type: loại mục 'checkbox' không tồn tại")


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ChecklistFileError) as info:
        load_checklist(tmp_path / 'khong-co.yaml')
    assert info.value.code == 'checklist.unreadable'
    assert info.value.message_en.startswith('File khong-co.yaml: cannot read the file')
