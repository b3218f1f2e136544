"""The README's command list works as written for a newcomer after `make run`.

In a fresh copy of the project (with this interpreter's environment as its .venv) the test
does what `make run` does before serving (`make setup`: .env, migrations, demo data), then
runs each command of the README's "Commands" block in a shell, as written: optional flags
([--dry-run]) included, optional values ([--slug S]) left out, and the files they name made
first. Without the .env that `make run` writes, the same commands stop for want of a
SECRET_KEY, as production must.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The environment a newcomer's shell has: none of the app's settings.
UNSET = {"AUDIT_APP_ENV", "SECRET_KEY", "DATABASE_URL", "TEST_DATABASE_URL", "MAIL_SERVER",
         "DEMO_PASSWORD", "OIDC_ISSUER", "OIDC_CLIENT_ID", "FLASK_APP"}


def readme_commands():
    """The command lines of the README's "Commands" block, continuation lines joined."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Commands\n.*?```\n(.*?)```", readme, re.DOTALL).group(1)
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        command = re.sub(r"\s+#.*$", "", line).strip()
        command = re.sub(r"\[(--[a-z-]+)\]", r"\1", command)  # an optional flag: use it
        command = re.sub(r"\s*\[[^\]]*\]", "", command)  # optional values and choices: not
        if command:
            commands.append(command)
    return commands


def project_copy(folder):
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for name in files.splitlines():
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    (folder / ".venv").symlink_to(sys.prefix)  # "make run" made it; here, this environment
    return folder


def shell(command, folder, env, stdin=None):
    return subprocess.run(["bash", "-c", command], cwd=folder, env=env, input=stdin,
                          capture_output=True, text=True, timeout=180)


def test_the_readme_commands_work_after_make_run(tmp_path):
    commands = readme_commands()
    assert len(commands) >= 9 and all(c.startswith(".venv/bin/flask --app wsgi ") for c in commands)
    folder = project_copy(tmp_path / "project")
    env = {k: v for k, v in os.environ.items() if k not in UNSET and not k.startswith("PYTEST")}

    # Before make run, production mode wants a SECRET_KEY.
    refused = shell(commands[0], folder, env)
    assert refused.returncode != 0 and "SECRET_KEY is not set" in refused.stderr

    setup = shell("make -s -o .venv/.installed setup", folder, env)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert (folder / ".env").read_text().splitlines()[-1] == "AUDIT_APP_ENV=development"
    # The files the commands name.
    (folder / "cases.csv").write_text("reference,team,cohorts,opened_on\n"
                                      "LCS-900001,Crewe CIN/CP,child_in_need,2025-01-06\n")
    (folder / "results.csv").write_text(
        "case_reference,team,template,auditor,audited_on,overall\n"
        "LCS-700001,Crewe CIN/CP,whole-case-file,jo.auditor@council.gov.uk,2022-07-01,RI\n")
    template = json.loads((ROOT / "audit_app/audit_templates/builtin/plo.json").read_text())
    template.update(slug="neglect", name="Neglect thematic audit")
    (folder / "neglect.json").write_text(json.dumps(template))

    outputs = {}
    for command in commands:
        stdin = "long-enough-password\nlong-enough-password\n" if "create-user" in command else None
        result = shell(command, folder, env, stdin)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        outputs[command.split()[3]] = result.stdout
    assert "Created jo.bloggs@council.gov.uk" in outputs["create-user"]
    assert "cases.csv is valid" in outputs["import-cases"]
    assert "results.csv is valid; importing it would report: 1 audit" in outputs["import-results"]
    assert '"slug": "whole-case-file"' in outputs["export-template"]
    assert "MAIL_SERVER is not set" in outputs["send-email"]
    assert "Dry run:" in outputs["apply-retention"]
    assert json.loads(outputs["measures"])  # --json: the figures as JSON
    assert "MAIL_SERVER is not set" in outputs["send-reminders"]
    assert (folder / "instance" / "audit.db").exists()  # the copy's own database
