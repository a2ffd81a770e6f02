"""Capture semantics as pure functions: drafts, relevance and calculations, submit validation, scores,
suggested findings and household rows. Nothing here touches the database.

Answers are plain data: ``{item_id: value}``, and a repeat is ``{repeat_id: [{item_id: value}, ...]}``.
Values: ``'yes'``/``'no'`` for yes_no; the choice name for select_one; a list of names (or an ODK-style
space-separated string) for select_multiple; a number (or numeric string) for integer/decimal/percentage;
text; ``YYYY-MM-DD`` for a date; a file reference (string, dict, or a list of them) for evidence.

Answers are never dropped or rewritten: a draft keeps partial and invalid values; answers to items that
are not relevant stay stored but count as empty in expressions, scores and findings, as in ODK.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from inspect_flow.checklist.errors import ExpressionError, SubmissionInvalid
from inspect_flow.checklist.expressions import (
    Context,
    Expression,
    NodeSet,
    Value,
    coerce_answer,
    compile_pattern,
    evaluate_bool,
    is_number_text,
    parse_date,
    pattern_matches,
    plain_value,
)
from inspect_flow.checklist.expressions import (
    evaluate as evaluate_expression,
)
from inspect_flow.checklist.model import NUMBER_TYPES, Checklist
from inspect_flow.checklist.schema import ItemSpec, ItemType, Media

# -- drafts ------------------------------------------------------------------------------------------------


def normalize_answers(answers: Any) -> dict[str, Any]:
    """Return a JSON-able copy of *answers* that keeps every key and every value.

    Plain JSON data comes back equal. Other values are turned into the nearest JSON value without losing
    them: dates become ISO strings, tuples and sets lists, ``Decimal`` its exact text, NaN and infinities
    the strings ``'NaN'``/``'Infinity'``, anything else its ``str()``. Keys become strings.
    """
    if not isinstance(answers, Mapping):
        return {} if answers is None else {'_value': _jsonable(answers)}
    return {str(k): _jsonable(v) for k, v in answers.items()}


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return 'NaN' if math.isnan(value) else ('Infinity' if value > 0 else '-Infinity')
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return [_jsonable(v) for v in sorted(value, key=repr)]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Draft:
    """A saved draft: the answers exactly as given (JSON-able) and the problems a submit would report."""

    answers: dict[str, Any]
    errors: list[AnswerError]

    @property
    def is_complete(self) -> bool:
        return not self.errors


def save_draft(checklist: Checklist, answers: Any, *, today: dt.date | None = None) -> Draft:
    """Normalise *answers* for storage; never refuse them. The errors are for display only."""
    normalized = normalize_answers(answers)
    return Draft(normalized, validate_for_submit(checklist, normalized, today=today))


# -- relevance and calculations ----------------------------------------------------------------------------


class _EngineContext(Context):
    def __init__(
        self,
        checklist: Checklist,
        values: dict[str, Any],
        rows: dict[str, list[dict[str, Any]]],
        today: dt.date,
        row: tuple[str, int] | None = None,
        current: Any = None,
    ):
        self.cl = checklist
        self.values = values
        self.rows = rows
        self.today = today
        self.row = row
        self.current = ''
        if current is not None:
            self.current = coerce_answer(current, None)

    def with_row(self, repeat_id: str, index: int) -> _EngineContext:
        return _EngineContext(self.cl, self.values, self.rows, self.today, (repeat_id, index))

    def with_current(self, value: Any, type_: str) -> _EngineContext:
        ctx = _EngineContext(self.cl, self.values, self.rows, self.today, self.row)
        ctx.current = coerce_answer(value, type_)
        return ctx

    def lookup(self, name: str, pos: int, expression: str) -> Value:
        types = self.cl.item_types
        type_ = types.get(name)
        if type_ == 'repeat':
            return NodeSet(tuple('' for _ in self.rows.get(name, ())), name)
        parent = self.cl.parent(name) if type_ is not None else None
        if parent is not None:
            rows = self.rows.get(parent.id, [])
            if self.row is not None and self.row[0] == parent.id:
                row = rows[self.row[1]] if self.row[1] < len(rows) else {}
                return coerce_answer(row.get(name), type_)
            return NodeSet(tuple(coerce_answer(r.get(name), type_) for r in rows), name)
        return coerce_answer(self.values.get(name), type_)


@dataclass(frozen=True)
class EvaluationProblem:
    """An expression that failed while evaluating answers (e.g. an invalid regular expression built at run time)."""

    item_id: str
    repeat_id: str | None
    index: int | None
    error: ExpressionError


@dataclass(frozen=True)
class Evaluation:
    """Relevance and calculated values for one set of answers.

    :ivar relevant: ids of the relevant items outside repeats (a relevant repeat is listed too)
    :ivar row_relevant: per repeat, the ids of the relevant items of each row
    :ivar calculated: values of the calculations outside repeats (ODK-like: NaN becomes ``''``)
    :ivar row_calculated: per repeat, the calculated values of each row
    :ivar values: the effective values outside repeats: answers of relevant items and calculations;
        ``None`` for items that are not relevant
    :ivar rows: the effective values of each row of each repeat (a repeat that is not relevant has none)
    """

    relevant: frozenset[str]
    row_relevant: dict[str, tuple[frozenset[str], ...]]
    calculated: dict[str, Any]
    row_calculated: dict[str, tuple[dict[str, Any], ...]]
    values: dict[str, Any]
    rows: dict[str, tuple[dict[str, Any], ...]]
    problems: tuple[EvaluationProblem, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)

    def is_relevant(self, item_id: str, index: int | None = None, repeat_id: str | None = None) -> bool:
        """Whether *item_id* is relevant (in row *index* of *repeat_id* for an item of a repeat)."""
        if repeat_id is None:
            return item_id in self.relevant
        rows = self.row_relevant.get(repeat_id, ())
        return index is not None and 0 <= index < len(rows) and item_id in rows[index]


def evaluate(checklist: Checklist, answers: Any, *, today: dt.date | None = None) -> Evaluation:
    """Evaluate relevance and calculations in document order.

    An item is relevant when its section's and its own ``relevant`` expressions hold (and, in a repeat,
    the repeat's). An expression that fails at run time counts as not relevant / an empty calculation and
    is reported in :attr:`Evaluation.problems`.
    """
    answers = answers if isinstance(answers, Mapping) else {}
    today = today or dt.date.today()
    values: dict[str, Any] = {}
    rows: dict[str, list[dict[str, Any]]] = {}
    relevant: set[str] = set()
    row_relevant: dict[str, tuple[frozenset[str], ...]] = {}
    calculated: dict[str, Any] = {}
    row_calculated: dict[str, tuple[dict[str, Any], ...]] = {}
    problems: list[EvaluationProblem] = []
    ctx = _EngineContext(checklist, values, rows, today)

    def holds(text: str | None, context: _EngineContext, item_id: str, repeat: str | None, index: int | None) -> bool:
        if text is None:
            return True
        try:
            return evaluate_bool(checklist.expression(text), context)
        except ExpressionError as exc:
            problems.append(EvaluationProblem(item_id, repeat, index, exc))
            return False

    def calculate(item: ItemSpec, context: _EngineContext, repeat: str | None, index: int | None) -> Any:
        try:
            return plain_value(evaluate_expression(checklist.expression(item.calculation or "''"), context))
        except ExpressionError as exc:
            problems.append(EvaluationProblem(item.id, repeat, index, exc))
            return ''

    for section in checklist.sections:
        section_ok = holds(section.relevant, ctx, section.items[0].id, None, None)
        for item in section.items:
            ok = section_ok and holds(item.relevant, ctx, item.id, None, None)
            if ok:
                relevant.add(item.id)
            if item.type == ItemType.repeat:
                raw_rows = answers.get(item.id)
                raw_rows = raw_rows if isinstance(raw_rows, list) else []
                rows[item.id] = []
                rel_list: list[frozenset[str]] = []
                calc_list: list[dict[str, Any]] = []
                for index, raw in enumerate(raw_rows):
                    if not ok:
                        rel_list.append(frozenset())
                        calc_list.append({})
                        continue
                    raw = raw if isinstance(raw, Mapping) else {}
                    effective: dict[str, Any] = {}
                    rows[item.id].append(effective)
                    row_ctx = ctx.with_row(item.id, index)
                    row_rel: set[str] = set()
                    row_calc: dict[str, Any] = {}
                    for child in item.items or ():
                        child_ok = holds(child.relevant, row_ctx, child.id, item.id, index)
                        if child_ok:
                            row_rel.add(child.id)
                        if child.type == ItemType.calculate:
                            value = calculate(child, row_ctx, item.id, index) if child_ok else ''
                            row_calc[child.id] = value
                            effective[child.id] = value
                        else:
                            effective[child.id] = raw.get(child.id) if child_ok else None
                    rel_list.append(frozenset(row_rel))
                    calc_list.append(row_calc)
                row_relevant[item.id] = tuple(rel_list)
                row_calculated[item.id] = tuple(calc_list)
            elif item.type == ItemType.calculate:
                value = calculate(item, ctx, None, None) if ok else ''
                calculated[item.id] = value
                values[item.id] = value
            else:
                values[item.id] = answers.get(item.id) if ok else None
    return Evaluation(
        relevant=frozenset(relevant),
        row_relevant=row_relevant,
        calculated=calculated,
        row_calculated=row_calculated,
        values=values,
        rows={k: tuple(v) for k, v in rows.items()},
        problems=tuple(problems),
        today=today,
    )


# -- submit validation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerError:
    """One problem with one answer.

    :ivar code: ``required``, ``type``, ``choice``, ``min``, ``max``, ``pattern``, ``constraint``,
        ``expression`` or ``duplicate_household``
    :ivar repeat_id: the repeat, for an item in a repeat row (or for a malformed row)
    :ivar index: the 0-based row index in that repeat
    """

    item_id: str
    code: str
    message_vi: str
    message_en: str
    repeat_id: str | None = None
    index: int | None = None

    def message(self, lang: str = 'vi') -> str:
        return self.message_en if lang == 'en' else self.message_vi

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and value.strip() == '')


def _label(item: ItemSpec, lang: str) -> str:
    if item.label is None:
        return item.id
    return item.label.get(lang)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f'{x:g}'


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and is_number_text(value):
        return float(value)
    return None


def _selected_names(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _is_file_ref(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() != ''
    if isinstance(value, Mapping):
        return bool(value)
    if isinstance(value, list):
        return bool(value) and all(_is_file_ref(v) and not isinstance(v, list) for v in value)
    return False


class _Checker:
    def __init__(self, checklist: Checklist, evaluation: Evaluation, ctx: _EngineContext):
        self.cl = checklist
        self.ev = evaluation
        self.ctx = ctx
        self.errors: list[AnswerError] = []
        #: Answers of the wrong type or choice: ``(item id, repeat, row)``. A constraint that refers to one
        #: of them is not checked, since its own error already says what is wrong (no cascade of messages).
        self.unreadable: set[tuple[str, str | None, int | None]] = set()

    def error(self, item: ItemSpec, code: str, vi: str, en: str, repeat: str | None, index: int | None) -> None:
        if code in ('type', 'choice'):
            self.unreadable.add((item.id, repeat, index))
        self.errors.append(
            AnswerError(item.id, code, f'{_label(item, "vi")}: {vi}', f'{_label(item, "en")}: {en}', repeat, index)
        )

    def refers_to_unreadable(self, expression: Expression, repeat: str | None, index: int | None) -> bool:
        for ref in expression.references:
            if (ref.name, None, None) in self.unreadable or (ref.name, repeat, index) in self.unreadable:
                return True
        return False

    def check(self, item: ItemSpec, value: Any, repeat: str | None, index: int | None) -> None:
        t = item.type
        if t in (ItemType.note, ItemType.calculate, ItemType.repeat):
            return
        if _is_empty(value):
            if item.required:
                self.error(item, 'required', 'bắt buộc phải trả lời', 'an answer is required', repeat, index)
            return
        if not self.check_type(item, value, repeat, index):
            return
        self.check_constraint(item, value, repeat, index)

    def check_type(self, item: ItemSpec, value: Any, repeat: str | None, index: int | None) -> bool:
        t = item.type
        if t in (ItemType.yes_no, ItemType.select_one):
            names = self.cl.choice_names(item)
            if not isinstance(value, str) or value not in names:
                self.error(
                    item,
                    'choice',
                    f'giá trị {value!r} không phải là một lựa chọn ({", ".join(names)})',
                    f'{value!r} is not one of the choices ({", ".join(names)})',
                    repeat,
                    index,
                )
                return False
            return True
        if t == ItemType.select_multiple:
            names = self.cl.choice_names(item)
            selected = _selected_names(value)
            if selected is None:
                self.error(
                    item,
                    'type',
                    'phải là danh sách mã lựa chọn',
                    'must be a list of choice names',
                    repeat,
                    index,
                )
                return False
            unknown = [s for s in selected if s not in names]
            if unknown:
                self.error(
                    item,
                    'choice',
                    f'{", ".join(map(repr, unknown))} không có trong danh sách lựa chọn ({", ".join(names)})',
                    f'{", ".join(map(repr, unknown))} not among the choices ({", ".join(names)})',
                    repeat,
                    index,
                )
                return False
            return True
        if t in NUMBER_TYPES:
            number = _as_number(value)
            if t == ItemType.integer and (number is None or not number.is_integer()):
                self.error(item, 'type', 'phải là số nguyên', 'must be a whole number', repeat, index)
                return False
            if number is None:
                self.error(item, 'type', 'phải là một số', 'must be a number', repeat, index)
                return False
            if t == ItemType.percentage and not 0 <= number <= 100:
                self.error(
                    item, 'type', 'tỷ lệ phải từ 0 đến 100', 'a percentage must be between 0 and 100', repeat, index
                )
                return False
            return True
        if t == ItemType.text:
            if not isinstance(value, str):
                self.error(item, 'type', 'phải là văn bản', 'must be text', repeat, index)
                return False
            return True
        if t == ItemType.date:
            if not isinstance(value, str) or parse_date(value) is None:
                self.error(
                    item,
                    'type',
                    'phải là ngày hợp lệ dạng YYYY-MM-DD',
                    'must be a valid date (YYYY-MM-DD)',
                    repeat,
                    index,
                )
                return False
            return True
        if t == ItemType.evidence:
            if not _is_file_ref(value):
                what_vi = 'ảnh' if self.cl.media(item) == Media.photo else 'tệp'
                what_en = 'photo' if self.cl.media(item) == Media.photo else 'file'
                self.error(
                    item,
                    'type',
                    f'phải là tham chiếu tới {what_vi} đã tải lên',
                    f'must refer to an uploaded {what_en}',
                    repeat,
                    index,
                )
                return False
            return True
        return True  # pragma: no cover - every input type is handled above

    def check_constraint(self, item: ItemSpec, value: Any, repeat: str | None, index: int | None) -> None:
        c = item.constraint
        if c is None:
            return
        msg = c.message

        def fail(code: str, vi: str, en: str) -> None:
            if msg is not None:
                vi, en = msg.vi, msg.get('en')
            self.error(item, code, vi, en, repeat, index)

        number = _as_number(value) if item.type in NUMBER_TYPES else None
        if number is not None and c.min is not None and number < c.min:
            fail('min', f'giá trị phải lớn hơn hoặc bằng {_fmt(c.min)}', f'must be at least {_fmt(c.min)}')
            return
        if number is not None and c.max is not None and number > c.max:
            fail('max', f'giá trị phải nhỏ hơn hoặc bằng {_fmt(c.max)}', f'must be at most {_fmt(c.max)}')
            return
        if c.pattern is not None and isinstance(value, str):
            try:
                matched = pattern_matches(compile_pattern(c.pattern), value, full=True)
            except TimeoutError:
                fail('pattern', f'không kiểm tra được theo mẫu {c.pattern} (mẫu chạy quá lâu)',
                     f'cannot be checked against the pattern {c.pattern} (the pattern runs too long)')
                return
            if not matched:
                fail('pattern', f'không đúng mẫu {c.pattern}', f'does not match the pattern {c.pattern}')
                return
        if c.expression is not None:
            expression = self.cl.expression(c.expression)
            if self.refers_to_unreadable(expression, repeat, index):
                return
            ctx = self.ctx.with_row(repeat, index) if repeat is not None and index is not None else self.ctx
            ctx = ctx.with_current(value, item.type.value)
            try:
                ok = evaluate_bool(expression, ctx)
            except ExpressionError as exc:
                self.error(item, 'expression', exc.message_vi, exc.message_en, repeat, index)
                return
            if not ok:
                fail('constraint', 'giá trị không thỏa mãn ràng buộc', 'the value breaks the constraint')


def validate_for_submit(checklist: Checklist, answers: Any, *, today: dt.date | None = None) -> list[AnswerError]:
    """Return every problem that blocks a submit, in document order; an empty list means the answers pass.

    Checks: every required, relevant item is answered; every answer has its item's type; every constraint
    holds; a household roster has no household code twice. Answers to items that are not relevant, and
    answers to unknown ids, are not errors (they are kept, and ignored).
    """
    answers = answers if isinstance(answers, Mapping) else {}
    ev = evaluate(checklist, answers, today=today)
    ctx = _EngineContext(checklist, dict(ev.values), {k: list(v) for k, v in ev.rows.items()}, ev.today)
    checker = _Checker(checklist, ev, ctx)
    for problem in ev.problems:
        item = checklist.item(problem.item_id)
        checker.error(
            item, 'expression', problem.error.message_vi, problem.error.message_en, problem.repeat_id, problem.index
        )
    for section in checklist.sections:
        for item in section.items:
            if item.id not in ev.relevant:
                continue
            value = answers.get(item.id)
            if item.type != ItemType.repeat:
                checker.check(item, value, None, None)
                continue
            if value is not None and not isinstance(value, list):
                checker.error(item, 'type', 'phải là danh sách các dòng', 'must be a list of rows', None, None)
                continue
            raw_rows = value or []
            if item.required and not raw_rows:
                checker.error(item, 'required', 'cần ít nhất một dòng', 'at least one row is required', None, None)
            for index, raw in enumerate(raw_rows):
                if not isinstance(raw, Mapping):
                    checker.error(
                        item, 'type', f'dòng {index + 1} không hợp lệ', f'row {index + 1} is malformed', item.id, index
                    )
                    continue
                for child in item.items or ():
                    if ev.is_relevant(child.id, index, item.id):
                        checker.check(child, raw.get(child.id), item.id, index)
            if item.roster is not None:
                _check_household_codes(checker, item, raw_rows)
    order = {item_id: n for n, item_id in enumerate(checklist.item_ids)}
    return sorted(
        checker.errors,
        key=lambda e: (
            order.get(e.repeat_id, 0) if e.repeat_id else order.get(e.item_id, 0),
            -1 if e.index is None else e.index,
            order.get(e.item_id, 0),
        ),
    )


def _check_household_codes(checker: _Checker, roster: ItemSpec, rows: list[Any]) -> None:
    code_item = next(i for i in roster.items or () if i.id == 'household_code')
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            continue
        code = row.get('household_code')
        if not isinstance(code, str) or not code.strip():
            continue
        key = code.strip()
        if key in seen:
            checker.error(
                code_item,
                'duplicate_household',
                f'mã hộ {key!r} trùng với dòng {seen[key] + 1}',
                f'household code {key!r} repeats row {seen[key] + 1}',
                roster.id,
                index,
            )
        else:
            seen[key] = index


def submit_answers(checklist: Checklist, answers: Any, *, today: dt.date | None = None) -> dict[str, Any]:
    """Validate *answers* for submission and return them normalised (unchanged otherwise).

    :raise SubmissionInvalid: there are errors; ``details`` holds one :meth:`AnswerError.to_dict` per error
    """
    normalized = normalize_answers(answers)
    errors = validate_for_submit(checklist, normalized, today=today)
    if errors:
        raise SubmissionInvalid(
            'checklist.submission_invalid',
            f'Phiếu còn {len(errors)} lỗi, chưa nộp được',
            f'The form has {len(errors)} error(s) and cannot be submitted',
            details=[e.to_dict() for e in errors],
        )
    return normalized


# -- scores ------------------------------------------------------------------------------------------------

_DEFAULT_YES_NO_SCORES = {'yes': 1.0, 'no': 0.0}


@dataclass(frozen=True)
class ItemScore:
    """The score of one weighted item: ``earned = weight × fraction`` (the mean over rows in a repeat)."""

    item_id: str
    section_id: str
    weight: float
    fraction: float

    @property
    def earned(self) -> float:
        return self.weight * self.fraction


@dataclass(frozen=True)
class SectionScore:
    earned: float
    possible: float

    @property
    def percent(self) -> float | None:
        return round(self.earned / self.possible * 100, 2) if self.possible else None


@dataclass(frozen=True)
class Score:
    """A visit's score. Weighted items that are not relevant, not answered, or answered with a choice
    that has no score (e.g. "không áp dụng") are left out of both ``earned`` and ``possible``."""

    items: tuple[ItemScore, ...]
    unscored: tuple[str, ...]

    @property
    def earned(self) -> float:
        return math.fsum(i.earned for i in self.items)

    @property
    def possible(self) -> float:
        return math.fsum(i.weight for i in self.items)

    @property
    def percent(self) -> float | None:
        possible = self.possible
        return round(self.earned / possible * 100, 2) if possible else None

    @property
    def sections(self) -> dict[str, SectionScore]:
        out: dict[str, list[float]] = {}
        for i in self.items:
            acc = out.setdefault(i.section_id, [0.0, 0.0])
            acc[0] += i.earned
            acc[1] += i.weight
        return {k: SectionScore(v[0], v[1]) for k, v in out.items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            'earned': self.earned,
            'possible': self.possible,
            'percent': self.percent,
            'sections': {
                k: {'earned': v.earned, 'possible': v.possible, 'percent': v.percent} for k, v in self.sections.items()
            },
            'items': [
                {'item_id': i.item_id, 'section_id': i.section_id, 'weight': i.weight, 'fraction': i.fraction}
                for i in self.items
            ],
            'unscored': list(self.unscored),
        }


def _fraction(checklist: Checklist, item: ItemSpec, value: Any) -> float | None:
    if item.type == ItemType.percentage:
        number = _as_number(value)
        return number / 100 if number is not None and 0 <= number <= 100 else None
    scores = (
        item.scores if item.scores is not None else (_DEFAULT_YES_NO_SCORES if item.type == ItemType.yes_no else {})
    )
    if isinstance(value, str) and value in scores:
        return float(scores[value])
    return None


def score(
    checklist: Checklist, answers: Any, *, today: dt.date | None = None, evaluation: Evaluation | None = None
) -> Score:
    """Score one visit from the weights of its checklist.

    yes_no scores 1 for ``yes`` and 0 for ``no`` unless ``scores`` says otherwise; select_one uses
    ``scores``; percentage scores ``value / 100``. In a repeat an item scores the mean over its rows.
    """
    answers = answers if isinstance(answers, Mapping) else {}
    ev = evaluation or evaluate(checklist, answers, today=today)
    items: list[ItemScore] = []
    unscored: list[str] = []
    for item in checklist.iter_items():
        if item.weight is None:
            continue
        section_id = checklist.section_of(item.id).id
        parent = checklist.parent(item.id)
        if parent is None:
            fraction = _fraction(checklist, item, ev.values.get(item.id)) if item.id in ev.relevant else None
        else:
            fractions = [
                f
                for index, row in enumerate(ev.rows.get(parent.id, ()))
                if ev.is_relevant(item.id, index, parent.id)
                and (f := _fraction(checklist, item, row.get(item.id))) is not None
            ]
            fraction = math.fsum(fractions) / len(fractions) if fractions else None
        if fraction is None:
            unscored.append(item.id)
        else:
            items.append(ItemScore(item.id, section_id, float(item.weight), fraction))
    return Score(tuple(items), tuple(unscored))


@dataclass(frozen=True)
class ScoreSummary:
    """Scores over many visits (a round): pooled (total earned / total possible) and per visit."""

    visits: int
    earned: float
    possible: float
    percent: float | None
    mean_percent: float | None
    min_percent: float | None
    max_percent: float | None
    sections: dict[str, SectionScore]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data['sections'] = {
            k: {'earned': v.earned, 'possible': v.possible, 'percent': v.percent} for k, v in self.sections.items()
        }
        return data


def aggregate_scores(scores: Iterable[Score]) -> ScoreSummary:
    """Combine the scores of many visits (e.g. every visit of a round that used the same checklist)."""
    scores = list(scores)
    earned = math.fsum(s.earned for s in scores)
    possible = math.fsum(s.possible for s in scores)
    percents = [p for s in scores if (p := s.percent) is not None]
    sections: dict[str, list[float]] = {}
    for s in scores:
        for key, sec in s.sections.items():
            acc = sections.setdefault(key, [0.0, 0.0])
            acc[0] += sec.earned
            acc[1] += sec.possible
    return ScoreSummary(
        visits=len(scores),
        earned=earned,
        possible=possible,
        percent=round(earned / possible * 100, 2) if possible else None,
        mean_percent=round(math.fsum(percents) / len(percents), 2) if percents else None,
        min_percent=min(percents) if percents else None,
        max_percent=max(percents) if percents else None,
        sections={k: SectionScore(v[0], v[1]) for k, v in sections.items()},
    )


# -- suggested findings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestedFinding:
    """A finding proposed by a rule; the team accepts, edits or rejects it."""

    rule_id: str
    kind: str
    category_vi: str
    category_en: str
    text_vi: str
    text_en: str
    severity: str | None
    item_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_TEXT_REF = re.compile(r'\$\{([^}]*)\}')


def format_value(value: Any, lang: str = 'vi') -> str:
    """Format a value for a sentence: ``1.968`` and ``38,36`` in Vietnamese, ``1,968`` and ``38.36`` in English."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return ('có' if value else 'không') if lang == 'vi' else ('yes' if value else 'no')
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return ''
        text = f'{number:,.0f}' if number.is_integer() else f'{number:,.2f}'.rstrip('0').rstrip('.')
        if lang == 'vi':
            text = text.replace(',', '\0').replace('.', ',').replace('\0', '.')
        return text
    if isinstance(value, list):
        return ', '.join(format_value(v, lang) for v in value)
    return str(value)


