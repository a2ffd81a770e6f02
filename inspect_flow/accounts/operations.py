"""Writes on accounts: creating users, checking passwords, limiting login attempts. Every function flushes."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from inspect_flow.accounts.models import LoginAttempt, Role, User
from inspect_flow.core.db import utcnow
from inspect_flow.core.errors import Conflict, DomainError, InvalidInput, NotFound
from inspect_flow.core.limits import get_by_id
from inspect_flow.core.text import nfc_text
from inspect_flow.units.models import AdminUnit, Person, UnitLevel

USERNAME_RE = re.compile(r'^[a-z0-9][a-z0-9._-]{2,79}$')
#: An e-mail address as a person types it: one ``@``, a local part of printable ASCII without spaces or quotes, a
#: domain of dot-separated labels (letters, digits, inner hyphens) ending in a letter label.
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{1,253}$)"
                      r'(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$')
LANGUAGES = ('vi', 'en')
MIN_PASSWORD = 8
#: Failed attempts allowed per user name inside :data:`WINDOW` before the name is locked for the rest of it.
MAX_FAILURES = 5
#: Failed attempts allowed per remote address inside :data:`WINDOW` (guessing across many names).
MAX_FAILURES_PER_ADDRESS = 30
WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()


def use_fast_hashing() -> None:
    """Use the cheapest argon2 parameters (tests only: hashes still verify, they are just cheap to make)."""
    global _hasher
    from argon2 import profiles

    _hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)


class LoginRefused(DomainError):
    """Wrong user name or password (one message for both, so names cannot be probed)."""

    status = 401


class LoginThrottled(DomainError):
    """Too many failed attempts: the name (or address) is locked for a while."""

    status = 429


def hash_password(password: str) -> str:
    """Return the argon2id hash of *password*."""
    return _hasher.hash(password)


def _check_password(password: str | None) -> str:
    if not password or len(password) < MIN_PASSWORD:
        raise InvalidInput('user.weak_password', f'Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.',
                           f'The password must have at least {MIN_PASSWORD} characters.', field='password')
    return password


def check_email(value: str | None, field: str = 'email') -> str | None:
    """Return the address as stored (trimmed, the domain in lower case), ``None`` for an empty one.

    :raise InvalidInput: not an address (``user.bad_email``), naming *field*
    """
    value = (value or '').strip()
    if not value:
        return None
    local, _, domain = value.rpartition('@')
    bad_dots = '..' in local or local.startswith('.') or local.endswith('.')
    if len(value) > 254 or not EMAIL_RE.fullmatch(value) or bad_dots:
        shown = value if len(value) <= 80 else value[:77] + '…'
        raise InvalidInput('user.bad_email', f'Địa chỉ thư điện tử "{shown}" không hợp lệ (ví dụ: ten@so.gov.vn).',
                           f'"{shown}" is not a valid e-mail address (e.g. name@agency.gov.vn).', field=field)
    return f'{local}@{domain.lower()}'


def _check_language(value: str | None) -> str:
    value = (value or 'vi').strip().lower()
    if value not in LANGUAGES:
        raise InvalidInput('user.bad_language', f'Ngôn ngữ "{value}" không có (vi hoặc en).',
                           f'There is no language "{value}" (vi or en).', field='language')
    return value


def update_contact(session: Session, user: User, *, email: str | None = ..., language: str | None = ...,
                   digests_enabled: bool | None = ...) -> dict:
    """Set a person's e-mail address, the language of their e-mails and whether they get digests (the values
    given; ``...`` leaves one as it is). Everything is checked before anything is set.

    :return: ``{field: [old, new]}`` of what changed
    :raise InvalidInput: a malformed address (field ``email``) or an unknown language (field ``language``)
    """
    values = {}
    if email is not ...:
        values['email'] = check_email(email)
    if language is not ...:
        values['language'] = _check_language(language)
    if digests_enabled is not ...:
        values['digests_enabled'] = bool(digests_enabled)
    changes = {}
    for key, new in values.items():
        old = getattr(user, key)
        if old != new:
            changes[key] = [old, new]
            setattr(user, key, new)
    session.flush()
    return changes


def get_user(session: Session, user_id: int | str) -> User:
    """Return the user with *user_id*, or raise :class:`NotFound`."""
    user = get_by_id(session, User, user_id)
    if user is None:
        raise NotFound('user.not_found', f'Không tìm thấy tài khoản số {user_id}.', f'No user {user_id}.')
    return user


def login_name(username: str | None) -> str:
    """A user name as typed, as it is compared and stored: trimmed, lower case, NFC (a name typed in NFD is the
    same name, and its failed attempts count against the same limit)."""
    return nfc_text((username or '').strip().lower())


def find_user(session: Session, username: str) -> User | None:
    """Return the user named *username* (case-insensitive), if any."""
    return session.scalars(sa.select(User).where(User.username == login_name(username))).first()


def create_user(session: Session, *, username: str, password: str, role: Role | str, full_name: str,
                person: Person | None = None, unit: AdminUnit | None = None, email: str | None = None,
                language: str = 'vi') -> User:
    """Create an account (with an e-mail address for reminders, optional).

    A team leader or member must be linked to a person (their team membership comes from it); a local
    official must be scoped to a commune-level unit (or, in a three-tier round, a district).

    :raise InvalidInput: a malformed name, a short password, an unknown role, a missing link, a malformed
        e-mail address (field ``email``)
    :raise Conflict: the user name is taken
    """
    username = login_name(username)
    if not USERNAME_RE.match(username):
        raise InvalidInput('user.bad_username', 'Tên đăng nhập gồm 3–80 chữ thường không dấu, số, ".", "_" hoặc "-".',
                           'A user name has 3–80 lower-case letters, digits, ".", "_" or "-".', field='username')
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput('user.bad_role', f'Không có vai trò "{role}".', f'There is no role "{role}".',
                           field='role') from None
    full_name = ' '.join((full_name or '').split()) or (person.full_name if person else '')
    if not full_name:
        raise InvalidInput('user.name_required', 'Phải nhập họ và tên.', 'The full name is required.',
                           field='full_name')
    _check_password(password)
    email = check_email(email)
    language = _check_language(language)
    if role in (Role.team_leader, Role.team_member) and person is None:
        raise InvalidInput('user.person_required',
                           'Tài khoản của thành viên đoàn phải gắn với một người trong danh sách.',
                           'A team account must be linked to a person.', field='person')
    if role == Role.local_official:
        if unit is None or unit.level == UnitLevel.province:
            raise InvalidInput('user.unit_required',
                               'Cán bộ địa phương phải gắn với một đơn vị cấp xã (hoặc cấp huyện trước 01/07/2025).',
                               'A local official must be scoped to a commune-level unit (or a district before '
                               '01/07/2025).', field='unit')
    elif unit is not None:
        unit = None  # only local officials are scoped to a unit
    if find_user(session, username) is not None:
        raise Conflict('user.duplicate', f'Tên đăng nhập "{username}" đã có người dùng.',
                       f'The user name "{username}" is taken.', field='username')
    user = User(username=username, full_name=full_name, password_hash=hash_password(password), role=role,
                person=person, unit=unit, email=email, language=language)
    session.add(user)
    session.flush()
    return user


def end_sessions(session: Session, user: User) -> None:
    """End every web session of *user*, on every device and every copy of its cookie (the next request of
    each finds a stale session version and is sent to the login page). API tokens are not touched."""
    user.session_version = (user.session_version or 0) + 1
    session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    """Replace *user*'s password and end all of their web sessions."""
    user.password_hash = hash_password(_check_password(password))
    end_sessions(session, user)


