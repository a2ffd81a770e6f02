"""The shipped checklists: the ``*.yaml`` files of :func:`inspect_flow.paths.checklists_dir`.

A plan pins a checklist by storing :meth:`Checklist.to_dict` and :attr:`Checklist.sha256`; after that the
file may change or disappear without touching the round (rebuild it with :meth:`Checklist.from_dict`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from inspect_flow.checklist.errors import ChecklistFileError, ChecklistNotFound
from inspect_flow.checklist.loader import load_checklist
from inspect_flow.checklist.model import Checklist
from inspect_flow.core.errors import Conflict
from inspect_flow.paths import checklists_dir

_cache: dict[tuple[str, int, int], Checklist] = {}


def checklist_files(directory: str | Path | None = None) -> list[Path]:
    """Return the checklist files (``*.yaml``, ``*.yml``) of *directory* (the checklist folder by default), sorted."""
    folder = Path(directory) if directory is not None else checklists_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in ('.yaml', '.yml') and p.is_file())


def load_cached(path: Path) -> Checklist:
    """Load *path*, reusing the last result while the file's size and modification time are unchanged."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    checklist = _cache.get(key)
    if checklist is None:
        checklist = load_checklist(path)
        _cache[key] = checklist
    return checklist


@dataclass(frozen=True)
class LoadResult:
    """The outcome of loading every file of a folder."""

    checklists: list[Checklist]
    errors: list[ChecklistFileError]


def load_all(directory: str | Path | None = None) -> LoadResult:
    """Load every checklist file; collect the bad ones instead of stopping at the first."""
    checklists, errors = [], []
    for path in checklist_files(directory):
        try:
            checklists.append(load_cached(path))
        except ChecklistFileError as exc:
            errors.append(exc)
    return LoadResult(checklists, errors)


def list_checklists(directory: str | Path | None = None) -> list[Checklist]:
    """Return every checklist, sorted by id then version.

    :raise ChecklistFileError: a file is bad (the first one)
    :raise Conflict: two files hold the same id and version
    """
    result = load_all(directory)
    if result.errors:
        raise result.errors[0]
    seen: dict[tuple[str, str], Checklist] = {}
    for checklist in result.checklists:
        key = (checklist.id, checklist.version)
        if key in seen:
            first = seen[key].source.name if seen[key].source else '?'
            second = checklist.source.name if checklist.source else '?'
            raise Conflict(
                'checklist.duplicate_version',
                f'Checklist {checklist.id} phiên bản {checklist.version} có trong hai tệp: {first} và {second}',
                f'Checklist {checklist.id} version {checklist.version} is in two files: {first} and {second}',
            )
        seen[key] = checklist
    return sorted(result.checklists, key=lambda c: (c.id, version_key(c.version)))


def version_key(version: str) -> tuple:
    """Sort key for versions such as ``2019.1`` < ``2019.2`` < ``2019.10`` < ``2020.1``."""
    return tuple((0, int(p), '') if p.isdigit() else (1, 0, p) for p in re.split(r'[.\-_]', version))


def find_checklist(
    checklist_id: str, version: str | None = None, directory: str | Path | None = None, *, on: date | None = None
) -> Checklist:
    """Return the checklist *checklist_id* at *version*; without *version*, the highest version, or with
    *on* the highest version that applies on that day (``applies``; a version without it applies always).

    *on* only chooses among versions: a *version* asked for by name is returned whatever its period (the
    plan checks it when pinning, :func:`inspect_flow.plans.checklists.pin_checklist`).

    :raise ChecklistNotFound: no such checklist or version, or no version applies on *on*
    """
    candidates = [c for c in list_checklists(directory) if c.id == checklist_id]
    if version is not None:
        candidates = [c for c in candidates if c.version == version]
    if not candidates:
        what_vi = f'{checklist_id} phiên bản {version}' if version else checklist_id
        what_en = f'{checklist_id} version {version}' if version else checklist_id
        raise ChecklistNotFound(
            'checklist.not_found',
            f'Không tìm thấy checklist {what_vi}',
            f'Checklist {what_en} not found',
            field='checklist_id',
        )
    if version is None and on is not None:
        applicable = [c for c in candidates if c.applies_on(on)]
        if not applicable:
            periods_vi = '; '.join(f'{c.version}: {c.period("vi")}' for c in candidates)
            periods_en = '; '.join(f'{c.version}: {c.period("en")}' for c in candidates)
            raise ChecklistNotFound(
                'checklist.none_applies',
                f'Không có phiên bản nào của checklist {checklist_id} áp dụng ngày {on:%d/%m/%Y} ({periods_vi})',
                f'No version of checklist {checklist_id} applies on {on:%d/%m/%Y} ({periods_en})',
                field='checklist_id',
            )
        candidates = applicable
    return candidates[-1]
