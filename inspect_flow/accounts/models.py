"""User accounts and the login attempts that throttle them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base, utcnow
from inspect_flow.core.types import enum_column_type
from inspect_flow.units.models import AdminUnit, Person


class Role(enum.StrEnum):
    """What a user does in the system (one role per account)."""

    admin = 'admin'  # quản trị hệ thống
    secretariat = 'secretariat'  # văn phòng thường trực (Sở LĐTBXH): lập kế hoạch, tổ chức đoàn
    team_leader = 'team_leader'  # trưởng đoàn, phó trưởng đoàn
    team_member = 'team_member'  # thành viên, thư ký đoàn
    local_official = 'local_official'  # cán bộ huyện, xã nhận kết luận, kiến nghị


ROLE_LABELS = {
    Role.admin: ('Quản trị hệ thống', 'Administrator'),
    Role.secretariat: ('Văn phòng thường trực', 'Secretariat'),
    Role.team_leader: ('Trưởng đoàn', 'Team leader'),
    Role.team_member: ('Thành viên đoàn', 'Team member'),
    Role.local_official: ('Cán bộ địa phương', 'Local official'),
}


class User(Base):
    """A person who logs in. ``person`` links to the round's people (team membership comes from it);
    ``unit`` scopes a local official to a district or commune."""

    __tablename__ = 'users'

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    #: argon2id hash (argon2-cffi ``PasswordHasher``), with its parameters.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column_type(Role))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey('people.id'), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_dt: Mapped[datetime | None] = mapped_column()
    #: Stamped into a web session at login and compared on every request: raising it (logout, a password
    #: change, an administrator's "sign out everywhere") ends every copy of every session of the account.
    session_version: Mapped[int] = mapped_column(default=0, server_default=sa.text('0'))
    #: Where reminders go (:mod:`inspect_flow.notify`); none: the person gets no e-mail.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    #: The language of the person's e-mails: ``vi`` (the default) or ``en``.
    language: Mapped[str] = mapped_column(sa.String(2), default='vi', server_default='vi')
    #: The person may turn the e-mail digests off (the count in the app stays).
    digests_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    person: Mapped[Person | None] = relationship(lazy='joined')
    unit: Mapped[AdminUnit | None] = relationship(lazy='joined')

    @property
    def actor(self) -> str:
        """The name written in the audit trail: ``web:<username>``."""
        return f'web:{self.username}'

    def role_label(self, lang: str = 'vi') -> str:
        vi, en = ROLE_LABELS[self.role]
        return en if lang == 'en' else vi

    def __repr__(self) -> str:
        return f'<User {self.username} {self.role}>'


@dataclass(frozen=True)
class UserSnapshot:
    """The columns of a :class:`User` that the access rules read, copied for a cache (no relationships).

    Only code that needs nothing else may take one instead of a ``User`` (the asynchronous intake's
    acknowledgment); reaching for ``person`` or ``unit`` on it fails loudly.
    """

    id: int
    username: str
    role: Role
    is_active: bool
    person_id: int | None
    unit_id: int | None

    @classmethod
    def of(cls, user: User) -> UserSnapshot:
        return cls(user.id, user.username, user.role, user.is_active, user.person_id, user.unit_id)


class LoginAttempt(Base):
    """One login attempt, kept to limit guessing per user name and per address."""

    __tablename__ = 'login_attempts'
    __table_args__ = (sa.Index('ix_login_attempts_username_dt', 'username', 'created_dt'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default='', index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f'<LoginAttempt {self.username} {"ok" if self.succeeded else "failed"}>'
