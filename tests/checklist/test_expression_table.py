"""The expression semantics table (expression_cases.json) against the Python evaluator."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from inspect_flow.checklist.errors import ExpressionError
from inspect_flow.checklist.expressions import AnswersContext, evaluate

TABLE = json.loads((Path(__file__).parent / 'expression_cases.json').read_text(encoding='utf-8'))
TODAY = dt.date.fromisoformat(TABLE['today'])
CASES = TABLE['cases']


def _case_id(case: dict) -> str:
    return case['expression'] or '<empty>'


def _check(actual, expected: dict) -> None:
    ((kind, value),) = expected.items()
    if kind == 'number':
        assert isinstance(actual, float) and not isinstance(actual, bool), actual
        if value == 'NaN':
            assert math.isnan(actual)
        elif value in ('Infinity', '-Infinity'):
            assert actual == (math.inf if value == 'Infinity' else -math.inf)
        else:
            assert actual == value
    elif kind == 'string':
        assert isinstance(actual, str) and actual == value
    elif kind == 'boolean':
        assert isinstance(actual, bool) and actual is value
    elif kind == 'date':
        assert isinstance(actual, dt.date) and actual.isoformat() == value
    else:  # pragma: no cover - a typo in the table
        raise AssertionError(f'unknown kind {kind}')


@pytest.mark.parametrize('case', CASES, ids=_case_id)
def test_it_evaluates_the_table_case(case):
    ctx = AnswersContext(
        case.get('answers', {}),
        types=case.get('types'),
        row=tuple(case['row']) if 'row' in case else None,
        current=case.get('current'),
        today=TODAY,
    )
    if 'error' in case:
        with pytest.raises(ExpressionError) as info:
            evaluate(case['expression'], ctx)
        assert (info.value.code, info.value.position) == (case['error']['code'], case['error']['position'])
    else:
        _check(evaluate(case['expression'], ctx), case['expected'])


def test_it_keeps_the_table_well_formed():
    assert len(CASES) >= 150
    for case in CASES:
        assert set(case) <= {'expression', 'answers', 'types', 'row', 'current', 'expected', 'error', 'note'}
        assert ('expected' in case) != ('error' in case)