def change_password(session: Session, user: User, current: str, new: str, *, remote_addr: str = '') -> None:
    """The user replaces their own password, giving the current one; every web session of theirs ends.

    A wrong current password counts as a failed login (a stolen session cannot be used to guess it).

    :raise LoginThrottled: too many failures recently
    :raise InvalidInput: a wrong current password, or a short new one
    """
    remote_addr = (remote_addr or '')[:64]
    _refuse_if_throttled(session, user.username, remote_addr)
    if not _verify(user.password_hash, current):
        session.add(LoginAttempt(username=user.username, remote_addr=remote_addr, succeeded=False))
        session.flush()
        raise InvalidInput('user.wrong_password', 'Mật khẩu hiện tại không đúng.', 'The current password is wrong.',
                           field='current_password')
    set_password(session, user, new)


def _verify(password_hash: str, password: str | None) -> bool:
    try:
        return _hasher.verify(password_hash, password or '')
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _failures_by_name(session: Session, name: str) -> int:
    """Failures for a user name inside the window since its last successful login (the owner proved the
    password: their own typos no longer count)."""
    since = utcnow() - WINDOW
    last_ok = session.scalar(sa.select(sa.func.max(LoginAttempt.created_dt)).where(
        LoginAttempt.username == name, LoginAttempt.succeeded.is_(True), LoginAttempt.created_dt >= since))
    return session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == name, LoginAttempt.succeeded.is_(False),
        LoginAttempt.created_dt >= (last_ok or since))) or 0


