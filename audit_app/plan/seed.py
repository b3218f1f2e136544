"""The reference action plan, written as data (audit_app/plan/data/reference_plan.json),
loaded by seed-demo through the same rules and event log as the plan's pages.

Its computed measures name a measure and scope as the measures command does ("all",
"cohort:pre_proceedings", "team:Crewe CIN/CP"); their targets are the reference targets
seed-demo loads into the targets table first (audit_app/admin/targets.py).
"""

import json
from datetime import date
from pathlib import Path

from audit_app.measures.scope import find_scope
from audit_app.plan import records

REFERENCE_PLAN = Path(__file__).resolve().parent / "data" / "reference_plan.json"


class PlanFileError(ValueError):
    """A plan file that cannot be loaded, saying where in it."""


def _scope(named):
    kind, _, name = (named or "all").partition(":")
    return "all:" if kind == "all" else f"{kind}:{find_scope(kind, name)[0].ref}"


def _day(text):
    return date.fromisoformat(text) if text else None


def _load_recommendation(entry, actor):
    recommendation = records.create_recommendation(entry, actor=actor)
    for number, item in enumerate(entry.get("measures", ()), start=1):
        where = f"measure {number}"
        try:
            measure = records.create_measure(recommendation, {
                **item, "applies_to": _scope(item.get("applies_to")),
                "baseline_on": _day(item.get("baseline_on"))}, actor=actor)
            for target in item.get("targets", ()):
                where = f"measure {number}, target from {target.get('applies_from')}"
                records.create_target(measure, {**target, "applies_from": _day(
                    target.get("applies_from"))}, actor=actor)
            for figure in item.get("figures", ()):
                where = f"measure {number}, figure for {figure.get('quarter')}"
                records.create_figure(measure, figure, actor=actor)
        except (records.PlanError, ValueError) as error:
            raise PlanFileError(f"{where}: {error}") from None
    for item in entry.get("actions", ()):
        where = f"action {item.get('reference')}"
        try:
            action = records.create_action(recommendation, item, actor=actor)
            for update in item.get("updates", ()):
                where = f"action {item.get('reference')}, update of {update.get('written_on')}"
                records.create_update(action, {**update, "written_on": _day(
                    update.get("written_on"))}, actor=actor)
        except (records.PlanError, ValueError) as error:
            raise PlanFileError(f"{where}: {error}") from None


def load_plan(path=REFERENCE_PLAN, actor=None):
    """Add the recommendations in a plan file, with their measures, targets, figures,
    actions and progress updates; returns how many recommendations were added."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["recommendations"]
    for entry in entries:
        try:
            _load_recommendation(entry, actor)
        except records.PlanError as error:
            raise PlanFileError(f"recommendation {entry.get('number')}: {error}") from None
        except PlanFileError as error:
            raise PlanFileError(f"recommendation {entry.get('number')}, {error}") from None
    return len(entries)
