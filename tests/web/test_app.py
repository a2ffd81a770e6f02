"""The Flask factory: one session per request, committed at the edge; the index is behind the login."""

from __future__ import annotations

from inspect_flow import create_app
from inspect_flow.core.db import make_session_factory, unit_of_work
from inspect_flow.demo.round2019 import run_demo


def test_the_index_sends_anonymous_visitors_to_the_login_page(db_url):  # noqa: ANN001
    app = create_app({'DATABASE_URL': db_url, 'TESTING': True})
    with unit_of_work(make_session_factory(app.extensions['inspect_flow.engine'])) as s:
        run_demo(s, 'visiting')
    client = app.test_client()
    assert client.get('/healthz').get_json()['status'] == 'ok'
    r = client.get('/')
    assert r.status_code == 302 and r.headers['Location'].startswith('/login')
    assert '1245/KH-BCĐCCTMTQG' not in r.get_data(as_text=True)
    app.extensions['inspect_flow.engine'].dispose()


def test_the_domain_core_does_not_import_flask():
    import subprocess
    import sys

    core = ['models', 'plans.operations', 'plans.checklists', 'plans.queries', 'visits.operations', 'visits.capture',
            'findings.operations', 'workflow.machines', 'demo.round2019', 'checklist', 'checklist.xlsform',
            'evidence.operations', 'documents.numbering', 'documents.sources', 'documents.operations',
            'documents.render', 'documents.docx_export', 'accounts.operations', 'accounts.access',
            'integrations.webhooks', 'integrations.idempotency', 'integrations.tokens', 'audit.operations',
            'units.operations', 'intake.operations', 'intake.writer', 'intake.schemas', 'backup.operations',
            'core.config', 'core.problems']
    code = f'import sys, {", ".join("inspect_flow." + m for m in core)}; print(sorted(m for m in sys.modules ' \
           "if m.split('.')[0] in ('flask', 'werkzeug', 'flask_login', 'flask_wtf', 'flask_babel')))"
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == '[]'
