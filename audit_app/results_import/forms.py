from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from audit_app.forms import BaseForm


class UploadForm(BaseForm):
    file = FileField(
        "Upload a CSV or Excel file",
        widget=GovFileInput(),
        validators=[
            FileRequired(message="Select a CSV or Excel file"),
            FileAllowed(["csv", "xlsx"], message="The selected file must be a CSV or an Excel "
                        "workbook (.xlsx)"),
        ],
    )
    submit = SubmitField("Import results", widget=GovSubmitInput())
