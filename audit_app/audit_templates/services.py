"""Building, publishing and versioning audit templates, each change recorded in the event log.

The rules:
- Only a draft version changes. A published version never does, nor does any version that
  audits use: editing a published template means making a new draft (`new_draft`), a deep
  copy of the latest published version. A template has at most one draft.
- Every change to a draft names the draft's `row_version` the editor started from (`seen`).
  The lock is the whole draft, not one section or question, because positions and question
  keys span the draft: two admins changing it at once get a conflict, never an overwrite.
- Publishing checks the whole version and lists every problem (`PublishError`).
"""

from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from flask_login import current_user
from sqlalchemy import func, insert, select

from audit_app.audit_templates import jsonio
from audit_app.audit_templates.rules import (
    KEY_RE,
    KEY_RULE,
    SLUG_RE,
    SLUG_RULE,
    clean_text,
    scale_problems,
    slugify,
)
from audit_app.eventlog import changes, record, snapshot
from audit_app.extensions import db
from audit_app.models import Audit, AuditTemplate, TemplateQuestion, TemplateSection
from audit_app.models import TemplateVersion as Version
from audit_app.models.templates import DOMAINS, DRAFT, PUBLISHED, PURPOSES, QUESTION_KINDS
from audit_app.timeutil import utcnow
from audit_app.versioning import claim

TEMPLATE_FIELDS = ("name", "slug", "purpose")
VERSION_FIELDS = ("number", "status", "has_overall", "scale", "good_or_better")
SETTINGS_TEMPLATE_FIELDS = ("name", "purpose")
SETTINGS_VERSION_FIELDS = ("has_overall", "scale", "good_or_better")
SECTION_FIELDS = ("position", "title", "description")
QUESTION_FIELDS = (
    "position", "key", "text", "guidance", "kind", "required", "domain", "evidence_required",
)
DIRECTIONS = ("up", "down")
# The built-in templates: JSON files in the export format.
BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


class FieldError(ValueError):
    """Bad values for a form: `problems` is a list of (field name, message)."""

    def __init__(self, field, message=None):
        self.problems = [(field, message)] if message is not None else list(field)
        super().__init__("; ".join(message for _, message in self.problems))


class VersionLockedError(ValueError):
    """The version is published or used by audits, so it can never change."""


class DraftExistsError(ValueError):
    """The template already has a draft; there is only ever one at a time."""


class Problem(NamedTuple):
    text: str
    target: str | None = None  # the id of the element on the version page it is about


