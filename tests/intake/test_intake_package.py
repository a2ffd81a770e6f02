"""The asynchronous intake's domain logic has one home, inspect_flow/intake/, which depends on no front end."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import inspect_flow

INTAKE = Path(inspect_flow.__file__).parent / 'intake'
BANNED = ('flask', 'werkzeug', 'inspect_flow.api', 'inspect_flow.web', 'inspect_flow.cli')


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):  # function-level imports too
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_no_module_of_the_intake_imports_a_front_end():
    files = sorted(INTAKE.glob('*.py'))
    assert {p.name for p in files} >= {'operations.py', 'writer.py', 'models.py', 'schemas.py'}
    offending = {p.name: [n for n in _imports(p) if n.startswith(BANNED)] for p in files}
    assert {k: v for k, v in offending.items() if v} == {}


def test_the_old_homes_are_gone():
    package = Path(inspect_flow.__file__).parent
    assert not (package / 'api' / 'intake.py').exists()
    assert not (package / 'integrations' / 'intake_writer.py').exists()


PROBE = """
import sys
from inspect_flow.intake import operations
from inspect_flow.core.db import make_engine, make_session_factory
from inspect_flow.core import migrate
engine = make_engine(sys.argv[1])
migrate.upgrade(engine)
result = operations.process(make_session_factory(engine), limit=5, batch=2)
print(result.processed, sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug')
                                or m.startswith(('inspect_flow.api', 'inspect_flow.web'))))
"""


def test_a_worker_runs_the_intake_without_loading_a_front_end(tmp_path):
    url = f'sqlite:///{tmp_path / "probe.sqlite3"}'
    done = subprocess.run([sys.executable, '-c', PROBE, url], capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == '0 []'
