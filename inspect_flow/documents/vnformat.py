"""Vietnamese administrative-document formatting (Decree 30/2020/NĐ-CP, Phụ lục I and III).

Pure functions, no I/O; the templates use them as Jinja filters and the adapter may use them to
validate data before rendering.

Decision on the working schedule: NĐ 30 Phụ lục III has no type code for a schedule (no ``LLV``),
so the working schedule (lịch làm việc) is not numbered on its own. It is issued as an annex
(phụ lục) of the plan, or of the notice sent to localities, and names that parent document in a
"(Kèm theo … số …)" line. :data:`TYPE_CODES` therefore holds only the numbered kinds.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from datetime import date, datetime, time

#: Place-holder printed instead of the number of a document that is not issued yet.
DRAFT_NUMBER_BLANK = '\u00a0' * 6
#: Place-holder printed instead of the day and month of an undated draft.
DRAFT_DATE_BLANK = '\u00a0' * 4


class TypeCode(enum.StrEnum):
    """Type codes (chữ viết tắt tên loại văn bản) of the documents of a round, NĐ 30 Phụ lục III."""

    KH = 'KH'  # Kế hoạch
    QD = 'QĐ'  # Quyết định
    BB = 'BB'  # Biên bản
    TB = 'TB'  # Thông báo (a thông báo kết luận is numbered TB)
    BC = 'BC'  # Báo cáo


#: The document-type name printed in the title (tên loại văn bản), upper case.
TYPE_NAMES: dict[str, str] = {
    TypeCode.KH: 'KẾ HOẠCH',
    TypeCode.QD: 'QUYẾT ĐỊNH',
    TypeCode.BB: 'BIÊN BẢN',
    TypeCode.TB: 'THÔNG BÁO',
    TypeCode.BC: 'BÁO CÁO',
}

TYPE_CODES: frozenset[str] = frozenset(TYPE_NAMES)

#: The type name as written inside a sentence (``Thực hiện Kế hoạch số …``).
TYPE_LABELS: dict[str, str] = {
    TypeCode.KH: 'Kế hoạch',
    TypeCode.QD: 'Quyết định',
    TypeCode.BB: 'Biên bản',
    TypeCode.TB: 'Thông báo',
    TypeCode.BC: 'Báo cáo',
}

#: Codes some issuers use outside NĐ 30 (inspection regimes); allowed only when the issuer opts in.
OPTIONAL_TYPE_NAMES: dict[str, str] = {'KL': 'KẾT LUẬN'}


class AuthorityPrefix(enum.StrEnum):
    """Signature authority prefixes (thẩm quyền ký), TT 01/2011 Art. 12, NĐ 30 Phụ lục I."""

    TM = 'TM.'  # thay mặt: on behalf of a collective body (TM. BAN CHỈ ĐẠO / TRƯỞNG BAN)
    KT = 'KT.'  # ký thay: a deputy signing for the head (KT. TRƯỞNG BAN / PHÓ TRƯỞNG BAN)
    Q = 'Q.'  # quyền: acting head (Q. GIÁM ĐỐC)
    TL = 'TL.'  # thừa lệnh: head of a sub-unit signing by order (TL. TRƯỞNG BAN / CHÁNH VĂN PHÒNG)
    TUQ = 'TUQ.'  # thừa ủy quyền: by authorisation (TUQ. GIÁM ĐỐC / TRƯỞNG PHÒNG …)


AUTHORITY_PREFIXES: frozenset[str] = frozenset(p.value for p in AuthorityPrefix)

#: ``Số: 12/TB-BCĐCCTMTQG``; also the công văn shape ``Số: 12/BCĐCCTMTQG-VP``.
#: Group 1 is the number (two digits at least), group 2 the type code (or issuer), group 3 the rest.
NUMBER_LINE_RE = re.compile(r'^Số: (\d{2,})/([A-ZĐ][A-Za-zĐđ]*)-([A-ZĐ0-9]+(?:-[A-ZĐ0-9]+)*)$')

#: The national motto (quốc hiệu and tiêu ngữ), exact text.
NATIONAL_NAME = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'
NATIONAL_MOTTO = 'Độc lập - Tự do - Hạnh phúc'

_ETH_TO_DJ = str.maketrans({'\u00d0': '\u0110', '\u00f0': '\u0111'})


def normalize_vn(text: str) -> str:
    """Return *text* in NFC with the look-alike Icelandic eth (Ð/ð) replaced by Vietnamese Đ/đ.

    Text pasted from old TCVN3/VNI converters often carries U+00D0 instead of U+0110, which looks the
    same on screen but breaks search, sorting and upper-casing.
    """
    return unicodedata.normalize('NFC', text).translate(_ETH_TO_DJ)


def vn_upper(text: str) -> str:
    """Upper-case Vietnamese text: ``Ban Chỉ đạo`` → ``BAN CHỈ ĐẠO``, ``đ`` → ``Đ``.

    Normalises first (NFC, eth → Đ) so that decomposed input (base letter + combining marks) and
    look-alike characters give the same precomposed capitals a Times font renders best.
    """
    return normalize_vn(text).upper()


def pad2(value: int) -> str:
    """Pad a non-negative number below 10 with one zero: 5 → ``05``, 12 → ``12``, 1245 → ``1245``."""
    if value < 0:
        raise ValueError(f'negative number: {value}')
    return f'{value:02d}'


def format_day(day: int) -> str:
    """The day of a date line, padded below 10: ``05``."""
    return pad2(day)


def format_month(month: int) -> str:
    """The month of a date line: padded only for January and February (``01``, ``02``, ``5``, ``12``)."""
    if not 1 <= month <= 12:
        raise ValueError(f'not a month: {month}')
    return pad2(month) if month <= 2 else str(month)


def date_words(value: date | None) -> str:
    """``ngày 05 tháng 7 năm 2019``; a blank day and month for ``None`` (a draft)."""
    if value is None:
        return f'ngày{DRAFT_DATE_BLANK}tháng{DRAFT_DATE_BLANK}năm{DRAFT_DATE_BLANK}'
    return f'ngày {format_day(value.day)} tháng {format_month(value.month)} năm {value.year}'


def place_date_line(place: str, value: date | None) -> str:
    """The place-and-date line of the header: ``Bến Tre, ngày 05 tháng 7 năm 2019``.

    :param place: the địa danh, the official name of the unit where the issuer sits (``Bến Tre``)
    :param value: the date of issue, or ``None`` for a draft (day and month left blank)
    """
    return f'{place}, {date_words(value)}'


def date_short(value: date) -> str:
    """A date in running text, with the same padding rule: ``28/5/2019``, ``05/7/2019``, ``01/02/2020``."""
    return f'{format_day(value.day)}/{format_month(value.month)}/{value.year}'


def day_month(value: date) -> str:
    """Day and month only, for ranges within one year: ``05/7``."""
    return f'{format_day(value.day)}/{format_month(value.month)}'


def date_range(start: date, end: date) -> str:
    """``từ ngày 05/7 đến ngày 24/7/2019``; the full dates when the years differ."""
    if start.year == end.year:
        return f'từ ngày {day_month(start)} đến ngày {date_short(end)}'
    return f'từ ngày {date_short(start)} đến ngày {date_short(end)}'


def format_time(value: time | datetime) -> str:
    """A clock time in words: ``7 giờ 30 phút``, ``14 giờ 00 phút`` (24-hour clock, minutes padded)."""
    return f'{value.hour} giờ {value.minute:02d} phút'


def format_clock(value: time | datetime) -> str:
    """A clock time for a table cell: ``7 giờ 30``, ``14 giờ 00``."""
    return f'{value.hour} giờ {value.minute:02d}'


def format_int(value: int) -> str:
    """An integer with Vietnamese grouping: 1968 → ``1.968``."""
    return f'{value:,}'.replace(',', '.')


def format_decimal(value: float, digits: int = 2) -> str:
    """A decimal with a comma and dot grouping: 38.3638 → ``38,36``; 1234.5 → ``1.234,50``."""
    text = f'{value:,.{digits}f}'
    return text.replace(',', '\x00').replace('.', ',').replace('\x00', '.')


def format_percent(numerator: int, denominator: int, digits: int = 2) -> str:
    """A share as a percentage: (755, 1968) → ``38,36%``; ``-`` when the denominator is 0."""
    if denominator == 0:
        return '-'
    return f'{format_decimal(100 * numerator / denominator, digits)}%'


def type_name(type_code: str) -> str:
    """The upper-case document-type name for *type_code* (``TB`` → ``THÔNG BÁO``)."""
    try:
        return TYPE_NAMES[type_code]
    except KeyError:
        if type_code in OPTIONAL_TYPE_NAMES:
            return OPTIONAL_TYPE_NAMES[type_code]
        raise ValueError(f'unknown document type code: {type_code!r}') from None


def symbol(type_code: str, issuer_abbreviation: str) -> str:
    """The ký hiệu: ``KH-BCĐCCTMTQG``. Abbreviation groups are joined with ``-``, no spaces."""
    if type_code not in TYPE_CODES and type_code not in OPTIONAL_TYPE_NAMES:
        raise ValueError(f'unknown document type code: {type_code!r}')
    abbreviation = vn_upper(issuer_abbreviation.strip())
    if not abbreviation or ' ' in abbreviation:
        raise ValueError(f'bad issuer abbreviation: {issuer_abbreviation!r}')
    return f'{type_code}-{abbreviation}'


def reference(number: int | None, type_code: str, issuer_abbreviation: str) -> str:
    """The number and symbol without ``Số:``: ``1245/KH-BCĐCCTMTQG``; blanks before ``/`` for a draft."""
    shown = DRAFT_NUMBER_BLANK if number is None else pad2(number)
    if number is not None and number < 1:
        raise ValueError(f'document numbers start at 1: {number}')
    return f'{shown}/{symbol(type_code, issuer_abbreviation)}'


def number_line(number: int | None, type_code: str, issuer_abbreviation: str) -> str:
    """The number line: ``Số: 12/TB-BCĐCCTMTQG``, or ``Số:      /KH-BCĐCCTMTQG`` for a draft.

    The blanks of a draft are no-break spaces so HTML keeps them; the clerk writes the number by hand
    or the issue step re-renders with the allocated number.
    """
    return f'Số: {reference(number, type_code, issuer_abbreviation)}'


def is_valid_number_line(text: str) -> bool:
    """Whether *text* is a well-formed number line of an issued document (see :data:`NUMBER_LINE_RE`)."""
    return NUMBER_LINE_RE.match(text) is not None


def parse_number_line(text: str) -> tuple[int, str, str]:
    """Split ``Số: 12/TB-BCĐCCTMTQG`` into ``(12, 'TB', 'BCĐCCTMTQG')``.

    :raise ValueError: when *text* is not a valid number line
    """
    match = NUMBER_LINE_RE.match(text)
    if match is None:
        raise ValueError(f'not a number line: {text!r}')
    return int(match[1]), match[2], match[3]


def end_mark(text: str) -> str:
    """End the last paragraph of a body with ``./.``, replacing any final ``.``, ``;`` or ``:``."""
    stripped = text.rstrip()
    if stripped.endswith('./.'):
        return stripped
    return stripped.rstrip('.;:,') + './.'


def recipient_line(text: str, *, last: bool = False) -> str:
    """A Nơi nhận line: ``- UBND huyện Mỏ Cày Bắc;``, the last one ending with ``.``."""
    body = text.strip().lstrip('-').strip().rstrip('.;,')
    return f'- {body}{"." if last else ";"}'


def archive_line(copies: tuple[str, ...] | list[str]) -> str:
    """The last Nơi nhận line: ``Lưu: VT, BTXH`` (VT, the clerical office, always first)."""
    rest = [c.strip() for c in copies if c.strip() and c.strip() != 'VT']
    return 'Lưu: ' + ', '.join(['VT', *rest])


def authority_line(prefix: str | None, on_behalf_of: str | None) -> str | None:
    """The first signature line: ``KT. TRƯỞNG BAN``; ``None`` when the signer signs in their own right.

    :raise ValueError: for an unknown prefix, or a prefix without what it acts for
    """
    if prefix is None:
        return None
    if prefix not in AUTHORITY_PREFIXES:
        raise ValueError(f'unknown signature authority prefix: {prefix!r}')
    if not on_behalf_of:
        raise ValueError(f'{prefix} needs the title or body signed for')
    return f'{prefix} {vn_upper(on_behalf_of)}'
