"""Templates as JSON files: export a version, and read a file back with errors that name the
bad element (`sections[2].questions[0].kind: "grade" is not one of ...`).

The format, "case-audit-template/1":

    {"format": "case-audit-template/1", "name": ..., "slug": ..., "purpose": ...,
     "has_overall": true, "scale": {"grades": [best first...], "good_or_better": 2},
     "sections": [{"title": ..., "description": ... or null,
                   "questions": [{"key": ..., "text": ..., "guidance": ... or null,
                                  "kind": ..., "required": true, "domain": ... or null,
                                  "evidence_required": false}]}]}

Export always writes every key, in this order; import also accepts a question without
guidance, required, domain or evidence_required, and a section without a description
(null, true, null, false). The validator is hand-written so the messages can say exactly
where the problem is, and it reports every problem, not only the first.
"""

import json
import re

from audit_app.audit_templates.rules import (
    GRADE_MAX,
    KEY_MAX,
    KEY_RE,
    KEY_RULE,
    NAME_MAX,
    SLUG_MAX,
    SLUG_RE,
    SLUG_RULE,
    TITLE_MAX,
    clean_text,
)
from audit_app.inputs import describe_character, forbidden_character
from audit_app.models.templates import DOMAINS, PURPOSES, QUESTION_KINDS

FORMAT = "case-audit-template/1"
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20  # the format nests 5 deep (sections[].questions[].key)

# Every key each object may have, in export order.
TOP_KEYS = ("format", "name", "slug", "purpose", "has_overall", "scale", "sections")
SCALE_KEYS = ("grades", "good_or_better")
SECTION_KEYS = ("title", "description", "questions")
QUESTION_KEYS = ("key", "text", "guidance", "kind", "required", "domain", "evidence_required")


class TemplateFileError(ValueError):
    """A file that cannot be imported; `errors` lists every problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# Export ---------------------------------------------------------------------------------


def export_version(version):
    """The version as a JSON-ready dict, keys in the documented order."""
    template = version.template
    return {
        "format": FORMAT,
        "name": template.name,
        "slug": template.slug,
        "purpose": template.purpose,
        "has_overall": version.has_overall,
        "scale": {"grades": list(version.scale), "good_or_better": version.good_or_better},
        "sections": [
            {
                "title": section.title,
                "description": section.description,
                "questions": [
                    {
                        "key": q.key,
                        "text": q.text,
                        "guidance": q.guidance,
                        "kind": q.kind,
                        "required": q.required,
                        "domain": q.domain,
                        "evidence_required": q.evidence_required,
                    }
                    for q in section.questions
                ],
            }
            for section in version.sections
        ],
    }


def dumps(data):
    """Stable text: the same template always gives the same bytes."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def file_name(version):
    return f"{version.template.slug}-v{version.number}.json"


# Import ---------------------------------------------------------------------------------


class _Object(dict):
    """A JSON object that remembers keys given more than once (json keeps only the last)."""

    duplicates = ()


def _object_pairs(pairs):
    obj = _Object()
    duplicates = []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
        obj[key] = value
    obj.duplicates = duplicates
    return obj


def loads(raw):
    """The canonical template dict from a file's bytes or text; TemplateFileError if bad."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_FILE_BYTES:
            raise TemplateFileError(["the file is larger than 1 MB"])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise TemplateFileError(
                [f"not UTF-8 text (the byte at position {error.start} is not valid UTF-8)"]
            ) from None
    try:
        data = json.loads(raw, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as error:
        raise TemplateFileError(
            [f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"]
        ) from None
    except RecursionError:
        raise TemplateFileError([f"lists or objects are nested more than {MAX_DEPTH} deep "
                                 f"({_where(raw, _too_deep(raw))}); a template file needs 5"]
                                ) from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        long_number = re.search(r"\d{4300,}", raw)
        raise TemplateFileError([f"a number in the file has too many digits "
                                 f"({_where(raw, long_number.start() if long_number else None)})"]
                                ) from None
    return validate(data)


def _where(raw, index):
    """"line L, column C" of a character of the file, as the JSON parser's messages say it."""
    if index is None:
        return "somewhere in the file"
    line = raw.count("\n", 0, index) + 1
    return f"line {line}, column {index - (raw.rfind(chr(10), 0, index) + 1) + 1}"


