"""Personal API tokens: how business-intelligence tools (Power BI, Excel) read the feed.

Only the SHA-256 hash of a token is kept; the token itself is shown once, when it is made
(audit_app/feed/tokens.py). A token stops working when it expires or is revoked, and while
its owner is deactivated or no longer holds a role that may read the feed.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audit_app.extensions import db
from audit_app.timeutil import utcnow


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # What the owner calls it ("Power BI headline report"), to tell their tokens apart.
    name: Mapped[str] = mapped_column(String(80))
    # Hex SHA-256 of the token: found by its hash, so the token is never stored or compared.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # Set by one UPDATE at each use, with the checks that the token may be used.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship("User")

    def state(self, now):
        """ "active", "expired" or "revoked" at `now` (naive UTC)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"
