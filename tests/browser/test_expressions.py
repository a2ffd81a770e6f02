"""The browser port of the expression language (static/js/expr.js) against the same semantics table as
the Python evaluator (tests/checklist/expression_cases.json): one page load, every case in one evaluate."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

TABLE = json.loads((Path(__file__).resolve().parents[1] / 'checklist' / 'expression_cases.json')
                   .read_text(encoding='utf-8'))

#: Evaluate every case in the page; typed results come back as {kind: value} like the table writes them.
RUN_ALL = """([cases, today]) => cases.map((c) => {
  const E = window.IFExpr;
  const ctx = new E.AnswersContext(c.answers || {}, {types: c.types, row: c.row || null,
                                                     current: c.current, today: today});
  try {
    const v = E.evaluate(c.expression, ctx);
    if (v instanceof E.DateValue) return {date: v.iso()};
    if (typeof v === 'number') {
      if (Number.isNaN(v)) return {number: 'NaN'};
      if (!Number.isFinite(v)) return {number: v > 0 ? 'Infinity' : '-Infinity'};
      return {number: v};
    }
    if (typeof v === 'boolean') return {boolean: v};
    if (typeof v === 'string') return {string: v};
    return {unexpected: String(v) + ' (' + typeof v + ')'};
  } catch (e) {
    if (e instanceof E.ExprError) return {error: {code: e.code, position: e.position}};
    return {crash: String(e)};
  }
})"""


def _same(actual: dict, case: dict) -> bool:
    if 'error' in case:
        return actual == {'error': case['error']}
    ((kind, value),) = case['expected'].items()
    if set(actual) != {kind}:
        return False
    got = actual[kind]
    if kind == 'number':
        if isinstance(value, str):
            return got == value
        return isinstance(got, int | float) and not isinstance(got, bool) and not math.isnan(got) and got == value
    if kind == 'boolean':
        return got is value
    return got == value


def test_the_browser_evaluator_agrees_with_every_case_of_the_table(page, live_server):  # noqa: ANN001
    page.goto('/login')  # any page of the app: the script is served like on the visit form
    page.add_script_tag(url='/static/js/expr.js')
    assert page.evaluate('typeof window.IFExpr') == 'object'
    cases = TABLE['cases']
    results = page.evaluate(RUN_ALL, [cases, TABLE['today']])
    assert len(results) == len(cases) >= 150
    wrong = [(c['expression'], c.get('expected', c.get('error')), r) for c, r in zip(cases, results, strict=True)
             if not _same(r, c)]
    assert not wrong, f'{len(wrong)} case(s) differ: ' + '; '.join(map(repr, wrong[:20]))
    assert page.js_errors == []
