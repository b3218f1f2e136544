"""What each role has to do, for the home page: a few queries, however much data there is."""

from dataclasses import dataclass, field

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit_app.actions import lists as action_lists
from audit_app.audits import access, escalations
from audit_app.dip_samples import rounds as dip_rounds
from audit_app.extensions import db
from audit_app.feed.tokens import FEED_ROLES
from audit_app.models import Audit, Case, Moderation, ModerationSample
from audit_app.models.audits import ALLOCATED, IN_PROGRESS, RETURNED, SUBMITTED
from audit_app.notify import unread_for
from audit_app.team_managers import managed_team_ids, managed_teams
from audit_app.templating import format_datetime
from audit_app.timeutil import today, utcnow


@dataclass
class Item:
    text: str
    href: str
    tag: str | None = None  # "overdue", "returned", ...


@dataclass
class Panel:
    role: str
    heading: str
    empty_text: str
    items: list = field(default_factory=list)
    links: list = field(default_factory=list)


def _escalation_items(found):
    now = utcnow()
    return [
        Item(f"Case {e.case.reference}: acknowledge by {format_datetime(e.acknowledge_by)}",
             url_for("audits.view_escalation", escalation_id=e.id),
             "overdue" if escalations.is_overdue(e, now) else None)
        for e in found
    ]


def _audits_to_do(user):
    audits = db.session.scalars(
        select(Audit)
        .where(Audit.auditor_id == user.id,
               Audit.status.in_((ALLOCATED, IN_PROGRESS, RETURNED)))
        .options(selectinload(Audit.case))
        .order_by(Audit.due_on)
    ).all()
    this_day = today()
    return [
        Item(f"Case {a.case.reference}, due {a.due_on:%-d %B %Y}",
             url_for("audits.view_audit", audit_id=a.id),
             "returned" if a.status == RETURNED else "overdue" if a.due_on < this_day else None)
        for a in audits
    ]


def _team_audits_to_read(user):
    audits = db.session.scalars(
        access.visible_audits_query(user)
        .where(Case.team_id.in_(managed_teams(user)), Audit.status == SUBMITTED,
               Audit.imported_from.is_(None), ~Audit.responses.any())
        .options(selectinload(Audit.case))
        .order_by(Audit.submitted_at.desc())
        .limit(20)
    ).all()
    return [Item(f"Audit of case {a.case.reference}: add your response",
                 url_for("audits.view_audit", audit_id=a.id)) for a in audits]


def _moderations_to_do(user):
    samples = db.session.scalars(
        select(ModerationSample)
        .where(ModerationSample.moderator_id == user.id,
               ~ModerationSample.moderation.has(Moderation.status == "submitted"))
        .options(selectinload(ModerationSample.audit).selectinload(Audit.case),
                 selectinload(ModerationSample.audit).selectinload(Audit.template_version),
                 selectinload(ModerationSample.round), selectinload(ModerationSample.moderation))
        .order_by(ModerationSample.id)
    ).all()
    return [Item(f"Case {s.audit.case.reference} ({s.reason_label})",
                 url_for("moderation.moderate", sample_id=s.id)) for s in samples]


def _feedback_to_acknowledge(user):
    moderations = db.session.scalars(
        select(Moderation)
        .where(Moderation.status == "submitted", Moderation.acknowledged_at.is_(None),
               Moderation.imported_from.is_(None), Moderation.audit.has(auditor_id=user.id))
        .options(selectinload(Moderation.audit).selectinload(Audit.case))
    ).all()
    return [Item(f"Moderation of case {m.audit.case.reference}: read and acknowledge",
                 url_for("moderation.moderate", sample_id=m.sample_id)) for m in moderations]


def _action_items(actions, day, with_owner=False):
    items = []
    for action in actions:
        tag = ("overdue" if action.overdue_on(day) else
               "reopened" if action.reopened_at else "due soon" if action.due_soon_on(day)
               else None)
        owner = ""
        if with_owner:
            owner = (f" (owner {action.owner.name}, deactivated)" if action.owner
                     else " (no owner)")
        items.append(Item(f"Case {action.case.reference}: due {action.due_on:%-d %B %Y}{owner}",
                          url_for("actions.view_action", action_id=action.id), tag))
    return items


