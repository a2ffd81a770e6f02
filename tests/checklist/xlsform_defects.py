"""A corpus of small XLSForms, one per defect of the old row-by-position import (issue 17): each is a form pyxform
accepts, with what the checklist must keep. Used by test_xlsform_parse.py (and for the before/after figures)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .xlsforms import choice, q

NFD = unicodedata.normalize('NFD', 'Số hộ nghèo được hỗ trợ')


@dataclass(frozen=True)
class Case:
    id: str
    survey: list[dict]
    choices: list[dict] | None = None
    #: item id → (label vi, label en) that the checklist must hold
    labels: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    #: item id → {attribute: value} (relevant, required, constraint expression/message, type, choice names)
    attrs: dict[str, dict] = field(default_factory=dict)


def _g(*rows: dict) -> list[dict]:
    return [q('begin group', 'g', 'Nhóm', 'Group'), *rows, q('end group')]


CASES = [
    Case('unnamed-note', _g(q('note', None, 'Ghi chú không tên', 'Unnamed note'), q('text', 'a', 'Câu A', 'A'),
                            q('integer', 'b', 'Câu B', 'B')),
         labels={'generated_note_name_3': ('Ghi chú không tên', 'Unnamed note'), 'a': ('Câu A', 'A'),
                 'b': ('Câu B', 'B')}),
    Case('comment-row', _g(q('text', 'a', 'Câu A', 'A'), {'comment': 'chỉ là ghi chú của người soạn'},
                           q('integer', 'b', 'Câu B', 'B'), q('decimal', 'c', 'Câu C', 'C')),
         labels={'a': ('Câu A', 'A'), 'b': ('Câu B', 'B'), 'c': ('Câu C', 'C')}),
    Case('upper-case-headers',
         [{'TYPE': 'begin group', 'NAME': 'g', 'LABEL::VI': 'Nhóm', 'LABEL::EN': 'Group'},
          {'TYPE': 'text', 'NAME': 'a', 'LABEL::VI': 'Câu A', 'LABEL::EN': 'A', 'REQUIRED': 'yes'},
          {'TYPE': 'integer', 'NAME': 'b', 'LABEL::VI': 'Câu B', 'LABEL::EN': 'B', 'RELEVANT': '${a} != ""'},
          {'TYPE': 'end group'}],
         labels={'a': ('Câu A', 'A'), 'b': ('Câu B', 'B')},
         attrs={'a': {'required': True}, 'b': {'relevant': '${a} != ""'}}),
    Case('label-single-colon',
         [{'type': 'begin group', 'name': 'g', 'label:Vietnamese': 'Nhóm', 'label:English': 'Group'},
          {'type': 'text', 'name': 'a', 'label:Vietnamese': 'Câu A', 'label:English': 'A',
           'hint:English': 'A hint', 'hint:Vietnamese': 'Gợi ý'}, q('end group')],
         labels={'a': ('Câu A', 'A')}, attrs={'a': {'hint': ('Gợi ý', 'A hint')}}),
    Case('bind-columns',
         _g(q('integer', 'n', 'Số hộ', 'Households'),
            q('integer', 'm', 'Số hộ nghèo', 'Poor households', required='yes',
              **{'bind:relevant': '${n} > 0', 'bind:constraint': '. <= ${n}',
                 'bind:jr:constraintMsg': 'Không lớn hơn số hộ'})),
         labels={'n': ('Số hộ', 'Households'), 'm': ('Số hộ nghèo', 'Poor households')},
         attrs={'m': {'relevant': '${n} > 0', 'required': True, 'constraint': '. <= ${n}',
                      'constraint_message': 'Không lớn hơn số hộ'}}),
    Case('string-int-types', _g(q('string', 's', 'Chuỗi', 'String'), q('int', 'i', 'Số nguyên', 'Int')),
         labels={'s': ('Chuỗi', 'String'), 'i': ('Số nguyên', 'Int')},
         attrs={'s': {'type': 'text'}, 'i': {'type': 'integer'}}),
    Case('nfd-text', _g(q('integer', 'poor', NFD, 'Poor households supported')),
         labels={'poor': (unicodedata.normalize('NFC', NFD), 'Poor households supported')}),
    Case('vietnamese-name', [q('begin group', 'nhóm', 'Nhóm', 'Group'), q('text', 'tên_hộ', 'Tên hộ', 'Name'),
                             q('text', 'ghi_chú', 'Ghi chú', 'Note', relevant='${tên_hộ} != ""'), q('end group')],
         labels={'ten_ho': ('Tên hộ', 'Name'), 'ghi_chu': ('Ghi chú', 'Note')},
         attrs={'ghi_chu': {'relevant': '${ten_ho} != ""'}}),
    Case('choice-name-with-space', _g(q('select_one level', 'level', 'Cấp', 'Level')),
         [choice('level', 'cap huyen', 'Cấp huyện', 'District'), choice('level', 'cap xa', 'Cấp xã', 'Commune')],
         labels={'level': ('Cấp', 'Level')}, attrs={'level': {'choices': ['cap_huyen', 'cap_xa']}}),
    Case('label-refers-to-dropped', _g(q('geopoint', 'where', 'Vị trí', 'Location'),
                                       q('text', 'remark', 'Nhận xét về ${where}', 'Remark on ${where}'))),
]
