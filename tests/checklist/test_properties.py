"""Property tests (hypothesis): the evaluator never crashes, only refuses with ExpressionError; the boolean
laws hold; capture functions take any answers; a draft never loses an answer."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from inspect_flow.checklist import (
    Checklist,
    ChecklistFileError,
    SubmissionInvalid,
    evaluate,
    household_rows,
    parse_checklist_text,
    save_draft,
    score,
    submit_answers,
    suggest_findings,
    validate_for_submit,
)
from inspect_flow.checklist.errors import ExpressionError
from inspect_flow.checklist.expressions import FUNCTIONS, AnswersContext, parse, to_bool
from inspect_flow.checklist.expressions import evaluate as evaluate_expression

from .conftest import SHIPPED_DIR, TODAY, shipped
from .test_capture import FORM

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LIGHT = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- expression text ------------------------------------------------------------------------------------------

#: The characters and words the language is made of, so that random text gets past the tokenizer often.
VOCABULARY = ['${a}', '${b}', '${rows}', '${x}', '${', '}', '(', ')', ',', '.', "'", '"', ' ', '=', '!=', '<',
              '<=', '>', '>=', '+', '-', '*', ' div ', ' mod ', ' and ', ' or ', 'not', 'if', 'selected',
              'count-selected', 'count', 'sum', 'round', 'today', 'true', 'false', 'regex', '0', '1', '2.5',
              '.5', 'yes', 'x', 'é', 'Đ', '\t', '\n', '$', '{', '\\', '[']

texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(VOCABULARY), max_size=25).map(''.join),
)


@SETTINGS
@given(texts)
def test_parsing_any_text_either_succeeds_or_raises_expression_error(text):
    try:
        expr = parse(text)
    except ExpressionError as exc:
        assert exc.code.startswith('expression.')
        assert 1 <= exc.position <= len(text) + 1
        assert exc.message_vi and exc.message_en
        return
    assert expr.source == text
    assert parse(text) == expr  # deterministic (and cached)


@pytest.mark.parametrize('text', ['1' * 4001, '${a} + ' * 600 + '1', '(' * 5000, "'" + 'x' * 5000 + "'"])
def test_overlong_text_is_refused(text):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.code == 'expression.too_complex'


@pytest.mark.parametrize(
    'text',
    ['-' * 41 + '1', '(' * 41 + '1' + ')' * 41, 'not(' * 41 + '1' + ')' * 41, ' + '.join(['1'] * 102)],
)
def test_deep_nesting_is_refused_not_a_recursion_error(text):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.code == 'expression.too_complex'


# -- generated expressions over generated answers ---------------------------------------------------------------

NAMES = ['a', 'b', 'c', 'rows', 'x']
BINARY = ['or', 'and', '=', '!=', '<', '<=', '>', '>=', '+', '-', '*', 'div', 'mod']
SCALAR_FUNCTIONS = sorted(set(FUNCTIONS) - {'count', 'sum'})

string_literals = st.text(alphabet='abyesno 12-:.Đé', max_size=6).map(lambda s: f"'{s}'")
number_literals = st.one_of(
    st.integers(0, 10**6).map(str),
    st.tuples(st.integers(0, 9999), st.integers(0, 999)).map(lambda t: f'{t[0]}.{t[1]}'),
    st.sampled_from(['0', '1', '100', '1968', '755', '38.36', '99999999999999999999999']),
)
references = st.sampled_from(NAMES).map(lambda n: '${' + n + '}')
leaves = st.one_of(
    references,
    number_literals,
    references,
    string_literals,
    references,
    st.just('.'),
    st.sampled_from(['true()', 'false()', 'today()', 'count(${rows})', 'sum(${x})', 'count(${x})', 'sum(${a})']),
)


def _call(name: str, args: list[str]) -> str:
    return f'{name}({", ".join(args)})'


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    calls = st.sampled_from(SCALAR_FUNCTIONS).flatmap(
        lambda name: st.lists(
            children,
            min_size=FUNCTIONS[name][0],
            max_size=FUNCTIONS[name][1] if FUNCTIONS[name][1] is not None else FUNCTIONS[name][0] + 3,
        ).map(lambda args, name=name: _call(name, args))
    )
    binary = st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: f'({t[0]} {t[1]} {t[2]})')
    return st.one_of(
        binary,
        calls,
        binary,
        calls,
        children.map(lambda c: f'-{c}'),
        # now and then a wrong number of arguments, which the parser refuses
        st.tuples(st.sampled_from(SCALAR_FUNCTIONS), st.lists(children, max_size=4)).map(lambda t: _call(*t)),
    )


expressions = st.recursive(leaves, _extend, max_leaves=14)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(['yes', 'no', '', ' ', '2019-07-23', '2019-02-30', '1.5', ' 3 ', '-0', 'NaN', '1e5', 'a b']),
    st.dates(),
    st.lists(st.sampled_from(['a', 'b', 'yes', '1', '']), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
rows = st.lists(st.one_of(st.fixed_dictionaries({}, optional={'x': scalars, 'a': scalars}), scalars), max_size=4)
answer_sets = st.fixed_dictionaries({}, optional={'a': scalars, 'b': scalars, 'c': scalars, 'rows': rows,
                                                  'x': scalars})
type_maps = st.fixed_dictionaries(
    {},
    optional={name: st.sampled_from(['text', 'integer', 'decimal', 'percentage', 'date', 'yes_no', 'select_multiple',
                                     'repeat', 'calculate']) for name in NAMES},
)
contexts = st.builds(
    lambda answers, types, row, current: AnswersContext(answers, types=types, row=row, current=current,
                                                        today=TODAY),
    answer_sets,
    type_maps,
    st.one_of(st.none(), st.tuples(st.just('rows'), st.integers(-1, 4))),
    scalars,
)
VALUE_TYPES = (str, float, bool, dt.date)


def _value(text: str, ctx: AnswersContext):
    """The value of *text*, or None when the language refuses it (only ever with an ExpressionError)."""
    try:
        return evaluate_expression(text, ctx)
    except ExpressionError:
        return None


@SETTINGS
@given(expressions, contexts)
def test_evaluating_any_expression_over_any_answers_only_raises_expression_error(text, ctx):
    try:
        value = evaluate_expression(text, ctx)
    except ExpressionError as exc:
        assert exc.code.startswith('expression.')
        return
    assert isinstance(value, VALUE_TYPES)
    to_bool(value)  # every value has a truth value


@SETTINGS
@given(expressions, expressions, contexts)
def test_and_or_not_follow_the_boolean_laws(left, right, ctx):
    a, b = _value(left, ctx), _value(right, ctx)
    assume(a is not None and b is not None)
    p, q = to_bool(a), to_bool(b)
    laws = {
        f'({left}) and ({right})': p and q,
        f'({left}) or ({right})': p or q,
        f'({right}) and ({left})': p and q,
        f'({right}) or ({left})': p or q,
        f'not(({left}) and ({right}))': not (p and q),
        f'not({left}) or not({right})': not (p and q),
        f'not(({left}) or ({right}))': not (p or q),
        f'not({left}) and not({right})': not (p or q),
        f'not(not({left}))': p,
        f'({left}) and true()': p,
        f'({left}) or false()': p,
        f'({left}) or not({left})': True,
        f'({left}) and not({left})': False,
    }
    for text, expected in laws.items():
        value = _value(text, ctx)
        if value is None:  # too deep once combined: refused, never wrong
            continue
        assert value is expected, text
    chosen = _value(f'if({left}, {right}, "other")', ctx)
    if chosen is not None:
        if p:
            assert chosen == b or (isinstance(b, float) and math.isnan(b) and math.isnan(chosen))
        else:
            assert chosen == 'other'


@SETTINGS
@given(expressions, expressions, contexts)
def test_comparisons_are_consistent(left, right, ctx):
    a, b = _value(left, ctx), _value(right, ctx)
    assume(a is not None and b is not None)
    eq, ne = _value(f'({left}) = ({right})', ctx), _value(f'({left}) != ({right})', ctx)
    if eq is not None and ne is not None:
        assert eq is (not ne)
        assert _value(f'({right}) = ({left})', ctx) is eq  # = is symmetric
    lt, ge = _value(f'({left}) < ({right})', ctx), _value(f'({left}) >= ({right})', ctx)
    if lt is not None and ge is not None and lt:
        assert not ge  # never both (NaN makes both false)


# -- capture functions over any answers -------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False,
              allow_infinity=False), st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children,
                                                                                 max_size=3)),
    max_leaves=8,
)


def _answers_for(checklist):
    """Answers keyed mostly by the checklist's own item ids, with values of any shape."""
    ids = checklist.item_ids
    roster = checklist.roster
    hints = st.sampled_from(['yes', 'no', 'commune', 'district', '2019-07-10', '12', 1968, 755, 0, -1,
                             ['radio', 'none'], 'poor', 'good', 'irregular'])
    value = st.one_of(json_values, hints)
    keyed = st.dictionaries(st.one_of(st.sampled_from(ids), st.text(max_size=6)), value, max_size=25)
    if roster is None:
        return keyed
    child_ids = [c.id for c in roster.items]
    row = st.one_of(st.dictionaries(st.sampled_from(child_ids), value, max_size=len(child_ids)), json_values)
    return st.tuples(keyed, st.lists(row, max_size=4)).map(lambda t: {**t[0], roster.id: t[1]})


