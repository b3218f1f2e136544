"""Audit pages: my audits, the task list, section pages, summary, recommendations, submit."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit_app import inputs, notify, once
from audit_app.actions import workflow as actions_workflow
from audit_app.audits import access, bp, escalations, workflow
from audit_app.audits.forms import (
    AcknowledgeForm,
    EscalationForm,
    ReasonForm,
    RecommendationForm,
    ResponseForm,
    SubmitAuditForm,
    SummaryForm,
    answers_from_form,
    fill_from_answers,
    rendered_on_another_version,
    section_form,
)
from audit_app.authz import roles_required
from audit_app.eventlog import record
from audit_app.extensions import db
from audit_app.forms import error_summary
from audit_app.models import (
    Action,
    Audit,
    AuditResponse,
    Escalation,
    Moderation,
    TemplateVersion,
    User,
)
from audit_app.models.actions import PRIORITIES
from audit_app.models.audits import AUDIT_STATUSES, SUBMITTED
from audit_app.security import kept_form_data, show_kept_problems
from audit_app.team_managers import managers_of
from audit_app.timeutil import today
from audit_app.versioning import EditConflict


def _audit_or_404(audit_id):
    audit = db.session.scalar(
        select(Audit)
        .where(Audit.id == audit_id)
        .options(selectinload(Audit.answers),
                 selectinload(Audit.actions).joinedload(Action.owner))
    )
    if audit is None:
        abort(404)
    return audit


def _viewable(audit_id):
    audit = _audit_or_404(audit_id)
    if not access.can_view(current_user, audit):
        abort(403)
    return audit


def _refused_if_imported(audit):
    """A redirect to the audit's page saying why, when the audit was imported; else None."""
    refusal = access.imported_refusal(audit)
    if refusal is None:
        return None
    flash(refusal)
    return redirect(url_for("audits.view_audit", audit_id=audit.id))


def _editable(audit_id):
    audit = _audit_or_404(audit_id)
    if not access.can_view(current_user, audit):
        abort(403)
    if (refused := _refused_if_imported(audit)) is not None:
        return None, refused
    if not access.can_edit(current_user, audit):
        if audit.auditor_id == current_user.id:
            flash("This audit has been submitted, so it can no longer be changed.")
            return None, redirect(url_for("audits.view_audit", audit_id=audit.id))
        abort(403)
    if request.method == "GET":
        _adopt_latest_version(audit)
    return audit, None


def _adopt_latest_version(audit):
    """Before showing the auditor a page of an audit not yet started, move it to the
    template's newest version, so every form is rendered on the version it saves to."""
    if workflow.adopt_latest_version(audit, current_user):
        db.session.commit()
        flash(f"This audit now uses version {audit.template_version.number} of the "
              f"{audit.template_version.template.name} template, published since it was "
              "allocated.")


def _section(audit, position):
    for section in audit.template_version.sections:
        if section.position == position:
            return section
    abort(404)



@bp.route("/")
@roles_required("auditor")
def my_audits():
    audits = db.session.scalars(
        select(Audit)
        # The audits allocated in programmes: imported ones were done before the tool.
        .where(Audit.auditor_id == current_user.id, Audit.imported_from.is_(None))
        .options(selectinload(Audit.case), selectinload(Audit.programme))
        .order_by(Audit.due_on, Audit.id)
    ).all()
    groups = {status: [a for a in audits if a.status == status] for status in AUDIT_STATUSES}
    return render_template("audits/my_audits.html", groups=groups, statuses=AUDIT_STATUSES)


@bp.route("/<int:audit_id>")
@login_required
def view_audit(audit_id):
    audit = _viewable(audit_id)
    if access.can_edit(current_user, audit):
        _adopt_latest_version(audit)
    answers = workflow.answers_by_question(audit)
    if access.can_edit(current_user, audit):
        statuses = {s.id: workflow.section_status(audit, s, answers)
                    for s in audit.template_version.sections}
        return render_template(
            "audits/task_list.html", audit=audit, statuses=statuses,
            summary_status=workflow.summary_status(audit),
            proposed=[a for a in audit.actions if a.status == "proposed"],
        )
    return render_template(
        "audits/view.html", audit=audit, answers=answers, today=today(),
        can_respond=access.can_respond(current_user, audit),
        can_return=access.can_return(current_user, audit),
        response_form=ResponseForm(), imported_moderations=_imported_moderations(audit),
    )


