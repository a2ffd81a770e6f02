"""Web sessions that can be ended: a per-user session version, an idle timeout and an absolute lifetime.

Flask keeps the session in a signed cookie, so a copy of the cookie works until something on the server
says otherwise. Three things do:

- ``users.session_version``, stamped into the session at login (``sv``) and compared on every request
  (the user's row is loaded anyway). Logout, a password change and an administrator's "sign out
  everywhere" raise it (:func:`inspect_flow.accounts.operations.end_sessions`): every copy of every
  session of that account is dead at once, in every worker, on both databases, with no extra query.
- the time of the last request (``seen``): a session idle for longer than ``SESSION_IDLE_TIMEOUT`` ends.
- the time of the login (``login_at``): a session ends ``PERMANENT_SESSION_LIFETIME`` after it, however
  active (Flask's own lifetime slides with every response).

An ended session lands on the login page with a message, and the login returns to the page the user was on.
No "remember me" cookie is issued, and one presented is refused: it carries no session version.
"""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, flash, g, request, session
from flask_login import login_user

#: Session keys (short: they ride in every request's cookie).
VERSION, SEEN, LOGIN_AT = 'sv', 'seen', 'login_at'
#: Flask-Login's own keys, dropped when a session ends (the language choice stays).
_LOGIN_KEYS = ('_user_id', '_id', '_fresh', '_remember', '_remember_seconds', VERSION, SEEN, LOGIN_AT)
#: The longest ``next`` a login or the language switch will redirect to.
MAX_NEXT = 512

MESSAGES = {
    'idle': ('Phiên làm việc đã hết hạn vì lâu không thao tác. Hãy đăng nhập lại.',
             'Your session expired after a period of inactivity. Please log in again.'),
    'lifetime': ('Phiên làm việc đã hết thời hạn. Hãy đăng nhập lại.',
                 'Your session has reached its time limit. Please log in again.'),
    'ended': ('Phiên đăng nhập đã kết thúc (đăng xuất, đổi mật khẩu hoặc quản trị viên đăng xuất mọi nơi). '
              'Hãy đăng nhập lại.',
              'Your session was ended (a logout, a password change or an administrator signed you out '
              'everywhere). Please log in again.'),
}


def now() -> float:
    """Seconds since the epoch (tests replace this to move time on)."""
    return time.time()


def init_app(app: Flask) -> None:
    """Check expiry before every page request (``SESSION_IDLE_TIMEOUT``: a timedelta or seconds)."""
    app.config.setdefault('SESSION_IDLE_TIMEOUT', timedelta(minutes=30))
    app.before_request(_check_expiry)


def start(account) -> None:  # noqa: ANN001
    """Log *account* (a ``WebUser``) in on a fresh session stamped with its session version."""
    keep = session.get('lang')
    session.clear()  # no fixation: nothing of the anonymous session survives but the language
    login_user(account)
    session.permanent = True
    stamp = int(now())
    session.update({VERSION: account.session_version or 0, SEEN: stamp, LOGIN_AT: stamp})
    if keep:
        session['lang'] = keep


def matches(user) -> bool:  # noqa: ANN001
    """The session carries *user*'s current session version (the user loader refuses it otherwise)."""
    stamped = session.get(VERSION)
    if isinstance(stamped, int) and not isinstance(stamped, bool) and stamped == (user.session_version or 0):
        return True
    end('ended')
    return False


def browser_user_id() -> int | None:
    """The id of the user this request's session cookie is logged in as, for the JSON API's same-origin
    browser calls (the offline queue), checked as a page request checks it: the idle timeout and the lifetime,
    and the session-protection identifier. The session version is checked by the caller on the user's row
    (:func:`stamped_for`). ``None``: no live login."""
    from flask_login.utils import _create_identifier

    uid = session.get('_user_id')
    if not isinstance(uid, str) or not uid.isdigit() or len(uid) > 9:
        return None
    if session.get('_id') != _create_identifier():
        return None
    from flask import current_app

    moment = now()
    seen, login_at = session.get(SEEN), session.get(LOGIN_AT)
    if not isinstance(seen, int | float) or not isinstance(login_at, int | float):
        return None
    if moment - login_at > _seconds(current_app.permanent_session_lifetime) or \
            moment - seen > _seconds(current_app.config['SESSION_IDLE_TIMEOUT']):
        return None
    session[SEEN] = int(moment)
    return int(uid)


def stamped_for(user) -> bool:  # noqa: ANN001
    """The session carries *user*'s current session version (as :func:`matches`, ending nothing)."""
    stamped = session.get(VERSION)
    return isinstance(stamped, int) and not isinstance(stamped, bool) and stamped == (user.session_version or 0)


def end(reason: str | None = None) -> None:
    """Drop the login from this session (keeping the language); with *reason*, tell the login page why."""
    for key in _LOGIN_KEYS:
        session.pop(key, None)
    if reason:
        g.session_ended = reason


def _seconds(value: timedelta | int | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _check_expiry() -> None:
    if request.blueprint in ('api_v1', 'openrosa') or request.endpoint == 'static' or '_user_id' not in session:
        return
    from flask import current_app

    moment = now()
    seen, login_at = session.get(SEEN), session.get(LOGIN_AT)
    if not isinstance(seen, int | float) or not isinstance(login_at, int | float):
        end('ended')
    elif moment - login_at > _seconds(current_app.permanent_session_lifetime):
        end('lifetime')
    elif moment - seen > _seconds(current_app.config['SESSION_IDLE_TIMEOUT']):
        end('idle')
    else:
        session[SEEN] = int(moment)


def tell_why() -> None:
    """On the way to the login page: say why the session ended, if it did during this request."""
    reason = g.get('session_ended')
    if reason in MESSAGES:
        from inspect_flow.web.helpers import t

        flash(t(*MESSAGES[reason]), 'info')


def return_path() -> str | None:
    """Where the login should send the user back: this page (a GET), or the page a POST came from."""
    if request.method == 'GET':
        return safe_next(request.full_path.rstrip('?'), default=None)
    ref = request.referrer
    if not ref:
        return None
    parts = urlsplit(ref)
    if parts.netloc != request.host:
        return None
    return safe_next(parts.path + (f'?{parts.query}' if parts.query else ''), default=None)


def safe_next(target: str | None, default: str | None = '/') -> str | None:
    """*target* if it is a path on this site of bounded length, else *default*.

    Refused: anything absolute or scheme-relative (``//host``, ``/\\host``, which browsers read as
    ``//host``), control characters or spaces, and anything longer than :data:`MAX_NEXT`.
    """
    if not target or len(target) > MAX_NEXT or not target.startswith('/') or target[1:2] in ('/', '\\'):
        return default
    if any(ord(c) < 0x21 or c == '\x7f' or c == '\\' for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
