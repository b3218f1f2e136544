"""Rules shared by the forms, the services and the JSON validator. No Flask, no database."""

import re

# Template slugs go in URLs and file names; question keys are compared across versions.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
SLUG_MAX, KEY_MAX, NAME_MAX, TITLE_MAX = 80, 80, 200, 200
# Audit.overall_grade is 60 characters; a longer label could not be stored as a grade.
GRADE_MAX = 60

SLUG_RULE = "use lowercase letters, numbers and single hyphens, like whole-case-file"
KEY_RULE = "use lowercase letters, numbers, and single hyphens or underscores, like voice_of_child"


def slugify(text, separator="-", limit=SLUG_MAX):
    """'Whole case file audit (2024)' -> 'whole-case-file-audit-2024'."""
    words = re.findall(r"[a-z0-9]+", (text or "").lower())
    slug = ""
    for word in words:
        candidate = f"{slug}{separator}{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug


def clean_text(value):
    """Trimmed text with Unix line endings; None when nothing is left."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None


def scale_problems(grades, good_or_better):
    """Problems with a judgement scale, as (field, message) pairs; [] when it is fine."""
    problems = []
    if len(grades) < 2:
        problems.append(("grades", "A judgement scale needs at least 2 grades"))
    seen = set()
    for grade in grades:
        if not grade:
            problems.append(("grades", "A grade cannot be blank"))
        elif len(grade) > GRADE_MAX:
            problems.append(("grades", f"Grade {grade!r} must be {GRADE_MAX} characters or fewer"))
        elif grade.lower() in seen:
            problems.append(("grades", f"Grade {grade!r} appears more than once"))
        seen.add((grade or "").lower())
    if len(grades) >= 2 and not 1 <= good_or_better < len(grades):
        problems.append((
            "good_or_better",
            f"The number of grades that count as good or better must be between 1 and "
            f"{len(grades) - 1}",
        ))
    return problems
