"""What an e-mail address may be, at every door (pages, CLI: :func:`accounts.operations.check_email`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspect_flow.accounts.operations import check_email
from inspect_flow.core.errors import InvalidInput


@pytest.mark.parametrize('typed, stored', [
    ('can.bo@mocaybac.gov.vn', 'can.bo@mocaybac.gov.vn'),
    ('  Thao.VPT@SoLDTBXH.BenTre.Gov.VN ', 'Thao.VPT@soldtbxh.bentre.gov.vn'),
    ("o'neil+nhac-viec@example.org", "o'neil+nhac-viec@example.org"),
    ('', None),
    ('   ', None),
])
def test_accepted(typed: str, stored: str | None) -> None:
    assert check_email(typed) == stored


@pytest.mark.parametrize('typed', [
    'can.bo', 'can.bo@', '@gov.vn', 'can bo@gov.vn', 'cán.bộ@gov.vn', 'a@@gov.vn', 'a@gov', 'a@-gov.vn',
    'a@gov-.vn', '.a@gov.vn', 'a.@gov.vn', 'a..b@gov.vn', 'a@gov..vn', 'a@gov.vn\nBcc: b@gov.vn', 'Tên <a@gov.vn>',
    'a@gov.vn, b@gov.vn', 'x' * 65 + '@gov.vn', 'a@' + 'b' * 250 + '.vn',
])
def test_refused_naming_the_field(typed: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        check_email(typed, field='email')
    assert exc.value.field == 'email' and exc.value.code == 'user.bad_email'


@given(st.text(max_size=40))
def test_anything_is_stored_clean_or_refused(text: str) -> None:
    try:
        value = check_email(text)
    except InvalidInput:
        return
    assert value is None or (value.count('@') == 1 and value.isascii() and ' ' not in value and len(value) <= 254)
