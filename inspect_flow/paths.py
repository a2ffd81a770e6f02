"""Where the project's data folders live.

The user's layout keeps ``templates/`` and ``checklists/`` at the top of the project, beside the
``inspect_flow`` package. The wheel carries both inside the package, as ``inspect_flow/_templates`` and
``inspect_flow/_checklists`` (``pyproject.toml``, ``force-include``), so an installed copy works from any
folder. Each folder is looked for in that order: the environment variable (``INSPECT_FLOW_TEMPLATES`` /
``INSPECT_FLOW_CHECKLISTS``), the folder inside the package (installed), the folder beside it (checkout).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


def _folder(env: str, name: str) -> Path:
    if os.environ.get(env):
        return Path(os.environ[env])
    inside = PACKAGE_DIR / f'_{name}'
    if inside.is_dir():
        return inside
    return PROJECT_DIR / name


def templates_dir() -> Path:
    """Return the folder of Jinja2 templates (pages and documents)."""
    return _folder('INSPECT_FLOW_TEMPLATES', 'templates')


def checklists_dir() -> Path:
    """Return the folder of shipped checklist files."""
    return _folder('INSPECT_FLOW_CHECKLISTS', 'checklists')


def assets_dir() -> Path:
    """Return the folder of static assets the PDF renderer may read (fonts, images, CSS)."""
    return templates_dir() / 'documents' / 'assets'
