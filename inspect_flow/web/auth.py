"""Log in and out, the language switch, and the administrator's accounts page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import current_user, login_required, logout_user

from inspect_flow.accounts import access
from inspect_flow.accounts import operations as ops
from inspect_flow.accounts.models import ROLE_LABELS, Role
from inspect_flow.core.errors import DomainError, InvalidInput
from inspect_flow.web import sessions
from inspect_flow.web.helpers import Form, WebUser, attempt, db, get_or_404, lang, lookup, render, require, t, user

bp = Blueprint('auth', __name__)


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site, of bounded length (see :func:`sessions.safe_next`)."""
    return sessions.safe_next(target, default=None) or url_for('index')


@bp.route('/login', methods=['GET', 'POST'])
def login():  # noqa: ANN201
    form = Form(request.form if request.method == 'POST' else None, fields=('username', 'password'))
    if request.method == 'POST':
        try:
            account = ops.authenticate(db(), form.get('username'), request.form.get('password', ''),
                                       remote_addr=request.remote_addr or '')
        except DomainError as exc:
            # The failed attempt must be committed (it is what limits guessing): no rollback here.
            form.add_error(exc)
            form.values.pop('password', None)
            return render('web/login.html', form=form, next=sessions.safe_next(request.form.get('next'), '')), \
                exc.status
        sessions.start(WebUser(account))
        return redirect(_safe_next(request.form.get('next')))
    return render('web/login.html', form=form, next=sessions.safe_next(request.args.get('next'), ''))


@bp.post('/logout')
def logout():  # noqa: ANN201
    """End this session and every copy of it: the account's session version goes up, so a cookie copied
    before (or the same account's session on another device) is refused from now on."""
    if current_user.is_authenticated:
        ops.end_sessions(db(), user())
    keep = session.get('lang')
    logout_user()
    session.clear()
    if keep:
        session['lang'] = keep
    return redirect(url_for('auth.login'))


@bp.route('/account/password', methods=['GET', 'POST'])
@login_required
def change_password():  # noqa: ANN201
    """Change one's own password: every session of the account ends, this one starts afresh."""
    fields = ('current_password', 'password', 'password_again')
    form = Form(None, fields=fields)
    status = 200
    if request.method == 'POST':
        try:
            if request.form.get('password', '') != request.form.get('password_again', ''):
                raise InvalidInput('user.password_mismatch', 'Hai lần nhập mật khẩu mới không khớp.',
                                   'The two new passwords differ.', field='password_again')
            ops.change_password(db(), user(), request.form.get('current_password', ''),
                                request.form.get('password', ''), remote_addr=request.remote_addr or '')
        except DomainError as exc:
            if exc.code != 'user.wrong_password':  # a wrong password is recorded: it counts towards the limit
                db().rollback()
            form.add_error(exc)
            status = exc.status
        else:
            sessions.start(WebUser(user()))
            flash(t('Đã đổi mật khẩu. Mọi phiên đăng nhập khác đã kết thúc.',
                    'Password changed. Every other session has ended.'), 'ok')
            return redirect(url_for('index'))
    return render('web/password.html', form=form), status


@bp.post('/users/<int:user_id>/sign-out')
@login_required
def sign_out_everywhere(user_id: int):  # noqa: ANN201
    """The administrator ends every session of an account (a lost phone, a shared computer)."""
    from inspect_flow.accounts.models import User

    require(access.can_manage_users(user()))
    account = get_or_404(User, user_id)
    ops.end_sessions(db(), account)
    flash(t(f'{account.username}: mọi phiên đăng nhập đã kết thúc.', f'{account.username}: every session ended.'),
          'ok')
    return redirect(url_for('auth.users') + f'#u{account.id}')


@bp.post('/language')
def set_language():  # noqa: ANN201
    choice = request.form.get('lang', 'vi')
    session['lang'] = choice if choice in ('vi', 'en') else 'vi'
    return redirect(_safe_next(request.form.get('next')))


@bp.route('/users', methods=['GET', 'POST'])
@login_required
def users():  # noqa: ANN201
    from inspect_flow.core.clock import today
    from inspect_flow.units.models import Person
    from inspect_flow.units.operations import get_unit
    from inspect_flow.web import pick

    require(access.can_manage_users(user()))
    fields = ('username', 'full_name', 'email', 'password', 'role', 'person', 'unit')
    form = Form(request.form if request.method == 'POST' else None, fields=fields)
    status = 200
    if request.method == 'POST':
        with attempt(form):
            # a local official's unit is one in force today (the picker offers those)
            pick.resolve(form, 'person', 'people', by='id')
            pick.resolve(form, 'unit', 'units', on=today())
            person = lookup(Person, form.get('person'))
            unit = None
            if form.get('unit'):
                unit = get_unit(db(), form.get('unit'), today())
            created = ops.create_user(db(), username=form.get('username'), password=request.form.get('password', ''),
                                      role=form.get('role'), full_name=form.get('full_name'), person=person, unit=unit,
                                      email=form.get('email'))
            from flask import flash

            flash(f'{created.username}: OK', 'ok')
            return redirect(url_for('auth.users'))
        status = 422
        form.values.pop('password', None)
    roles = [(r.value, ROLE_LABELS[r][1 if lang() == 'en' else 0]) for r in Role]
    return render('web/users.html', form=form, accounts=ops.list_users(db()), roles=roles, day=today()), status


@bp.get('/users/<int:user_id>')
@login_required
def user_detail(user_id: int):  # noqa: ANN201
    from inspect_flow.accounts.models import User

    require(access.can_manage_users(user()))
    return redirect(url_for('auth.users') + f'#u{get_or_404(User, user_id).id}')
