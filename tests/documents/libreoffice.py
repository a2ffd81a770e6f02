"""Convert DOCX files to PDF with LibreOffice (Debian's libreoffice-writer-nogui, installed by ``make setup``).

One ``soffice`` call converts many files: starting LibreOffice costs seconds, so convert every file a test
module needs at once. Each caller passes its own profile folder (``-env:UserInstallation``), so parallel
runs and a desktop LibreOffice never share one.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

TIMEOUT = 300  # s, for all the files of one call


def soffice() -> str:
    path = shutil.which('soffice') or shutil.which('libreoffice')
    if path is None:
        raise RuntimeError('LibreOffice is missing: run `make setup` (it installs libreoffice-writer-nogui)')
    return path


def docx_to_pdf(paths: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert *paths* to PDF in *outdir* with one LibreOffice run; return the PDFs in the same order."""
    outdir.mkdir(parents=True, exist_ok=True)
    profile.mkdir(parents=True, exist_ok=True)
    cmd = [soffice(), '--headless', '--norestore', f'-env:UserInstallation={profile.resolve().as_uri()}',
           '--convert-to', 'pdf', '--outdir', str(outdir), *map(str, paths)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    pdfs = [outdir / f'{p.stem}.pdf' for p in paths]
    missing = [p.name for p in pdfs if not p.is_file()]
    if done.returncode != 0 or missing:
        raise RuntimeError(f'soffice failed (exit {done.returncode}, missing {missing}): {done.stderr[-2000:]}')
    return pdfs
