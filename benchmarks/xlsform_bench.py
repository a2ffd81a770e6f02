"""XLSForm benchmark: import a 2,000-question XLSForm with inspect_flow's importer
(:func:`inspect_flow.checklist.xlsform.import_xlsform`: pyxform's parse, then the checklist built and validated)
beside pyxform's own conversions of the same workbook, in one run: its survey JSON (``xls2json.parse_file_to_json``)
and the whole XForm (``xls2xform.convert``, i.e. parse, build the survey, write the XML).

Prints medians of repeated runs and the ratios. Run: .venv/bin/python benchmarks/xlsform_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = 2000
PER_GROUP = 100


def build_workbook(path: Path, questions: int = QUESTIONS) -> Path:
    """A survey of *questions* questions in groups of 100: text, integer (with a constraint), decimal, yes/no
    (select_one), select_multiple, date, with relevance on every fifth; choices; settings."""
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = 'survey'
    survey.append(['type', 'name', 'label::Tiếng Việt (vi)', 'label::English (en)', 'required', 'relevant',
                   'constraint'])
    kinds = ['text', 'integer', 'decimal', 'select_one yes_no', 'select_multiple channels', 'date']
    for g in range(0, questions, PER_GROUP):
        survey.append(['begin_group', f'nhom_{g // PER_GROUP + 1}', f'Phần {g // PER_GROUP + 1}',
                       f'Part {g // PER_GROUP + 1}', None, None, None])
        for n in range(g, min(g + PER_GROUP, questions)):
            kind = kinds[n % len(kinds)]
            relevant = f"${{q{n - 1}}} = 'yes'" if n % 5 == 4 and kinds[(n - 1) % len(kinds)].endswith('yes_no') \
                else None
            constraint = '. >= 0' if kind == 'integer' else None
            survey.append([kind, f'q{n}', f'Câu hỏi số {n + 1}: tình hình thực hiện ở xã',
                           f'Question {n + 1}: how it was done in the commune', 'yes' if n % 3 == 0 else None,
                           relevant, constraint])
        survey.append(['end_group', None, None, None, None, None, None])
    choices = wb.create_sheet('choices')
    choices.append(['list_name', 'name', 'label::Tiếng Việt (vi)', 'label::English (en)'])
    choices.append(['yes_no', 'yes', 'Có', 'Yes'])
    choices.append(['yes_no', 'no', 'Không', 'No'])
    for name, vi, en in (('radio', 'Đài truyền thanh', 'Radio'), ('meetings', 'Họp dân', 'Meetings'),
                         ('leaflets', 'Tờ rơi', 'Leaflets')):
        choices.append(['channels', name, vi, en])
    settings = wb.create_sheet('settings')
    settings.append(['form_title', 'form_id', 'version', 'default_language'])
    settings.append(['Biểu mẫu lớn 2.000 câu hỏi', 'bieu_mau_lon', '2026.1', 'Tiếng Việt (vi)'])
    wb.save(path)
    return path


def _median_ms(fn, runs: int) -> float:  # noqa: ANN001
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--runs', type=int, default=7)
    parser.add_argument('--questions', type=int, default=QUESTIONS)
    args = parser.parse_args()

    import pyxform
    from pyxform import xls2json
    from pyxform.xls2xform import convert

    from inspect_flow.checklist.xlsform import import_xlsform

    with tempfile.TemporaryDirectory() as tmp:
        path = build_workbook(Path(tmp) / 'big.xlsx', args.questions)
        data, warnings = import_xlsform(path)  # once, to check it imports, and to warm both up
        items = sum(len(s.get('items') or []) for s in data.get('sections') or [])
        xml = convert(xlsform=str(path)).xform
        print(f'XLSForm benchmark — {args.questions} questions ({items} checklist items, {len(warnings)} warnings; '
              f'XForm {len(xml) // 1024} KiB), pyxform {pyxform.__version__ if hasattr(pyxform, "__version__") else ""}'
              f', medians of {args.runs} runs')
        ours = _median_ms(lambda: import_xlsform(path), args.runs)
        parse = _median_ms(lambda: xls2json.parse_file_to_json(str(path)), args.runs)
        whole = _median_ms(lambda: convert(xlsform=str(path)), args.runs)
    print(f'  pyxform survey JSON (xls2json.parse_file_to_json) {parse:8.1f} ms   1.00×')
    print(f'  pyxform XForm       (xls2xform.convert)           {whole:8.1f} ms   {whole / parse:.2f}×')
    print(f'  inspect_flow import (import_xlsform)              {ours:8.1f} ms   {ours / parse:.2f}×  '
          f'({ours / whole:.2f}× pyxform\'s whole conversion)')


if __name__ == '__main__':
    main()
