"""Role checks for views. Record-level checks live with each area's services."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles):
    """Signed-in users holding any of `roles` pass; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
