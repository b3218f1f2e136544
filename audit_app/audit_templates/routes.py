"""Admin pages for audit templates. The rules live in services; these views map their errors
to pages: bad values to form errors, a changed draft to a conflict, a locked version to a
message on the version page."""

from functools import partial

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from audit_app.audit_templates import bp, jsonio, services
from audit_app.audit_templates.forms import (
    ActionForm,
    ImportForm,
    QuestionForm,
    SectionForm,
    SettingsForm,
    TemplateForm,
)
from audit_app.audit_templates.rules import clean_text
from audit_app.authz import roles_required
from audit_app.extensions import db
from audit_app.models import (
    AuditTemplate,
    TemplateQuestion,
    TemplateSection,
    TemplateVersion,
    User,
)
from audit_app.models.templates import DOMAINS, DRAFT, PURPOSES, QUESTION_KINDS, YES_NO_ANSWERS
from audit_app.versioning import EditConflict

CHANGED_MESSAGE = (
    "Someone else changed this draft since you opened the page, so nothing was changed. "
    "Check the draft below and try again."
)


def _version_or_404(template_id, number):
    version = db.session.scalar(
        select(TemplateVersion)
        .where(TemplateVersion.template_id == template_id, TemplateVersion.number == number)
        .options(
            joinedload(TemplateVersion.template),
            selectinload(TemplateVersion.sections).selectinload(TemplateSection.questions),
        )
    )
    if version is None:
        abort(404)
    return version


def _version_url(version, anchor=None):
    return url_for("audit_templates.show_version", template_id=version.template_id,
                   number=version.number, _anchor=anchor)


def _locked(version):
    """Where an edit page for a published version sends the user instead."""
    if version.status == DRAFT:
        return None
    flash(f"Version {version.number} is published, so it cannot change. Create a new draft "
          f"to make changes.")
    return redirect(_version_url(version))


def _button(version, change, done, anchor=None):
    """Run a one-click change to a draft (move, new draft) and go back to the version page."""
    url = _version_url(version, anchor)
    try:
        change()
    except EditConflict:
        db.session.rollback()
        flash(CHANGED_MESSAGE)
    except (services.VersionLockedError, services.DraftExistsError, services.FieldError) as e:
        db.session.rollback()
        flash(str(e))
    else:
        db.session.commit()
        if done:
            flash(done)
    return redirect(url)


def _exists(model, record_id):
    return db.session.scalar(select(model.id).where(model.id == record_id)) is not None


def _display(name, value):
    if name == "kind":
        return QUESTION_KINDS.get(value, value)
    if name == "domain":
        return DOMAINS.get(value, value)
    if name == "purpose":
        return PURPOSES.get(value, value)
    if isinstance(value, list):
        return ", ".join(value)
    return value


def _conflict_rows(form, saved, mine):
    """(label, saved value, your value) for each field that differs."""
    rows = []
    for name, theirs in saved.items():
        yours = mine[name]
        if isinstance(yours, str):
            yours = clean_text(yours)
        if yours != theirs:
            rows.append((form[name].label.text, _display(name, theirs), _display(name, yours)))
    return rows


def _save(form, draft, record, change, page, back, **context):
    """Apply a form's change to a draft; on a conflict show what the other person saved.

    `record` (model, id, fields) is what the form edits, or None when it adds something.
    """
    try:
        result = change()
    except EditConflict:
        db.session.rollback()
        if record is not None and not _exists(record[0], record[1]):
            flash("Someone else removed this while you were editing it.")
            return redirect(back), None
        rows = []
        if record is not None:
            saved = {name: getattr(db.session.get(record[0], record[1]), name)
                     for name in record[2]}
            rows = _conflict_rows(form, saved, {name: form[name].data for name in record[2]})
        form.version.raw_data = [str(draft.row_version)]  # saving again keeps yours
        return render_template(page, form=form, conflict=rows, **context), None
    except services.FieldError as error:
        db.session.rollback()
        for field, message in error.problems:
            form[field].errors.append(message)
        return render_template(page, form=form, **context), None
    except services.VersionLockedError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(back), None
    db.session.commit()
    return None, result


# Templates ------------------------------------------------------------------------------


@bp.route("/")
@roles_required("admin")
def list_templates():
    templates = db.session.scalars(
        select(AuditTemplate)
        .options(selectinload(AuditTemplate.versions))
        .order_by(AuditTemplate.name)
    ).all()
    return render_template("audit_templates/list.html", templates=templates, purposes=PURPOSES)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("admin")
