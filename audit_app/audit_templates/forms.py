from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from audit_app.audit_templates.rules import KEY_MAX, NAME_MAX, SLUG_MAX, TITLE_MAX
from audit_app.forms import BaseForm, VersionField, choices
from audit_app.models.templates import (
    DOMAINS,
    OFSTED_GOOD_OR_BETTER,
    OFSTED_SCALE,
    PURPOSES,
    QUESTION_KINDS,
)

OFSTED, CUSTOM = "ofsted", "custom"


class _TemplateSettings(BaseForm):
    subjects = {"has_overall": "Whether an audit ends with an overall judgement",
                "grades": "The grades",
                "good_or_better": "The number of grades that count as good or better"}

    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a name"),
            Length(max=NAME_MAX, message=f"Name must be {NAME_MAX} characters or fewer"),
        ],
    )
    purpose = RadioField(
        "Purpose",
        widget=GovRadioInput(),
        choices=choices(PURPOSES.items()),
        validators=[InputRequired(message="Select the purpose of the template")],
    )
    has_overall = RadioField(
        "Does an audit end with an overall judgement?",
        widget=GovRadioInput(),
        choices=choices([("yes", "Yes"), ("no", "No, only the answers to the questions")]),
        validators=[InputRequired(message="Select yes if an audit ends with an overall judgement")],
    )
    scale_kind = RadioField(
        "Judgement scale",
        widget=GovRadioInput(),
        choices=choices([
            (OFSTED, "Ofsted four-point scale"),
            (CUSTOM, "A scale of your own"),
        ]),
        default=OFSTED,
        validators=[InputRequired(message="Select the judgement scale")],
    )
    # Only for a scale of your own; checked below rather than by Optional(), which would
    # stop the checks on a blank value.
    grades = StringField("Grades, one per line, best first", widget=GovTextArea())
    good_or_better = IntegerField(
        "How many of the top grades count as good or better?",
        widget=GovTextInput(),
        description="For example, 2 when the first two grades are good or better.",
    )

    def validate_grades(self, field):
        if self.scale_kind.data == CUSTOM and not self.grade_list():
            raise ValidationError("Enter the grades, one per line, best first")

    def validate_good_or_better(self, field):
        if self.scale_kind.data != CUSTOM:
            field.errors.clear()  # ignored for the Ofsted scale
        elif field.errors or field.data is None:
            field.errors[:] = [
                "Enter how many of the top grades count as good or better, as a number like 2"
            ]

    def grade_list(self):
        return [line.strip() for line in (self.grades.data or "").splitlines() if line.strip()]

    def values(self):
        """The settings as the services take them."""
        custom = self.scale_kind.data == CUSTOM
        return {
            "name": self.name.data,
            "purpose": self.purpose.data,
            "has_overall": self.has_overall.data == "yes",
            "scale": self.grade_list() if custom else list(OFSTED_SCALE),
            "good_or_better": self.good_or_better.data if custom else OFSTED_GOOD_OR_BETTER,
        }

    def fill(self, template, version):
        """Show a saved template's settings (GET)."""
        self.name.data = template.name
        self.purpose.data = template.purpose
        self.has_overall.data = "yes" if version.has_overall else "no"
        ofsted = (list(version.scale) == OFSTED_SCALE
                  and version.good_or_better == OFSTED_GOOD_OR_BETTER)
        self.scale_kind.data = OFSTED if ofsted else CUSTOM
        if not ofsted:
            self.grades.data = "\n".join(version.scale)
            self.good_or_better.data = version.good_or_better


class TemplateForm(_TemplateSettings):
    slug = StringField(
        "Slug",
        widget=GovTextInput(),
        description=(
            "A short name for web addresses and files, like whole-case-file. Leave it blank "
            "to make one from the name. It cannot be changed later."
        ),
        validators=[
            Optional(),
            Length(max=SLUG_MAX, message=f"Slug must be {SLUG_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Create template", widget=GovSubmitInput())


class SettingsForm(_TemplateSettings):
    version = VersionField()
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class SectionForm(BaseForm):
    title = StringField(
        "Section title",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter a title for the section"),
            Length(max=TITLE_MAX, message=f"Title must be {TITLE_MAX} characters or fewer"),
        ],
    )
    description = StringField(
        "Description (optional)",
        widget=GovTextArea(),
        description="Shown to auditors under the section title.",
        validators=[Optional()],
    )
    version = VersionField()
    submit = SubmitField("Save section", widget=GovSubmitInput())


class QuestionForm(BaseForm):
    text = StringField(
        "Question",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the question")],
    )
    key = StringField(
        "Key (optional)",
        widget=GovTextInput(),
        description=(
            "Links the answers to this question across versions of the template. Keep it when "
            "you reword a question; change it only when the question asks something new. "
            "Leave it blank to make one from the question."
        ),
        validators=[
            Optional(),
            Length(max=KEY_MAX, message=f"Key must be {KEY_MAX} characters or fewer"),
        ],
    )
    kind = RadioField(
        "Kind of answer",
        widget=GovRadioInput(),
        choices=choices(QUESTION_KINDS.items()),
        validators=[InputRequired(message="Select the kind of answer")],
    )
    guidance = StringField(
        "What good looks like (optional)",
        widget=GovTextArea(),
        description="Guidance shown to auditors with the question.",
        validators=[Optional()],
    )
    required = BooleanField("Auditors must answer this question", widget=GovCheckboxInput(),
                            default=True)
    domain = SelectField(
        "Domain (optional)",
        widget=GovSelect(),
        description="Measures group graded and yes or no answers by domain.",
        choices=choices(DOMAINS.items(), blank="No domain"),
        validators=[Optional()],
    )
    evidence_required = BooleanField(
        "Written evidence is needed when the grade is below good",
        widget=GovCheckboxInput(),
    )
    version = VersionField()
    submit = SubmitField("Save question", widget=GovSubmitInput())

    def values(self):
        return {name: self[name].data for name in (
            "text", "key", "kind", "guidance", "required", "domain", "evidence_required")}


class ActionForm(BaseForm):
    """A button on a draft (move, remove, publish, discard): the draft's row version."""

    version = VersionField()
    direction = StringField(validators=[Optional()])


class ImportForm(BaseForm):
    file = FileField(
        "Template file (JSON)",
        widget=GovFileInput(),
        validators=[FileRequired(message="Select a JSON template file")],
    )
    slug = StringField(
        "Slug (optional)",
        widget=GovTextInput(),
        description=(
            "Leave blank to use the slug in the file. A slug that is new makes a new template; "
            "the slug of an existing template adds a new draft version to it."
        ),
        validators=[
            Optional(),
            Length(max=SLUG_MAX, message=f"Slug must be {SLUG_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Import template", widget=GovSubmitInput())