class PublishError(ValueError):
    """The version is not ready to publish; `problems` lists everything to fix."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(p.text for p in self.problems))


def _actor(actor):
    if actor is None and current_user and current_user.is_authenticated:
        return current_user
    return actor


def _label(version):
    return f"Version {version.number} of {version.template.name}"


def _in_use(version):
    if version.id is None:
        return False
    query = select(Audit.id).where(Audit.template_version_id == version.id).limit(1)
    return db.session.scalar(query) is not None


def _change(version, seen):
    """Refuse any change to a locked version; else claim the draft at `seen` (one UPDATE,
    audit_app/versioning.py) before anything changes: a draft changed since is a conflict,
    and the draft stays claimed until the transaction ends. The caller rolls back a change
    refused for bad values, claim and all."""
    if version.status != DRAFT:
        raise VersionLockedError(
            f"{_label(version)} is published, so it cannot change. "
            f"Create a new draft to make changes."
        )
    if _in_use(version):
        raise VersionLockedError(f"{_label(version)} is used by audits, so it "
                                 f"cannot change.")
    claim(version, seen, Version.status == DRAFT)


def _resort(items):
    # Keep the loaded collection in position order, as a fresh load would be.
    items.sort(key=attrgetter("position"))


def _renumber(items):
    for position, item in enumerate(items, start=1):
        item.position = position


# Templates and their settings ------------------------------------------------------------


def _scale_values(values):
    grades = [g.strip() for g in values["scale"]]
    problems = scale_problems(grades, values["good_or_better"])
    if problems:
        raise FieldError(problems)
    return grades


def _check_purpose(purpose):
    if purpose not in PURPOSES:
        raise FieldError("purpose", "Select the purpose of the template")


def _check_name(name):
    name = (name or "").strip()
    if not name:
        raise FieldError("name", "Enter a name")
    return name


def _template_by_slug(slug):
    return db.session.scalar(select(AuditTemplate).where(AuditTemplate.slug == slug))


def _check_slug(slug, derived):
    if not SLUG_RE.match(slug or ""):
        if derived:
            raise FieldError("slug", "Enter a slug: the name has no letters or numbers to "
                                     "make one from")
        raise FieldError("slug", f"Enter a slug that will work in a web address: {SLUG_RULE}")
    if _template_by_slug(slug) is not None:
        made = " (made from the name)" if derived else ""
        raise FieldError("slug", f"A template with the slug {slug}{made} already exists. "
                                 f"Enter a different slug.")


def create_template(*, name, slug=None, purpose, has_overall=True, scale, good_or_better,
                    actor=None):
    """A new template with an empty draft version 1."""
    name = _check_name(name)
    slug = (slug or "").strip()
    derived = not slug
    slug = slug or slugify(name)
    _check_slug(slug, derived)
    _check_purpose(purpose)
    grades = _scale_values({"scale": scale, "good_or_better": good_or_better})
    template = AuditTemplate(name=name, slug=slug, purpose=purpose)
    version = Version(number=1, status=DRAFT, has_overall=has_overall, scale=grades,
                      good_or_better=good_or_better)
    template.versions.append(version)
    db.session.add(template)
    db.session.flush()
    record("audit_template", template.id, "created", after=snapshot(template, TEMPLATE_FIELDS),
           actor=actor)
    record("template_version", version.id, "created", after=snapshot(version, VERSION_FIELDS),
           actor=actor)
    return template


def update_settings(version, values, *, seen, actor=None):
    """Name and purpose (the template's, so every version's) and the draft's scale."""
    _change(version, seen)
    template = version.template
    template_values = {"name": _check_name(values["name"]), "purpose": values["purpose"]}
    _check_purpose(template_values["purpose"])
    version_values = {
        "has_overall": bool(values["has_overall"]),
        "scale": _scale_values(values),
        "good_or_better": values["good_or_better"],
    }
    for obj, entity, fields, new in (
        (template, "audit_template", SETTINGS_TEMPLATE_FIELDS, template_values),
        (version, "template_version", SETTINGS_VERSION_FIELDS, version_values),
    ):
        before = snapshot(obj, fields)
        for name, value in new.items():
            setattr(obj, name, value)
        before, after = changes(before, snapshot(obj, fields))
        if after:
            record(entity, obj.id, "updated", before=before, after=after, actor=actor)
    return version


# Sections ---------------------------------------------------------------------------------


def _section_values(values):
    title = (values.get("title") or "").strip()
    if not title:
        raise FieldError("title", "Enter a title for the section")
    return {"title": title, "description": clean_text(values.get("description"))}


def add_section(version, values, *, seen, actor=None):
    _change(version, seen)
    values = _section_values(values)
    section = TemplateSection(position=len(version.sections) + 1, **values)
    version.sections.append(section)
    db.session.flush()
    record("template_section", section.id, "created", actor=actor,
           after={"version_id": version.id, **snapshot(section, SECTION_FIELDS)})
    return section


def edit_section(section, values, *, seen, actor=None):
    _change(section.version, seen)
    values = _section_values(values)
    before = snapshot(section, SECTION_FIELDS)
    for name, value in values.items():
        setattr(section, name, value)
    before, after = changes(before, snapshot(section, SECTION_FIELDS))
    if after:
        record("template_section", section.id, "updated", before=before, after=after,
               actor=actor)
    return section


def remove_section(section, *, seen, actor=None):
    """Remove a section and its questions; the sections after it move up."""
    version = section.version
    _change(version, seen)
    before = {**snapshot(section, SECTION_FIELDS), "questions": [q.key for q in section.questions]}
    version.sections.remove(section)
    _renumber(version.sections)
    record("template_section", section.id, "removed", before=before, actor=actor)


