"""Checklist fixtures: the shipped files and complete answers drawn from the seed articles.

Mỏ Cày Nam (seed article of 03/06/2019): 1,968 households take part in the livelihood project, 100 % of
the plan; 755 of them escaped poverty sustainably, 38.36 %. The supervision visit of July 2019 (seed
article of 23/07/2019) found, among others, loans not used for their intended purpose.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from inspect_flow.checklist import Checklist, load_checklist

SHIPPED_DIR = Path(__file__).resolve().parents[2] / 'checklists'
TODAY = dt.date(2019, 7, 23)


def shipped(name: str) -> Checklist:
    return load_checklist(SHIPPED_DIR / f'{name}.yaml')


@pytest.fixture(scope='session')
def supervision() -> Checklist:
    return shipped('poverty-supervision')


@pytest.fixture(scope='session')
def consultation() -> Checklist:
    return shipped('household-consultation')


def district_answers(**changes: object) -> dict:
    """A complete, valid district-level visit in Mỏ Cày Nam, with the seed's project figures."""
    answers = {
        'level': 'district',
        'visit_date': '2019-07-10',
        'committee_reconstituted': 'yes',
        'committee_decision': '125/QĐ-UBND ngày 12/3/2019',
        'members_assigned': 'yes',
        'directive_documents': 6,
        'plan_issued': 'yes',
        'coordination': 'good',
        'communication_sessions': 12,
        'communication_participants': 640,
        'communication_channels': ['radio', 'neighbourhood_groups'],
        'dialogues_held': 'yes',
        'dialogues_count': 3,
        'communication_reach': 'good',
        'total_households': 38_000,
        'poor_start': 1_450,
        'near_poor_start': 1_620,
        'escaped_poor': 310,
        're_impoverished': 0,
        'newly_poor': 4,
        'health_insurance_cards': 6_200,
        'health_insurance_complete': 'yes',
        'education_support': 'yes',
        'education_beneficiaries': 820,
        'housing_support': 15,
        'clean_water_support': 140,
        'vocational_training': 260,
        'loan_households': 1_100,
        'loan_amount': 35_750.5,
        'loan_overdue': 120,
        'loans_used_for_purpose': 'yes',
        'loans_fully_used': 'yes',
        'funds_allocated': 2_400,
        'funds_disbursed': 1_800,
        'project_households_planned': 1_968,
        'project_households_participating': 1_968,
        'participants_right_target': 'yes',
        'livelihood_plans': 1_968,
        'livelihood_plans_specific': 'yes',
        'support_delivered': ['breeding_stock', 'seedlings', 'training'],
        'diaries_kept': 'yes',
        'diaries_up_to_date': 'regular',
        'linkage_groups': 'yes',
        'effective_models': 4,
        'single_livelihood': 'no',
        'escaped_households': 802,
        'escaped_sustainably': 755,
        'households_dependent': 'no',
        'internal_monitoring': 'regular',
        'reports_on_time': 'yes',
    }
    answers.update(changes)
    return answers


def household(code: str, **changes: object) -> dict:
    """One consulted household with no problem found."""
    row = {
        'household_code': code,
        'head_name': 'Nguyễn Văn Tư',
        'category': 'escaped',
        'support_received': ['health_insurance', 'loan', 'livelihood'],
        'perceived_benefit': 'high',
        'in_project': 'yes',
        'right_target': 'yes',
        'has_livelihood_plan': 'yes',
        'diary_seen': 'yes',
        'diary_up_to_date': 'yes',
        'received_loan': 'yes',
        'loan_purpose': 'Nuôi bò sinh sản',
        'loan_use_matches': 'yes',
        'opinion': 'Hộ mong được tiếp tục hỗ trợ con giống.',
    }
    row.update(changes)
    return row


def commune_answers(rows: list[dict] | None = None, **changes: object) -> dict:
    """A complete, valid commune-level visit with its household roster."""
    answers = district_answers(level='commune', **changes)
    answers['household_roster'] = rows if rows is not None else [household('MCN-AT-001'), household('MCN-AT-002')]
    return answers


def consultation_answers(**changes: object) -> dict:
    """A complete, valid one-household consultation form."""
    answers = household('MCN-AT-017')
    answers['consultation_date'] = '2019-07-10'
    answers.update(changes)
    return answers


class ChecklistCli:
    """Run ``inspect-flow --lang LANG checklists …`` in-process (no database is needed)."""

    def __init__(self) -> None:
        from click.testing import CliRunner

        self.runner = CliRunner()

    def __call__(self, *args: str, lang: str = 'vi', code: int = 0, env: dict | None = None):  # noqa: ANN204
        from inspect_flow.cli import cli

        result = self.runner.invoke(cli, ['--lang', lang, 'checklists', *map(str, args)], env=env,
                                    catch_exceptions=False)
        assert result.exit_code == code, f'{args}: exit {result.exit_code}\n{result.stdout}\n{result.stderr}'
        return result


@pytest.fixture
def run() -> ChecklistCli:
    return ChecklistCli()
