"""Form posts that arrived after the session timed out, kept until the user signs in again."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from audit_app.extensions import db
from audit_app.timeutil import utcnow


class KeptPost(db.Model):
    __tablename__ = "kept_posts"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    # [[field name, value], ...] so repeated fields (checkboxes) survive.
    fields: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