def _imported_moderations(audit):
    """The audit's imported moderations, shown on its page: they have none of their own."""
    return db.session.scalars(
        select(Moderation)
        .where(Moderation.audit_id == audit.id, Moderation.imported_from.is_not(None))
        .options(selectinload(Moderation.grades), selectinload(Moderation.moderator))
        .order_by(Moderation.submitted_at, Moderation.id)
    ).all()


def _save_section(audit, section, form):
    """Save a valid section form; returns a conflict-rows list when someone saved first."""
    try:
        workflow.save_answers(audit, answers_from_form(form), current_user, form.version.data)
    except EditConflict:
        db.session.rollback()
        audit = _audit_or_404(audit.id)
        rows = _conflict_rows(audit, form)
        form.version.raw_data = [str(audit.row_version)]
        return rows
    db.session.commit()
    return None


def _typed_on_another_version(posted, position):
    """(question, what was typed) from a section form rendered on another template version."""
    version_id = inputs.whole_number(posted.get("template_version"))
    version = db.session.get(TemplateVersion, version_id) if version_id is not None else None
    section = next((s for s in version.sections if s.position == position), None) \
        if version is not None else None
    if section is None:
        return []
    typed = section_form(section, formdata=posted)
    rows = []
    for question, field, evidence in typed.items:
        value = answers_from_form(typed)[question][0]
        if value:
            rows.append((field.label.text, value))
        if evidence is not None and (evidence.data or "").strip():
            rows.append((evidence.label.text, evidence.data.strip()))
    return rows


def _conflict_rows(audit, form):
    saved = workflow.answers_by_question(audit)
    rows = []
    for question, field, evidence in form.items:
        answer = saved.get(question.id)
        theirs = answer.value if answer else None
        mine = answers_from_form(form)[question][0]
        if (theirs or None) != (mine or None):
            rows.append((field.label.text, theirs, mine))
        if evidence is not None:
            their_evidence = answer.evidence if answer else None
            if (their_evidence or None) != (evidence.data or None):
                rows.append((evidence.label.text, their_evidence, evidence.data))
    return rows


@bp.route("/<int:audit_id>/sections/<int:position>", methods=["GET", "POST"])
@login_required
def edit_section(audit_id, position):
    audit, redirect_response = _editable(audit_id)
    if redirect_response:
        return redirect_response
    kept = kept_form_data() if request.method == "GET" else None
    posted = kept if kept is not None else request.form
    if rendered_on_another_version(posted, audit):
        # The audit moved to a newer template version after this page was rendered:
        # nothing is saved against questions it no longer has.
        return _template_changed(audit, position, posted)
    section = _section(audit, position)
    form = section_form(section, formdata=kept)
    if request.method == "GET" and kept is None:
        fill_from_answers(form, workflow.answers_by_question(audit))
        form.version.data = audit.row_version
    conflict = None
    if request.method == "POST" and form.validate():
        conflict = _save_section(audit, section, form)
        if conflict is None:
            if form.save_continue.data:
                return redirect(_next_page(audit, section))
            flash("Your draft has been saved.")
            return redirect(url_for("audits.view_audit", audit_id=audit.id))
    elif kept is not None:
        show_kept_problems(form)
    sections = audit.template_version.sections
    return render_template(
        "audits/section.html", audit=audit, section=section, form=form, conflict=conflict,
        page_errors=error_summary(form), kept=kept is not None, section_count=len(sections),
    )


def _template_changed(audit, position, posted):
    typed = _typed_on_another_version(posted, position)
    sections = audit.template_version.sections
    section = next((s for s in sections if s.position == position), None)
    if section is None:
        flash(f"This audit now uses version {audit.template_version.number} of its template, "
              "which has no such section. Nothing was saved.")
        return redirect(url_for("audits.view_audit", audit_id=audit.id))
    fresh = section_form(section, formdata=None)
    fill_from_answers(fresh, workflow.answers_by_question(audit))
    fresh.version.data = audit.row_version
    return render_template(
        "audits/section.html", audit=audit, section=section, form=fresh, conflict=None,
        template_changed=typed, page_errors=[], kept=False, section_count=len(sections),
    )


@bp.route("/<int:audit_id>/sections/<int:position>/autosave", methods=["POST"])
@login_required
def autosave_section(audit_id, position):
    """The every-30-seconds draft save from autosave.js; the form works without it."""
    audit = _audit_or_404(audit_id)
    if not access.can_edit(current_user, audit):
        message = (access.imported_refusal(audit) if access.can_view(current_user, audit)
                   else None)
        return jsonify(saved=False, message=message or "You cannot change this audit."), 403
    if rendered_on_another_version(request.form, audit):
        return jsonify(saved=False, conflict=True, message=(
            "Not saved: this audit now uses a newer version of its template. Select Save as "
            "draft to see the new questions.")), 409
    section = _section(audit, position)
    form = section_form(section, formdata=request.form)
    if not form.validate():
        return jsonify(saved=False, message="Not saved: " + error_summary(form)[0]["text"]), 422
    if _save_section(audit, section, form) is not None:
        return jsonify(saved=False, conflict=True, message=(
            "Not saved: someone else saved this audit. Select Save as draft to see "
            "what changed.")), 409
    return jsonify(saved=True, version=audit.row_version, message="Draft saved")


