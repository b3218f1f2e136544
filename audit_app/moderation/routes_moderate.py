"""Pages for moderating one audit, reading the result, and settling disagreements."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from audit_app.actions.workflow import may_raise_from_moderation
from audit_app.audits import access as audit_access
from audit_app.extensions import db
from audit_app.forms import error_summary
from audit_app.models import (
    Action,
    Audit,
    Challenge,
    Moderation,
    ModerationGrade,
    ModerationSample,
)
from audit_app.moderation import bp
from audit_app.moderation import moderate as rules
from audit_app.moderation.forms import (
    AcknowledgeFeedbackForm,
    AgreedGradeForm,
    ChallengeForm,
    RulingForm,
    fill,
    grades_from,
    moderation_form,
)
from audit_app.versioning import EditConflict


def _sample(sample_id):
    sample = db.get_or_404(ModerationSample, sample_id)
    if not rules.can_see(current_user, sample):
        abort(403)
    return sample


def _form_errors(form, extra=()):
    return error_summary(form) + list(extra)


@bp.route("/samples/<int:sample_id>", methods=["GET", "POST"])
@login_required
def moderate(sample_id):
    sample = _sample(sample_id)
    moderation = sample.moderation
    if moderation is None:
        if request.method == "POST":
            abort(409)
        return render_template("moderation/start.html", sample=sample,
                               may_start=rules.can_moderate(current_user, sample))
    if rules.is_submitted(moderation) or moderation.moderator_id != current_user.id:
        return _result(sample, moderation)
    scale = moderation.audit.template_version.scale
    form = moderation_form(moderation, scale, formdata=request.form if request.method == "POST"
                           else None)
    if request.method == "GET":
        fill(form, moderation)
    problems = []
    if form.validate_on_submit():
        grades = grades_from(form)
        if grades is not None:
            try:
                rules.save(moderation, current_user, form.version.data, grades,
                           form.feedback.data)
            except EditConflict:
                # Keep what was typed on the page, show what the other save holds.
                db.session.rollback()
                moderation = db.session.get(Moderation, moderation.id)
                if rules.is_submitted(moderation):
                    flash("This moderation has already been submitted.")
                    return redirect(url_for("moderation.moderate", sample_id=sample.id))
                form.version.raw_data = [str(moderation.row_version)]
                return render_template(
                    "moderation/moderate.html", sample=sample, moderation=moderation,
                    form=form, page_errors=[], conflict=_conflict_rows(moderation, grades,
                                                                       form.feedback.data))
            if form.submit_moderation.data:
                problems = [
                    {"text": text, "href": f"#{_anchor(moderation, item)}"}
                    for item, text in rules.submission_problems(moderation)
                ]
                if not problems:
                    rules.submit(moderation, current_user, moderation.row_version)
                    db.session.commit()
                    flash("Moderation submitted. The comparison is shown below.")
                    return redirect(url_for("moderation.moderate", sample_id=sample.id))
            db.session.commit()
            if not problems:
                flash("Your draft has been saved.")
                return redirect(url_for("moderation.moderate", sample_id=sample.id))
            form.version.raw_data = [str(moderation.row_version)]
    return render_template("moderation/moderate.html", sample=sample, moderation=moderation,
                           form=form, page_errors=_form_errors(form, problems), conflict=None)


def _conflict_rows(moderation, grades, feedback):
    rows = [(g.label, g.moderator_grade, grades.get(g.item)) for g in moderation.grades
            if (g.moderator_grade or None) != (grades.get(g.item) or None)]
    if (moderation.feedback or None) != ((feedback or "").strip() or None):
        rows.append(("Feedback to the auditor", moderation.feedback, feedback))
    return rows


def _anchor(moderation, item):
    if item == "feedback":
        return "feedback"
    grade = next(g for g in moderation.grades if g.item == item)
    return f"agree_{grade.id}" if moderation.mode == "open" else f"grade_{grade.id}"


def _result(sample, moderation):
    if not rules.is_submitted(moderation) and moderation.moderator_id != current_user.id:
        abort(403)
    return render_template(
        "moderation/result.html", sample=sample, moderation=moderation,
        is_moderator=moderation.moderator_id == current_user.id,
        may_challenge=rules.may_challenge(current_user, moderation),
        is_auditor=moderation.audit.auditor_id == current_user.id,
        acknowledge_form=AcknowledgeFeedbackForm(),
        actions=db.session.scalars(select(Action).where(Action.moderation_id == moderation.id)
                                   .order_by(Action.id)).all(),
        may_add_action=may_raise_from_moderation(current_user, moderation),
    )


@bp.route("/samples/<int:sample_id>/start", methods=["POST"])
@login_required
def start_moderation(sample_id):
    sample = db.get_or_404(ModerationSample, sample_id)
    if not rules.can_moderate(current_user, sample):
        if sample.moderation is not None and current_user in sample.round.moderators:
            # Two moderators of the round chose this audit at the same moment.
            flash("Another moderator has just started moderating this audit.")
            return redirect(url_for("moderation.view_round", round_id=sample.round_id))
        abort(403)
    try:
        rules.start(sample, current_user)
    except rules.ModerationError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(url_for("moderation.view_round", round_id=sample.round_id))
    db.session.commit()
    return redirect(url_for("moderation.moderate", sample_id=sample.id))


@bp.route("/samples/<int:sample_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge_feedback(sample_id):
    sample = _sample(sample_id)
    if sample.moderation is None or sample.audit.auditor_id != current_user.id:
        abort(403)
    if AcknowledgeFeedbackForm().validate_on_submit():
        rules.acknowledge(sample.moderation, current_user)
        db.session.commit()
        flash("Thank you: the moderator can see you have read the feedback.")
    return redirect(url_for("moderation.moderate", sample_id=sample.id))


def _grade(grade_id):
    """The grade, for someone who may see its moderation; an imported moderation's grade is
    refused with a redirect to its audit's page (where it is shown) saying why."""
    grade = db.get_or_404(ModerationGrade, grade_id)
    moderation = grade.moderation
    if moderation.is_imported:
        if not audit_access.can_view(current_user, moderation.audit):
            abort(403)
        flash(f"This moderation was imported from {moderation.imported_from}, so its grades "
              "cannot be agreed or challenged.")
        return None, redirect(url_for("audits.view_audit", audit_id=moderation.audit_id))
    if not rules.can_see(current_user, moderation.sample):
        abort(403)
    return grade, None


