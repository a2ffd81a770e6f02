"""Benchmark of the document renderer on the demo round (prints figures; not a test).

Run: ``.venv/bin/python benchmarks/documents_bench.py [--runs N] [--db URL]``

The 2019 Bến Tre demo round is loaded into a scratch SQLite database (or the database at ``--db``,
which must hold it already), and every document is built from it by ``documents.sources``, as the
CLI and the web do. Each view model carries a number and a date, as an issued document would.
Figures:

0. median time to build each view model from the database (the whole round read once);
1. median warm render time per kind (view model → PDF bytes), with its page count, and the
   minutes trimmed to exactly 3 pages (target ≤ 300 ms); the issued variant (PDF/A-2b) of the
   conclusion notice for comparison;
2. the whole pipeline (Jinja + restricted fetcher + WeasyPrint) against bare WeasyPrint on the same
   final HTML, interleaved run by run (target: overhead ≤ 10 %);
3. pages per second per core, rendering the round's full document set serially in this process
   (target ≥ 20);
4. the full document set through a ProcessPoolExecutor with 1 and with 2 warm worker processes
   (target: 2 processes ≥ 1.8 × one).

The machine may be shared (other processes competing for the two cores). Figures 1-3 are therefore
given in CPU time of this process (``time.process_time``), which another process cannot inflate, with
the wall-clock median beside it; figure 4 can only be wall-clock, so the load average is printed with
it. Each figure is a median of interleaved runs; ``--runs`` raises their number.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspect_flow.documents.render import ISSUED_PDF_VARIANT, KINDS, render_html, render_pdf  # noqa: E402
from inspect_flow.paths import assets_dir  # noqa: E402

#: The dates the demo's documents would bear when issued (their number is their position + 1).
ISSUE_DATES = {'plan': None, 'team_decision': date(2019, 6, 20), 'schedule': None, 'minutes': None,
               'conclusion': date(2019, 7, 26), 'team_report': date(2019, 7, 26), 'report': date(2019, 8, 12)}


def page_count(data: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def load_demo(db_url: str | None):  # noqa: ANN201
    """Return (engine, temp dir) with the demo round loaded."""
    from sqlalchemy.orm import Session

    from inspect_flow.core import migrate
    from inspect_flow.core.db import make_engine
    from inspect_flow.demo.round2019 import find_demo_plan, run_demo

    tmp = None
    if db_url is None:
        tmp = tempfile.TemporaryDirectory(prefix='documents_bench_')
        db_url = f'sqlite:///{tmp.name}/demo.sqlite3'
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        if find_demo_plan(session) is None:
            run_demo(session, 'closed')
            session.commit()
    return engine, tmp


def build_set(engine) -> tuple[list[tuple[str, str, object]], list[float]]:  # noqa: ANN001
    """The round's full document set as (kind, label, view model), and the time to build each."""
    from sqlalchemy.orm import Session

    from inspect_flow.demo.round2019 import find_demo_plan
    from inspect_flow.documents import sources

    signer = sources.SignerIn(name='Nguyễn Văn Minh')
    docs, times = [], []
    with Session(engine) as session:
        plan = find_demo_plan(session)
        data = sources.load_round(session, plan)
        for i, target in enumerate(sources.document_set(plan)):
            issued_on = ISSUE_DATES[target.kind] or (target.visit.starts_at.date() if target.visit else None)
            number = i + 1 if KINDS[target.kind].type_code and target.kind != 'plan' else None
            start = time.perf_counter()
            vm = sources.build_view_model(session, target, number=number, issued_on=issued_on, signer=signer,
                                          drafting_unit='BTXH', data=data)
            times.append(time.perf_counter() - start)
            docs.append((target.kind, target.label, vm))
    return docs, times


