"""The date and time the domain uses. Tests and the demo may pin "today" (e.g. to replay 2019)."""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo('Asia/Ho_Chi_Minh')


def today() -> date:
    """Return today's date in Vietnam, or ``INSPECT_FLOW_TODAY`` (YYYY-MM-DD) when it is set."""
    pinned = os.environ.get('INSPECT_FLOW_TODAY')
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(LOCAL_TZ).date()
