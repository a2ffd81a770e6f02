"""The pickers: units, issuing bodies and people chosen by name instead of a code or a long list.

* ``GET /pick/units?q=&on=YYYY-MM-DD&level=&province=&limit=``, ``/pick/bodies?q=``, ``/pick/people?q=`` answer
  ``{"results": [{id, code, label, name, level}]}`` to the picker's script (``static/js/picker.js``); a bad
  parameter answers 400 ``{error, message, field}``. Who may call them: those who may use a form that has the
  picker (units: staff and team leaders; bodies and people: staff).
* Without JavaScript the form posts the text typed in ``<field>_q``: :func:`resolve` searches it on the server,
  takes the one match, or puts the matches on the form (``form.choices``) for the user to choose and send again.
* The macro ``picker`` (``templates/web/_picker.html``) shows the box, the chosen value and those choices.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, request
from flask_login import login_required

from inspect_flow.accounts import access
from inspect_flow.core.clock import today
from inspect_flow.core.errors import InvalidInput
from inspect_flow.units import search
from inspect_flow.units.models import AdminUnit, IssuingBody, Person
from inspect_flow.units.operations import get_unit
from inspect_flow.web.helpers import Form, db, lang, lookup, parse_date, parse_int, require, user

bp = Blueprint('pick', __name__)


def _answer(find):  # noqa: ANN001, ANN202
    try:
        limit = parse_int(request.args.get('limit'), 'limit', required=False, default=search.DEFAULT_LIMIT)
        results = find(limit)
    except InvalidInput as exc:
        return {'error': exc.code, 'message': exc.localized(lang()), 'field': exc.field}, 400
    return {'results': [m.as_dict() for m in results]}


@bp.get('/pick/units')
@login_required
def units():  # noqa: ANN201
    require(access.can_search_units(user()))
    args = request.args

    def find(limit: int) -> list:
        day = parse_date(args.get('on'), 'on', required=False) or today()
        return search.search_units(db(), args.get('q'), day, level=args.get('level') or None,
                                   province=args.get('province') or None, limit=limit)

    return _answer(find)


@bp.get('/pick/bodies')
@login_required
def bodies():  # noqa: ANN201
    require(access.can_manage_bodies(user()))
    return _answer(lambda limit: search.search_bodies(db(), request.args.get('q'), limit=limit))


@bp.get('/pick/people')
@login_required
def people():  # noqa: ANN201
    require(access.can_search_people(user()))
    return _answer(lambda limit: search.search_people(db(), request.args.get('q'), limit=limit))


# --- what the forms share ------------------------------------------------------------------------------

def _lookup(kind: str, value: str, *, on: date | None = None, by: str = 'code'):  # noqa: ANN202
    """The object a picker's value names (``None`` when it names nothing)."""
    value = str(value or '').strip()
    if not value:
        return None
    if kind == 'units' and by == 'code':
        try:
            return get_unit(db(), value, on or today())
        except InvalidInput:
            return None
    return lookup({'units': AdminUnit, 'bodies': IssuingBody, 'people': Person}[kind], value)


@bp.app_template_global()
def pick_label(kind: str, value: str, on: date | None = None, by: str = 'code') -> str:
    """The label a picker shows for its current value (empty when the value names nothing)."""
    obj = _lookup(kind, value, on=on, by=by)
    if obj is None:
        return ''
    if kind == 'units':
        return search.unit_label(obj)
    if kind == 'bodies':
        return f'{obj.name} ({obj.abbreviation})'
    return search.person_label(obj)


def _matches_label(text: str, label: str) -> bool:
    key = search.search_key(text)
    return bool(key) and (key == search.search_key(label) or key == search.search_key(label.split(' — ')[0]))


def resolve(form: Form, name: str, kind: str, *, on: date | None = None, by: str = 'code',
            multiple: bool = False, level: str | None = None, province: str | None = None) -> None:
    """Turn the text typed in ``<name>_q`` into the field's value when no script chose it (or it was changed).

    One match is taken; several are put on ``form.choices[name]`` and refused for the user to choose one (the
    text they typed is kept); none is refused. A value chosen from those choices, or by the script (the text is
    then the chosen value's label), is kept.

    :raise InvalidInput: no match, or several (field *name*)
    """
    choices = form.__dict__.setdefault('choices', {})
    text = ' '.join(str(form.get(f'{name}_q') or '').split())
    if not text:
        return
    current = form.getlist(name) if multiple else [form.get(name)]
    current = [str(v) for v in current if str(v or '').strip()]
    if current and not multiple:
        if text == str(form.get(f'{name}_searched') or '') or _matches_label(text, pick_label(kind, current[0], on,
                                                                                              by)):
            return
    if multiple and text == str(form.get(f'{name}_searched') or ''):  # the user has seen the choices and ticked
        form.values[f'{name}_q'] = ''
        return
    limit = search.DEFAULT_LIMIT
    if kind == 'units':
        found = search.search_units(db(), text, on or today(), level=level, province=province, limit=limit)
    elif kind == 'bodies':
        found = search.search_bodies(db(), text, limit=limit)
    else:
        found = search.search_people(db(), text, limit=limit)
    values = [str(getattr(m, 'code' if kind == 'units' and by == 'code' else 'id')) for m in found]
    if len(found) == 1:
        if multiple:
            form.values[name] = current + [v for v in values if v not in current]
            form.values[f'{name}_q'] = ''
        else:
            form.values[name] = values[0]
            form.values[f'{name}_q'] = found[0].label
        return
    if not found:
        raise InvalidInput('pick.none', f'Không tìm thấy "{text}". Hãy gõ một phần khác của tên.',
                           f'Nothing matches "{text}". Type another part of the name.', field=name)
    choices[name] = [(v, m.label) for v, m in zip(values, found, strict=True)]
    if not multiple:
        form.values[name] = ''
    raise InvalidInput('pick.choose', f'Có {len(found)} kết quả cho "{text}": hãy chọn một rồi gửi lại.',
                       f'{len(found)} results for "{text}": choose one and send again.', field=name)
