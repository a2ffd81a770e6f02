"""Every state of every workflow has its own label, even where two workflows share a state's name."""

from __future__ import annotations

import pytest

from inspect_flow.workflow.states import PlanState, RecommendationState, VisitState, state_label, stored_state_label


@pytest.mark.parametrize(('state', 'vi', 'en'), [
    (VisitState.in_progress, 'Đang làm việc', 'In progress'),
    (RecommendationState.in_progress, 'Đang thực hiện', 'In progress'),
    (VisitState.cancelled, 'Đã hủy', 'Cancelled'),
    (PlanState.cancelled, 'Đã hủy', 'Cancelled'),
    (PlanState.visiting, 'Làm việc tại cơ sở', 'Visiting'),
])
def test_labels_are_per_workflow(state, vi, en) -> None:  # noqa: ANN001
    assert state_label(state) == vi
    assert state_label(state, 'en') == en


@pytest.mark.parametrize('cls', [PlanState, VisitState, RecommendationState])
def test_every_state_has_a_label(cls) -> None:  # noqa: ANN001
    for state in cls:
        assert state_label(state) and state_label(state, 'en')


def test_stored_states_are_read_per_entity_type() -> None:
    assert stored_state_label('visit', 'in_progress') == 'Đang làm việc'
    assert stored_state_label('recommendation', 'in_progress') == 'Đang thực hiện'
    assert stored_state_label('recommendation', 'in_progress', 'en') == 'In progress'
    assert stored_state_label('visit', 'no_such_state') is None
    assert stored_state_label('finding', 'accepted') is None
