"""Audit forms. A section's form is built from its template questions at request time."""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DecimalField, HiddenField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from audit_app import inputs
from audit_app.forms import (
    BaseForm,
    FormTokenField,
    GovDateField,
    VersionField,
    choices,
    subject,
)
from audit_app.models.actions import PRIORITIES
from audit_app.models.templates import YES_NO_ANSWERS

TEXT_LIMIT = 20000


# A number answer: fewer than 10 digits before the point, at most 4 after it.
NUMBER_LIMIT = 10**9
NUMBER_PLACES = 4


def number_problem(value):
    """Why a Decimal cannot be a number answer, to follow its subject; None if it can.
    (No arithmetic here: under the decimal context even abs(1e9999999) overflows.)"""
    if not value.is_finite():
        return "must be a number, like 12 or 3.5"
    if value.copy_abs() >= NUMBER_LIMIT:
        return f"must be between -{NUMBER_LIMIT - 1:,} and {NUMBER_LIMIT - 1:,}"
    _sign, digits, exponent = value.as_tuple()
    shown = "".join(map(str, digits)).rstrip("0")
    if shown and -(exponent + len(digits) - len(shown)) > NUMBER_PLACES:
        return f"must have {NUMBER_PLACES} decimal places or fewer"
    return None


# Plain decimal notation in ASCII digits: Decimal() alone would also take "1_000",
# full-width digits, "1e5" and "Infinity", which nobody means in a case-file answer.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)


def as_number(text):
    """`text` (already trimmed) as a Decimal, or None when it is not a plain number."""
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def stored_number(text):
    """A stored number answer as a Decimal, or None if it is not one this form would take."""
    value = as_number(text)
    return value if value is not None and number_problem(value) is None else None


class GovNumberField(DecimalField):
    """A number answer. Shown as stored (no rounding to places); refused past the bounds
    above, since a value such as 1e9999999 or sNaN cannot be stored or shown again."""

    def __init__(self, *args, subject=None, invalid_message="Enter a number", **kwargs):
        super().__init__(*args, widget=GovTextInput(), places=None, **kwargs)
        self.subject = subject
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0].strip() if valuelist else ""
        if not text:
            return
        value = as_number(text)
        if value is None:
            raise ValueError(self.invalid_message)
        problem = number_problem(value)
        if problem is not None:
            raise ValueError(self.invalid_message if not value.is_finite()
                             else f"{subject(self)} {problem}")
        self.data = value


class SectionFormBase(BaseForm):
    version = VersionField()
    # The template version the questions were rendered from (their ids belong to it).
    template_version = HiddenField()
    save_continue = SubmitField("Save and continue", widget=GovSubmitInput())
    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())


def _field_for(question, label, scale):
    hint = question.guidance or None
    if question.kind == "graded":
        return RadioField(label, choices=choices((g, g) for g in scale), description=hint,
                          widget=GovRadioInput(), validators=[Optional()])
    if question.kind == "yes_no":
        return RadioField(label, choices=choices(YES_NO_ANSWERS.items()), description=hint,
                          widget=GovRadioInput(), validators=[Optional()])
    if question.kind == "date":
        return GovDateField(label, subject=f"The answer to {label.split()[0]}",
                            description=hint, validators=[Optional()])
    if question.kind == "number":
        return GovNumberField(label, description=hint, validators=[Optional()],
                              subject=f"The answer to {label.split()[0]}",
                              invalid_message=f"Enter a number for question {label.split()[0]}")
    return TextAreaField(label, description=hint, widget=GovTextArea(),
                         validators=[Optional(), Length(max=TEXT_LIMIT)])


def question_label(section, number, question):
    return f"{section.position}.{number} {question.text}"


def section_form(section, formdata=None):
    """A form for one section; `form.items` pairs each question with its fields."""
    version = section.version
    attrs = {}
    layout = []
    for number, question in enumerate(section.questions, start=1):
        label = question_label(section, number, question)
        name = f"q{question.id}"
        attrs[name] = _field_for(question, label, version.scale)
        evidence = None
        if question.kind == "graded":
            evidence = f"{name}_evidence"
            lower = version.scale[version.good_or_better:]
            below = " or ".join([", ".join(lower[:-1]), lower[-1]] if len(lower) > 1 else lower)
            hint = (f"Required when the grade is {below}." if question.evidence_required
                    else "Optional.")
            attrs[evidence] = TextAreaField(
                f"Evidence for {label.split()[0]}", description=hint, widget=GovTextArea(),
                validators=[Optional(), Length(max=TEXT_LIMIT)])
        layout.append((question, name, evidence))
    form_class = type("SectionForm", (SectionFormBase,), attrs)
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    form.items = [(q, form[name], form[ev] if ev else None) for q, name, ev in layout]
    for _question, field, evidence in form.items:
        number = field.label.text.split()[0]
        field.subject = f"The answer to {number}"
        if evidence is not None:
            evidence.subject = f"The evidence for {number}"
    form.template_version.data = str(version.id)
    return form


