"""Pages are served from a read-only transaction (a GET takes no SQLite write lock, see ``request_session``), so
no GET may write. This crawls the demo round's pages as each persona, following every link it finds, and
records each INSERT, UPDATE or DELETE a GET sends; it also checks that no page fails."""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.web.conftest import ROLES, Client

LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')
SKIP = ('/static/', '/logout', '/api/')
PAGES_PER_PERSONA = 60
#: Pages of one kind (``/recommendations/N``) crawled at most, so that the crawl reaches every kind.
PER_KIND = 3


@pytest.mark.parametrize(('role', 'at_least'), [('admin', 20), ('secretariat', 20), ('member25', 6),
                                               ('district838', 3)])
def test_no_page_writes_and_none_fails(app_factory, role: str, at_least: int) -> None:  # noqa: ANN001
    app = app_factory('closed')
    client = Client(app)
    client.login(ROLES[role])
    writes: list[tuple[str, str]] = []
    current = ['']

    def spy(_conn, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        if current[0] and statement.lstrip().split(None, 1)[0].upper() in ('INSERT', 'UPDATE', 'DELETE'):
            writes.append((current[0], statement[:80]))

    engine = app.extensions['inspect_flow.engine']
    sa.event.listen(engine, 'before_cursor_execute', spy)
    seen, queue, statuses, kinds = {'/'}, deque(['/']), {}, Counter()
    try:
        while queue and len(statuses) < PAGES_PER_PERSONA:
            path = queue.popleft()
            current[0] = path
            resp = client.get(path)
            current[0] = ''
            statuses[path] = resp.status_code
            found = LINK.findall(resp.get_data(as_text=True)) if resp.mimetype == 'text/html' else []
            if resp.status_code in (301, 302, 303):
                found = [urlsplit(resp.headers['Location']).path]
            for link in found:
                kind = re.sub(r'\d+', 'N', link)
                if link not in seen and not link.startswith(SKIP) and kinds[kind] < PER_KIND:
                    seen.add(link)
                    kinds[kind] += 1
                    queue.append(link)
    finally:
        sa.event.remove(engine, 'before_cursor_execute', spy)
    assert len(statuses) >= at_least, f'the crawl found too few pages: {sorted(statuses)}'
    assert writes == [], f'GET requests wrote: {writes[:5]}'
    assert [p for p, code in statuses.items() if code >= 500] == []
