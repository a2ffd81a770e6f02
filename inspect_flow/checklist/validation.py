"""Validation of checklist content: the schema (pydantic) and the rules across fields.

Every problem becomes a :class:`ChecklistFileError` that names the file, the line (when the content
came from a file) and the field, e.g. ``sections[2].items[4].relevant``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex
from pydantic import ValidationError

from inspect_flow.checklist.errors import ChecklistFileError, ExpressionError
from inspect_flow.checklist.expressions import (
    NODESET_FUNCTIONS,
    Call,
    Current,
    Expression,
    Node,
    Ref,
    compile_pattern,
    parse,
)
from inspect_flow.checklist.model import HOUSEHOLD_CATEGORIES, NUMBER_TYPES, YES_NO_CHOICES, Checklist
from inspect_flow.checklist.schema import (
    CHOICE_NAME_PATTERN,
    SLUG_PATTERN,
    AppliesSpec,
    ChecklistKind,
    ChecklistSpec,
    ChoiceSpec,
    ConstraintSpec,
    FindingRuleSpec,
    ItemSpec,
    ItemType,
    LabelSpec,
    SectionSpec,
)
from inspect_flow.core.text import nfc

Loc = tuple[str | int, ...]

TYPE_NAMES = ', '.join(t.value for t in ItemType)
#: Fields that hold a text in Vietnamese and optionally English (``LabelSpec``).
_TEXT_FIELDS = frozenset({'title', 'description', 'label', 'hint', 'unit', 'message', 'category', 'text'})
#: Every field name of the format, to suggest the intended one for a typo such as ``relevent``.
_FIELD_NAMES = sorted(
    {
        field.alias or name
        for model in (
            ChecklistSpec, SectionSpec, ItemSpec, ChoiceSpec, ConstraintSpec, FindingRuleSpec, LabelSpec, AppliesSpec
        )
        for name, field in model.model_fields.items()
    }
)
SCORED_TYPES = frozenset({ItemType.yes_no, ItemType.select_one, ItemType.percentage})
#: Finding texts may show item values: ``Đạt ${participation_rate}% kế hoạch``.
TEXT_REF_RE = re.compile(r'\$\{([^}]*)\}')


def format_loc(loc: Loc) -> str:
    """``('sections', 0, 'items', 2, 'type')`` → ``sections[0].items[2].type``."""
    out = ''
    for part in loc:
        if isinstance(part, int):
            out += f'[{part}]'
        else:
            out += ('.' if out else '') + str(part)
    return out


@dataclass
class Problem:
    code: str
    vi: str
    en: str
    loc: Loc


class Locator:
    """Finds the line of a field path in the source file (when the content came from one)."""

    def __init__(self, path: str | Path | None = None, lines: Mapping[Loc, int] | None = None):
        self.path = path
        self.lines = lines or {}

    def line(self, loc: Loc) -> int | None:
        if not self.lines:
            return None
        for n in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:n]))
            if line is not None:
                return line
        return None

    def error(self, problem: Problem, details: list | None = None) -> ChecklistFileError:
        return ChecklistFileError(
            problem.code,
            problem.vi,
            problem.en,
            path=self.path,
            line=self.line(problem.loc),
            field=format_loc(problem.loc) or None,
            details=details,
        )


def build_checklist(data: Any, *, path: str | Path | None = None, lines: Mapping[Loc, int] | None = None) -> Checklist:
    """Validate plain *data* and return the :class:`Checklist`.

    :param path: the file the data came from, named in error messages
    :param lines: ``{field path: line}`` from the YAML node tree
    :raise ChecklistFileError: the first problem, in file order; ``details`` lists every problem found

    Every string of *data* is taken in NFC (a file saved in NFD, an XLSForm, a pinned content): the same
    checklist spelled either way has the same content and the same :attr:`Checklist.sha256`.
    """
    data = nfc(data)
    locator = Locator(path, lines)
    if not isinstance(data, dict):
        raise locator.error(
            Problem(
                'checklist.not_a_mapping',
                'nội dung checklist phải là một bảng khóa: giá trị (mapping)',
                'a checklist must be a mapping of keys to values',
                (),
            )
        )
    try:
        spec = ChecklistSpec.model_validate(data)
    except ValidationError as exc:
        problems = [_pydantic_problem(err) for err in exc.errors(include_url=False)]
        raise _first(problems, locator) from None
    checklist = Checklist(spec, source=Path(path) if path is not None else None)
    problems = _Rules(checklist).check()
    if problems:
        raise _first(problems, locator)
    return checklist


def _first(problems: list[Problem], locator: Locator) -> ChecklistFileError:
    ordered = sorted(enumerate(problems), key=lambda p: (locator.line(p[1].loc) or 0, p[0]))
    details = [
        {
            'code': p.code,
            'line': locator.line(p.loc),
            'field': format_loc(p.loc),
            'message': p.vi,
            'message_en': p.en,
        }
        for _, p in ordered
    ]
    return locator.error(ordered[0][1], details)


# -- pydantic errors -----------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return 'mapping'
    if isinstance(value, list):
        return 'list'
    if value is None:
        return 'null'  # an empty YAML value
    return type(value).__name__


def _pydantic_problem(err: Mapping[str, Any]) -> Problem:
    loc: Loc = tuple(p for p in err['loc'] if not (isinstance(p, str) and ('[' in p or p.startswith('function-'))))
    kind = err['type']
    value = err.get('input')
    ctx = err.get('ctx') or {}
    key = loc[-1] if loc else ''
    if kind == 'missing':
        return Problem(
            'checklist.missing_field', f'thiếu trường bắt buộc {key!r}', f'missing required field {key!r}', loc
        )
    if kind == 'extra_forbidden':
        hint_vi = hint_en = ''
        if value is None and isinstance(key, str) and not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', key):
            # ``{name: good, label: Đồng bộ, chặt chẽ}``: the comma ended the label and started a key.
            hint_vi = ' (trong {...} dấu phẩy ngăn cách các trường: hãy đặt văn bản có dấu phẩy trong dấu nháy)'
            hint_en = ' (inside {...} a comma separates fields: put text that has a comma in quotes)'
        elif isinstance(key, str) and (close := difflib.get_close_matches(key, _FIELD_NAMES, n=1, cutoff=0.75)):
            hint_vi, hint_en = f'; có phải ý là {close[0]!r}?', f'; did you mean {close[0]!r}?'
        return Problem(
            'checklist.unknown_field',
            f'trường {key!r} không được hỗ trợ{hint_vi}',
            f'unknown field {key!r}{hint_en}',
            loc,
        )
    if kind in ('enum', 'literal_error'):
        expected = ctx.get('expected', '')
        if key == 'type':
            return Problem(
                'checklist.unknown_type',
                f'loại mục {_describe(value)} không tồn tại; các loại hợp lệ: {TYPE_NAMES}',
                f'unknown item type {_describe(value)}; valid types: {TYPE_NAMES}',
                loc,
            )
        return Problem(
            'checklist.bad_value',
            f'giá trị {_describe(value)} không hợp lệ; cần một trong: {expected}',
            f'invalid value {_describe(value)}; expected one of: {expected}',
            loc,
        )
    if kind == 'checklist_date':
        if ctx.get('reason') == 'no_such_day':
            return Problem(
                'checklist.bad_date',
                f'ngày {_describe(value)} không có trong lịch',
                f'{_describe(value)} is not a day of the calendar',
                loc,
            )
        return Problem(
            'checklist.bad_date',
            f'cần một ngày dạng YYYY-MM-DD (ví dụ "2025-07-01"), nhận {_describe(value)}',
            f'expected a date written YYYY-MM-DD (e.g. "2025-07-01"), got {_describe(value)}',
            loc,
        )
    if kind == 'string_type':
        hint_vi = hint_en = ''
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Unquoted, YAML reads 2019.10 as the number 2019.1: the value as written is lost.
            hint_vi, hint_en = (
                ' (hãy đặt giá trị trong dấu nháy, ví dụ version: "2019.10")',
                ' (put the value in quotes, e.g. version: "2019.10")',
            )
            if key != 'version':
                hint_vi, hint_en = ' (hãy đặt giá trị trong dấu nháy)', ' (put the value in quotes)'
        return Problem(
            'checklist.bad_value',
            f'cần một chuỗi văn bản, nhận {_describe(value)}{hint_vi}',
            f'expected text, got {_describe(value)}{hint_en}',
            loc,
        )
    if kind == 'string_pattern_mismatch':
        pattern = ctx.get('pattern', '')
        if pattern == r'\S':
            return Problem('checklist.blank', 'không được để trống', 'must not be blank', loc)
        if pattern == CHOICE_NAME_PATTERN:
            return Problem(
                'checklist.bad_id',
                f'tên lựa chọn {_describe(value)} không hợp lệ: chỉ dùng chữ cái không dấu, chữ số, "_", "." '
                'hoặc "-", không có khoảng trắng (tối đa 80 ký tự)',
                f'invalid choice name {_describe(value)}: use ASCII letters, digits, "_", "." or "-", no spaces '
                '(at most 80 characters)',
                loc,
            )
        if pattern == SLUG_PATTERN:
            return Problem(
                'checklist.bad_id',
                f'giá trị {_describe(value)} không hợp lệ: chỉ dùng chữ cái không dấu, chữ số, "_", "." hoặc "-", '
                'bắt đầu bằng chữ cái hoặc chữ số (tối đa 40 ký tự)',
                f'invalid value {_describe(value)}: use ASCII letters, digits, "_", "." or "-", starting with a '
                'letter or a digit (at most 40 characters)',
                loc,
            )
        return Problem(
            'checklist.bad_id',
            f'mã {_describe(value)} không hợp lệ: chỉ dùng chữ cái không dấu, chữ số, "_", "." hoặc "-", '
            'bắt đầu bằng chữ cái (tối đa 80 ký tự)',
            f'invalid id {_describe(value)}: use ASCII letters, digits, "_", "." or "-", starting with a letter '
            '(at most 80 characters)',
            loc,
        )
    if kind == 'too_short':
        if key == 'choices':
            return Problem(
                'checklist.empty_choices',
                'danh sách lựa chọn không được rỗng',
                'the list of choices must not be empty',
                loc,
            )
        return Problem('checklist.empty_list', 'danh sách không được rỗng', 'the list must not be empty', loc)
    if kind in ('bool_type', 'bool_parsing'):
        return Problem(
            'checklist.bad_value',
            f'cần true hoặc false, nhận {_describe(value)}',
            f'expected true or false, got {_describe(value)}',
            loc,
        )
    if kind in ('float_type', 'float_parsing', 'finite_number'):
        return Problem(
            'checklist.bad_value',
            f'cần một số, nhận {_describe(value)}',
            f'expected a number, got {_describe(value)}',
            loc,
        )
    if kind in ('greater_than_equal', 'less_than_equal'):
        bound = ctx.get('ge', ctx.get('le'))
        sign = '≥' if kind == 'greater_than_equal' else '≤'
        return Problem(
            'checklist.bad_value',
            f'giá trị {_describe(value)} phải {sign} {bound}',
            f'value {_describe(value)} must be {sign} {bound}',
            loc,
        )
    if kind in ('model_type', 'model_attributes_type', 'dict_type'):
        if key in _TEXT_FIELDS:
            return Problem(
                'checklist.bad_value',
                f'cần một văn bản hoặc {{vi: …, en: …}}, nhận {_describe(value)}',
                f'expected a text or {{vi: …, en: …}}, got {_describe(value)}',
                loc,
            )
        return Problem(
            'checklist.bad_value',
            f'cần một bảng khóa: giá trị (mapping), nhận {_describe(value)}',
            f'expected a mapping, got {_describe(value)}',
            loc,
        )
    if kind == 'list_type':
        return Problem(
            'checklist.bad_value',
            f'cần một danh sách, nhận {_describe(value)}',
            f'expected a list, got {_describe(value)}',
            loc,
        )
    return Problem('checklist.bad_value', f'giá trị không hợp lệ: {err["msg"]}', f'invalid value: {err["msg"]}', loc)


# -- rules across fields ---------------------------------------------------------------------------------


@dataclass
class _ExprSite:
    """An expression and where it sits."""

    expr: Expression
    loc: Loc
    owner: str | None  # the item id it belongs to (None for a section or a finding rule)
    role: str  # relevant | constraint | calculation | section_relevant | when
    position: float  # items it may refer to must come strictly before this position
    row: str | None  # the repeat whose row the expression is evaluated in


class _Rules:
    def __init__(self, checklist: Checklist):
        self.cl = checklist
        self.problems: list[Problem] = []
        self.item_locs: dict[str, Loc] = {}
        self.sites: list[_ExprSite] = []
        self.cyclic: set[str] = set()

    def add(self, code: str, vi: str, en: str, loc: Loc) -> None:
        self.problems.append(Problem(code, vi, en, loc))

    def check(self) -> list[Problem]:
        spec = self.cl.spec
        if len(spec.title.vi) > 250:
            self.add(
                'checklist.too_long',
                'tiêu đề dài quá 250 ký tự',
                'the title is longer than 250 characters',
                ('title', 'vi'),
            )
        if spec.applies is not None:
            self.check_applies(spec.applies)
        seen_sections: dict[str, Loc] = {}
        seen_items: dict[str, Loc] = {}
        for s_index, section in enumerate(spec.sections):
            loc = ('sections', s_index)
            if section.id in seen_sections:
                self.duplicate('section', section.id, loc + ('id',), seen_sections[section.id])
            seen_sections.setdefault(section.id, loc + ('id',))
            if section.relevant is not None:
                first = section.items[0].id
                self.site(
                    section.relevant, loc + ('relevant',), None, 'section_relevant', self.cl.position(first), None
                )
            for i_index, item in enumerate(section.items):
                self.check_item(item, loc + ('items', i_index), seen_items, None)
        self.check_rules()
        if not any(p.code == 'checklist.duplicate_id' for p in self.problems):
            self.check_cycles()
            for site in self.sites:
                self.check_site(site)
        self.check_roster()
        return self.problems

    def check_applies(self, applies: AppliesSpec) -> None:
        if applies.from_ is None and applies.until is None:
            self.add(
                'checklist.empty_applies',
                "cần ít nhất một trong 'from' (áp dụng từ ngày) và 'until' (áp dụng trước ngày)",
                "needs 'from' (applies from this day) or 'until' (applies before this day), or both",
                ('applies',),
            )
        elif applies.from_ is not None and applies.until is not None and applies.until <= applies.from_:
            self.add(
                'checklist.bad_period',
                f"ngày 'until' ({applies.until.isoformat()}) phải sau ngày 'from' ({applies.from_.isoformat()})",
                f"'until' ({applies.until.isoformat()}) must come after 'from' ({applies.from_.isoformat()})",
                ('applies', 'until'),
            )

    def duplicate(self, what: str, ident: str, loc: Loc, first: Loc) -> None:
        what_vi = {'section': 'mã phần', 'item': 'mã mục', 'choice': 'mã lựa chọn', 'rule': 'mã quy tắc'}[what]
        what_en = {'section': 'section id', 'item': 'item id', 'choice': 'choice name', 'rule': 'rule id'}[what]
        self.add(
            'checklist.duplicate_id',
            f'{what_vi} {ident!r} bị trùng (đã dùng ở {format_loc(first)})',
            f'duplicate {what_en} {ident!r} (already used at {format_loc(first)})',
            loc,
        )

    def site(self, text: str, loc: Loc, owner: str | None, role: str, position: float, row: str | None) -> None:
        try:
            expr = parse(text)
        except ExpressionError as exc:
            self.add(
                'checklist.bad_expression',
                f'biểu thức {text!r} không hợp lệ: {exc.message_vi}',
                f'invalid expression {text!r}: {exc.message_en}',
                loc,
            )
            return
        self.sites.append(_ExprSite(expr, loc, owner, role, position, row))

    def not_allowed(self, field: str, item: ItemSpec, loc: Loc) -> None:
        self.add(
            'checklist.field_not_allowed',
            f'trường {field!r} không dùng cho mục loại {item.type.value}',
            f'field {field!r} is not allowed for an item of type {item.type.value}',
            loc + (field,),
        )

    def missing(self, field: str, item: ItemSpec, loc: Loc) -> None:
        self.add(
            'checklist.missing_field',
            f'thiếu trường bắt buộc {field!r} (mục loại {item.type.value})',
            f'missing required field {field!r} (item of type {item.type.value})',
            loc + (field,),
        )

    def check_item(self, item: ItemSpec, loc: Loc, seen: dict[str, Loc], parent: ItemSpec | None) -> None:
        t = item.type
        self.item_locs[item.id] = loc
        if item.id in seen:
            self.duplicate('item', item.id, loc + ('id',), seen[item.id])
        seen.setdefault(item.id, loc + ('id',))
        row = parent.id if parent is not None else None
        pos = self.cl.position(item.id)

        if item.label is None and t != ItemType.calculate:
            self.missing('label', item, loc)
        is_select = t in (ItemType.select_one, ItemType.select_multiple)
        if is_select and item.choices is None:
            self.missing('choices', item, loc)
        if not is_select and item.choices is not None:
            self.not_allowed('choices', item, loc)
        if item.choices:
            names: dict[str, Loc] = {}
            for c_index, choice in enumerate(item.choices):
                c_loc = loc + ('choices', c_index, 'name')
                if choice.name in names:
                    self.duplicate('choice', choice.name, c_loc, names[choice.name])
                names.setdefault(choice.name, c_loc)
        if t == ItemType.calculate and item.calculation is None:
            self.missing('calculation', item, loc)
        if t != ItemType.calculate and item.calculation is not None:
            self.not_allowed('calculation', item, loc)
        if t == ItemType.repeat:
            if item.items is None:
                self.missing('items', item, loc)
            if parent is not None:
                self.add(
                    'checklist.nested_repeat',
                    'không được đặt nhóm lặp (repeat) trong một nhóm lặp khác',
                    'a repeat may not contain another repeat',
                    loc + ('type',),
                )
        elif item.items is not None:
            self.not_allowed('items', item, loc)
        if item.roster is not None and t != ItemType.repeat:
            self.not_allowed('roster', item, loc)
        if item.media is not None and t != ItemType.evidence:
            self.not_allowed('media', item, loc)
        if item.unit is not None and t not in (ItemType.integer, ItemType.decimal):
            self.not_allowed('unit', item, loc)
        if item.required and t in (ItemType.note, ItemType.calculate):
            self.not_allowed('required', item, loc)
        self.check_constraint(item, loc, pos, row)
        self.check_scoring(item, loc)

        if item.relevant is not None:
            self.site(item.relevant, loc + ('relevant',), item.id, 'relevant', pos, row)
        if item.calculation is not None and t == ItemType.calculate:
            self.site(item.calculation, loc + ('calculation',), item.id, 'calculation', pos, row)
        for c_index, child in enumerate(item.items or ()):
            self.check_item(child, loc + ('items', c_index), seen, item)

    def check_constraint(self, item: ItemSpec, loc: Loc, pos: int, row: str | None) -> None:
        c = item.constraint
        if c is None:
            return
        t = item.type
        if t in (ItemType.note, ItemType.calculate, ItemType.repeat):
            self.not_allowed('constraint', item, loc)
            return
        c_loc = loc + ('constraint',)
        if c.min is None and c.max is None and c.pattern is None and c.expression is None:
            self.add(
                'checklist.empty_constraint',
                'ràng buộc phải có ít nhất một trong: min, max, pattern, expression',
                'a constraint needs at least one of: min, max, pattern, expression',
                c_loc,
            )
        for bound in ('min', 'max'):
            if getattr(c, bound) is not None and t not in NUMBER_TYPES:
                self.add(
                    'checklist.field_not_allowed',
                    f'ràng buộc {bound!r} chỉ dùng cho mục số (integer, decimal, percentage)',
                    f'constraint {bound!r} only applies to number items (integer, decimal, percentage)',
                    c_loc + (bound,),
                )
        if c.min is not None and c.max is not None and c.min > c.max:
            self.add(
                'checklist.bad_range',
                f'min ({c.min:g}) lớn hơn max ({c.max:g})',
                f'min ({c.min:g}) is greater than max ({c.max:g})',
                c_loc + ('min',),
            )
        if c.pattern is not None:
            if t != ItemType.text:
                self.add(
                    'checklist.field_not_allowed',
                    "ràng buộc 'pattern' chỉ dùng cho mục văn bản (text)",
                    "constraint 'pattern' only applies to text items",
                    c_loc + ('pattern',),
                )
            try:
                compile_pattern(c.pattern)
            except (regex.error, re.error, OverflowError, RecursionError, ValueError) as exc:
                self.add(
                    'checklist.bad_pattern',
                    f'mẫu {c.pattern!r} không phải biểu thức chính quy hợp lệ: {exc}',
                    f'pattern {c.pattern!r} is not a valid regular expression: {exc}',
                    c_loc + ('pattern',),
                )
        if c.expression is not None:
            self.site(c.expression, c_loc + ('expression',), item.id, 'constraint', pos + 0.5, row)

    def check_scoring(self, item: ItemSpec, loc: Loc) -> None:
        t = item.type
        if item.weight is not None and t not in SCORED_TYPES:
            self.add(
                'checklist.field_not_allowed',
                f'trọng số (weight) chỉ dùng cho mục yes_no, select_one hoặc percentage, không cho {t.value}',
                f'a weight only applies to yes_no, select_one or percentage items, not {t.value}',
                loc + ('weight',),
            )
        if item.scores is not None:
            if t not in (ItemType.yes_no, ItemType.select_one):
                self.not_allowed('scores', item, loc)
                return
            if item.weight is None:
                self.add(
                    'checklist.missing_field',
                    "có 'scores' thì phải có trọng số 'weight'",
                    "'scores' needs a 'weight'",
                    loc + ('weight',),
                )
            names = YES_NO_CHOICES if t == ItemType.yes_no else tuple(c.name for c in item.choices or ())
            for name in item.scores:
                if name not in names:
                    self.add(
                        'checklist.unknown_choice',
                        f'điểm cho lựa chọn {name!r} không có trong danh sách lựa chọn ({", ".join(names)})',
                        f'score for choice {name!r}, which is not among the choices ({", ".join(names)})',
                        loc + ('scores', name),
                    )
        elif t == ItemType.select_one and item.weight is not None:
            self.add(
                'checklist.missing_field',
                "mục select_one có trọng số phải có 'scores' (điểm 0–1 cho từng lựa chọn)",
                "a weighted select_one item needs 'scores' (0-1 per choice)",
                loc + ('scores',),
            )

    def check_rules(self) -> None:
        seen: dict[str, Loc] = {}
        for r_index, rule in enumerate(self.cl.findings):
            loc = ('findings', r_index)
            if rule.id in seen:
                self.duplicate('rule', rule.id, loc + ('id',), seen[rule.id])
            seen.setdefault(rule.id, loc + ('id',))
            self.site(rule.when, loc + ('when',), None, 'when', float('inf'), None)
            if rule.item is not None and not self.cl.has_item(rule.item):
                self.add(
                    'checklist.unknown_reference',
                    f'mục {rule.item!r} không có trong checklist',
                    f'there is no item {rule.item!r} in the checklist',
                    loc + ('item',),
                )
            for lang in ('vi', 'en'):
                text = getattr(rule.text, lang)
                for name in TEXT_REF_RE.findall(text or ''):
                    if not self.cl.has_item(name):
                        self.add(
                            'checklist.unknown_reference',
                            f'${{{name}}} trong nội dung không phải là mục nào của checklist',
                            f'${{{name}}} in the text is not an item of the checklist',
                            loc + ('text', lang),
                        )
                    elif self.cl.parent(name) is not None or self.cl.item(name).type == ItemType.repeat:
                        self.add(
                            'checklist.unknown_reference',
                            f'${{{name}}} trong nội dung không phải là một mục ngoài nhóm lặp',
                            f'${{{name}}} in the text is not an item outside a repeat',
                            loc + ('text', lang),
                        )

    def check_cycles(self) -> None:
        deps: dict[str, list[str]] = {}
        for site in self.sites:
            if site.role == 'calculation' and site.owner is not None:
                deps[site.owner] = [
                    r.name
                    for r in site.expr.references
                    if self.cl.has_item(r.name) and self.cl.item(r.name).type == ItemType.calculate
                ]
        reported: set[str] = set()
        for start in deps:
            path = _find_cycle(start, deps)
            if path and not reported.intersection(path):
                reported.update(path)
                chain = ' → '.join(f'${{{p}}}' for p in path)
                self.add(
                    'checklist.circular_calculation',
                    f'phép tính vòng tròn: {chain}',
                    f'circular calculation: {chain}',
                    self.item_locs[start] + ('calculation',),
                )
        self.cyclic = reported

    def check_site(self, site: _ExprSite) -> None:
        if site.expr.uses_current and site.role != 'constraint':
            node = next(n for n in _walk_with_parent(site.expr.root) if isinstance(n[0], Current))[0]
            self.expr_problem(
                site,
                'checklist.current_not_allowed',
                f'dấu "." (giá trị đang nhập) chỉ dùng trong ràng buộc (vị trí {node.pos})',
                f'"." (the value being entered) is only allowed in a constraint (position {node.pos})',
            )
        for ref, parent in _walk_with_parent(site.expr.root):
            if not isinstance(ref, Ref):
                continue
            name = ref.name
            where_vi, where_en = f'(vị trí {ref.pos})', f'(position {ref.pos})'
            if not self.cl.has_item(name):
                self.expr_problem(
                    site,
                    'checklist.unknown_reference',
                    f'${{{name}}} không phải là mục nào của checklist {where_vi}',
                    f'${{{name}}} is not an item of the checklist {where_en}',
                )
                continue
            target = self.cl.item(name)
            if name == site.owner:
                if site.role == 'constraint':
                    continue
                if site.role == 'calculation' and name in self.cyclic:
                    continue
                what_vi = 'phép tính' if site.role == 'calculation' else 'điều kiện hiển thị'
                what_en = 'calculation' if site.role == 'calculation' else 'relevance'
                self.expr_problem(
                    site,
                    'checklist.circular_calculation' if site.role == 'calculation' else 'checklist.circular_reference',
                    f'{what_vi} của mục tham chiếu chính mục đó: ${{{name}}} (vòng tròn) {where_vi}',
                    f'the {what_en} of an item refers to the item itself: ${{{name}}} (circular) {where_en}',
                )
                continue
            # A repeat is complete only after its last item; an item is known from its own position.
            if target.type == ItemType.repeat:
                last = (
                    max(self.cl.position(c.id) for c in target.items or ()) if target.items else self.cl.position(name)
                )
            else:
                last = self.cl.position(name)
            if last >= site.position:
                if site.role == 'calculation' and site.owner in self.cyclic:
                    continue
                line_vi = f'đứng sau mục này ({format_loc(self.item_locs[name])})'
                line_en = f'comes after this one ({format_loc(self.item_locs[name])})'
                self.expr_problem(
                    site,
                    'checklist.later_reference',
                    f'${{{name}}} {line_vi}; chỉ được tham chiếu các mục đứng trước {where_vi}',
                    f'${{{name}}} {line_en}; only earlier items may be referred to {where_en}',
                )
                continue
            self.check_nodeset_use(site, ref, parent, target)

    def check_nodeset_use(self, site: _ExprSite, ref: Ref, parent: Node | None, target: ItemSpec) -> None:
        name = ref.name
        in_call = parent.name if isinstance(parent, Call) and parent.name in NODESET_FUNCTIONS else None
        where_vi, where_en = f'(vị trí {ref.pos})', f'(position {ref.pos})'
        if target.type == ItemType.repeat:
            if in_call != 'count':
                self.expr_problem(
                    site,
                    'checklist.repeat_misuse',
                    f'${{{name}}} là nhóm lặp; chỉ dùng được trong count() {where_vi}',
                    f'${{{name}}} is a repeat; use it only inside count() {where_en}',
                )
            return
        holder = self.cl.parent(name)
        if holder is not None and holder.id != site.row and in_call is None:
            self.expr_problem(
                site,
                'checklist.repeat_misuse',
                f'${{{name}}} thuộc nhóm lặp {holder.id!r} (nhiều dòng); ở đây chỉ dùng được trong count() '
                f'hoặc sum() {where_vi}',
                f'${{{name}}} belongs to the repeat {holder.id!r} (many rows); here use it only inside count() '
                f'or sum() {where_en}',
            )

    def expr_problem(self, site: _ExprSite, code: str, vi: str, en: str) -> None:
        self.add(code, f'biểu thức {site.expr.source!r}: {vi}', f'expression {site.expr.source!r}: {en}', site.loc)

    def check_roster(self) -> None:
        rosters = [i for i in self.cl.iter_items() if i.roster is not None]
        for extra in rosters[1:]:
            self.add(
                'checklist.roster',
                'checklist chỉ được có một danh sách hộ (roster: households)',
                'a checklist may have only one household roster (roster: households)',
                self.item_locs[extra.id] + ('roster',),
            )
        if rosters and rosters[0].items:
            self.check_household_items(rosters[0].items, self.item_locs[rosters[0].id])
        if self.cl.kind == ChecklistKind.household_consultation:
            top = [i for i in self.cl.iter_items() if self.cl.parent(i.id) is None]
            self.check_household_items(top, ('sections',))

    def check_household_items(self, items: list[ItemSpec], loc: Loc) -> None:
        by_id = {i.id: i for i in items}
        code, category = by_id.get('household_code'), by_id.get('category')
        if code is None or code.type != ItemType.text or not code.required:
            self.add(
                'checklist.roster',
                "danh sách hộ phải có mục 'household_code' loại text, bắt buộc (required: true)",
                "a household roster needs an item 'household_code' of type text, with required: true",
                self.item_locs.get('household_code', loc + ('items',)),
            )
        names = tuple(c.name for c in (category.choices or ())) if category is not None else ()
        if (
            category is None
            or category.type != ItemType.select_one
            or not category.required
            or sorted(names) != sorted(HOUSEHOLD_CATEGORIES)
        ):
            self.add(
                'checklist.roster',
                "danh sách hộ phải có mục 'category' loại select_one, bắt buộc, với đúng các lựa chọn "
                'poor, near_poor, escaped',
                "a household roster needs an item 'category' of type select_one, required, with exactly the "
                'choices poor, near_poor, escaped',
                self.item_locs.get('category', loc + ('items',)),
            )


def _walk_with_parent(root: Node) -> list[tuple[Node, Node | None]]:
    out: list[tuple[Node, Node | None]] = []
    stack: list[tuple[Node, Node | None]] = [(root, None)]
    while stack:
        node, parent = stack.pop()
        out.append((node, parent))
        children: tuple[Node, ...] = ()
        if isinstance(node, Call):
            children = node.args
        elif hasattr(node, 'left'):
            children = (node.left, node.right)  # type: ignore[union-attr]
        elif hasattr(node, 'operand'):
            children = (node.operand,)  # type: ignore[union-attr]
        stack.extend((c, node) for c in reversed(children))
    return out


def _find_cycle(start: str, deps: Mapping[str, list[str]]) -> list[str] | None:
    """Return a path ``start → … → start`` through *deps*, or ``None``."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in deps.get(node, ()):
            if nxt == start:
                return path + [start]
            if nxt not in visited:
                visited.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None
