"""Form pieces shared by every area."""

import secrets
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, HiddenField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, StopValidation
from wtforms.widgets import HiddenInput

# The row-version check is in audit_app/versioning.py; these names stay importable from here.
from audit_app.versioning import EditConflict
from audit_app.versioning import claim as check_version


class VersionField(IntegerField):
    """The row version the user started editing from, for conflict detection.

    Blank on forms that create a record; a missing version on an edit is a conflict.
    """

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [Optional()], **kwargs)


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
        if not all(part.isdigit() for part in parts):
            raise ValueError(f"{self.subject} must be a real date")
        if len(year) != 4:
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a day of 99999999999999999999 overflows
            raise ValueError(f"{self.subject} must be a real date") from None

    def pre_validate(self, form):
        if self.data is None and not self.process_errors and self.required_message:
            raise StopValidation(self.required_message)


class GovIntegerField(IntegerField):
    """A whole number typed into a text box; blank is no value, anything else not a whole
    number gets `invalid_message`."""

    def __init__(self, label=None, validators=None, invalid_message="Enter a whole number",
                 **kwargs):
        super().__init__(label, validators, widget=GovTextInput(), **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            return
        try:
            self.data = int(text)
        except ValueError:
            raise ValueError(self.invalid_message) from None


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
    "EditConflict",
    "FormTokenField",
    "GovDateField",
    "GovIntegerField",
    "HiddenField",
    "VersionField",
    "check_version",
    "choices",
]