def _too_deep(raw):
    """Where the first list or object past MAX_DEPTH opens (brackets in strings skipped)."""
    depth, in_string, escaped = 0, False, False
    for index, char in enumerate(raw):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return index
        elif char in "]}":
            depth -= 1
    return None


def _content_problems(data):
    """Lists nested too deep, and text (keys included) holding characters no stored text may
    hold: a NUL, another control character, an unpaired surrogate ("\\ud800"). Checked
    before anything else, so no message quotes such text."""
    problems, stack = [], [(data, "", 0)]
    while stack and len(problems) < 20:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            return [f"{path or 'the file'}: nested more than {MAX_DEPTH} deep; a template "
                    "file needs 5"]
        if isinstance(value, str):
            char = forbidden_character(value)
            if char:
                problems.append(f"{path or 'the file'}: contains {describe_character(char)}")
        elif isinstance(value, list):
            stack.extend((item, f"{path}[{i}]", depth + 1)
                         for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                char = forbidden_character(key)
                if char:
                    problems.append(f"{path or 'the file'}: a key contains "
                                    f"{describe_character(char)}")
                else:
                    stack.append((item, _path(path, key), depth + 1))
    return problems


def validate(data):
    """Check a parsed file; return it canonical (defaults filled, text trimmed) or raise."""
    problems = _content_problems(data)
    if problems:
        raise TemplateFileError(problems)
    checker = _Checker()
    result = checker.template(data)
    if checker.errors:
        raise TemplateFileError(checker.errors)
    return result


def _describe(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f'the text "{shown}"'
    if isinstance(value, list):
        return "a list"
    return "an object"


def _path(parent, key):
    return f"{parent}.{key}" if parent else key


def _one_of(options):
    return ", ".join(options)


class _Checker:
    """Walks the file in its own order, so problems are listed as they appear in it."""

    def __init__(self):
        self.errors = []

    def error(self, path, message):
        self.errors.append(f"{path or 'the file'}: {message}")

    # Building blocks ---------------------------------------------------------------

    def object(self, value, path, allowed):
        """The object if it is one; records repeated and unknown keys (missing ones are
        recorded by the accessors below, in order)."""
        if not isinstance(value, dict):
            self.error(path, f"expected an object, got {_describe(value)}")
            return None
        for key in getattr(value, "duplicates", ()):
            self.error(_path(path, key), "given more than once")
        for key in value:
            if key not in allowed:
                self.error(_path(path, key), f"unknown key (expected {_one_of(allowed)})")
        return value

    def has(self, obj, key, path, required=True):
        if key in obj:
            return True
        if required:
            self.error(_path(path, key), "missing")
        return False

    def text(self, obj, key, path, limit=None, nullable=False, multiline=False):
        if not self.has(obj, key, path, required=not nullable):
            return None
        path, value = _path(path, key), obj[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            expected = "a string or null" if nullable else "a string"
            self.error(path, f"expected {expected}, got {_describe(value)}")
            return None
        value = clean_text(value) if multiline else value.strip()
        if not value:
            if not nullable:
                self.error(path, "must not be empty")
            return None
        if limit and len(value) > limit:
            self.error(path, f"must be {limit} characters or fewer")
        return value

    def boolean(self, obj, key, path, default=None):
        if not self.has(obj, key, path, required=default is None):
            return default
        value = obj[key]
        if not isinstance(value, bool):
            self.error(_path(path, key), f"expected true or false, got {_describe(value)}")
            return default
        return value

    def choice(self, obj, key, path, options, nullable=False):
        if not self.has(obj, key, path, required=not nullable):
            return None
        value = obj[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str) or value not in options:
            shown = f'"{value}"' if isinstance(value, str) else _describe(value)
            self.error(_path(path, key), f"{shown} is not one of {_one_of(options)}")
            return None
        return value

    def array(self, obj, key, path):
        if not self.has(obj, key, path):
            return []
        value = obj[key]
        if not isinstance(value, list):
            self.error(_path(path, key), f"expected a list, got {_describe(value)}")
            return []
        return value

    # The format --------------------------------------------------------------------

    def template(self, data):
        obj = self.object(data, "", TOP_KEYS)
        if obj is None:
            return None
        if self.has(obj, "format", "") and obj["format"] != FORMAT:
            shown = _describe(obj["format"])
            self.error("format", f'{shown} is not a supported format: expected "{FORMAT}"')
        name = self.text(obj, "name", "", NAME_MAX)
        slug = self.text(obj, "slug", "", SLUG_MAX)
        if slug and not SLUG_RE.match(slug):
            self.error("slug", f'"{slug}" is not a valid slug: {SLUG_RULE}')
        result = {
            "name": name,
            "slug": slug,
            "purpose": self.choice(obj, "purpose", "", list(PURPOSES)),
            "has_overall": self.boolean(obj, "has_overall", ""),
            "scale": self.scale(obj["scale"]) if self.has(obj, "scale", "") else None,
        }
        keys = {}
        result["sections"] = [
            self.section(section, f"sections[{i}]", keys)
            for i, section in enumerate(self.array(obj, "sections", ""))
        ]
        return result

    def scale(self, value):
        obj = self.object(value, "scale", SCALE_KEYS)
        if obj is None:
            return None
        grades, seen = [], {}
        for i, grade in enumerate(self.array(obj, "grades", "scale")):
            path = f"scale.grades[{i}]"
            if not isinstance(grade, str):
                self.error(path, f"expected a string, got {_describe(grade)}")
                continue
            grade = grade.strip()
            if not grade:
                self.error(path, "must not be empty")
            elif len(grade) > GRADE_MAX:
                self.error(path, f"must be {GRADE_MAX} characters or fewer")
            elif grade.lower() in seen:
                self.error(path, f'"{grade}" is already scale.grades[{seen[grade.lower()]}]')
            seen.setdefault(grade.lower(), i)
            grades.append(grade)
        if isinstance(obj.get("grades"), list) and len(obj["grades"]) < 2:
            self.error("scale.grades", "a judgement scale needs at least 2 grades")
        good = None
        if self.has(obj, "good_or_better", "scale"):
            good = obj["good_or_better"]
            if isinstance(good, bool) or not isinstance(good, int):
                shown = _describe(good)
                self.error("scale.good_or_better", f"expected a whole number, got {shown}")
                good = None
            elif len(grades) >= 2 and not 1 <= good < len(grades):
                self.error(
                    "scale.good_or_better",
                    f"must be between 1 and {len(grades) - 1} (the number of grades, best "
                    f"first, that count as good or better)",
                )
        return {"grades": grades, "good_or_better": good}

    def section(self, value, path, keys):
        obj = self.object(value, path, SECTION_KEYS)
        if obj is None:
            return None
        return {
            "title": self.text(obj, "title", path, TITLE_MAX),
            "description": self.text(obj, "description", path, nullable=True, multiline=True),
            "questions": [
                self.question(question, f"{path}.questions[{i}]", keys)
                for i, question in enumerate(self.array(obj, "questions", path))
            ],
        }

    def question(self, value, path, keys):
        obj = self.object(value, path, QUESTION_KEYS)
        if obj is None:
            return None
        key = self.text(obj, "key", path, KEY_MAX)
        if key and not KEY_RE.match(key):
            self.error(_path(path, "key"), f'"{key}" is not a valid key: {KEY_RULE}')
        elif key in keys:
            self.error(_path(path, "key"), f'"{key}" is already used by {keys[key]}')
        elif key:
            keys[key] = path
        text = self.text(obj, "text", path, multiline=True)
        guidance = self.text(obj, "guidance", path, nullable=True, multiline=True)
        kind = self.choice(obj, "kind", path, list(QUESTION_KINDS))
        required = self.boolean(obj, "required", path, default=True)
        domain = self.choice(obj, "domain", path, list(DOMAINS), nullable=True)
        evidence = self.boolean(obj, "evidence_required", path, default=False)
        if evidence and kind and kind != "graded":
            self.error(
                _path(path, "evidence_required"),
                f'only graded questions can require evidence (this one is "{kind}")',
            )
        return {"key": key, "text": text, "guidance": guidance, "kind": kind,
                "required": required, "domain": domain, "evidence_required": evidence}