def three_page_minutes(vm):  # noqa: ANN001, ANN201
    """The demo minutes (five pages) trimmed to exactly three: fewer households, then no guests, speakers
    or secretary, then fewer findings and recommendations, step by step until it fits."""
    steps = [{'households': vm.households[:n]} for n in range(len(vm.households) - 1, -1, -1)]
    steps += [{'invited': (), 'discussion': (), 'secretary_signature': None}]
    steps += [{'achievements': vm.achievements[:n], 'limitations': vm.limitations[:n],
               'recommendations': vm.recommendations[:n]} for n in range(4, 0, -1)]
    candidate = vm
    for step in steps:
        candidate = dataclasses.replace(candidate, **step)
        if page_count(render_pdf('minutes', candidate)) == 3:
            return candidate
    raise SystemExit('could not trim the minutes to three pages')


# ----------------------------------------------------------------------------- worker processes


def _warm_worker(kind: str, vm) -> None:  # noqa: ANN001
    render_pdf(kind, vm)


def _hold(seconds: float) -> int:
    time.sleep(seconds)  # keeps this worker busy so the next warm-up task lands on the other one
    return os.getpid()


def _render_job(job) -> int:  # noqa: ANN001
    kind, vm = job
    return len(render_pdf(kind, vm))


def pool_seconds(jobs, workers: int, warm) -> float:  # noqa: ANN001
    context = multiprocessing.get_context('spawn')  # no fork of a live fontconfig/pango state
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_worker,
                             initargs=warm) as pool:
        pids = set(pool.map(_hold, [0.5] * workers))
        assert len(pids) == workers, 'a worker did not start'
        start = time.perf_counter()
        list(pool.map(_render_job, jobs, chunksize=1))
        return time.perf_counter() - start


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=15, help='timed runs per measurement (default 15)')
    parser.add_argument('--db', help='a database that holds the demo round (default: a scratch SQLite file)')
    args = parser.parse_args()
    runs = args.runs

    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    print(f'documents_bench: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {runs} runs per figure')
    engine, tmp = load_demo(args.db)
    docs, build_times = build_set(engine)
    print(f'demo round from {engine.url.render_as_string(hide_password=True)}: {len(docs)} documents\n')

    by_kind: dict[str, list[float]] = {}
    for (kind, _label, _vm), seconds in zip(docs, build_times, strict=True):
        by_kind.setdefault(kind, []).append(seconds)
    print('0. Building the view models from the database (round read once), median per document')
    print('   ' + ', '.join(f'{k} {statistics.median(v) * 1000:.1f} ms' for k, v in by_kind.items()) + '\n')

    # one representative per kind: team 5 at Nhuận Phú Tân, Mỏ Cày Bắc
    chosen = {}
    for kind, label, vm in docs:
        if kind not in chosen or 'Mỏ Cày Bắc' in label or 'Đoàn số 05' in label:
            chosen[kind] = vm
    cases = [(kind, kind, vm) for kind, vm in chosen.items()]
    minutes3 = three_page_minutes(chosen['minutes'])
    cases.append(('minutes (3 pages)', 'minutes', minutes3))
    for _label, kind, vm in cases:  # warm up: imports, fonts, template compilation
        render_pdf(kind, vm)

    print('1-2. Median warm render time per kind (CPU), and overhead over bare WeasyPrint on the same HTML')
    print(f'   {"kind":<18} {"pages":>5} {"pipeline":>10} {"html":>8} {"bare":>9} {"overhead":>9} {"ms/page":>8}'
          f' {"on best runs":>13}')
    bare_fonts = FontConfiguration()
    base_url = assets_dir().as_uri() + '/'
    pipe_all, bare_all, best_all = [], [], []
    for label, kind, vm in cases:
        pages = page_count(render_pdf(kind, vm))
        html = render_html(kind, vm)
        HTML(string=html, base_url=base_url).write_pdf(font_config=bare_fonts)  # warm the bare path
        pipe_times, bare_times, html_times, pipe_wall = [], [], [], []
        for i in range(runs):  # interleaved, alternating which goes first, so noise hits both alike
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                if which == 0:
                    wall, cpu = _timed(lambda kind=kind, vm=vm: render_pdf(kind, vm), quiet_gc=True)
                    pipe_times.append(cpu)
                    pipe_wall.append(wall)
                else:
                    _, cpu = _timed(lambda html=html: HTML(string=html, base_url=base_url).write_pdf(
                        font_config=bare_fonts), quiet_gc=True)
                    bare_times.append(cpu)
            html_times.append(_timed(lambda kind=kind, vm=vm: render_html(kind, vm))[1])
        pipeline = statistics.median(pipe_times) * 1000
        bare = statistics.median(bare_times) * 1000
        pipe_all.append(pipeline)
        bare_all.append(bare)
        overhead = (pipeline - bare) / bare * 100
        best = (min(pipe_times) - min(bare_times)) / min(bare_times) * 100  # the runs least disturbed
        print(f'   {label:<18} {pages:>5} {pipeline:>8.0f}ms {statistics.median(html_times) * 1000:>6.1f}ms '
              f'{bare:>7.0f}ms {overhead:>8.1f}% {pipeline / pages:>6.0f}ms {best:>12.1f}%   '
              f'(wall {statistics.median(pipe_wall) * 1000:.0f}ms)')
        best_all.append((min(pipe_times), min(bare_times)))
    total_overhead = (sum(pipe_all) - sum(bare_all)) / sum(bare_all) * 100
    best_total = (sum(p for p, _ in best_all) - sum(b for _, b in best_all)) / sum(b for _, b in best_all) * 100
    print(f'   overhead over all kinds: {total_overhead:.1f}% (sum of medians), {best_total:.1f}% (sum of best runs)')
    pdfa = statistics.median(
        _timed(lambda: render_pdf('conclusion', chosen['conclusion'], pdf_variant=ISSUED_PDF_VARIANT))[1]
        for _ in range(runs)) * 1000
    print(f'   conclusion as issued (PDF/A-2b): {pdfa:.0f} ms\n')

    jobs = [(kind, vm) for kind, _label, vm in docs]
    pages = sum(page_count(render_pdf(kind, vm)) for kind, vm in jobs)
    serial, serial_wall = [], []
    for _ in range(max(3, runs // 5)):
        wall, cpu = _timed(lambda: [render_pdf(kind, vm) for kind, vm in jobs])
        serial.append(cpu)
        serial_wall.append(wall)
    serial_s, wall_s = statistics.median(serial), statistics.median(serial_wall)
    print(f'3. Full document set: {len(jobs)} documents, {pages} pages')
    print(f'   serial, this process: {serial_s:.2f} s CPU → {pages / serial_s:.1f} pages/s per core, '
          f'{len(jobs) / serial_s:.1f} documents/s (wall {wall_s:.2f} s → {pages / wall_s:.1f} pages/s)\n')

    warm = ('conclusion', chosen['conclusion'])
    ones, twos = [], []
    for _ in range(max(3, runs // 4)):  # alternate so that a busy moment of the machine hits both
        ones.append(pool_seconds(jobs, 1, warm))
        twos.append(pool_seconds(jobs, 2, warm))
    one, two = statistics.median(ones), statistics.median(twos)
    print(f'4. Full document set through ProcessPoolExecutor (spawned, warm workers; wall clock; '
          f'load average now {os.getloadavg()[0]:.2f})')
    print(f'   1 process:   {one:.2f} s ({pages / one:.1f} pages/s)')
    print(f'   2 processes: {two:.2f} s ({pages / two:.1f} pages/s) → speed-up {one / two:.2f}× '
          f'(best runs: {min(ones):.2f} s / {min(twos):.2f} s → {min(ones) / min(twos):.2f}×)')
    engine.dispose()
    if tmp is not None:
        tmp.cleanup()


def _timed(func, *, quiet_gc: bool = False) -> tuple[float, float]:  # noqa: ANN001
    """(wall seconds, CPU seconds of this process) taken by *func*.

    With *quiet_gc*, garbage is collected before and the collector is paused during the call, so a
    collection triggered by the previous run's garbage is not billed to this one (used where two
    ways of rendering are compared run by run).
    """
    if quiet_gc:
        gc.collect()
        gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        if quiet_gc:
            gc.enable()


if __name__ == '__main__':
    main()
