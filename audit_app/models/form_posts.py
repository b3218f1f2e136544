"""Forms that create something, each posted once: a double click or a resend finds the first."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from audit_app.extensions import db
from audit_app.timeutil import utcnow


class FormPost(db.Model):
    """The token of a creating form (see audit_app/once.py) and where its first post led."""

    __tablename__ = "form_posts"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The page the first post went on to, for every later post of the same form.
    result_path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
