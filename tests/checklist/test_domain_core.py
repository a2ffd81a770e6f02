"""The checklist engine is domain core: it imports neither Flask nor the database layer (core.text is plain stdlib)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import inspect_flow.checklist, inspect_flow.checklist.xlsform
banned = {'flask', 'werkzeug', 'sqlalchemy', 'psycopg', 'alembic'}
allowed = ('inspect_flow.checklist', 'inspect_flow.core.errors', 'inspect_flow.core.text', 'inspect_flow.paths')
loaded = sorted({m.split('.')[0] for m in sys.modules} & banned)
ours = sorted(m for m in sys.modules
              if m.startswith('inspect_flow.') and m != 'inspect_flow.core' and not m.startswith(allowed))
print(loaded, ours)
"""


def test_the_checklist_package_imports_no_web_and_no_database_code():
    done = subprocess.run([sys.executable, '-c', PROBE], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == '[] []'