def rendered_on_another_version(formdata, audit):
    """The posted section form was rendered on a template version the audit no longer uses
    (a post without the field is taken to be on the current one; one naming no version the
    database could hold, on none of the audit's)."""
    posted = (formdata.get("template_version") or "").strip()
    return bool(posted) and inputs.whole_number(posted) != audit.template_version_id


def fill_from_answers(form, answers):
    for question, field, evidence in form.items:
        answer = answers.get(question.id)
        if answer is None:
            continue
        field.data = stored_to_data(question.kind, answer.value)
        if question.kind == "number" and field.data is None and answer.value:
            # Stored before numbers were bounded (1e26, NaN): shown as it is, to correct.
            field.raw_data = [answer.value]
        if evidence is not None:
            evidence.data = answer.evidence


def stored_to_data(kind, value):
    if value in (None, ""):
        return None
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "number":
        return stored_number(value)
    return value


def data_to_stored(kind, data):
    if data in (None, ""):
        return None
    if kind == "date":
        return data.isoformat()
    if kind == "number":
        return format(data.normalize(), "f")
    if kind == "text":
        return data.strip() or None
    return data


def answers_from_form(form):
    return {
        question: (
            data_to_stored(question.kind, field.data),
            (evidence.data or "").strip() if evidence is not None else None,
        )
        for question, field, evidence in form.items
    }


class SummaryForm(BaseForm):
    overall_grade = RadioField("Overall judgement", widget=GovRadioInput(),
                               validators=[Optional()])
    strengths = TextAreaField("Strengths", widget=GovTextArea(),
                              description="What is working well for the child.",
                              validators=[Optional(), Length(max=TEXT_LIMIT)])
    areas_for_development = TextAreaField(
        "Areas for development", widget=GovTextArea(),
        description="What needs to improve. Put each thing someone must do as a recommendation.",
        validators=[Optional(), Length(max=TEXT_LIMIT)])
    version = VersionField()
    save_continue = SubmitField("Save and continue", widget=GovSubmitInput())
    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())

    def __init__(self, scale, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.overall_grade.choices = choices((g, g) for g in scale)


class RecommendationForm(BaseForm):
    description = TextAreaField(
        "Recommendation", widget=GovTextArea(),
        description="What should be done for the child, by whom. It becomes an action.",
        validators=[InputRequired(message="Enter the recommendation"),
                    Length(max=4000, message="Recommendation must be 4000 characters or fewer")])
    owner_id = SelectField("Owner", widget=GovSelect(),
                           description="Defaults to the manager of the case's team.",
                           validators=[Optional()])
    due_on = GovDateField("Due date", validators=[Optional()])
    priority = RadioField("Priority", widget=GovRadioInput(), choices=choices(PRIORITIES.items()),
                          default="medium",
                          validators=[InputRequired(message="Select the priority")])
    version = VersionField()
    form_token = FormTokenField()
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())

    def __init__(self, people, due_days, *args, team_has_manager=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = choices(
            ((u.id, f"{u.name} ({u.email})") for u in people),
            blank="Manager of the case's team" if team_has_manager else "Choose an owner")
        if not team_has_manager:
            self.owner_id.description = ("The case's team has no active manager: choose who "
                                         "owns this action.")
        self.due_on.description = (
            "For example, 27 3 2027. Leave blank for the priority's working days after the "
            "audit is submitted: " + ", ".join(
                f"{days} for {PRIORITIES[code].lower()}" for code, days in due_days.items())
            + ".")


class SubmitAuditForm(BaseForm):
    version = VersionField()
    submit = SubmitField("Submit audit", widget=GovSubmitInput())


class ReasonForm(BaseForm):
    subjects = {"reason": "The reason"}

    reason = TextAreaField(
        "Why are you returning this audit?", widget=GovTextArea(),
        description="The auditor sees this and it is kept in the event log.",
        validators=[InputRequired(message="Enter the reason for returning the audit"),
                    Length(max=4000)])
    version = VersionField()
    submit = SubmitField("Return audit to the auditor", widget=GovSubmitInput())


class EscalationForm(BaseForm):
    subjects = {"concern": "The description of the risk"}

    concern = TextAreaField(
        "Why may the child be at immediate risk?", widget=GovTextArea(),
        description="The case's team manager and head of service are told at once.",
        validators=[InputRequired(message="Describe why the child may be at immediate risk"),
                    Length(max=4000)])
    form_token = FormTokenField()
    submit = SubmitField("Raise safeguarding escalation", widget=GovSubmitInput())


class AcknowledgeForm(BaseForm):
    subjects = {"note": "What has been done"}

    note = TextAreaField(
        "What has been done to keep the child safe?", widget=GovTextArea(),
        validators=[InputRequired(message="Say what has been done to keep the child safe"),
                    Length(max=4000)])
    submit = SubmitField("Acknowledge escalation", widget=GovSubmitInput())


class ResponseForm(BaseForm):
    subjects = {"body": "Your response"}

    body = TextAreaField(
        "Your response to this audit", widget=GovTextArea(),
        description="Shown with the audit and recorded in the event log.",
        validators=[InputRequired(message="Enter your response"), Length(max=TEXT_LIMIT)])
    form_token = FormTokenField()
    submit = SubmitField("Add response", widget=GovSubmitInput())