def _display(checklist: Checklist, item_id: str, value: Any, lang: str) -> str:
    item = checklist.item(item_id)
    if item.type in (ItemType.select_one, ItemType.select_multiple) and value is not None:
        labels = {c.name: c.label.get(lang) for c in item.choices or ()}
        names = _selected_names(value) or []
        return ', '.join(labels.get(n, n) for n in names)
    if item.type == ItemType.yes_no and value in ('yes', 'no'):
        return {'yes': 'có', 'no': 'không'}[value] if lang == 'vi' else value
    if item.type in NUMBER_TYPES or item.type == ItemType.calculate:
        number = _as_number(value)
        if number is not None:
            return format_value(int(number) if number.is_integer() else number, lang)
    return format_value(value, lang)


def suggest_findings(
    checklist: Checklist, answers: Any, *, today: dt.date | None = None, evaluation: Evaluation | None = None
) -> list[SuggestedFinding]:
    """Return the findings whose rule holds for *answers*, in rule order.

    A rule's text may show values: ``${item}`` is replaced by the item's value (choice labels for choices,
    Vietnamese or English number format). A rule whose expression fails at run time is skipped.
    """
    answers = answers if isinstance(answers, Mapping) else {}
    ev = evaluation or evaluate(checklist, answers, today=today)
    ctx = _EngineContext(checklist, dict(ev.values), {k: list(v) for k, v in ev.rows.items()}, ev.today)
    out: list[SuggestedFinding] = []
    for rule in checklist.findings:
        try:
            if not evaluate_bool(checklist.expression(rule.when), ctx):
                continue
        except ExpressionError:
            continue

        def fill(text: str, lang: str) -> str:
            return _TEXT_REF.sub(lambda m: _display(checklist, m.group(1), ev.values.get(m.group(1)), lang), text)

        out.append(
            SuggestedFinding(
                rule_id=rule.id,
                kind=rule.kind.value,
                category_vi=rule.category.vi,
                category_en=rule.category.get('en'),
                text_vi=fill(rule.text.vi, 'vi'),
                text_en=fill(rule.text.get('en'), 'en'),
                severity=rule.severity.value if rule.severity else None,
                item_id=rule.item,
            )
        )
    return out