def _from_check(audit):
    """Where "Save and continue" goes from a page opened by a "Change" link on check
    answers: back there. None for the page's usual next step."""
    if request.args.get("from") == "check":
        return url_for("audits.check_answers", audit_id=audit.id)
    return None


def _next_page(audit, section):
    if (back := _from_check(audit)) is not None:
        return back
    later = [s for s in audit.template_version.sections if s.position > section.position]
    if later:
        return url_for("audits.edit_section", audit_id=audit.id, position=later[0].position)
    return url_for("audits.edit_summary", audit_id=audit.id)


@bp.route("/<int:audit_id>/summary", methods=["GET", "POST"])
@login_required
def edit_summary(audit_id):
    audit, redirect_response = _editable(audit_id)
    if redirect_response:
        return redirect_response
    version = audit.template_version
    kept = kept_form_data() if request.method == "GET" else None
    form = SummaryForm(version.scale, formdata=kept) if kept else SummaryForm(version.scale)
    if request.method == "GET" and kept is None:
        form.overall_grade.data = audit.overall_grade
        form.strengths.data = audit.strengths
        form.areas_for_development.data = audit.areas_for_development
        form.version.data = audit.row_version
    conflict = None
    if form.validate_on_submit():
        try:
            workflow.save_summary(
                audit, current_user, form.version.data,
                form.overall_grade.data if version.has_overall else None,
                (form.strengths.data or "").strip(),
                (form.areas_for_development.data or "").strip(),
            )
        except EditConflict:
            db.session.rollback()
            audit = _audit_or_404(audit_id)
            conflict = _summary_conflict(audit, form)
            form.version.raw_data = [str(audit.row_version)]
        else:
            db.session.commit()
            if form.save_continue.data:
                return redirect(_from_check(audit)
                                or url_for("audits.recommendations", audit_id=audit.id))
            flash("Your draft has been saved.")
            return redirect(url_for("audits.view_audit", audit_id=audit.id))
    return render_template("audits/summary.html", audit=audit, form=form, conflict=conflict,
                           page_errors=error_summary(form))


def _summary_conflict(audit, form):
    pairs = [
        (form.overall_grade.label.text, audit.overall_grade, form.overall_grade.data),
        (form.strengths.label.text, audit.strengths, form.strengths.data),
        (form.areas_for_development.label.text, audit.areas_for_development,
         form.areas_for_development.data),
    ]
    return [(label, theirs, mine) for label, theirs, mine in pairs
            if (theirs or None) != ((mine or "").strip() or None)]


def _owners(case):
    """Who may own a recommendation: the case team's managers first, then its other
    members (its social workers), then everyone else active."""
    managers = list(managers_of(case.team_id))
    others = db.session.scalars(
        select(User).where(User.active, User.id.not_in([m.id for m in managers]))
        # CASE, not a boolean: on PostgreSQL a NULL team sorts first in a descending order.
        .order_by(sql_case((User.team_id == case.team_id, 0), else_=1), User.name)).all()
    return managers + others


def _recommendation_form(audit, **kwargs):
    return RecommendationForm(
        _owners(audit.case), {code: actions_workflow.due_days(code) for code in PRIORITIES},
        team_has_manager=actions_workflow.default_owner(audit.case) is not None, **kwargs)


def _owner_missing(form, audit):
    """The owner rule on the form: refused (with the field's error) when nobody would own
    the action."""
    owner_id = int(form.owner_id.data) if form.owner_id.data else None
    if actions_workflow.lacks_owner(audit.case, owner_id):
        form.owner_id.errors.append(actions_workflow.NO_OWNER)
        return True
    return False


def _recommendation_values(form):
    return {
        "description": form.description.data.strip(),
        "owner_id": int(form.owner_id.data) if form.owner_id.data else None,
        "due_on": form.due_on.data,
        "priority": form.priority.data,
    }


