"""Steps the whole-round browser tests share: read the live server's database, read the flash, pick a person,
advance the plan."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect


def scalar(server, sql: str, **params):  # noqa: ANN001, ANN003, ANN201
    with server.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def flash(page) -> str:  # noqa: ANN001
    return ' '.join(page.locator('.flash').all_inner_texts())


def pick(form, name: str) -> None:  # noqa: ANN001
    """Type *name* without its marks into the form's person picker and click the match that starts with it."""
    from inspect_flow.core.text import without_marks

    form.page.wait_for_load_state()  # the page's deferred scripts (the picker's) have run
    form.locator('input.picker-input').first.fill(without_marks(name).lower())
    form.get_by_role('option', name=re.compile('^' + re.escape(name))).click()
    expect(form.locator('input[name=person]')).not_to_have_value('')


def advance(page, label: str) -> None:  # noqa: ANN001
    page.get_by_role('button', name=label, exact=True).click()
    page.wait_for_load_state()
    assert 'Đã chuyển giai đoạn' in flash(page), page.locator('main').inner_text()[:2000]