def _move(items, item, direction, entity_type, actor):
    if direction not in DIRECTIONS:
        raise FieldError("direction", "Choose whether to move it up or down")
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return False  # already first or last: nothing to do
    neighbour = items[other]
    item.position, neighbour.position = neighbour.position, item.position
    _resort(items)
    record(entity_type, item.id, "moved", before={"position": neighbour.position},
           after={"position": item.position}, actor=actor)
    return True


def move_section(section, direction, *, seen, actor=None):
    _change(section.version, seen)
    moved = _move(section.version.sections, section, direction, "template_section", actor)
    return moved


# Questions --------------------------------------------------------------------------------


def _key_holder(version, key, exclude=None):
    for s_number, section in enumerate(version.sections, start=1):
        for q_number, question in enumerate(section.questions, start=1):
            if question.key == key and question is not exclude:
                return f"question {q_number} in section {s_number}"
    return None


def _unique_key(version, text):
    base = slugify(text, separator="_", limit=40) or "question"
    key, n = base, 1
    while _key_holder(version, key) is not None:
        n += 1
        key = f"{base}_{n}"
    return key


def _question_values(version, values, exclude=None):
    problems = []
    text = clean_text(values.get("text"))
    if not text:
        problems.append(("text", "Enter the question"))
    key = (values.get("key") or "").strip()
    if not key:
        key = _unique_key(version, text or "")
    elif not KEY_RE.match(key) or len(key) > 80:
        problems.append(("key", f"Enter a key of up to 80 characters: {KEY_RULE}"))
    elif holder := _key_holder(version, key, exclude):
        problems.append(("key", f"The key {key} is already used by {holder}. Keys must be "
                                f"unique within a version."))
    kind = values.get("kind")
    if kind not in QUESTION_KINDS:
        problems.append(("kind", "Select the kind of answer"))
    domain = values.get("domain") or None
    if domain is not None and domain not in DOMAINS:
        problems.append(("domain", "Select a domain from the list"))
    evidence = bool(values.get("evidence_required"))
    if evidence and kind in QUESTION_KINDS and kind != "graded":
        problems.append(("evidence_required",
                         "Only graded questions can require written evidence"))
    if problems:
        raise FieldError(problems)
    return {
        "key": key,
        "text": text,
        "guidance": clean_text(values.get("guidance")),
        "kind": kind,
        "required": bool(values.get("required")),
        "domain": domain,
        "evidence_required": evidence,
    }


def add_question(section, values, *, seen, actor=None):
    version = section.version
    _change(version, seen)
    values = _question_values(version, values)
    question = TemplateQuestion(position=len(section.questions) + 1, **values)
    section.questions.append(question)
    db.session.flush()
    record("template_question", question.id, "created", actor=actor,
           after={"section_id": section.id, **snapshot(question, QUESTION_FIELDS)})
    return question


def edit_question(question, values, *, seen, actor=None):
    version = question.section.version
    _change(version, seen)
    values = _question_values(version, values, exclude=question)
    before = snapshot(question, QUESTION_FIELDS)
    for name, value in values.items():
        setattr(question, name, value)
    before, after = changes(before, snapshot(question, QUESTION_FIELDS))
    if after:
        record("template_question", question.id, "updated", before=before, after=after,
               actor=actor)
    return question


def remove_question(question, *, seen, actor=None):
    section = question.section
    _change(section.version, seen)
    before = {"section_id": section.id, **snapshot(question, QUESTION_FIELDS)}
    section.questions.remove(question)
    _renumber(section.questions)
    record("template_question", question.id, "removed", before=before, actor=actor)


def move_question(question, direction, *, seen, actor=None):
    section = question.section
    _change(section.version, seen)
    moved = _move(section.questions, question, direction, "template_question", actor)
    return moved


# Publishing and versions ---------------------------------------------------------------