def new_template():
    form = TemplateForm()
    if form.validate_on_submit():
        try:
            template = services.create_template(
                slug=form.slug.data, actor=current_user, **form.values()
            )
        except services.FieldError as error:
            db.session.rollback()
            for field, message in error.problems:
                form[field].errors.append(message)
        except IntegrityError:  # someone else took the slug a moment ago
            db.session.rollback()
            form.slug.errors.append("A template with this slug already exists. Enter a "
                                    "different slug.")
        else:
            db.session.commit()
            flash(f"Template {template.name} created. Add its sections and questions, then "
                  f"publish it.")
            return redirect(_version_url(template.versions[0]))
    return render_template("audit_templates/template_form.html", form=form)


@bp.route("/<int:template_id>")
@roles_required("admin")
def show_template(template_id):
    template = db.get_or_404(AuditTemplate, template_id)
    return render_template(
        "audit_templates/template.html",
        template=template,
        audit_counts=services.audit_counts(template),
        question_counts=services.question_counts(template),
        purposes=PURPOSES,
    )


@bp.post("/<int:template_id>/drafts")
@roles_required("admin")
def new_draft(template_id):
    template = db.get_or_404(AuditTemplate, template_id)
    draft, source = template.draft, template.latest_published
    try:
        version = services.new_draft(template, actor=current_user)
    except services.DraftExistsError as error:
        db.session.rollback()
        flash(str(error))
        return redirect(_version_url(draft) if draft else url_for(
            "audit_templates.show_template", template_id=template_id))
    try:
        db.session.commit()
    except IntegrityError:  # another admin made the draft at the same moment
        db.session.rollback()
        flash("Someone else has just created a draft of this template.")
        return redirect(url_for("audit_templates.show_template", template_id=template_id))
    flash(f"Version {version.number} is a draft copy of version {source.number}. "
          f"Change it, then publish it.")
    return redirect(_version_url(version))


# Versions -------------------------------------------------------------------------------


def _render_version(version, problems=None):
    return render_template(
        "audit_templates/version.html",
        version=version,
        template=version.template,
        audits=services.audit_counts(version.template).get(version.id, 0),
        published_by=db.session.get(User, version.published_by_id)
        if version.published_by_id else None,
        problems=problems,
        purposes=PURPOSES,
        domains=DOMAINS,
        kinds=QUESTION_KINDS,
        yes_no_answers=YES_NO_ANSWERS,
    )


@bp.route("/<int:template_id>/versions/<int:number>")
@roles_required("admin")
def show_version(template_id, number):
    return _render_version(_version_or_404(template_id, number))


@bp.route("/<int:template_id>/versions/<int:number>/export")
@roles_required("admin")
def export_version(template_id, number):
    version = _version_or_404(template_id, number)
    response = Response(services.export_json(version), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{jsonio.file_name(version)}"'
    )
    return response


@bp.post("/<int:template_id>/versions/<int:number>/publish")
@roles_required("admin")
def publish_version(template_id, number):
    version = _version_or_404(template_id, number)
    form = ActionForm()
    try:
        services.publish(version, seen=form.version.data, actor=current_user)
    except services.PublishError as error:
        db.session.rollback()
        return _render_version(version, problems=error.problems)
    except EditConflict:
        db.session.rollback()
        flash(CHANGED_MESSAGE)
    except services.VersionLockedError as error:
        db.session.rollback()
        flash(str(error))
    else:
        db.session.commit()
        flash(f"Version {version.number} of {version.template.name} is published. Audits "
              f"started from now on use it; audits already started keep their version.")
    return redirect(_version_url(version))


def _settings_saved(version):
    template = version.template
    return {
        "name": template.name,
        "purpose": template.purpose,
        "has_overall": version.has_overall,
        "scale": list(version.scale),
        "good_or_better": version.good_or_better,
    }


@bp.route("/<int:template_id>/versions/<int:number>/settings", methods=["GET", "POST"])
@roles_required("admin")
def edit_settings(template_id, number):
    version = _version_or_404(template_id, number)
    if (response := _locked(version)) is not None:
        return response
    form = SettingsForm()
    if request.method == "GET":
        form.fill(version.template, version)
        form.version.data = version.row_version
    context = {"version": version, "template": version.template}
    if form.validate_on_submit():
        back = _version_url(version)
        try:
            services.update_settings(version, form.values(), seen=form.version.data,
                                     actor=current_user)
        except EditConflict:
            db.session.rollback()
            mine = form.values()
            rows = [
                (label, _display(name, theirs), _display(name, mine[name]))
                for (name, theirs), label in zip(
                    _settings_saved(version).items(),
                    ("Name", "Purpose", "Overall judgement", "Judgement scale",
                     "Grades that count as good or better"),
                    strict=True,
                )
                if mine[name] != theirs
            ]
            form.version.raw_data = [str(version.row_version)]
            return render_template("audit_templates/settings_form.html", form=form,
                                   conflict=rows, **context)
        except services.FieldError as error:
            db.session.rollback()
            for field, message in error.problems:
                form[field].errors.append(message)
        except services.VersionLockedError as error:
            db.session.rollback()
            flash(str(error))
            return redirect(back)
        else:
            db.session.commit()
            flash("Settings saved.")
            return redirect(back)
    return render_template("audit_templates/settings_form.html", form=form, **context)


