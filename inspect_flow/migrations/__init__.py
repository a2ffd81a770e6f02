"""Alembic migrations. The schema is created and upgraded only through these (``inspect-flow init``)."""