def publish_problems(version):
    """Everything that stops the version being published, in page order."""
    problems = [Problem(message, "settings") for _, message in
                scale_problems(list(version.scale or []), version.good_or_better)]
    if not version.sections:
        problems.append(Problem("Add at least one section", None))
    used = {}
    for s_number, section in enumerate(version.sections, start=1):
        target = f"section-{section.id}"
        if not section.questions:
            problems.append(Problem(
                f"Section {s_number} ({section.title}) has no questions: add a question or "
                f"remove the section", target))
        for q_number, q in enumerate(section.questions, start=1):
            where = f"Question {q_number} in section {s_number}"
            target = f"question-{q.id}"
            if not KEY_RE.match(q.key or ""):
                problems.append(Problem(f"{where} has the key {q.key!r}: {KEY_RULE}", target))
            elif q.key in used:
                problems.append(Problem(
                    f"{where} has the key {q.key}, which {used[q.key].lower()} already has: "
                    f"keys must be unique within a version", target))
            else:
                used[q.key] = where
            if q.kind not in QUESTION_KINDS:
                problems.append(Problem(f"{where} has an unknown kind {q.kind!r}", target))
            if q.domain is not None and q.domain not in DOMAINS:
                problems.append(Problem(f"{where} has an unknown domain {q.domain!r}", target))
            if q.evidence_required and q.kind != "graded":
                problems.append(Problem(
                    f"{where} requires evidence but is not graded: only graded questions can "
                    f"require evidence", target))
    return problems


def publish(version, *, seen, actor=None):
    """Publish the draft after checking all of it; from now on it never changes."""
    _change(version, seen)
    problems = publish_problems(version)
    if problems:
        raise PublishError(problems)
    actor = _actor(actor)
    version.status = PUBLISHED
    version.published_at = utcnow()
    version.published_by_id = actor.id if actor is not None else None
    record("template_version", version.id, "published", before={"status": DRAFT},
           after={"status": PUBLISHED}, note=f"{version.template.slug} version {version.number}",
           actor=actor)
    return version


def _next_number(template):
    latest = db.session.scalar(
        select(func.max(Version.number)).where(Version.template_id == template.id)
    )
    return (latest or 0) + 1


def _refuse_second_draft(template):
    draft = template.draft
    if draft is not None:
        fix = "Publish or discard it first." if draft.number > 1 else "Publish it first."
        raise DraftExistsError(
            f"{template.name} already has a draft (version {draft.number}). {fix}"
        )


def new_draft(template, *, actor=None):
    """A draft copy of the latest published version, numbered after every version so far."""
    _refuse_second_draft(template)
    source = template.latest_published
    if source is None:
        raise DraftExistsError(f"{template.name} has no published version to copy.")
    version = Version(number=_next_number(template), status=DRAFT,
                      has_overall=source.has_overall, scale=list(source.scale),
                      good_or_better=source.good_or_better)
    for s in source.sections:
        section = TemplateSection(position=s.position, title=s.title, description=s.description)
        for q in s.questions:
            section.questions.append(TemplateQuestion(
                position=q.position, key=q.key, text=q.text, guidance=q.guidance, kind=q.kind,
                required=q.required, domain=q.domain, evidence_required=q.evidence_required,
            ))
        version.sections.append(section)
    template.versions.append(version)  # from the parent's side, so the session adds it
    db.session.flush()
    record("template_version", version.id, "created", after=snapshot(version, VERSION_FIELDS),
           note=f"copied from version {source.number}", actor=actor)
    return version


def discard_draft(version, *, seen, actor=None):
    """Throw away a later draft. Version 1 is never discarded: it is the template itself."""
    _change(version, seen)
    if version.number == 1:
        raise VersionLockedError("Version 1 cannot be discarded: change it instead.")
    before = {**snapshot(version, VERSION_FIELDS),
              "questions": [q.key for q in version.questions]}
    version_id = version.id
    version.template.versions.remove(version)
    db.session.delete(version)
    db.session.flush()
    record("template_version", version_id, "discarded", before=before, actor=actor)


# Import and export -----------------------------------------------------------------------


def export_json(version):
    return jsonio.dumps(jsonio.export_version(version))


