"""Forms for moderating an audit. The grade fields are built from the compared items."""

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from audit_app.forms import BaseForm, VersionField, choices

AGREEMENT = [("agree", "Agree"), ("disagree", "Disagree")]


class ModerationFormBase(BaseForm):
    feedback = TextAreaField(
        "Feedback to the auditor", widget=GovTextArea(),
        description="What was done well, and what to do differently. The auditor reads this.",
        validators=[Optional(), Length(max=20000)])
    version = VersionField()
    save_draft = SubmitField("Save as draft", widget=GovSubmitInput())
    submit_moderation = SubmitField("Submit moderation", widget=GovSubmitInput())


def moderation_form(moderation, scale, formdata=None):
    """Blind: one grade per item. Open: agree or disagree per item, with a grade if not."""
    attrs = {}
    for grade in moderation.grades:
        if moderation.mode == "open":
            attrs[f"agree_{grade.id}"] = RadioField(
                f"Do you agree with the auditor's grade for {grade.label}?",
                choices=choices(AGREEMENT), widget=GovRadioInput(), validators=[Optional()])
        attrs[f"grade_{grade.id}"] = RadioField(
            f"Your grade for {grade.label}" if moderation.mode == "blind"
            else f"Moderated grade for {grade.label}, if you disagree",
            choices=choices((g, g) for g in scale), widget=GovRadioInput(),
            validators=[Optional()])
    form_class = type("ModerationForm", (ModerationFormBase,), attrs)
    form = form_class(formdata=formdata) if formdata is not None else form_class()
    form.items = [
        (grade, form[f"agree_{grade.id}"] if moderation.mode == "open" else None,
         form[f"grade_{grade.id}"])
        for grade in moderation.grades
    ]
    for grade, agree, field in form.items:
        field.subject = f"The grade for {grade.label}"
        if agree is not None:
            agree.subject = f"Whether you agree with the grade for {grade.label}"
    return form


def fill(form, moderation):
    for grade, agree, field in form.items:
        field.data = grade.moderator_grade
        if agree is not None and grade.moderator_grade:
            agree.data = "agree" if grade.moderator_grade == grade.auditor_grade else "disagree"
    form.feedback.data = moderation.feedback
    form.version.data = moderation.row_version


def grades_from(form):
    """{item: label}; in open mode an agreement takes the auditor's grade. Adds field errors
    for a disagreement without a different grade and returns None then."""
    grades, ok = {}, True
    for grade, agree, field in form.items:
        if agree is None:
            grades[grade.item] = field.data or None
        elif agree.data == "agree":
            grades[grade.item] = grade.auditor_grade
        elif agree.data == "disagree":
            if not field.data or field.data == grade.auditor_grade:
                field.errors.append(
                    f"Choose a grade for {grade.label} that differs from the auditor's")
                ok = False
            grades[grade.item] = field.data or None
        else:
            grades[grade.item] = None
    return grades if ok else None


class AcknowledgeFeedbackForm(BaseForm):
    submit = SubmitField("I have read this feedback", widget=GovSubmitInput())


class AgreedGradeForm(BaseForm):
    agreed_grade = RadioField("Grade agreed in the discussion", widget=GovRadioInput(),
                              validators=[InputRequired(message="Select the agreed grade")])
    note = TextAreaField("Notes of the discussion", widget=GovTextArea(),
                         validators=[Optional(), Length(max=4000)])
    submit = SubmitField("Record agreed grade", widget=GovSubmitInput())

    def __init__(self, scale, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreed_grade.choices = choices((g, g) for g in scale)


class ChallengeForm(BaseForm):
    subjects = {"proposed_grade": "The proposed grade"}

    proposed_grade = RadioField(
        "What grade do you think is right?", widget=GovRadioInput(),
        validators=[InputRequired(message="Select the grade you think is right")])
    reasons = TextAreaField(
        "Your reasons", widget=GovTextArea(),
        description="Refer to the evidence on the case file.",
        validators=[InputRequired(message="Give your reasons for challenging the grade"),
                    Length(max=4000)])
    submit = SubmitField("Send challenge", widget=GovSubmitInput())

    def __init__(self, scale, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposed_grade.choices = choices((g, g) for g in scale)


class RulingForm(BaseForm):
    outcome = RadioField(
        "Ruling", widget=GovRadioInput(),
        choices=choices([("upheld", "Upheld: the proposed grade becomes final"),
                         ("rejected", "Rejected: the moderated grade stands")]),
        validators=[InputRequired(message="Select whether the challenge is upheld or rejected")])
    ruling = TextAreaField(
        "Reasons for the ruling", widget=GovTextArea(),
        validators=[InputRequired(message="Give the reasons for the ruling"), Length(max=4000)])
    submit = SubmitField("Record ruling", widget=GovSubmitInput())