@bp.route("/grades/<int:grade_id>/agree", methods=["GET", "POST"])
@login_required
def record_agreement(grade_id):
    grade, refused = _grade(grade_id)
    if refused is not None:
        return refused
    moderation = grade.moderation
    if moderation.moderator_id != current_user.id or not rules.is_submitted(moderation):
        abort(403)
    form = AgreedGradeForm(moderation.audit.template_version.scale)
    if form.validate_on_submit():
        rules.record_agreement(grade, current_user, form.agreed_grade.data, form.note.data)
        db.session.commit()
        flash(f"Agreed grade for {grade.label} recorded.")
        return redirect(url_for("moderation.moderate", sample_id=moderation.sample_id))
    return render_template("moderation/agree.html", grade=grade, form=form)


@bp.route("/grades/<int:grade_id>/challenge", methods=["GET", "POST"])
@login_required
def challenge_grade(grade_id):
    grade, refused = _grade(grade_id)
    if refused is not None:
        return refused
    moderation = grade.moderation
    if not rules.may_challenge(current_user, moderation):
        abort(403)
    form = ChallengeForm(moderation.audit.template_version.scale)
    if form.validate_on_submit():
        try:
            rules.raise_challenge(grade, current_user, form.proposed_grade.data,
                                  form.reasons.data)
        except rules.ModerationError as error:
            db.session.rollback()
            form.proposed_grade.errors.append(str(error))
        else:
            db.session.commit()
            flash("Your challenge has been sent. A senior moderator will rule on it.")
            return redirect(url_for("moderation.moderate", sample_id=moderation.sample_id))
    return render_template("moderation/challenge.html", grade=grade, form=form)


@bp.route("/challenges/<int:challenge_id>", methods=["GET", "POST"])
@login_required
def view_challenge(challenge_id):
    challenge = db.get_or_404(Challenge, challenge_id)
    grade = challenge.grade
    if not rules.can_see(current_user, grade.moderation.sample):
        abort(403)
    may_rule = challenge.outcome is None and rules.may_rule(current_user, challenge)
    form = RulingForm()
    if request.method == "POST":
        if not may_rule:
            abort(403)
        if form.validate_on_submit():
            try:
                rules.rule(challenge, current_user, form.outcome.data, form.ruling.data)
            except rules.ModerationError as error:
                db.session.rollback()
                flash(str(error))
                return redirect(url_for("moderation.view_challenge", challenge_id=challenge_id))
            db.session.commit()
            flash(f"Challenge {form.outcome.data}.")
            return redirect(url_for("moderation.moderate", sample_id=grade.moderation.sample_id))
    return render_template("moderation/challenge_view.html", challenge=challenge, grade=grade,
                           form=form, may_rule=may_rule)


@bp.route("/feedback")
@login_required
def my_feedback():
    """Moderations of the signed-in auditor's audits, once submitted."""
    moderations = db.session.scalars(
        select(Moderation)
        .where(Moderation.status == "submitted",
               Moderation.audit.has(auditor_id=current_user.id))
        .options(selectinload(Moderation.audit).selectinload(Audit.case),
                 selectinload(Moderation.grades))
        .order_by(Moderation.submitted_at.desc())
    ).all()
    return render_template("moderation/my_feedback.html", moderations=moderations)
