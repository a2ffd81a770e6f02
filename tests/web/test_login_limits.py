"""Login limits per account and per address; the address is the client behind at most the configured number
of trusted proxies (``INSPECT_FLOW_TRUSTED_PROXIES``), else the peer."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from inspect_flow.accounts.operations import MAX_FAILURES_PER_ADDRESS
from tests.web.conftest import Client


def _from(app, addr: str, **headers: str) -> Client:  # noqa: ANN001
    client = Client(app)
    client.c.environ_base['REMOTE_ADDR'] = addr
    client.c.environ_base.update({'HTTP_' + k.upper(): v for k, v in headers.items()})
    return client


def test_the_address_limit_does_not_reset_on_ones_own_successful_login(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    guesser = _from(app, '10.0.0.7')
    for i in range(MAX_FAILURES_PER_ADDRESS - 1):  # one guess per name: no account limit is reached
        assert guesser.login(f'someone{i}', 'guess-guess').status_code == 401
    assert guesser.login('ngan.ltk').status_code == 302  # the guesser's own account
    guesser.post('/logout')
    assert guesser.login('someone-else', 'guess-guess').status_code == 401  # the 30th failure
    r = guesser.login('cong.td5')  # even a right password is refused from this address now
    assert r.status_code == 429
    assert guesser.get('/plans').status_code == 302
    # the same account from another address is not affected
    assert _from(app, '10.0.0.8').login('cong.td5').status_code == 302


def test_the_account_limit_holds_across_addresses(app_factory):  # noqa: ANN001
    app = app_factory('planning')
    for i in range(5):
        assert _from(app, f'10.0.1.{i}').login('thao.vpt', 'wrong-wrong').status_code == 401
    assert _from(app, '10.0.1.99').login('thao.vpt').status_code == 429


@pytest.mark.parametrize(('proxies', 'forwarded', 'recorded'), [
    (0, None, '10.0.0.1'),
    (0, '203.0.113.5', '10.0.0.1'),                # not configured: the header is anyone's to forge
    (1, '203.0.113.5', '203.0.113.5'),             # the proxy's view of the client
    (1, '198.51.100.9, 203.0.113.5', '203.0.113.5'),  # a forged entry before the proxy's is ignored
    (1, None, '10.0.0.1'),
])
def test_the_address_is_the_client_behind_the_trusted_proxy(app_factory, proxies, forwarded, recorded):  # noqa: ANN001
    app = app_factory('planning', TRUSTED_PROXIES=proxies)
    headers = {'X_FORWARDED_FOR': forwarded} if forwarded else {}
    assert _from(app, '10.0.0.1', **headers).login('thao.vpt', 'wrong-wrong').status_code == 401
    with app.extensions['inspect_flow.engine'].connect() as conn:
        addrs = conn.execute(sa.text("select remote_addr from login_attempts where username = 'thao.vpt'")).scalars()
        assert list(addrs) == [recorded]


def test_behind_the_proxy_each_client_has_its_own_address_limit(app_factory):  # noqa: ANN001
    app = app_factory('planning', TRUSTED_PROXIES=1)
    guesser = _from(app, '10.0.0.1', X_FORWARDED_FOR='203.0.113.5')
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert guesser.login(f'someone{i}', 'guess-guess').status_code == 401
    assert guesser.login('cong.td5').status_code == 429
    # another client through the same proxy logs in
    assert _from(app, '10.0.0.1', X_FORWARDED_FOR='203.0.113.6').login('cong.td5').status_code == 302
