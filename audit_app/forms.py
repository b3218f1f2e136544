"""Form pieces shared by every area. Every form is a `BaseForm`."""

import secrets
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, HiddenField, IntegerField, PasswordField, StringField
from wtforms.fields.choices import SelectChoice, SelectFieldBase
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from audit_app import inputs

# The row-version check is in audit_app/versioning.py; these names stay importable from here.
from audit_app.versioning import EditConflict
from audit_app.versioning import claim as check_version


def _trimmed(value):
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return [_trimmed(item) for item in value]
    return value


def _in_plain_words(validator):
    """A text field's validator as the base form wants it: InputRequired passes "   ", so on
    trimmed text a required box needs real text (DataRequired); a Length without a message
    gets one naming the field."""
    if type(validator) is InputRequired:
        return DataRequired(message=validator.message)
    if type(validator) is Length and validator.message is None and validator.max >= 0:
        def at_most(form, field, limit=validator.max):
            if len(field.data or "") > limit:
                raise ValidationError(f"{subject(field)} must be {limit:,} characters or fewer")

        return at_most
    return validator


def subject(field):
    """How messages name a field: its `subject` if it has one ("The answer to 2.3", set by
    the form's `subjects` where the label is a question), else its label."""
    return getattr(field, "subject", None) or field.label.text.removesuffix(" (optional)")


def _checked_first(field, pre_validate):
    """The checks every field gets before its own (which might look a value up in the
    database): a value holding a NUL or another control character is refused with its own
    message; a choice that is not one of the options gets a message naming the field (not
    WTForms' "Not a valid choice.")."""
    choice = isinstance(field, SelectFieldBase)

    def check(form):
        if any(inputs.forbidden_character(value) for value in field.raw_data or ()):
            field.errors[:] = []  # this is the problem to fix, not "not a number"
            raise StopValidation(f"{subject(field)} {inputs.NO_CONTROL_CHARACTERS}")
        if choice and getattr(field, "invalid_choice_message", "") is None:
            field.invalid_choice_message = f"{subject(field)} must be one of the options shown"
        if choice and field.process_errors:  # a value that is not even an id
            field.errors[:] = []
            raise StopValidation(field.invalid_choice_message)
        pre_validate(form)

    return check


class BaseForm(FlaskForm):
    """Every form in the app: text arrives trimmed, so a required box needs real text, not
    spaces; a choice arrives trimmed too; and any field holding a control character (NUL
    above all, which PostgreSQL cannot store) gets a message naming it, before anything
    else looks at the value."""

    subjects = {}  # field name -> how messages name it, where its label is a question

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in self.subjects.items():
            self[name].subject = text

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField | SelectFieldBase) \
                    and not issubclass(field_class, PasswordField):
                kwargs = dict(unbound_field.kwargs)
                kwargs["filters"] = [*kwargs.get("filters", ()), _trimmed]
                if kwargs.get("validators"):
                    kwargs["validators"] = [_in_plain_words(v) for v in kwargs["validators"]]
                unbound_field = UnboundField(field_class, *unbound_field.args,
                                             name=unbound_field.name, **kwargs)
            field = super().bind_field(form, unbound_field, options)
            field.pre_validate = _checked_first(field, field.pre_validate)
            return field


class VersionField(IntegerField):
    """The row version the user started editing from, for conflict detection.

    Blank on forms that create a record; a missing version on an edit is a conflict, and so
    is one that is not a version the database could hold (a page tampered with).
    """

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [Optional()], **kwargs)

    def process_formdata(self, valuelist):
        self.data = inputs.whole_number(valuelist[0]) if valuelist else None


class DayMonthYearInput(GovDateInput):
    """The GOV.UK date input, with the field's id on the day box so the error summary's
    link (#field) moves focus to the first box, as the Design System asks."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params["id"] = f"{field.id}-date"
        params["items"][0]["id"] = field.id
        return params


class GovDateField(DateField):
    """Day, month and year boxes, with the Design System's error messages.

    `subject` begins the messages ("Date opened must be a real date"; the label by default);
    `required_message` makes the date required.
    """

    widget = DayMonthYearInput()

    def __init__(self, label, subject=None, required_message=None, **kwargs):
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.subject = subject or label
        self.required_message = required_message
        if required_message:
            self.flags.required = True

    def process_formdata(self, valuelist):
        # Always three parts, so the boxes show what was typed even when some are missing.
        parts = ([str(value).strip() for value in valuelist] + ["", "", ""])[:3]
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        missing = [name for name, value in zip(("day", "month", "year"), parts, strict=True)
                   if not value]
        if missing:
            raise ValueError(f"{self.subject} must include a {' and a '.join(missing)}")
        day, month, year = parts
        if not all(inputs.whole_number(part) is not None for part in parts):
            raise ValueError(f"{self.subject} must be a real date")
        if len(year) != 4:
            raise ValueError("Year must include 4 numbers")
        try:
            day = date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{self.subject} must be a real date") from None
        if not inputs.in_date_range(day):
            raise ValueError(f"{self.subject} must be between {inputs.date_range_text()}")
        self.data = day

    def pre_validate(self, form):
        if self.data is None and not self.process_errors and self.required_message:
            raise StopValidation(self.required_message)


class GovIntegerField(IntegerField):
    """A whole number typed into a text box; blank is no value, anything else not a whole
    number (in ASCII digits, up to 2^63) gets `invalid_message`."""

    LIMIT = 2**63 - 1

    def __init__(self, label=None, validators=None, invalid_message="Enter a whole number",
                 **kwargs):
        super().__init__(label, validators, widget=GovTextInput(), **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            return
        # Bounds are the validators' (NumberRange); this only keeps the number readable.
        self.data = inputs.whole_number(text, minimum=-self.LIMIT, maximum=self.LIMIT)
        if self.data is None:
            raise ValueError(self.invalid_message)


def an_id(message):
    """A validator for a select whose choices are not checked by the form: its value must be
    a record's id (one the database can hold), or the field gets `message`."""

    def check(form, field):
        if field.data and inputs.whole_number(field.data) is None:
            raise ValidationError(message)

    return check


def one_of_the_choices(message):
    """A select's value (or each of a multiple select's) is one of its choices, or blank;
    for selects that skip WTForms' own check to say `message` in the Design System's words."""
    def check(form, field):
        values = {c.value for c in field.choices}
        data = field.data if isinstance(field.data, list) else [field.data]
        if any(value and value not in values for value in data):
            raise ValidationError(message)

    return check


def choices(pairs, blank=None):
    """SelectChoice list from (value, label) pairs, optionally led by a blank option."""
    result = [SelectChoice(value="", label=blank)] if blank is not None else []
    result.extend(SelectChoice(value=str(value), label=label) for value, label in pairs)
    return result


class FormTokenField(HiddenField):
    """A random token made when a creating form is rendered: posting the form twice creates
    one record (audit_app/once.py)."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, default=lambda: secrets.token_urlsafe(24), **kwargs)


__all__ = [
    "BaseForm",
    "EditConflict",
    "FormTokenField",
    "GovDateField",
    "GovIntegerField",
    "HiddenField",
    "VersionField",
    "an_id",
    "check_version",
    "choices",
    "one_of_the_choices",
    "subject",
]


def error_summary(form):
    """The GOV.UK error summary's entries for `form`: the first error of each field, in
    form order, linking to the field (date fields put their id on the day box)."""
    return [{"text": field.errors[0], "href": f"#{field.id}"} for field in form if field.errors]