# -- households ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdRow:
    """One consulted household, ready to become a household-consultation record.

    :ivar index: the row in the roster, or ``None`` for a one-household form
    :ivar answers: every answer of that row (or of the form), unchanged
    """

    index: int | None
    household_code: str
    category: str
    head_name: str | None
    answers: dict[str, Any]


def household_rows(checklist: Checklist, answers: Any) -> list[HouseholdRow]:
    """Return the consulted households in *answers*: the rows of the roster (``roster: households``), or
    the form itself for a ``household_consultation`` checklist. Rows without a household code are skipped;
    call this on submitted answers, where that cannot happen.
    """
    answers = answers if isinstance(answers, Mapping) else {}
    roster = checklist.roster
    if roster is not None:
        raw_rows = answers.get(roster.id)
        rows = [(i, r) for i, r in enumerate(raw_rows if isinstance(raw_rows, list) else []) if isinstance(r, Mapping)]
    elif checklist.kind.value == 'household_consultation':
        rows = [(None, answers)]
    else:
        return []
    out = []
    for index, row in rows:
        code = row.get('household_code')
        if not isinstance(code, str) or not code.strip():
            continue
        head = row.get('head_name')
        out.append(
            HouseholdRow(
                index=index,
                household_code=code.strip(),
                category=str(row.get('category') or ''),
                head_name=head if isinstance(head, str) and head.strip() else None,
                answers=dict(row),
            )
        )
    return out
