"""Checklists: the file format, the expression language, capture semantics and XLSForm interop.

The domain core only: nothing here imports Flask or touches the database. The visits operations call
:func:`save_draft`, :func:`validate_for_submit`/:func:`submit_answers`, :func:`evaluate`, :func:`score`,
:func:`suggest_findings` and :func:`household_rows`; plans pin :meth:`Checklist.to_dict` with
:attr:`Checklist.sha256` and rebuild it with :meth:`Checklist.from_dict`.
"""

from __future__ import annotations

from inspect_flow.checklist.capture import (
    AnswerError,
    Draft,
    Evaluation,
    HouseholdRow,
    ItemScore,
    Score,
    ScoreSummary,
    SectionScore,
    SuggestedFinding,
    aggregate_scores,
    evaluate,
    household_rows,
    normalize_answers,
    save_draft,
    score,
    submit_answers,
    suggest_findings,
    validate_for_submit,
)
from inspect_flow.checklist.errors import (
    ChecklistError,
    ChecklistFileError,
    ChecklistNotFound,
    ExpressionError,
    SubmissionInvalid,
    XLSFormError,
)
from inspect_flow.checklist.loader import load_checklist, parse_checklist_text
from inspect_flow.checklist.model import Checklist
from inspect_flow.checklist.registry import checklist_files, find_checklist, list_checklists, load_all

__all__ = [
    'AnswerError',
    'Checklist',
    'ChecklistError',
    'ChecklistFileError',
    'ChecklistNotFound',
    'Draft',
    'Evaluation',
    'ExpressionError',
    'HouseholdRow',
    'ItemScore',
    'Score',
    'ScoreSummary',
    'SectionScore',
    'SubmissionInvalid',
    'SuggestedFinding',
    'XLSFormError',
    'aggregate_scores',
    'checklist_files',
    'evaluate',
    'find_checklist',
    'household_rows',
    'list_checklists',
    'load_all',
    'load_checklist',
    'normalize_answers',
    'parse_checklist_text',
    'save_draft',
    'score',
    'submit_answers',
    'suggest_findings',
    'validate_for_submit',
]
