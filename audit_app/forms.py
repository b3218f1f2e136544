"""Form pieces shared by every area."""

from wtforms import HiddenField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput


class VersionField(IntegerField):
    """The row version the user started editing from, for conflict detection.

    Blank on forms that create a record; a missing version on an edit is a conflict.
    """

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [Optional()], **kwargs)


def choices(pairs, blank=None):
    """SelectChoice list from (value, label) pairs, optionally led by a blank option."""
    result = [SelectChoice(value="", label=blank)] if blank is not None else []
    result.extend(SelectChoice(value=str(value), label=label) for value, label in pairs)
    return result


class EditConflict(Exception):
    """Someone else saved this record since the form was opened."""


def check_version(record, submitted):
    if submitted is None or int(submitted) != record.row_version:
        raise EditConflict()
    record.row_version += 1


__all__ = ["EditConflict", "HiddenField", "VersionField", "check_version", "choices"]
