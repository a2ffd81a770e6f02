"""Column types shared by the models."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


def enum_column_type(enum_cls: type[enum.Enum], length: int = 24) -> sa.Enum:
    """Store an enum by its value in a VARCHAR with a CHECK constraint (portable, readable in SQL)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )


JSONType = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
