"""Audit templates: versioned forms of ordered sections and questions on a judgement scale.

A published version never changes; editing a published template makes a new draft version.
Audits keep the version they were started on.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.measures.good_or_better import is_good_or_better
from audit_app.timeutil import utcnow

PURPOSES = {
    "whole_case_file": "Whole case file audit",
    "thematic": "Thematic audit",
    "compliance": "Compliance dip sample",
}

QUESTION_KINDS = {
    "graded": "Graded on the judgement scale",
    "yes_no": "Yes, no, partly or not applicable",
    "text": "Free text",
    "date": "Date",
    "number": "Number",
}

YES_NO_ANSWERS = {
    "yes": "Yes",
    "no": "No",
    "partly": "Partly",
    "not_applicable": "Not applicable",
}

DOMAINS = {
    "assessment": "Quality of assessment",
    "plan": "SMART, child-focused plan",
    "management_oversight": "Management oversight",
    "supervision": "Supervision",
    "voice_of_child": "Voice of the child",
    "identity": "Child's identity considered",
    "contingency": "Contingency planning",
    "family_networking": "Family networking",
    "drift_delay": "Drift and delay",
    "recording": "Recording",
}

# Ofsted's four-point scale, best first; the first two are "good or better".
OFSTED_SCALE = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]
OFSTED_GOOD_OR_BETTER = 2

DRAFT, PUBLISHED = "draft", "published"


class AuditTemplate(db.Model):
    __tablename__ = "audit_templates"
    __table_args__ = (
        CheckConstraint("purpose IN ('" + "', '".join(PURPOSES) + "')", name="known_purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    purpose: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions = relationship(
        "TemplateVersion", back_populates="template", order_by="TemplateVersion.number"
    )

    @property
    def latest_published(self):
        published = [v for v in self.versions if v.status == PUBLISHED]
        return published[-1] if published else None

    @property
    def draft(self):
        return next((v for v in self.versions if v.status == DRAFT), None)


class TemplateVersion(db.Model):
    __tablename__ = "template_versions"
    __table_args__ = (
        UniqueConstraint("template_id", "number", name="uq_template_versions_number"),
        CheckConstraint("status IN ('draft', 'published')", name="known_status"),
        CheckConstraint("good_or_better >= 1", name="good_or_better_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("audit_templates.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(10), default=DRAFT)
    has_overall: Mapped[bool] = mapped_column(default=True)
    # Grade labels, best first; the first `good_or_better` of them count as good or better.
    scale: Mapped[list] = mapped_column(JSON, default=lambda: list(OFSTED_SCALE))
    good_or_better: Mapped[int] = mapped_column(default=OFSTED_GOOD_OR_BETTER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    row_version: Mapped[int] = mapped_column(default=1)

    template = relationship("AuditTemplate", back_populates="versions")
    sections = relationship(
        "TemplateSection",
        back_populates="version",
        order_by="TemplateSection.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_published(self):
        return self.status == PUBLISHED

    def grade_rank(self, label):
        """0 for the best grade; None for a label not on this scale."""
        return self.scale.index(label) if label in self.scale else None

    def is_good_or_better(self, label):
        return is_good_or_better(self.grade_rank(label), self.good_or_better)

    @property
    def questions(self):
        return [q for s in self.sections for q in s.questions]


class TemplateSection(db.Model):
    __tablename__ = "template_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("template_versions.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    version = relationship("TemplateVersion", back_populates="sections")
    questions = relationship(
        "TemplateQuestion",
        back_populates="section",
        order_by="TemplateQuestion.position",
        cascade="all, delete-orphan",
    )


class TemplateQuestion(db.Model):
    __tablename__ = "template_questions"
    __table_args__ = (
        CheckConstraint("kind IN ('" + "', '".join(QUESTION_KINDS) + "')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("template_sections.id"), index=True)
    position: Mapped[int]
    # Stable within a template across versions, so answers and moderations can be compared.
    key: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    required: Mapped[bool] = mapped_column(default=True)
    domain: Mapped[str | None] = mapped_column(String(40), index=True)
    # Graded questions: written evidence needed when the grade is below good.
    evidence_required: Mapped[bool] = mapped_column(default=False)

    section = relationship("TemplateSection", back_populates="questions")