def _insert_content(version, sections):
    """Insert a new version's sections and questions in two statements, not one per row:
    every test's demo organisation loads the built-in templates, so this is hot."""
    if sections:
        ids = db.session.scalars(
            insert(TemplateSection).returning(TemplateSection.id, sort_by_parameter_order=True),
            [{"version_id": version.id, "position": position, "title": s["title"],
              "description": s["description"]} for position, s in enumerate(sections, start=1)],
        ).all()
        rows = [
            {"section_id": section_id, "position": position, **q}
            for section_id, s in zip(ids, sections, strict=True)
            for position, q in enumerate(s["questions"], start=1)
        ]
        if rows:
            db.session.execute(insert(TemplateQuestion), rows)
    db.session.expire(version, ["sections"])


def import_template(spec, *, slug=None, publish_it=False, source=None, actor=None):
    """Make a draft from a checked file (`jsonio.loads`); returns (version, created).

    A new slug makes a new template; a known slug gets a new draft version, and the file's
    name and purpose replace the template's, so exporting the draft gives the file back.
    """
    slug = (slug or "").strip() or spec["slug"]
    if not SLUG_RE.match(slug):
        raise FieldError("slug", f"Enter a slug that will work in a web address: {SLUG_RULE}")
    template = _template_by_slug(slug)
    created = template is None
    if created:
        template = AuditTemplate(name=spec["name"], slug=slug, purpose=spec["purpose"])
        db.session.add(template)
        db.session.flush()
        record("audit_template", template.id, "created",
               after=snapshot(template, TEMPLATE_FIELDS), actor=actor)
    else:
        _refuse_second_draft(template)
        before = snapshot(template, SETTINGS_TEMPLATE_FIELDS)
        template.name, template.purpose = spec["name"], spec["purpose"]
        before, after = changes(before, snapshot(template, SETTINGS_TEMPLATE_FIELDS))
        if after:
            record("audit_template", template.id, "updated", before=before, after=after,
                   actor=actor)
    scale = spec["scale"]
    version = Version(number=1 if created else _next_number(template),
                      status=DRAFT, has_overall=spec["has_overall"],
                      scale=list(scale["grades"]), good_or_better=scale["good_or_better"])
    template.versions.append(version)
    db.session.flush()
    _insert_content(version, spec["sections"])
    # "created", like any new version; the note says it came from a file.
    record("template_version", version.id, "created", actor=actor,
           after={**snapshot(version, VERSION_FIELDS),
                  "sections": len(version.sections), "questions": len(version.questions)},
           note=f"imported from {source}" if source else "imported")
    if publish_it:
        publish(version, seen=version.row_version, actor=actor)
    return version, created


def audit_counts(template):
    """{version id: number of audits using it}, one query."""
    rows = db.session.execute(
        select(Audit.template_version_id, func.count(Audit.id))
        .join(Version, Version.id == Audit.template_version_id)
        .where(Version.template_id == template.id)
        .group_by(Audit.template_version_id)
    )
    return dict(rows.all())


def question_counts(template):
    """{version id: number of questions}, one query."""
    rows = db.session.execute(
        select(TemplateSection.version_id, func.count(TemplateQuestion.id))
        .join(TemplateQuestion, TemplateQuestion.section_id == TemplateSection.id)
        .join(Version, Version.id == TemplateSection.version_id)
        .where(Version.template_id == template.id)
        .group_by(TemplateSection.version_id)
    )
    return dict(rows.all())


def builtin_files():
    return sorted(BUILTIN_DIR.glob("*.json"))


def load_builtin_templates(actor=None):
    """Import and publish each built-in template whose slug is not in the database yet.

    Returns (loaded, present) slugs. Running it again adds nothing, and a council's own
    versions of a built-in template are never overwritten.
    """
    existing = set(db.session.scalars(select(AuditTemplate.slug)))
    loaded, present = [], []
    for path in builtin_files():
        spec = jsonio.loads(path.read_bytes())
        if spec["slug"] in existing:
            present.append(spec["slug"])
            continue
        import_template(spec, publish_it=True, source=f"built-in {path.name}", actor=actor)
        loaded.append(spec["slug"])
    return loaded, present
