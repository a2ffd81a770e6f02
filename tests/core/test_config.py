"""The configuration file: every key, the environment over the file, and what is refused (one line naming the key
and the file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspect_flow.core import config

FULL = """
[database]
url = "postgresql://inspect@127.0.0.1:5432/inspect_flow"

[instance]
folder = "/var/lib/inspect-flow"

[web]
secret_key = "bí mật"
trusted_proxies = 1
insecure_cookies = true
session_idle_minutes = 45
base_url = "https://kiemtra.example.vn"

[server]
bind = "127.0.0.1:8001"
workers = 3
threads = 4

[mail]
smtp_url = "smtp://mail.example.vn:587?starttls=1"
from = "Ban Chỉ đạo <noreply@example.vn>"

[reminders]
days = [14, 7, 3]
schedule_days = 5

[webhooks]
allowed_hosts = ["10.0.0.5", "hooks.internal"]

[worker]
broker_url = "redis://127.0.0.1:6379/0"

[paths]
templates = "/srv/templates"
checklists = "/srv/checklists"

[cli]
lang = "en"
"""

EXPECTED = {
    'INSPECT_FLOW_DATABASE_URL': 'postgresql://inspect@127.0.0.1:5432/inspect_flow',
    'INSPECT_FLOW_INSTANCE': '/var/lib/inspect-flow',
    'INSPECT_FLOW_SECRET_KEY': 'bí mật',
    'INSPECT_FLOW_TRUSTED_PROXIES': '1',
    'INSPECT_FLOW_INSECURE_COOKIES': '1',
    'INSPECT_FLOW_SESSION_IDLE_MINUTES': '45',
    'INSPECT_FLOW_BASE_URL': 'https://kiemtra.example.vn',
    'INSPECT_FLOW_BIND': '127.0.0.1:8001',
    'INSPECT_FLOW_WORKERS': '3',
    'INSPECT_FLOW_THREADS': '4',
    'INSPECT_FLOW_SMTP_URL': 'smtp://mail.example.vn:587?starttls=1',
    'INSPECT_FLOW_MAIL_FROM': 'Ban Chỉ đạo <noreply@example.vn>',
    'INSPECT_FLOW_REMINDER_DAYS': '14,7,3',
    'INSPECT_FLOW_SCHEDULE_DAYS': '5',
    'INSPECT_FLOW_WEBHOOK_ALLOWED_HOSTS': '10.0.0.5,hooks.internal',
    'INSPECT_FLOW_BROKER_URL': 'redis://127.0.0.1:6379/0',
    'INSPECT_FLOW_TEMPLATES': '/srv/templates',
    'INSPECT_FLOW_CHECKLISTS': '/srv/checklists',
    'INSPECT_FLOW_LANG': 'en',
}


def _write(tmp_path: Path, text: str, name: str = 'config.toml') -> Path:
    path = tmp_path / name
    path.write_text(text, encoding='utf-8')
    return path


def test_every_key_sets_its_environment_variable(tmp_path):
    assert config.read(_write(tmp_path, FULL)) == EXPECTED
    assert {k.env for k in config.KEYS.values()} == set(EXPECTED)  # the full example covers every key


def test_every_key_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / 'README.md').read_text(encoding='utf-8')
    section = readme.split('### Configuration file', 1)[1].split('\n### ', 1)[0]
    for key, spec in config.KEYS.items():
        assert f'`{key}`' in section and spec.env in section, key


def test_the_environment_overrides_the_file(tmp_path):
    path = _write(tmp_path, FULL)
    environ = {'INSPECT_FLOW_DATABASE_URL': 'sqlite:////tmp/mine.sqlite3', 'INSPECT_FLOW_WORKERS': '9',
               'INSPECT_FLOW_BIND': ''}  # empty: not set
    assert config.apply(path, environ) == path
    assert environ['INSPECT_FLOW_DATABASE_URL'] == 'sqlite:////tmp/mine.sqlite3'
    assert environ['INSPECT_FLOW_WORKERS'] == '9'
    assert environ['INSPECT_FLOW_BIND'] == '127.0.0.1:8001'
    assert environ['INSPECT_FLOW_THREADS'] == '4'


def test_a_false_flag_leaves_the_variable_unset(tmp_path):
    path = _write(tmp_path, '[web]\ninsecure_cookies = false\n')
    assert config.read(path) == {}


def test_where_the_file_is_looked_for(tmp_path):
    instance = tmp_path / 'inst'
    instance.mkdir()
    assert config.locate(None, {'INSPECT_FLOW_INSTANCE': str(instance)}) is None  # optional
    in_instance = _write(instance, '[server]\nworkers = 2\n')
    named = _write(tmp_path, '[server]\nworkers = 5\n', 'named.toml')
    assert config.locate(None, {'INSPECT_FLOW_INSTANCE': str(instance)}) == in_instance
    assert config.locate(None, {'INSPECT_FLOW_INSTANCE': str(instance), 'INSPECT_FLOW_CONFIG': str(named)}) == named
    assert config.locate(in_instance, {'INSPECT_FLOW_CONFIG': str(named)}) == in_instance  # --config first


@pytest.mark.parametrize(('text', 'key', 'vi_tail', 'en_tail'), [
    ('[web]\nsecret = "x"\n', 'web.secret', 'không có khóa này', 'there is no such key'),
    ('[website]\nport = 1\n', 'website', 'không có khóa hoặc mục này', 'there is no such key or section'),
    ('lang = "vi"\n', 'lang', 'không có khóa hoặc mục này', 'there is no such key or section'),
    ('[server]\nworkers = "2"\n', 'server.workers', 'phải là số nguyên', 'must be a whole number'),
    ('[server]\nworkers = true\n', 'server.workers', 'phải là số nguyên', 'must be a whole number'),
    ('[server]\nworkers = 2.5\n', 'server.workers', 'phải là số nguyên', 'must be a whole number'),
    ('[server]\nworkers = 0\n', 'server.workers', 'không được nhỏ hơn 1', 'must not be less than 1'),
    ('[web]\ninsecure_cookies = "yes"\n', 'web.insecure_cookies', 'phải là true/false', 'must be true/false'),
    ('[database]\nurl = 5\n', 'database.url', 'phải là chuỗi', 'must be a string'),
    ('[reminders]\ndays = "14,3"\n', 'reminders.days', 'phải là danh sách số nguyên',
     'must be a list of whole numbers'),
    ('[reminders]\ndays = [14, "3"]\n', 'reminders.days', 'phải là danh sách số nguyên',
     'must be a list of whole numbers'),
    ('[reminders]\ndays = []\n', 'reminders.days', 'phải là danh sách số nguyên', 'must be a list of whole numbers'),
    ('[webhooks]\nallowed_hosts = ["a,b"]\n', 'webhooks.allowed_hosts', 'có ký tự không dùng được',
     'holds a character that cannot be used'),
    ('[cli]\nlang = "fr"\n', 'cli.lang', 'phải là một trong vi, en', 'must be one of vi, en'),
    ('web = 3\n', 'web', 'phải là một mục [..]', 'must be a table ([web])'),
])
def test_a_bad_key_or_value_is_refused_naming_the_key_and_the_file(tmp_path, text, key, vi_tail, en_tail):
    path = _write(tmp_path, text)
    with pytest.raises(config.ConfigError) as info:
        config.read(path)
    assert info.value.localized('vi') == f'khóa "{key}" trong tệp cấu hình {path}: {vi_tail}.'
    assert info.value.localized('en') == f'key "{key}" in the configuration file {path}: {en_tail}.'


def test_a_file_that_is_not_toml_or_missing_is_named(tmp_path):
    broken = _write(tmp_path, '[web\nsecret_key = 1\n')
    with pytest.raises(config.ConfigError) as info:
        config.read(broken)
    assert info.value.localized('en').startswith(f'the configuration file {broken}: it is not valid TOML (')
    latin1 = tmp_path / 'latin1.toml'
    latin1.write_bytes(b'[mail]\nfrom = "Ban Ch\xe9"\n')  # Latin-1, not UTF-8
    with pytest.raises(config.ConfigError) as info:
        config.read(latin1)
    assert info.value.localized('vi') == f'tệp cấu hình {latin1}: không được mã hóa UTF-8.'
    with pytest.raises(config.ConfigError) as info:
        config.apply(tmp_path / 'none.toml', {})
    assert info.value.localized('vi') == f'tệp cấu hình {tmp_path / "none.toml"}: không có tệp này.'


# --- through the front ends, each in a process of its own (the file fills in os.environ) ------------------------

def _env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith('INSPECT_FLOW_')}
    env['PYTHONPATH'] = str(Path(__file__).resolve().parents[2])
    env.update(extra)
    return env


CLI = 'from inspect_flow.cli import main; main()'


def _cli(*args: str, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-c', CLI, *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=180, check=False)


def test_the_cli_reads_the_database_and_language_from_the_file(tmp_path, db_url):
    path = _write(tmp_path, f'[database]\nurl = "{db_url}"\n\n[cli]\nlang = "en"\n')
    done = _cli('--config', str(path), 'init', '--no-units', env=_env(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('The database is up to date')  # the test database, in English
    assert not (tmp_path / 'instance').exists()  # not the default SQLite file
    # INSPECT_FLOW_CONFIG names it too; the environment's language wins over the file's
    done = _cli('init', '--no-units', env=_env(INSPECT_FLOW_CONFIG=str(path), INSPECT_FLOW_LANG='vi'), cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith('Cơ sở dữ liệu đã ở phiên bản mới nhất'), done.stderr


def test_the_cli_finds_the_instance_folders_file(tmp_path):
    (tmp_path / 'instance').mkdir()
    _write(tmp_path / 'instance', '[cli]\nlang = "en"\n[server]\nworkers = "two"\n')
    done = _cli('units', 'list', env=_env(), cwd=tmp_path)
    assert done.returncode == 1  # refused as a whole: its cli.lang is not taken either
    assert done.stderr.strip() == ('Lỗi: khóa "server.workers" trong tệp cấu hình instance/config.toml: '
                                   'phải là số nguyên.')
    _write(tmp_path / 'instance', '[cli]\nlang = "en"\n[server]\nworkers = 2\n')
    done = _cli('units', 'show', '99999', env=_env(), cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.startswith('Error: '), done.stderr  # the file's language


def test_a_bad_file_is_one_line_on_the_cli(tmp_path):
    path = _write(tmp_path, '[web]\nport = 8000\n')
    done = _cli('--config', str(path), 'units', 'list', env=_env(), cwd=tmp_path)
    assert (done.returncode, done.stdout) == (1, '')
    assert done.stderr.strip() == f'Lỗi: khóa "web.port" trong tệp cấu hình {path}: không có khóa này.'


WEB = """
import json
from inspect_flow import create_app
app = create_app()
print(json.dumps({'db': app.config['DATABASE_URL'], 'proxies': app.config['TRUSTED_PROXIES'],
                  'secure': app.config['SESSION_COOKIE_SECURE'], 'secret': app.config['SECRET_KEY'],
                  'idle': app.config['SESSION_IDLE_TIMEOUT'].total_seconds()}))
"""


def test_the_web_app_reads_the_file_under_the_environment(tmp_path, db_url):
    import json

    path = _write(tmp_path, f'[database]\nurl = "{db_url}"\n[web]\ntrusted_proxies = 1\ninsecure_cookies = true\n'
                            'secret_key = "from-the-file"\nsession_idle_minutes = 45\n')
    env = _env(INSPECT_FLOW_CONFIG=str(path), INSPECT_FLOW_SECRET_KEY='from-the-environment')
    done = subprocess.run([sys.executable, '-c', WEB], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        'db': db_url, 'proxies': 1, 'secure': False, 'secret': 'from-the-environment', 'idle': 45 * 60.0}


def test_gunicorns_settings_read_the_file(tmp_path):
    path = _write(tmp_path, '[server]\nbind = "127.0.0.1:8765"\nworkers = 3\nthreads = 2\n')
    probe = ('from inspect_flow.web import gunicorn_conf as c; '
             'print(c.bind, c.workers, c.threads)')
    done = subprocess.run([sys.executable, '-c', probe], env=_env(INSPECT_FLOW_CONFIG=str(path),
                                                                   INSPECT_FLOW_THREADS='6'),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['127.0.0.1:8765'] 3 6"
