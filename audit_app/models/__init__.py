"""SQLAlchemy models, one module per part of the domain."""

from audit_app.models.actions import Action
from audit_app.models.api_tokens import ApiToken
from audit_app.models.audits import Answer, Audit, AuditResponse, Escalation
from audit_app.models.cases import COHORTS, Case, CaseCohort
from audit_app.models.dip_samples import DipSampleCase, DipSampleCheck, DipSampleRound
from audit_app.models.events import Event
from audit_app.models.form_posts import FormPost
from audit_app.models.kept_posts import KeptPost
from audit_app.models.learning import LearningEntry
from audit_app.models.moderation import (
    Challenge,
    Moderation,
    ModerationGrade,
    ModerationRound,
    ModerationSample,
)
from audit_app.models.notifications import Notification, Setting
from audit_app.models.org import Service, Team
from audit_app.models.plan import (
    EnteredFigure,
    OutcomeMeasure,
    PlanAction,
    PlanTarget,
    ProgressUpdate,
    Recommendation,
)
from audit_app.models.programmes import Programme, ProgrammeDraw
from audit_app.models.reminders import ReminderDigest
from audit_app.models.targets import Target
from audit_app.models.templates import (
    AuditTemplate,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
)
from audit_app.models.users import ROLES, User, UserRole

__all__ = [
    "COHORTS",
    "ROLES",
    "Action",
    "ApiToken",
    "Answer",
    "Audit",
    "AuditResponse",
    "AuditTemplate",
    "Case",
    "CaseCohort",
    "Challenge",
    "DipSampleCase",
    "DipSampleCheck",
    "DipSampleRound",
    "EnteredFigure",
    "Escalation",
    "Event",
    "FormPost",
    "KeptPost",
    "LearningEntry",
    "Moderation",
    "ModerationGrade",
    "ModerationRound",
    "ModerationSample",
    "Notification",
    "OutcomeMeasure",
    "PlanAction",
    "PlanTarget",
    "Programme",
    "ProgrammeDraw",
    "ProgressUpdate",
    "Recommendation",
    "ReminderDigest",
    "Service",
    "Setting",
    "Target",
    "Team",
    "TemplateQuestion",
    "TemplateSection",
    "TemplateVersion",
    "User",
    "UserRole",
]
