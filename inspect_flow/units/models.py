"""Administrative units, issuing bodies and people."""

from __future__ import annotations

import enum
import unicodedata
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_flow.core.db import Base
from inspect_flow.core.text import without_marks
from inspect_flow.core.types import enum_column_type


class UnitLevel(enum.StrEnum):
    """Level of an administrative unit (cấp hành chính)."""

    province = 'province'  # cấp tỉnh
    district = 'district'  # cấp huyện (abolished nationwide from 01/07/2025)
    commune = 'commune'  # cấp xã


#: Districts were abolished and the 34 provinces and 3,321 communes took effect on this day (NQ 202/2025/QH15).
TWO_TIER_FROM = date(2025, 7, 1)


def search_key(text: str) -> str:
    """``Xã Nhuận Phú Tân`` → ``xa nhuan phu tan``: the key names are searched by (case and tone marks ignored)."""
    return ' '.join(without_marks(unicodedata.normalize('NFC', text)).lower().split())


class AdminUnit(Base):
    """An administrative unit (đơn vị hành chính) over a period of validity.

    Units change: mergers, splits, and the abolition of districts in 2025. One row is one unit as it
    stood between ``valid_from`` (inclusive) and ``valid_to`` (exclusive, ``None`` = still valid as far as
    the loaded data knows). The official GSO code may be reused by the successor of a merger, so the
    code is unique only together with ``valid_from``. Match on codes, never on names: the GSO spellings
    are kept as they are (e.g. "Xã Qưới Sơn").
    """

    __tablename__ = 'admin_units'
    __table_args__ = (sa.UniqueConstraint('code', 'valid_from'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), index=True)
    #: The name with its type, as the GSO writes it: "Xã Nhuận Phú Tân", "Huyện Mỏ Cày Bắc".
    full_name: Mapped[str] = mapped_column(sa.String(120))
    #: The name without its type ("Nhuận Phú Tân"); units named by a number keep the type ("Phường 7").
    name: Mapped[str] = mapped_column(sa.String(120))
    level: Mapped[UnitLevel] = mapped_column(enum_column_type(UnitLevel))
    #: GSO unit type: tinh, thanh-pho, huyen, quan, thi-xa, xa, phuong, thi-tran, dac-khu (special zone, 2025).
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: ``full_name`` in lower case without tone marks ("xa nhuan phu tan"), for searching by name.
    search_key: Mapped[str] = mapped_column(sa.String(120), default='', index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(200), default='')

    parent: Mapped[AdminUnit | None] = relationship(remote_side=[id], lazy='joined', join_depth=2)

    @property
    def is_two_tier(self) -> bool:
        """Tell whether the unit belongs to the two-tier structure (from 01/07/2025: communes under provinces)."""
        return self.valid_from >= TWO_TIER_FROM

    def is_valid_on(self, day: date) -> bool:
        """Tell whether the unit existed on *day*."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    @property
    def district(self) -> AdminUnit | None:
        """The district-level unit this unit belongs to (itself for a district); None for a commune of the
        two-tier structure (since 01/07/2025 a commune sits directly under its province)."""
        if self.level == UnitLevel.district:
            return self
        if self.level == UnitLevel.commune and self.parent is not None and self.parent.level == UnitLevel.district:
            return self.parent
        return None

    @property
    def province(self) -> AdminUnit | None:
        """The province this unit belongs to (itself for a province), in either structure."""
        unit: AdminUnit | None = self
        while unit is not None and unit.level != UnitLevel.province:
            unit = unit.parent
        return unit

    def __repr__(self) -> str:
        return f'<AdminUnit {self.code} {self.full_name}>'


class UnitSuccession(Base):
    """An administrative unit's territory passed, wholly or partly, to another unit on a day (kế thừa).

    The 2025 reform: Xã Nhuận Phú Tân (28936, Huyện Mỏ Cày Bắc) became part of Xã Nhuận Phú Tân (28948),
    Tỉnh Vĩnh Long. An old commune divided among several new ones has one row per new commune, and exactly
    one of them ``is_default``: the one that took it over (its records, its recommendations).
    """

    __tablename__ = 'unit_successions'
    __table_args__ = (sa.UniqueConstraint('predecessor_id', 'successor_id'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    successor_id: Mapped[int] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    effective: Mapped[date] = mapped_column(sa.Date)
    is_default: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(sa.String(200), default='')

    predecessor: Mapped[AdminUnit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[AdminUnit] = relationship(foreign_keys=[successor_id])

    def __repr__(self) -> str:
        return f'<UnitSuccession {self.predecessor_id} -> {self.successor_id} on {self.effective}>'


class IssuingBody(Base):
    """A body that issues documents in its own name (cơ quan, tổ chức ban hành văn bản).

    E.g. the provincial Steering Committee for the National Target Programmes (Ban Chỉ đạo các
    Chương trình mục tiêu quốc gia tỉnh), which keeps its own number register, or its standing agency
    (cơ quan thường trực, the Department of Labour, Invalids and Social Affairs).
    """

    __tablename__ = 'issuing_bodies'

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable key used on the command line, e.g. ``bcd-ben-tre``.
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(250))
    #: The abbreviation used in document symbols (ký hiệu), e.g. ``BCĐCCTMTQG``.
    abbreviation: Mapped[str] = mapped_column(sa.String(40))
    #: The body's name as printed in the document header, upper case, one entry per line.
    header_lines: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    #: The parent body printed above it (cơ quan chủ quản), e.g. ``UBND TỈNH BẾN TRE``; optional.
    parent_header: Mapped[str | None] = mapped_column(sa.String(120))
    #: The place name of the date line (địa danh), e.g. ``Bến Tre``.
    place_name: Mapped[str] = mapped_column(sa.String(80))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'))
    parent_body_id: Mapped[int | None] = mapped_column(sa.ForeignKey('issuing_bodies.id'))

    unit: Mapped[AdminUnit | None] = relationship()
    parent_body: Mapped[IssuingBody | None] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f'<IssuingBody {self.slug}>'


class Person(Base):
    """A person who takes part in a round: an inspector, a local official, a signer.

    ``unit`` is the administrative unit the person works in (nơi công tác); it drives the
    conflict-of-interest rule (nobody inspects the unit they work in).
    """

    __tablename__ = 'people'

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    #: Official title (chức vụ), e.g. "Phó Giám đốc Sở Lao động - Thương binh và Xã hội".
    title: Mapped[str] = mapped_column(sa.String(200), default='')
    #: The agency the person works for (cơ quan), e.g. "Ngân hàng Chính sách xã hội tỉnh".
    agency: Mapped[str] = mapped_column(sa.String(200), default='')
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey('admin_units.id'), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(40))

    unit: Mapped[AdminUnit | None] = relationship()

    def __repr__(self) -> str:
        return f'<Person {self.id} {self.full_name}>'
