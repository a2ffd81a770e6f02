"""Import every model so that the mapper registry and ``Base.metadata`` are complete."""

from inspect_flow.accounts.models import LoginAttempt, Role, User
from inspect_flow.audit.models import AuditEntry
from inspect_flow.documents.batch_models import BatchItem, DocumentBatch, ItemState
from inspect_flow.documents.models import DocumentReplacement, DocumentState, IssuedDocument, NumberRegister
from inspect_flow.evidence.models import EvidenceFile, EvidenceUpload
from inspect_flow.findings.categories import FindingCategory
from inspect_flow.findings.follow_up_models import CheckOutcome, FollowUpCheck
from inspect_flow.findings.models import (
    Conclusion,
    Finding,
    FindingKind,
    FindingSource,
    FindingStatus,
    FollowUpReport,
    Recommendation,
    Severity,
)
from inspect_flow.intake.models import SubmissionIntake
from inspect_flow.integrations.models import (
    ApiToken,
    IdempotencyKey,
    WebhookAttempt,
    WebhookOutbox,
    WebhookSubscription,
)
from inspect_flow.notify.models import Reminder, ReminderStatus
from inspect_flow.openrosa.models import OpenRosaSubmission
from inspect_flow.plans.models import CommuneDraw, CoverageRule, Plan, PlanChecklist, Team, TeamMember, TeamRole
from inspect_flow.units.models import AdminUnit, IssuingBody, Person, UnitLevel, UnitSuccession
from inspect_flow.visits.models import (
    HouseholdCategory,
    HouseholdConsultation,
    ParticipantSide,
    Visit,
    VisitParticipant,
)

__all__ = [
    'BatchItem', 'DocumentBatch', 'ItemState',
    'AdminUnit', 'AuditEntry', 'LoginAttempt', 'Role', 'User',
    'CommuneDraw', 'Conclusion', 'EvidenceFile', 'EvidenceUpload', 'CoverageRule', 'DocumentReplacement',
    'DocumentState', 'Finding', 'FindingCategory',
    'FindingKind', 'FindingSource', 'FindingStatus', 'FollowUpReport', 'HouseholdCategory',
    'HouseholdConsultation', 'IssuedDocument', 'IssuingBody', 'NumberRegister', 'ParticipantSide', 'Person',
    'Plan', 'PlanChecklist', 'Recommendation', 'Severity', 'Team', 'TeamMember', 'TeamRole', 'UnitLevel',
    'UnitSuccession', 'Visit', 'VisitParticipant',
    'Reminder', 'ReminderStatus',
    'ApiToken', 'IdempotencyKey', 'SubmissionIntake', 'WebhookAttempt', 'WebhookOutbox', 'WebhookSubscription',
    'CheckOutcome', 'FollowUpCheck',
    'OpenRosaSubmission',
]
