"""Where the project's data folders live.

The user's layout keeps ``templates/`` and ``checklists/`` at the top of the project, beside the
``inspect_flow`` package. Both can be moved with ``INSPECT_FLOW_TEMPLATES`` / ``INSPECT_FLOW_CHECKLISTS``.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def templates_dir() -> Path:
    """Return the folder of Jinja2 templates (pages and documents)."""
    return Path(os.environ.get('INSPECT_FLOW_TEMPLATES', PROJECT_DIR / 'templates'))


def checklists_dir() -> Path:
    """Return the folder of shipped checklist files."""
    return Path(os.environ.get('INSPECT_FLOW_CHECKLISTS', PROJECT_DIR / 'checklists'))


def assets_dir() -> Path:
    """Return the folder of static assets the PDF renderer may read (fonts, images, CSS)."""
    return templates_dir() / 'documents' / 'assets'
