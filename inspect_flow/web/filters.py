"""Template filters and globals: Vietnamese dates, labels of states and roles, the language picker."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request
from flask_babel import format_date, format_datetime
from flask_wtf.csrf import generate_csrf

from inspect_flow.web import helpers


def vdate(value: date | datetime | None) -> str:
    """dd/mm/yyyy in Vietnamese (the administrative format), "5 Jul 2019" in English."""
    if value is None:
        return ''
    day = value.date() if isinstance(value, datetime) else value
    if helpers.lang() == 'en':
        return format_date(day, 'd MMM yyyy')
    return f'{day:%d/%m/%Y}'


def vdatetime(value: datetime | None) -> str:
    if value is None:
        return ''
    if helpers.lang() == 'en':
        return format_datetime(value, 'd MMM yyyy HH:mm', rebase=False)
    return f'{value:%H:%M} {value:%d/%m/%Y}'


def filesize(n: int) -> str:
    """``8 MB``, ``1,5 MB`` (Vietnamese decimal comma), ``20 KB``: a size limit as people read it."""
    if n >= 1024 * 1024:
        mb = n / (1024 * 1024)
        text = f'{mb:.0f}' if abs(mb - round(mb)) < 0.05 else f'{mb:.1f}'
        return (text if helpers.lang() == 'en' else text.replace('.', ',')) + ' MB'
    return f'{max(1, round(n / 1024))} KB'


def state(value) -> str:  # noqa: ANN001
    from inspect_flow.workflow.states import state_label

    return state_label(value, helpers.lang())


def label(pair) -> str:  # noqa: ANN001
    """Pick from a ``(vi, en)`` pair or a checklist ``LabelSpec``."""
    if pair is None:
        return ''
    if hasattr(pair, 'get') and hasattr(pair, 'vi'):
        return pair.get(helpers.lang())
    vi, en = pair
    return en if helpers.lang() == 'en' else vi


def now_part_of(unit) -> str | None:  # noqa: ANN001
    """``Xã Nhuận Phú Tân, Tỉnh Vĩnh Long`` for a unit that has since been taken over (2019's communes), else None."""
    from inspect_flow.core.clock import today
    from inspect_flow.units.queries import now_part_of_label

    return now_part_of_label(helpers.db(), unit, today()) if unit is not None else None


def init_app(app: Flask) -> None:
    from inspect_flow.accounts import access

    app.jinja_env.filters.update(vdate=vdate, vdatetime=vdatetime, state=state, label=label, filesize=filesize,
                                 zip=lambda a, b: list(zip(a, b, strict=False)))
    from inspect_flow.web.visits import upload_limit

    app.jinja_env.globals.update(t=helpers.t, lang=helpers.lang, access=access, csrf_token=generate_csrf,
                                 upload_limit=upload_limit, now_part_of=now_part_of)

    @app.context_processor
    def _context() -> dict:
        from inspect_flow.core.clock import today

        return {'current_path': request.full_path if request else '/', 'me': helpers.user(),
                'today_iso': today().isoformat()}