def _open_dip_samples(user):
    """The practice lead's rounds not done yet, with how many of their cases are done."""
    found = dip_rounds.open_rounds_of(user)
    progress = dip_rounds.progress([r.id for r in found])
    items = []
    for round_ in found:
        sampled, done = progress.get(round_.id, (0, 0))
        items.append(Item(
            f"{dip_rounds.month_label(round_.month)}: " + (
                f"{done} of {sampled} case{'' if sampled == 1 else 's'} done" if round_.drawn
                else "cases not drawn yet"),
            url_for("dip_samples.view_round", round_id=round_.id)))
    return items


def worklist_for(user):
    panels = []
    day = today()
    managed = managed_team_ids(user)
    concerned_teams = managed | access.headed_team_ids(user)
    if concerned_teams:
        found = escalations.outstanding(concerned_teams)
        panels.append(Panel("escalations", "Safeguarding escalations to acknowledge",
                            "There are no escalations waiting for you.",
                            _escalation_items(found)))
    notes = unread_for(user)
    if notes:
        panels.append(Panel("notifications", "Notifications", "",
                            [Item(n.subject, n.link or url_for("main.home")) for n in notes]))
    mine = action_lists.needing_attention(user, day)
    if mine or user.has_role("manager"):
        panels.append(Panel("actions", "Your actions due soon or overdue",
                            "None of your actions is overdue or due in the next 5 working days.",
                            _action_items(mine, day),
                            [("All my actions", url_for("actions.my_actions"))]))
    if user.has_role("auditor"):
        panels.append(Panel("auditor", "Audits to complete", "You have no audits allocated.",
                            _audits_to_do(user),
                            [("All my audits", url_for("audits.my_audits")),
                             ("Actions from my audits", url_for("actions.raised_actions"))]))
        panels.append(Panel("feedback", "Moderation feedback", "No feedback is waiting for you.",
                            _feedback_to_acknowledge(user),
                            [("All feedback on my audits", url_for("moderation.my_feedback"))]))
    if user.has_role("moderator"):
        panels.append(Panel("moderations", "Audits to moderate",
                            "No audits are waiting for you to moderate.",
                            _moderations_to_do(user)))
        panels.append(Panel("moderator", "Safeguarding escalations not yet acknowledged",
                            "Every escalation has been acknowledged.",
                            _escalation_items(escalations.outstanding())))
        panels.append(Panel("orphaned", "Actions whose owner has left",
                            "Every open action has an active owner.",
                            _action_items(action_lists.without_active_owner(), day,
                                          with_owner=True),
                            [("All actions", url_for("actions.all_actions"))]))
    if user.has_role("manager"):
        panels.append(Panel("manager", "Audits of your team's cases",
                            "No submitted audits are waiting for your response.",
                            _team_audits_to_read(user),
                            [("Your team's actions", url_for("actions.team_actions"))]
                            if managed else []))
    if user.has_role("practice_lead"):
        panels.append(Panel("dip_samples", "Your dip samples",
                            "You have no dip samples in progress.", _open_dip_samples(user),
                            [("Start a dip sample", url_for("dip_samples.new_round")),
                             ("All dip samples", url_for("dip_samples.list_rounds"))]))
    import_results = ("Import historical audit results", url_for("results_import.upload"))
    if user.has_role("leader", "practice_lead", "moderator"):
        panels.append(Panel("leader", "Performance", "", links=[
            ("Dashboard of headline figures", url_for("dashboard.dashboard")),
            ("Moderation agreement report", url_for("reports.agreement")),
            *([("Quarterly headline report", url_for("reports.quarterly")),
               ("Action plan progress report", url_for("reports.action_plan")),
               ("Learning and training", url_for("plan.learning_entries"))]
              if user.has_role("leader", "moderator") else []),
            ("Audit programmes", url_for("programmes.list_programmes")),
            ("All actions", url_for("actions.all_actions")),
            ("Dip sample coverage", url_for("dip_samples.coverage")),
            *([import_results] if user.has_role("moderator") else []),
        ]))
    if user.has_role(*FEED_ROLES):
        panels.append(Panel("feed", "Power BI and Excel", "", links=[
            ("Your API tokens for the figures feed", url_for("auth.api_tokens")),
        ]))
    if user.has_role("admin"):
        panels.append(
            Panel(
                "admin",
                "Administration",
                "",
                links=[
                    ("Manage users", url_for("admin.users")),
                    ("Manage teams", url_for("admin.teams")),
                    ("Event log", url_for("admin.events")),
                    ("Reassign actions", url_for("actions.reassign")),
                    import_results,
                ],
            )
        )
    return panels
