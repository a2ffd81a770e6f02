"""The domain core imports no Flask: only the shells (pages, the JSON API, the CLI, the Celery tasks) do.

Every module of every other package is imported in a fresh interpreter, and that interpreter must end with no
web framework loaded. A new package is checked as soon as it exists; a new shell must be named here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The thin shells over the operations: they may import Flask.
SHELLS = {'web', 'api', 'cli', 'tasks', 'migrations'}
#: Shell modules inside a domain package: the OpenRosa protocol's routes over its own domain modules.
SHELL_MODULES = {'inspect_flow.openrosa.views'}
WEB_MODULES = ('flask', 'werkzeug', 'flask_login', 'flask_wtf', 'flask_babel', 'celery')

PROBE = """
import importlib, json, pkgutil, sys
import inspect_flow
shells = set(sys.argv[1].split(','))
checked = []
for info in pkgutil.iter_modules(inspect_flow.__path__, 'inspect_flow.'):
    short = info.name.rsplit('.', 1)[1]
    if short in shells or short.startswith('_'):
        continue
    module = importlib.import_module(info.name)
    checked.append(info.name)
    if info.ispkg:
        for sub in pkgutil.walk_packages(module.__path__, info.name + '.'):
            if sub.name in shells:
                continue
            importlib.import_module(sub.name)
            checked.append(sub.name)
print(json.dumps({'checked': checked, 'loaded': [m for m in sys.argv[2].split(',') if m in sys.modules]}))
"""


def test_the_domain_core_imports_no_web_framework() -> None:
    shells = ','.join(sorted(SHELLS | SHELL_MODULES))
    result = subprocess.run([sys.executable, '-c', PROBE, shells, ','.join(WEB_MODULES)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert 'inspect_flow.visits.operations' in report['checked']  # the probe did walk the packages
    assert 'inspect_flow.documents.render' in report['checked']
    assert 'inspect_flow.openrosa.submissions' in report['checked']
    assert report['loaded'] == [], f'the domain core loads {report["loaded"]}'


def test_the_core_package_init_loads_no_web_framework() -> None:
    """``import inspect_flow`` alone (what every core module does first) loads no web framework either."""
    probe = 'import sys, inspect_flow; print([m for m in sys.argv[1].split(",") if m in sys.modules])'
    result = subprocess.run([sys.executable, '-c', probe, ','.join(WEB_MODULES)], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '[]'