@bp.route("/<int:audit_id>/recommendations", methods=["GET", "POST"])
@login_required
def recommendations(audit_id):
    audit, redirect_response = _editable(audit_id)
    if redirect_response:
        return redirect_response
    form = _recommendation_form(audit)
    if form.validate_on_submit() and not _owner_missing(form, audit):
        here = url_for("audits.recommendations", audit_id=audit_id)
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, here)) is not None:
            return repeat
        try:
            workflow.add_recommendation(audit, current_user, **_recommendation_values(form))
        except workflow.WorkflowError as error:
            db.session.rollback()
            flash(str(error))
            return redirect(url_for("audits.view_audit", audit_id=audit_id))
        once.led_to(token, here)
        db.session.commit()
        flash("Recommendation added.")
        return redirect(here)
    proposed = [a for a in audit.actions if a.status == "proposed"]
    return render_template("audits/recommendations.html", audit=audit, form=form,
                           proposed=proposed, page_errors=error_summary(form),
                           default_owner=actions_workflow.default_owner(audit.case),
                           priorities=PRIORITIES,
                           due_days={code: actions_workflow.due_days(code)
                                     for code in PRIORITIES})


def _proposed_action(audit, action_id):
    action = db.session.get(Action, action_id)
    if action is None or action.audit_id != audit.id:
        abort(404)
    if action.status != "proposed":
        abort(409)
    return action


@bp.route("/<int:audit_id>/recommendations/<int:action_id>", methods=["GET", "POST"])
@login_required
def edit_recommendation(audit_id, action_id):
    audit, redirect_response = _editable(audit_id)
    if redirect_response:
        return redirect_response
    action = _proposed_action(audit, action_id)
    form = _recommendation_form(audit, obj=action)
    if request.method == "GET":
        form.owner_id.data = str(action.owner_id or "")
        form.version.data = action.row_version
    conflict = None
    if form.validate_on_submit() and not _owner_missing(form, audit):
        try:
            workflow.update_recommendation(action, current_user, form.version.data,
                                           **_recommendation_values(form))
        except workflow.WorkflowError as error:
            db.session.rollback()
            flash(str(error))
            return redirect(url_for("audits.view_audit", audit_id=audit_id))
        except EditConflict:
            db.session.rollback()
            audit = _audit_or_404(audit_id)
            action = _proposed_action(audit, action_id)
            conflict = [(form.description.label.text, action.description,
                         form.description.data)]
            form.version.raw_data = [str(action.row_version)]
        else:
            db.session.commit()
            flash("Recommendation saved.")
            return redirect(url_for("audits.recommendations", audit_id=audit.id))
    return render_template("audits/recommendation_edit.html", audit=audit, action=action,
                           form=form, conflict=conflict, page_errors=error_summary(form))


@bp.route("/<int:audit_id>/recommendations/<int:action_id>/remove", methods=["POST"])
@login_required
def remove_recommendation(audit_id, action_id):
    audit, redirect_response = _editable(audit_id)
    if redirect_response:
        return redirect_response
    try:
        workflow.remove_recommendation(_proposed_action(audit, action_id), current_user)
    except workflow.WorkflowError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash("Recommendation removed.")
    return redirect(url_for("audits.recommendations", audit_id=audit_id))


def _problem_page(audit, problem):
    if problem.recommendation_id is not None:
        return url_for("audits.edit_recommendation", audit_id=audit.id,
                       action_id=problem.recommendation_id)
    if problem.section_position:
        return url_for("audits.edit_section", audit_id=audit.id,
                       position=problem.section_position)
    return url_for("audits.edit_summary", audit_id=audit.id)


@bp.route("/<int:audit_id>/check", methods=["GET", "POST"])
@login_required
def check_answers(audit_id):
    audit, redirect_response = _editable(audit_id)
    if redirect_response:
        return redirect_response
    form = SubmitAuditForm()
    if request.method == "GET":
        form.version.data = audit.row_version
    problems = []
    if form.validate_on_submit():
        problems = workflow.submission_problems(audit)
        if not problems:
            try:
                told = workflow.submit(audit, current_user, form.version.data)
            except (EditConflict, workflow.WorkflowError):
                db.session.rollback()
                if _audit_or_404(audit_id).status == SUBMITTED:
                    flash("This audit has already been submitted.")
                    return redirect(url_for("audits.view_audit", audit_id=audit_id))
                flash("This audit was changed since you opened this page. Check the "
                      "answers below, then submit again.")
                return redirect(url_for("audits.check_answers", audit_id=audit_id))
            db.session.commit()
            return render_template("audits/submitted.html", audit=audit, told=told)
    page_errors = error_summary(form) + [  # a form error here is a tampered hidden field
        {"text": p.message,
         "href": _problem_page(audit, p) + f"#{p.field_id}"}
        for p in problems
    ]
    return render_template(
        "audits/check.html", audit=audit, form=form, page_errors=page_errors,
        answers=workflow.answers_by_question(audit),
        proposed=[a for a in audit.actions if a.status == "proposed"],
    )