CHECKLISTS = {
    'capture-test': FORM,
    'poverty-supervision': shipped('poverty-supervision'),
    'household-consultation': shipped('household-consultation'),
}


@pytest.mark.parametrize('name', sorted(CHECKLISTS))
def test_capture_takes_any_answers_and_a_draft_loses_none(name):
    checklist = CHECKLISTS[name]

    @LIGHT
    @given(_answers_for(checklist))
    def check(answers):
        before = json.dumps(answers, sort_keys=True, default=str)
        draft = save_draft(checklist, answers, today=TODAY)
        # Every key and every value is kept: JSON answers come back equal.
        assert draft.answers == answers
        assert set(draft.answers) == {str(k) for k in answers}
        ev = evaluate(checklist, draft.answers, today=TODAY)
        assert ev.relevant <= set(checklist.item_ids)
        errors = validate_for_submit(checklist, draft.answers, today=TODAY)
        assert errors == draft.errors
        assert all(checklist.has_item(e.item_id) for e in errors)
        s = score(checklist, draft.answers, today=TODAY)
        assert 0 <= s.earned <= s.possible
        assert s.percent is None or 0 <= s.percent <= 100
        for finding in suggest_findings(checklist, draft.answers, today=TODAY):
            assert finding.text_vi and finding.kind in ('achievement', 'limitation', 'cause')
        for row in household_rows(checklist, draft.answers):
            assert row.household_code.strip() == row.household_code != ''
        try:
            submitted = submit_answers(checklist, draft.answers, today=TODAY)
        except SubmissionInvalid as exc:
            assert len(exc.details) == len(errors) > 0
        else:
            assert errors == [] and submitted == answers
        # Nothing above changed the caller's answers.
        assert json.dumps(answers, sort_keys=True, default=str) == before

    check()