def _failures_by_address(session: Session, remote_addr: str) -> int:
    """Failures from an address inside the window, whatever succeeded meanwhile: someone guessing other
    people's passwords must not reset the count by logging into an account of their own."""
    return session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.remote_addr == remote_addr, LoginAttempt.succeeded.is_(False),
        LoginAttempt.created_dt >= utcnow() - WINDOW)) or 0


def is_throttled(session: Session, username: str, remote_addr: str = '') -> bool:
    """Tell whether a login for *username* from *remote_addr* is refused for now: too many failures for the
    account, or from the address (the client's address as the web edge determined it, see the README)."""
    name = login_name(username)[:80]
    if _failures_by_name(session, name) >= MAX_FAILURES:
        return True
    return bool(remote_addr) and _failures_by_address(session, remote_addr) >= MAX_FAILURES_PER_ADDRESS


def _refuse_if_throttled(session: Session, name: str, remote_addr: str) -> None:
    if is_throttled(session, name, remote_addr):
        minutes = int(WINDOW.total_seconds() // 60)
        raise LoginThrottled('login.throttled',
                             f'Đăng nhập sai quá nhiều lần. Hãy thử lại sau {minutes} phút.',
                             f'Too many failed logins. Try again in {minutes} minutes.', field='username')


def authenticate(session: Session, username: str, password: str, *, remote_addr: str = '') -> User:
    """Check a user name and password; record the attempt (the caller's edge must commit it).

    :raise LoginThrottled: too many failures recently; the password is not even checked
    :raise LoginRefused: unknown name, wrong password or a disabled account
    """
    name = login_name(username)[:80]
    remote_addr = (remote_addr or '')[:64]
    _refuse_if_throttled(session, name, remote_addr)
    user = find_user(session, name)
    ok = False
    if user is not None and user.is_active:
        ok = _verify(user.password_hash, password)
        if ok and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
    else:
        # Spend about the same time on an unknown name as on a known one.
        try:
            _hasher.verify(_dummy_hash(), password or '')
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            pass
    session.add(LoginAttempt(username=name, remote_addr=remote_addr, succeeded=ok))
    if not ok:
        session.flush()
        raise LoginRefused('login.refused', 'Sai tên đăng nhập hoặc mật khẩu.', 'Wrong user name or password.',
                           field='password')
    user.last_login_dt = utcnow()
    session.flush()
    return user


_dummy: dict[str, str] = {}


def _dummy_hash() -> str:  # noqa: N802
    if 'h' not in _dummy:
        _dummy['h'] = _hasher.hash('not a real password')
    return _dummy['h']


# --- demo accounts ---------------------------------------------------------------------------------------

DEMO_PASSWORD = 'bentre-2019'
#: The demo accounts' addresses are on a domain reserved for examples (RFC 2606): nothing ever reaches anyone.
DEMO_MAIL_DOMAIN = 'demo.inspect-flow.example'


def demo_email(username: str) -> str:
    """The demo account's e-mail address, e.g. ``thao.vpt@demo.inspect-flow.example``."""
    return f'{username}@{DEMO_MAIL_DOMAIN}'


def ensure_demo_accounts(session: Session) -> list[dict]:
    """Create the demo round's accounts (once) and return them with their password, for printing.

    The people come from the 2019 demo round (:mod:`inspect_flow.demo.round2019`): the leader and a
    member of team 5 (Xã Nhuận Phú Tân, Huyện Mỏ Cày Bắc), a secretary of the Department, and officials
    of Huyện Mỏ Cày Bắc and Xã Nhuận Phú Tân; and from the 2026 round (:mod:`inspect_flow.demo.round2026`,
    demo data): the leader of team 1 and an official of the new Xã Nhuận Phú Tân (28948), Tỉnh Vĩnh Long.
    An account whose round is not loaded (far enough) is left out.
    """
    from datetime import date

    from inspect_flow.units.operations import get_unit

    people = {p.full_name: p for p in session.scalars(sa.select(Person))}
    in_2019, in_2026 = date(2019, 7, 5), date(2026, 7, 7)

    def unit(code: str, day: date) -> AdminUnit | None:
        try:
            return get_unit(session, code, day)
        except DomainError:
            return None

    specs = [
        ('admin', Role.admin, 'Quản trị hệ thống', None, None, 'quản trị tài khoản / manages accounts'),
        ('thao.vpt', Role.secretariat, 'Nguyễn Thị Thanh Thảo', None, None,
         'văn phòng thường trực: lập kế hoạch, tổ chức đoàn / secretariat: plans and teams'),
        ('cong.td5', Role.team_leader, 'Võ Thành Công', 'Võ Thành Công', None,
         'Trưởng Đoàn 5 (Nhuận Phú Tân) / leader of team 5'),
        ('ngan.ltk', Role.team_member, 'Lý Thị Kim Ngân', 'Lý Thị Kim Ngân', None,
         'thành viên Đoàn 2, 5 / member of teams 2 and 5'),
        ('nghia.tv', Role.team_member, 'Đỗ Hữu Nghĩa', 'Đỗ Hữu Nghĩa', None,
         'thành viên Đoàn 3, 6 / member of teams 3 and 6'),
        ('huyen.mcb', Role.local_official, 'UBND huyện Mỏ Cày Bắc', None, ('838', in_2019),
         'cán bộ Huyện Mỏ Cày Bắc / official of Mỏ Cày Bắc district'),
        ('xa.nhuanphutan', Role.local_official, 'UBND xã Nhuận Phú Tân', None, ('28936', in_2019),
         'cán bộ Xã Nhuận Phú Tân / official of Nhuận Phú Tân commune'),
    ]
    if 'Lê Thanh Tùng' in people:  # the 2026 round is loaded (its people exist from its first stage)
        specs += [
            ('tung.td1', Role.team_leader, 'Lê Thanh Tùng', 'Lê Thanh Tùng', None,
             'Trưởng Đoàn 1 năm 2026 (Nhuận Phú Tân, Tân Xuân) / leader of team 1, 2026'),
            ('xa.npt2026', Role.local_official, 'UBND xã Nhuận Phú Tân (tỉnh Vĩnh Long)', None, ('28948', in_2026),
             'cán bộ Xã Nhuận Phú Tân, tỉnh Vĩnh Long (2026) / official of the 2025 commune'),
        ]
    out = []
    for username, role, name, person_name, unit_code, note in specs:
        person = people.get(person_name) if person_name else None
        scope = unit(*unit_code) if unit_code else None
        if person_name and person is None or unit_code and scope is None:
            continue  # the demo round is not loaded far enough for this account
        account = find_user(session, username)
        if account is None:
            create_user(session, username=username, password=DEMO_PASSWORD, role=role, full_name=name,
                        person=person, unit=scope, email=demo_email(username))
        elif account.email is None:  # accounts made before addresses existed
            account.email = demo_email(username)
        out.append({'username': username, 'password': DEMO_PASSWORD, 'role': role.value, 'note': note})
    return out


def demo_accounts_present(session: Session) -> list[dict]:
    """The demo accounts that exist and still have the demo password (what ``serve`` prints)."""
    out = []
    for user in session.scalars(sa.select(User).order_by(User.id)):
        try:
            if _hasher.verify(user.password_hash, DEMO_PASSWORD):
                out.append({'username': user.username, 'password': DEMO_PASSWORD, 'role': user.role.value,
                            'note': user.full_name})
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
    return out


def list_users(session: Session) -> list[User]:
    """Every account, by role then name."""
    return list(session.scalars(sa.select(User).order_by(User.role, User.username)))
