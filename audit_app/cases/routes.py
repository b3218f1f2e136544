from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from audit_app import downloads, inputs
from audit_app.authz import roles_required
from audit_app.cases import bp, importer, services
from audit_app.cases.forms import CaseFilterForm, CaseForm, ImportForm
from audit_app.extensions import db
from audit_app.models import COHORTS, Case, Team, User
from audit_app.templating import format_date
from audit_app.versioning import EditConflict, claim

PAGE_SIZE = 50
SHOWN_PROBLEMS = 200  # a file with thousands of bad rows still gives a readable page


def _int_or_none(value):
    return int(value) if value else None


def _form_choices(case=None):
    """Active teams and users, plus the case's current ones even if since deactivated."""
    teams = db.session.scalars(
        select(Team).where(or_(Team.active, Team.id == (case.team_id if case else None)))
        .order_by(Team.name)
    ).all()
    keep = case.social_worker_id if case else None
    people = db.session.scalars(
        select(User).where(or_(User.active, User.id == keep)).order_by(User.name)
    ).all()
    return teams, people


def _case_values(form):
    return {
        "reference": form.reference.data.strip(),
        "team_id": int(form.team_id.data),
        "cohorts": set(form.cohorts.data),
        "opened_on": form.opened_on.data,
        "closed_on": form.closed_on.data,
        "social_worker_id": _int_or_none(form.social_worker_id.data),
    }


def _display(name, value, teams, people):
    if name == "team_id":
        return teams.get(value, value)
    if name == "social_worker_id":
        return people.get(value, value)
    if name == "cohorts":
        return {COHORTS[c] for c in value}
    if name in ("opened_on", "closed_on"):
        return format_date(value)
    return value


def _conflict_rows(form, case, values):
    """(label, saved value, your value) for each field that differs from what is saved."""
    teams = dict(db.session.execute(select(Team.id, Team.name)).all())
    people = dict(db.session.execute(select(User.id, User.name)).all())
    rows = []
    for name, mine in values.items():
        saved = getattr(case, name)
        if saved != mine:
            rows.append((form[name].label.text, _display(name, saved, teams, people),
                         _display(name, mine, teams, people)))
    return rows


def _visible_case_or_403(case_id):
    case = db.get_or_404(Case, case_id)
    if not services.can_view_case(current_user, case):
        abort(403)
    return case


@bp.route("/")
@roles_required(*services.LIST_ROLES)
def list_cases():
    teams = services.visible_teams(current_user)
    form = CaseFilterForm(teams, request.args)
    query = services.filtered_cases_query(current_user, **form.filters(teams)).options(
        db.joinedload(Case.team), db.selectinload(Case.cohort_rows)
    )
    pagination = db.paginate(query, page=inputs.page_number(PAGE_SIZE), per_page=PAGE_SIZE,
                             error_out=False)
    return render_template(
        "cases/list.html", filters=form, pagination=pagination, cohort_names=COHORTS,
        can_edit=services.can_edit_cases(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*services.EDIT_ROLES)
def new_case():
    form = CaseForm(*_form_choices())
    if form.validate_on_submit():
        try:
            case = services.create_case(**_case_values(form), actor=current_user)
        except services.DuplicateError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Case {case.reference} added.")
            return redirect(url_for("cases.list_cases"))
    return render_template("cases/case_form.html", form=form, case=None)


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@roles_required(*services.LIST_ROLES)
def edit_case(case_id):
    case = _visible_case_or_403(case_id)
    if not services.can_edit_cases(current_user):
        if request.method == "POST":
            abort(403)
        return render_template("cases/case.html", case=case, cohort_names=COHORTS)
    form = CaseForm(*_form_choices(case), obj=case)
    if request.method == "GET":
        form.team_id.data = str(case.team_id)
        form.cohorts.data = sorted(case.cohorts)
        form.social_worker_id.data = str(case.social_worker_id or "")
        form.version.data = case.row_version
    if form.validate_on_submit():
        values = _case_values(form)
        try:
            claim(case, form.version.data)
            services.update_case(case, values, actor=current_user)
        except EditConflict:
            db.session.rollback()
            form.version.raw_data = [str(case.row_version)]  # saving again keeps yours
            return render_template("cases/case_form.html", form=form, case=case,
                                   conflict=_conflict_rows(form, case, values))
        except services.DuplicateError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Case {case.reference} saved.")
            return redirect(url_for("cases.list_cases"))
    return render_template("cases/case_form.html", form=form, case=case)


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*services.EDIT_ROLES)
def import_cases():
    form = ImportForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result = importer.import_cases(
                upload.stream.read(importer.MAX_BYTES + 1), upload.filename, actor=current_user
            )
        except importer.ImportRejected as rejected:
            db.session.rollback()
            problems = rejected.problems
            if len(problems) == 1 and problems[0].column is None:
                # A problem with the whole file (empty, too big, not UTF-8): say it plainly.
                message = str(problems[0])
                form.file.errors.append(message[0].upper() + message[1:])
                problems = None
            else:
                form.file.errors.append(
                    f"The file has {len(problems)} problem{'s' if len(problems) > 1 else ''}. "
                    "Nothing was imported. Correct the file and upload it again."
                )
        else:
            db.session.commit()
            flash(f"{upload.filename} imported: {result}.")
            return redirect(url_for("cases.list_cases"))
    return render_template(
        "cases/import.html", form=form, problems=problems, shown=SHOWN_PROBLEMS,
        header=importer.HEADER_TEXT, cohort_names=COHORTS,
    )


@bp.route("/import/example.csv")
@roles_required(*services.EDIT_ROLES)
def import_example():
    """A file with the right header and two rows, to fill in."""
    team = db.session.scalar(select(Team.name).order_by(Team.name)) or "Team name"
    return downloads.csv_response("cases-example.csv", importer.COLUMNS, [
        ["1000001", team, "child_in_need;child_protection", "2024-03-27", ""],
        ["1000002", team, "Cared for", "27/03/2024", "2024-09-30"],
    ])
