"""``inspect-flow collect url USER``: an app token and the server URL to type into Collect; revocable."""

from __future__ import annotations

import json
import re

from tests.cli.conftest import Cli


def test_collect_url_prints_a_working_server_url_and_the_token_can_be_revoked(api, db_url, monkeypatch):  # noqa: ANN001
    monkeypatch.delenv('INSPECT_FLOW_BASE_URL', raising=False)
    run = Cli(db_url)
    result = run('collect', 'url', 'ngan.ltk', '--base-url', 'https://kiemtra.example.vn/')
    url = result.stdout.strip()
    match = re.fullmatch(r'https://kiemtra\.example\.vn/v1/key/(ifk_[A-Za-z0-9_-]{43})/', url)
    assert match, url
    assert 'chỉ hiện một lần' in result.stderr
    token = match.group(1)
    path = url.removeprefix('https://kiemtra.example.vn')
    assert api.c.get(path + 'formList', headers={'X-OpenRosa-Version': '1.0'}).status_code == 200
    # a client that appends "/formList" and "/submission" to the URL as typed (ending with a slash)
    doubled = api.c.get(path + '/formList', headers={'X-OpenRosa-Version': '1.0'})
    assert doubled.status_code == 200 and b'<formID>visit-' in doubled.data
    assert api.c.head(path + '/submission', headers={'X-OpenRosa-Version': '1.0'}).status_code == 204
    listed = [t for t in json.loads(run('tokens', 'list', 'ngan.ltk').stdout) if t['kind'] == 'collect']
    assert len(listed) == 1 and token.startswith(listed[0]['prefix'])
    run('tokens', 'revoke', str(listed[0]['id']))
    assert api.c.get(path + 'formList', headers={'X-OpenRosa-Version': '1.0'}).status_code == 403
    # the default address: INSPECT_FLOW_BASE_URL
    monkeypatch.setenv('INSPECT_FLOW_BASE_URL', 'http://10.0.0.5:8000')
    assert run('collect', 'url', 'ngan.ltk').stdout.startswith('http://10.0.0.5:8000/v1/key/ifk_')


def test_collect_url_errors_are_one_line_and_create_no_token(api, db_url):  # noqa: ANN001
    run = Cli(db_url)
    before = run.snapshot()['api_tokens']
    bad = run('collect', 'url', 'ngan.ltk', '--base-url', 'kiemtra.example.vn', ok=False)
    assert bad.exit_code != 0
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('Lỗi:') and 'kiemtra.example.vn' in lines[0]
    nobody = run('collect', 'url', 'khong.co', ok=False)
    assert nobody.exit_code != 0 and nobody.stderr.strip().startswith('Lỗi:') and 'khong.co' in nobody.stderr
    assert run.snapshot()['api_tokens'] == before