python_values = st.one_of(
    json_values,
    st.floats(),  # NaN and infinities
    st.dates(),
    st.datetimes(),
    st.decimals(allow_nan=True),
    st.tuples(st.integers(), st.text(max_size=3)),
    st.frozensets(st.integers(), max_size=3),
)


@SETTINGS
@given(st.dictionaries(st.one_of(st.text(max_size=8), st.integers()), python_values, max_size=10))
def test_a_draft_keeps_every_key_of_any_python_answers(answers):
    assume(len({str(k) for k in answers}) == len(answers))  # 1 and '1' would be one key in JSON
    draft = save_draft(FORM, answers, today=TODAY)
    assert set(draft.answers) == {str(k) for k in answers}
    json.dumps(draft.answers, allow_nan=False)  # storable as strict JSON
    assert save_draft(FORM, draft.answers, today=TODAY).answers == draft.answers  # and stable


# -- the loader over any text -------------------------------------------------------------------------------------

SHIPPED_TEXT = (SHIPPED_DIR / 'household-consultation.yaml').read_text(encoding='utf-8')
SHIPPED_LINES = SHIPPED_TEXT.splitlines()


@st.composite
def mutated_checklists(draw):
    """The shipped household form with a few lines deleted, duplicated, swapped or altered."""
    lines = list(SHIPPED_LINES)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(['delete', 'duplicate', 'swap', 'replace', 'indent', 'insert']))
        if action == 'delete':
            del lines[i]
        elif action == 'duplicate':
            lines.insert(i, lines[i])
        elif action == 'swap':
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == 'replace':
            start = draw(st.integers(0, max(len(lines[i]) - 1, 0)))
            lines[i] = lines[i][:start] + draw(st.text(max_size=6)) + lines[i][start + 1:]
        elif action == 'indent':
            lines[i] = draw(st.sampled_from([' ', '  ', '\t'])) + lines[i]
        else:
            lines.insert(i, draw(st.sampled_from(['- x', 'x: [', 'type: note', '  - id: a', '&a b: *a', '%YAML 1.1',
                                                  '---', '...', '? x', 'relevant: ${in_project} = ', '{', '"'])))
    return '\n'.join(lines)


@LIGHT
@given(st.one_of(mutated_checklists(), st.text(max_size=200)))
def test_loading_any_text_either_succeeds_or_raises_a_checklist_file_error(text):
    try:
        checklist = parse_checklist_text(text, path='mutated.yaml')
    except ChecklistFileError as exc:
        assert exc.message_en.startswith('File mutated.yaml')
        assert exc.line is None or 1 <= exc.line <= text.count('\n') + 2
        return
    # What loads is a valid checklist: it survives pinning.
    assert Checklist.from_dict(checklist.to_dict()).sha256 == checklist.sha256
