"""Benchmark of the document renderer (prints figures; not a test).

Run: ``.venv/bin/python benchmarks/documents_bench.py [--runs N]``

Figures, on the sample round of tests/documents/samples.py (the 2019 Bến Tre round):

1. median warm render time per kind (view model → PDF bytes), with its page count, and a 3-page
   minutes (target ≤ 300 ms);
2. the whole pipeline (Jinja + restricted fetcher + WeasyPrint) against bare WeasyPrint on the same
   final HTML (target: overhead ≤ 10 %);
3. pages per second per core, rendering the round's full document set serially in this process
   (target ≥ 20);
4. the full document set through a ProcessPoolExecutor with 1 and with 2 warm worker processes
   (target: 2 processes ≥ 1.8 × one).
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import multiprocessing
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / 'tests' / 'documents'))

import samples  # noqa: E402  (tests/documents/samples.py, imported by path)

from inspect_flow.documents.render import KINDS, render_html, render_pdf  # noqa: E402
from inspect_flow.paths import assets_dir  # noqa: E402


def page_count(data: bytes) -> int:
    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def median_ms(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def three_page_minutes():
    """The sample minutes trimmed to three pages (fewer households, findings and speakers)."""
    vm = samples.minutes()
    return dataclasses.replace(
        vm,
        invited=vm.invited[:1],
        households=vm.households[:2],
        discussion=vm.discussion[:1],
        limitations=vm.limitations[:5],
        recommendations=vm.recommendations[:3],
        secretary_signature=None,
    )


# ----------------------------------------------------------------------------- worker processes


def _warm_worker() -> None:
    render_pdf('conclusion', samples.conclusion())


def _hold(seconds: float) -> int:
    time.sleep(seconds)  # keeps this worker busy so the next warm-up task lands on the other one
    return os.getpid()


def _render_job(job) -> int:
    kind, vm = job
    return len(render_pdf(kind, vm))


def pool_seconds(jobs, workers: int) -> float:
    context = multiprocessing.get_context('spawn')  # no fork of a live fontconfig/pango state
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_worker) as pool:
        pids = set(pool.map(_hold, [0.5] * workers))
        assert len(pids) == workers, 'a worker did not start'
        start = time.perf_counter()
        list(pool.map(_render_job, jobs, chunksize=1))
        return time.perf_counter() - start


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=15, help='timed runs per measurement (default 15)')
    args = parser.parse_args()
    runs = args.runs

    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    print(f'documents_bench: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {runs} runs per figure\n')

    cases = [(kind, samples.BUILDERS[kind]()) for kind in KINDS]
    cases.append(('minutes (3 pages)', three_page_minutes()))
    for _kind, _vm in cases:  # warm up: imports, fonts, template compilation
        render_pdf(_kind.split()[0], _vm)

    print('1-2. Median warm render time per kind, and overhead over bare WeasyPrint on the same HTML')
    print(f'   {"kind":<18} {"pages":>5} {"pipeline":>10} {"html":>8} {"bare":>9} {"overhead":>9} {"ms/page":>8}')
    bare_fonts = FontConfiguration()
    base_url = assets_dir().as_uri() + '/'
    overheads = []
    for label, vm in cases:
        kind = label.split()[0]
        pages = page_count(render_pdf(kind, vm))
        html = render_html(kind, vm)
        HTML(string=html, base_url=base_url).write_pdf(font_config=bare_fonts)  # warm the bare path
        # Interleave the two measurements so VM noise hits both alike.
        pipe_times, bare_times = [], []
        for _ in range(runs):
            start = time.perf_counter()
            render_pdf(kind, vm)
            pipe_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            HTML(string=html, base_url=base_url).write_pdf(font_config=bare_fonts)
            bare_times.append(time.perf_counter() - start)
        pipeline = statistics.median(pipe_times) * 1000
        bare = statistics.median(bare_times) * 1000
        html_ms = median_ms(lambda kind=kind, vm=vm: render_html(kind, vm), runs)
        overhead = (pipeline - bare) / bare * 100
        overheads.append(overhead)
        print(f'   {label:<18} {pages:>5} {pipeline:>8.0f}ms {html_ms:>6.1f}ms {bare:>7.0f}ms {overhead:>8.1f}% '
              f'{pipeline / pages:>6.0f}ms')
    print(f'   median overhead over the kinds: {statistics.median(overheads):.1f}%\n')

    jobs = samples.full_round()
    pages = sum(page_count(render_pdf(kind, vm)) for kind, vm in jobs)
    serial = []
    for _ in range(max(3, runs // 5)):
        start = time.perf_counter()
        for kind, vm in jobs:
            render_pdf(kind, vm)
        serial.append(time.perf_counter() - start)
    serial_s = statistics.median(serial)
    print(f'3. Full document set: {len(jobs)} documents, {pages} pages')
    print(f'   serial, this process: {serial_s:.2f} s → {pages / serial_s:.1f} pages/s per core, '
          f'{len(jobs) / serial_s:.1f} documents/s\n')

    one = statistics.median(pool_seconds(jobs, 1) for _ in range(3))
    two = statistics.median(pool_seconds(jobs, 2) for _ in range(3))
    print('4. Full document set through ProcessPoolExecutor (spawned, warm workers)')
    print(f'   1 process:   {one:.2f} s ({pages / one:.1f} pages/s)')
    print(f'   2 processes: {two:.2f} s ({pages / two:.1f} pages/s) → speed-up {one / two:.2f}×')


if __name__ == '__main__':
    main()