def _confirm_removal(version, remove, removed_message, done_url, **confirm):
    """GET: ask to confirm. POST: remove (version-checked), or show the page again if the
    draft changed meanwhile. The caller has checked the version is not locked."""
    form = ActionForm()
    changed = False
    if request.method == "POST":
        try:
            remove(seen=form.version.data, actor=current_user)
        except EditConflict:
            db.session.rollback()
            changed = True
        except services.VersionLockedError as error:
            db.session.rollback()
            flash(str(error))
            return redirect(_version_url(version))
        else:
            db.session.commit()
            flash(removed_message)
            return redirect(done_url)
    return render_template("audit_templates/confirm.html", version=version, changed=changed,
                           **confirm)


@bp.route("/<int:template_id>/versions/<int:number>/discard", methods=["GET", "POST"])
@roles_required("admin")
def discard_draft(template_id, number):
    version = _version_or_404(template_id, number)
    if (response := _locked(version)) is not None:
        return response
    template_url = url_for("audit_templates.show_template", template_id=template_id)
    if version.number == 1:
        flash("Version 1 cannot be discarded: change it instead.")
        return redirect(_version_url(version))
    return _confirm_removal(
        version, partial(services.discard_draft, version), f"Draft version {number} discarded.",
        template_url,
        heading=f"Discard draft version {version.number} of {version.template.name}?",
        detail="Its changes are lost. The published versions stay as they are.",
        button="Discard draft", back=_version_url(version))


# Sections -------------------------------------------------------------------------------


def _section_context(version, section=None):
    return {"version": version, "template": version.template, "section": section}


@bp.route("/<int:template_id>/versions/<int:number>/sections/new", methods=["GET", "POST"])
@roles_required("admin")
def new_section(template_id, number):
    version = _version_or_404(template_id, number)
    if (response := _locked(version)) is not None:
        return response
    form = SectionForm()
    if request.method == "GET":
        form.version.data = version.row_version
    if form.validate_on_submit():
        response, section = _save(
            form, version, None,
            lambda: services.add_section(version, form.data, seen=form.version.data,
                                         actor=current_user),
            "audit_templates/section_form.html", _version_url(version),
            **_section_context(version),
        )
        if response is not None:
            return response
        flash(f"Section {section.title} added.")
        return redirect(_version_url(version, f"section-{section.id}"))
    return render_template("audit_templates/section_form.html", form=form,
                           **_section_context(version))