@bp.route("/<int:audit_id>/return", methods=["GET", "POST"])
@roles_required("moderator", "admin")
def return_audit(audit_id):
    audit = _viewable(audit_id)
    if (refused := _refused_if_imported(audit)) is not None:
        return refused
    if not access.can_return(current_user, audit):
        flash("Only a submitted audit can be returned.")
        return redirect(url_for("audits.view_audit", audit_id=audit.id))
    form = ReasonForm()
    if request.method == "GET":
        form.version.data = audit.row_version
    if form.validate_on_submit():
        try:
            workflow.return_to_auditor(audit, current_user, form.reason.data,
                                       form.version.data)
        except EditConflict:
            db.session.rollback()
            flash("This audit was changed after you opened the page (it may have been "
                  "returned already), so it was not returned. Check it and try again.")
            return redirect(url_for("audits.view_audit", audit_id=audit_id))
        except workflow.WorkflowError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash(f"The audit has been returned to {audit.auditor.name}.")
            return redirect(url_for("audits.view_audit", audit_id=audit.id))
    return render_template("audits/return.html", audit=audit, form=form)


@bp.route("/<int:audit_id>/escalate", methods=["GET", "POST"])
@login_required
def escalate(audit_id):
    audit = _viewable(audit_id)
    if (refused := _refused_if_imported(audit)) is not None:
        return refused
    if audit.auditor_id != current_user.id:
        abort(403)
    form = EscalationForm()
    if form.validate_on_submit():
        token = form.form_token.data
        repeat = once.repeated(token, current_user, url_for("audits.view_audit",
                                                            audit_id=audit_id))
        if repeat is not None:
            return repeat
        escalation = escalations.raise_escalation(audit, current_user, form.concern.data)
        once.led_to(token, url_for("audits.view_escalation", escalation_id=escalation.id))
        db.session.commit()
        notify.send_now({p.id for p in escalations.recipients(audit.case)})
        flash("The escalation has been raised. The team manager and head of service have "
              "been told.")
        return redirect(url_for("audits.view_escalation", escalation_id=escalation.id))
    return render_template("audits/escalate.html", audit=audit, form=form)


@bp.route("/escalations/<int:escalation_id>", methods=["GET", "POST"])
@login_required
def view_escalation(escalation_id):
    escalation = db.get_or_404(Escalation, escalation_id)
    may_acknowledge = access.can_acknowledge(current_user, escalation)
    if not (may_acknowledge or escalation.raised_by_id == current_user.id
            or current_user.has_role("moderator", "admin")):
        abort(403)
    form = AcknowledgeForm()
    if request.method == "POST":
        if not may_acknowledge:
            abort(403)
        if escalation.acknowledged_at is not None:
            flash("This escalation has already been acknowledged.")
            return redirect(url_for("audits.view_escalation", escalation_id=escalation.id))
        if form.validate_on_submit():
            escalations.acknowledge(escalation, current_user, form.note.data)
            db.session.commit()
            flash("Escalation acknowledged.")
            return redirect(url_for("audits.view_escalation", escalation_id=escalation.id))
    return render_template("audits/escalation.html", escalation=escalation, form=form,
                           may_acknowledge=may_acknowledge,
                           overdue=escalations.is_overdue(escalation))


@bp.route("/<int:audit_id>/responses", methods=["POST"])
@login_required
def respond(audit_id):
    audit = _viewable(audit_id)
    if (refused := _refused_if_imported(audit)) is not None:
        return refused
    if not access.can_respond(current_user, audit):
        abort(403)
    form = ResponseForm()
    if form.validate_on_submit():
        here = url_for("audits.view_audit", audit_id=audit_id)
        token = form.form_token.data
        if (repeat := once.repeated(token, current_user, here)) is not None:
            return repeat
        response = AuditResponse(audit_id=audit_id, author_id=current_user.id,
                                 body=form.body.data.strip())
        db.session.add(response)
        db.session.flush()
        record("audit", audit_id, "response_added", None, {"response": response.body})
        once.led_to(token, here)
        db.session.commit()
        flash("Your response has been added to the audit.")
        return redirect(here)
    return render_template(
        "audits/view.html", audit=audit, answers=workflow.answers_by_question(audit),
        today=today(), can_respond=True, can_return=access.can_return(current_user, audit),
        response_form=form, form=form, imported_moderations=_imported_moderations(audit),
    ), 200


