"""The case register: children's cases by reference only (never a child's name)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from audit_app.extensions import db
from audit_app.timeutil import utcnow

COHORTS = {
    "early_help": "Early help",
    "child_in_need": "Child in need",
    "child_protection": "Child protection",
    "cared_for": "Cared for",
    "care_leaver": "Care leaver",
    "children_with_disabilities": "Children with disabilities",
    "private_fostering": "Private fostering",
    "pre_proceedings": "Pre-proceedings (PLO)",
    "homeless_16_17": "Homeless 16-17",
}


def reference_key(reference):
    """A reference as the register compares it: LCS-100200 and lcs-100200 are one case."""
    return reference.casefold()


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("closed_on IS NULL OR closed_on >= opened_on", name="closed_after_opened"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # As typed in the case-record system (LCS/Mosaic), shown as typed.
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    # What lookups compare and the database keeps unique: capitals make no new case.
    # Set with `reference` (below); bulk statements set it with reference_key().
    reference_key: Mapped[str] = mapped_column(String(180), unique=True)  # casefold: up to 3x
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    # None when not known: a case the results import added without an opened_on.
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    # The allocated social worker, when they have an account: they may respond to audits.
    social_worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the retention rule (audit_app/retention.py) removed the free text of its audits
    # and replaced its reference with a random token.
    anonymised_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(default=1)

    team = relationship("Team")
    social_worker = relationship("User")
    cohort_rows = relationship(
        "CaseCohort", cascade="all, delete-orphan", lazy="selectin", order_by="CaseCohort.cohort"
    )

    @validates("reference")
    def _set_key(self, _name, reference):
        self.reference_key = reference_key(reference)
        return reference

    @classmethod
    def has_reference(cls, reference):
        """SQL: this case's reference is `reference`, whatever its capitals."""
        return cls.reference_key == reference_key(reference.strip())

    @property
    def cohorts(self):
        return {row.cohort for row in self.cohort_rows}

    @cohorts.setter
    def cohorts(self, new_cohorts):
        unknown = set(new_cohorts) - set(COHORTS)
        if unknown:
            raise ValueError(f"Unknown cohort: {', '.join(sorted(unknown))}")
        keep = [row for row in self.cohort_rows if row.cohort in new_cohorts]
        have = {row.cohort for row in keep}
        self.cohort_rows = keep + [CaseCohort(cohort=c) for c in sorted(set(new_cohorts) - have)]

    def is_open_on(self, day):
        """Known to be open on `day` (as the sampling frame's SQL asks: an unknown opening
        date is not known to be before it)."""
        return (self.opened_on is not None and self.opened_on <= day
                and (self.closed_on is None or self.closed_on >= day))

    def __repr__(self):
        return f"<Case {self.reference}>"


class CaseCohort(db.Model):
    __tablename__ = "case_cohorts"
    __table_args__ = (
        CheckConstraint("cohort IN ('" + "', '".join(COHORTS) + "')", name="known_cohort"),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    cohort: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
