"""`make setup`'s edges, with stand-ins for apt-get, dpkg and sleep on PATH (nothing is installed):
it waits for another apt's locks instead of failing, and it puts `inspect-flow` on PATH."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text('#!/bin/bash\n' + body)
    path.chmod(0o755)


def _make(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f'{tmp / "bin"}:{os.environ["PATH"]}')
    return subprocess.run(['make', '--no-print-directory', '-C', str(ROOT), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def _fake_apt(tmp: Path, locked_updates: int, other_error: bool = False) -> Path:
    """apt-get that finds the lists locked *locked_updates* times, then works; every call is logged."""
    (tmp / 'bin').mkdir(exist_ok=True)
    log = tmp / 'apt.log'
    _tool(tmp / 'bin', 'dpkg', 'exit 1\n')  # every package is missing
    _tool(tmp / 'bin', 'sleep', f'echo "sleep $*" >> {log}\n')
    failure = ('echo "E: Some index files failed to download." >&2; exit 100' if other_error else
               'echo "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (apt-get)" >&2; '
               'exit 100')
    _tool(tmp / 'bin', 'apt-get', f'''echo "apt-get $*" >> {log}
if [[ " $* " == *" update "* ]]; then
  n=$(grep -c ' update' {log})
  if [ "$n" -le {locked_updates} ]; then {failure}; fi
fi
exit 0
''')
    return log


def test_setup_waits_for_another_apt_instead_of_failing(tmp_path):  # noqa: ANN001
    log = _fake_apt(tmp_path, locked_updates=2)
    done = _make(tmp_path, 'system-packages', 'DEB_PACKAGES=fake-one fake-two')
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    update = 'apt-get -o DPkg::Lock::Timeout=600 update -qq'
    assert calls == [update, 'sleep 10', update, 'sleep 10', update,
                     'apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends fake-one fake-two']
    assert done.stdout.count("Another apt holds the package lists' lock") == 2


def test_setup_stops_at_once_on_another_apt_error(tmp_path):  # noqa: ANN001
    log = _fake_apt(tmp_path, locked_updates=1, other_error=True)
    done = _make(tmp_path, 'system-packages', 'DEB_PACKAGES=fake-one')
    assert done.returncode != 0 and 'Some index files failed to download' in done.stdout
    assert log.read_text().splitlines() == ['apt-get -o DPkg::Lock::Timeout=600 update -qq']


def test_setup_puts_inspect_flow_on_path(tmp_path):  # noqa: ANN001
    venv = tmp_path / 'venv'
    (venv / 'bin').mkdir(parents=True)
    _tool(venv / 'bin', 'inspect-flow', 'echo "the venv\'s inspect-flow $*"\n')
    (venv / '.installed').touch()  # newer than pyproject.toml: the virtualenv is not rebuilt
    bin_dir = tmp_path / 'usr-local-bin'
    bin_dir.mkdir()
    done = _make(tmp_path, 'path', f'VENV={venv}', f'BIN_DIR={bin_dir}')
    assert done.returncode == 0, done.stderr
    link = bin_dir / 'inspect-flow'
    assert link.resolve() == venv / 'bin' / 'inspect-flow'
    ran = subprocess.run(['inspect-flow', 'init'], env=dict(os.environ, PATH=str(bin_dir)), capture_output=True,
                         text=True)
    assert ran.stdout == "the venv's inspect-flow init\n"
    assert _make(tmp_path, 'path', f'VENV={venv}', f'BIN_DIR={bin_dir}').stdout == ''  # a second run: nothing to do

    link.unlink()
    link.write_text('#!/bin/sh\n')  # someone else's inspect-flow: left alone
    again = _make(tmp_path, 'path', f'VENV={venv}', f'BIN_DIR={bin_dir}')
    assert again.returncode == 0 and 'is not a link: left alone' in again.stdout and not link.is_symlink()
