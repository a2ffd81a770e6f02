"""The follow-up sentence of minutes, notices and the report counts only the outcomes that occurred."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from inspect_flow.documents.follow_up import sentence
from inspect_flow.findings.follow_up import FollowUpItem
from inspect_flow.findings.follow_up_models import CheckOutcome


def _items(*outcomes: str | None) -> list[FollowUpItem]:
    return [FollowUpItem(recommendation=SimpleNamespace(), from_plan=SimpleNamespace(),
                         check=None if o is None else SimpleNamespace(outcome=CheckOutcome(o))) for o in outcomes]


@pytest.mark.parametrize(('outcomes', 'expected'), [
    ((), ''),
    ((None, None), 'Đoàn chưa kiểm tra được kiến nghị nào trong 02 kiến nghị của các đợt kiểm tra trước.'),
    (('done', 'done', 'not_done'),
     'Đoàn đã kiểm tra việc thực hiện 03/03 kiến nghị của các đợt kiểm tra trước: 02 đã thực hiện, '
     '01 chưa thực hiện.'),
    (('partly_done', None),
     'Đoàn đã kiểm tra việc thực hiện 01/02 kiến nghị của các đợt kiểm tra trước: 01 thực hiện một phần.'),
    (('done', 'partly_done', 'not_done'),
     'Đoàn đã kiểm tra việc thực hiện 03/03 kiến nghị của các đợt kiểm tra trước: 01 đã thực hiện, '
     '01 thực hiện một phần, 01 chưa thực hiện.'),
])
def test_the_sentence_names_only_outcomes_that_occurred(outcomes, expected):  # noqa: ANN001
    assert sentence(_items(*outcomes)) == expected
