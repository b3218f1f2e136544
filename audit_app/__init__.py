"""Case-file audit and moderation tool: the application factory."""

import secrets
from pathlib import Path

from flask import Flask, render_template
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from audit_app import inputs, logs
from audit_app.extensions import (
    csrf,
    db,
    login_manager,
    migrate,
    skip_postgresql_jit,
    wait_for_sqlite_writers,
)
from audit_app.kept_secrets import kept_secret
from config import config_for

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name=None, overrides=None):
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    config = config_for(config_name)
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    if not app.config.get("SECRET_KEY") and app.config.get("SECRET_KEY_FILE"):
        app.config["SECRET_KEY"] = kept_secret(app.config["SECRET_KEY_FILE"],
                                               lambda: secrets.token_hex(32))
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value (for example: python -c 'import secrets; print(secrets.token_hex(32))') "
            "before starting the app in production."
        )
    if config.ENV_NAME == "production":
        app.debug = False
    logs.configure(app)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    # Before any route is added: ids in URLs are held to what the database can store.
    app.url_map.converters["int"] = inputs.IdConverter

    db.init_app(app)
    with app.app_context():
        wait_for_sqlite_writers(db.engine)
        skip_postgresql_jit(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)

    from audit_app import auth, cli, security, templating
    from audit_app.actions import bp as actions_bp
    from audit_app.admin import bp as admin_bp
    from audit_app.audit_templates import bp as templates_bp
    from audit_app.audits import bp as audits_bp
    from audit_app.auth import bp as auth_bp
    from audit_app.auth import sso
    from audit_app.cases import bp as cases_bp
    from audit_app.dashboard import bp as dashboard_bp
    from audit_app.dip_samples import bp as dip_samples_bp
    from audit_app.feed import bp as feed_bp
    from audit_app.health import bp as health_bp
    from audit_app.main import bp as main_bp
    from audit_app.moderation import bp as moderation_bp
    from audit_app.plan.routes import bp as plan_bp
    from audit_app.programmes import bp as programmes_bp
    from audit_app.reports import bp as reports_bp
    from audit_app.results_import import bp as results_import_bp

    auth.init_login_manager(login_manager)
    sso.init_app(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(templates_bp, url_prefix="/admin/templates")
    app.register_blueprint(cases_bp, url_prefix="/cases")
    app.register_blueprint(dashboard_bp, url_prefix="/dashboard")
    app.register_blueprint(programmes_bp, url_prefix="/programmes")
    app.register_blueprint(audits_bp, url_prefix="/audits")
    app.register_blueprint(moderation_bp, url_prefix="/moderation")
    app.register_blueprint(reports_bp, url_prefix="/reports")
    app.register_blueprint(actions_bp, url_prefix="/actions")
    app.register_blueprint(dip_samples_bp, url_prefix="/dip-samples")
    app.register_blueprint(results_import_bp, url_prefix="/import-results")
    app.register_blueprint(plan_bp, url_prefix="/plan")
    app.register_blueprint(feed_bp, url_prefix="/feed")
    cli.register(app)
    templating.register(app)

    app.before_request(inputs.refuse_bad_query_string)
    app.before_request(security.enforce_idle_timeout)
    app.after_request(security.set_security_headers)
    register_error_pages(app)
    return app


def register_error_pages(app):
    from flask_wtf.csrf import CSRFError

    def page(status, template):
        def handler(error):
            return render_template(template, error=error), status

        return handler

    app.register_error_handler(400, page(400, "errors/400.html"))
    app.register_error_handler(
        inputs.BadInput,
        lambda error: (render_template("errors/400.html", message=error.description), 400))
    app.register_error_handler(CSRFError, page(400, "errors/csrf.html"))
    app.register_error_handler(403, page(403, "errors/403.html"))
    app.register_error_handler(404, page(404, "errors/404.html"))
    app.register_error_handler(405, page(405, "errors/405.html"))
    app.register_error_handler(409, page(409, "errors/409.html"))
    app.register_error_handler(413, page(413, "errors/413.html"))

    def server_error(error):
        db.session.rollback()
        return render_template("errors/500.html"), 500

    app.register_error_handler(500, server_error)
