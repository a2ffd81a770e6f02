"""What the web pages, the API and the CLI call to export a round: one workbook, or one CSV per table."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from inspect_flow.exports import writers
from inspect_flow.exports.tables import EVERYTHING, RoundExport, Sight, Table
from inspect_flow.plans.models import Plan

XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'


def round_tables(session: Session, plan: Plan, *, lang: str = 'vi', sight: Sight = EVERYTHING) -> list[Table]:
    """The tables of *plan*'s export, in *lang*, holding what *sight* lets the reader see."""
    return RoundExport(session, plan, lang, sight).tables()


def export_round_xlsx(session: Session, plan: Plan, out: str | Path | IO[bytes], *, lang: str = 'vi',
                      sight: Sight = EVERYTHING) -> None:
    """Write *plan*'s workbook to *out* (a path or a binary stream)."""
    writers.write_xlsx(round_tables(session, plan, lang=lang, sight=sight), out, lang)


def export_round_csv(session: Session, plan: Plan, directory: str | Path, *, lang: str = 'vi',
                     sight: Sight = EVERYTHING) -> list[Path]:
    """Write one CSV per table of *plan* into *directory* (UTF-8 with a BOM); return the paths."""
    return writers.write_csv_dir(round_tables(session, plan, lang=lang, sight=sight), directory, lang)


def export_round_csv_zip(session: Session, plan: Plan, *, lang: str = 'vi', sight: Sight = EVERYTHING) -> bytes:
    """Every CSV of *plan* in one ZIP archive (the download of the web page and the API)."""
    return writers.csv_zip(round_tables(session, plan, lang=lang, sight=sight), lang, prefix=f'{file_stem(plan)}-')


def file_stem(plan: Plan) -> str:
    """An ASCII file name for *plan*'s exports, e.g. ``ke-hoach-1245-KH-BCDCCTMTQG-2019``."""
    ref = plan.reference.replace('Đ', 'D').replace('đ', 'd')
    ref = unicodedata.normalize('NFKD', ref).encode('ascii', 'ignore').decode()
    ref = re.sub(r'[^A-Za-z0-9]+', '-', ref).strip('-') or str(plan.id)
    return f'ke-hoach-{ref}-{plan.year}'


def export_all_xlsx(session: Session, out: str | Path | IO[bytes], *, lang: str = 'vi',
                    from_year: int | None = None) -> int:
    """Write the cross-round workbook (rounds, findings, recommendations of *from_year* and later); return the
    number of rounds."""
    import sqlalchemy as sa

    from inspect_flow.exports.tables import cross_round_tables

    q = sa.select(sa.func.count(Plan.id))
    if from_year is not None:
        q = q.where(Plan.year >= from_year)
    writers.write_xlsx(cross_round_tables(session, lang=lang, from_year=from_year), out, lang)
    return session.scalar(q) or 0


def export_dashboard_xlsx(session: Session, out: str | Path | IO[bytes], *, day, filters=None,  # noqa: ANN001
                          lang: str = 'vi') -> None:
    """Write the cross-round dashboard's views under *filters* (:class:`CrossFilters`) as a workbook."""
    from inspect_flow.exports.tables import cross_dashboard_tables
    from inspect_flow.plans.analytics import cross_dashboard

    writers.write_xlsx(cross_dashboard_tables(cross_dashboard(session, day=day, filters=filters), lang), out, lang)
