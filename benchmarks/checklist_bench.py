"""Checklist benchmark: load and validate a 200-item form, and evaluate one visit against it
(relevance, calculations, submit validation, score, suggested findings); also the shipped checklists.

Prints medians of repeated runs. Run: .venv/bin/python benchmarks/checklist_bench.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspect_flow.checklist import (  # noqa: E402
    evaluate,
    find_checklist,
    parse_checklist_text,
    score,
    suggest_findings,
    validate_for_submit,
)
from tests.checklist.test_performance import big_answers, big_checklist_text  # noqa: E402

TODAY = dt.date(2019, 7, 23)


def _median_ms(fn, runs: int) -> float:  # noqa: ANN001
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(samples)


def _visit(checklist, answers) -> None:  # noqa: ANN001
    ev = evaluate(checklist, answers, today=TODAY)
    validate_for_submit(checklist, answers, today=TODAY)
    score(checklist, answers, evaluation=ev)
    suggest_findings(checklist, answers, evaluation=ev)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--runs', type=int, default=30)
    args = parser.parse_args()
    text = big_checklist_text()
    big = parse_checklist_text(text, path='big.yaml')
    answers = big_answers()
    print(f'inspect_flow checklist benchmark — medians of {args.runs} runs')
    load_ms = _median_ms(lambda: parse_checklist_text(text, path='big.yaml'), args.runs)
    visit_ms = _median_ms(lambda: _visit(big, answers), args.runs)
    print(f'  200-item form ({big.item_count} items, 30 roster rows): load + validate the file {load_ms:.1f} ms; '
          f'one visit (evaluate, validate, score, findings) {visit_ms:.2f} ms')

    from inspect_flow.checklist import load_checklist
    from inspect_flow.demo.round2019 import checklist_answers

    shipped = find_checklist('poverty-supervision')

    class _Visit:
        class commune:  # noqa: N801
            name = 'Nhuận Phú Tân'

        class starts_at:  # noqa: N801
            @staticmethod
            def date() -> dt.date:
                return dt.date(2019, 7, 12)

    demo = checklist_answers(4, _Visit)
    print(f'  poverty-supervision ({shipped.item_count} items): load + validate the file '
          f'{_median_ms(lambda: load_checklist(shipped.source), args.runs):.1f} ms; '
          f'one demo visit {_median_ms(lambda: _visit(shipped, demo), args.runs):.2f} ms')


if __name__ == '__main__':
    main()