@bp.route("/sections/<int:section_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_section(section_id):
    section = db.get_or_404(TemplateSection, section_id)
    version = section.version
    if (response := _locked(version)) is not None:
        return response
    # Not obj=section: a section's `version` attribute is its TemplateVersion.
    form = SectionForm(data={"title": section.title, "description": section.description})
    if request.method == "GET":  # a post without a version is a conflict, never a pass
        form.version.data = version.row_version
    if form.validate_on_submit():
        back = _version_url(version, f"section-{section_id}")
        response, _ = _save(
            form, version, (TemplateSection, section_id, ("title", "description")),
            lambda: services.edit_section(section, form.data, seen=form.version.data,
                                          actor=current_user),
            "audit_templates/section_form.html", back, **_section_context(version, section),
        )
        if response is not None:
            return response
        flash(f"Section {section.title} saved.")
        return redirect(back)
    return render_template("audit_templates/section_form.html", form=form,
                           **_section_context(version, section))


@bp.post("/sections/<int:section_id>/move")
@roles_required("admin")
def move_section(section_id):
    section = db.get_or_404(TemplateSection, section_id)
    form = ActionForm()
    return _button(
        section.version,
        lambda: services.move_section(section, form.direction.data, seen=form.version.data,
                                      actor=current_user),
        None, anchor=f"section-{section_id}",
    )


@bp.route("/sections/<int:section_id>/remove", methods=["GET", "POST"])
@roles_required("admin")
def remove_section(section_id):
    section = db.get_or_404(TemplateSection, section_id)
    version = section.version
    if (response := _locked(version)) is not None:
        return response
    count = len(section.questions)
    detail = (f"Its {count} question{'s' if count != 1 else ''} will be removed too."
              if count else "It has no questions.")
    return _confirm_removal(
        version, partial(services.remove_section, section), f"Section {section.title} removed.",
        _version_url(version), heading=f"Remove the section {section.title}?", detail=detail,
        button="Remove section", back=_version_url(version, f"section-{section_id}"))


# Questions ------------------------------------------------------------------------------

QUESTION_FIELDS = ("text", "key", "kind", "guidance", "required", "domain", "evidence_required")


@bp.route("/sections/<int:section_id>/questions/new", methods=["GET", "POST"])
@roles_required("admin")
def new_question(section_id):
    section = db.get_or_404(TemplateSection, section_id)
    version = section.version
    if (response := _locked(version)) is not None:
        return response
    form = QuestionForm()
    if request.method == "GET":
        form.version.data = version.row_version
    context = {"version": version, "template": version.template, "section": section,
               "question": None}
    if form.validate_on_submit():
        response, question = _save(
            form, version, None,
            lambda: services.add_question(section, form.values(), seen=form.version.data,
                                          actor=current_user),
            "audit_templates/question_form.html", _version_url(version), **context,
        )
        if response is not None:
            return response
        flash("Question added.")
        return redirect(_version_url(version, f"question-{question.id}"))
    return render_template("audit_templates/question_form.html", form=form, **context)


@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_question(question_id):
    question = db.get_or_404(TemplateQuestion, question_id)
    section = question.section
    version = section.version
    if (response := _locked(version)) is not None:
        return response
    form = QuestionForm(data={**{name: getattr(question, name) for name in QUESTION_FIELDS},
                              "domain": question.domain or ""})
    if request.method == "GET":
        form.version.data = version.row_version
    context = {"version": version, "template": version.template, "section": section,
               "question": question}
    if form.validate_on_submit():
        back = _version_url(version, f"question-{question_id}")
        response, _ = _save(
            form, version, (TemplateQuestion, question_id, QUESTION_FIELDS),
            lambda: services.edit_question(question, form.values(), seen=form.version.data,
                                           actor=current_user),
            "audit_templates/question_form.html", back, **context,
        )
        if response is not None:
            return response
        flash("Question saved.")
        return redirect(back)
    return render_template("audit_templates/question_form.html", form=form, **context)


@bp.post("/questions/<int:question_id>/move")
@roles_required("admin")
def move_question(question_id):
    question = db.get_or_404(TemplateQuestion, question_id)
    form = ActionForm()
    return _button(
        question.section.version,
        lambda: services.move_question(question, form.direction.data, seen=form.version.data,
                                       actor=current_user),
        None, anchor=f"question-{question_id}",
    )


@bp.route("/questions/<int:question_id>/remove", methods=["GET", "POST"])
@roles_required("admin")
def remove_question(question_id):
    question = db.get_or_404(TemplateQuestion, question_id)
    version = question.section.version
    if (response := _locked(version)) is not None:
        return response
    return _confirm_removal(
        version, partial(services.remove_question, question), "Question removed.",
        _version_url(version, f"section-{question.section_id}"),
        heading="Remove this question?", quote=question.text,
        detail="It is removed from this draft only: published versions, "
               "and the audits that use them, keep it.",
        button="Remove question", back=_version_url(version, f"question-{question_id}"))


# Import ---------------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@roles_required("admin")
def import_template():
    form = ImportForm()
    file_errors, filename = [], None
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename
        try:
            spec = jsonio.loads(upload.read(jsonio.MAX_FILE_BYTES + 1))
            version, created = services.import_template(
                spec, slug=form.slug.data, source=filename, actor=current_user
            )
        except jsonio.TemplateFileError as error:
            db.session.rollback()
            file_errors = error.errors
            count = len(file_errors)
            form.file.errors.append(
                f"{filename} cannot be imported: fix the {count} problem"
                f"{'s' if count != 1 else ''} listed below and try again"
            )
        except services.FieldError as error:
            db.session.rollback()
            form.slug.errors.append(str(error))
        except services.DraftExistsError as error:
            db.session.rollback()
            form.slug.errors.append(f"{error} Or import the file under another slug.")
        except IntegrityError:
            db.session.rollback()
            form.slug.errors.append("Someone else has just imported a template with this slug. "
                                    "Try again.")
        else:
            db.session.commit()
            what = "a new template" if created else f"a new draft of {version.template.name}"
            flash(f"Imported {filename} as {what} (version {version.number}). Check it, then "
                  f"publish it.")
            return redirect(_version_url(version))
    return render_template("audit_templates/import.html", form=form, file_errors=file_errors,
                           filename=filename)
