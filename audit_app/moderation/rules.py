"""Pure rules of moderation, shared by the workflow, the sampler and the measures.

The final grade and the comparison are defined beside the model, in
audit_app/models/moderation.py (`final`, `compare_ranks`), so SQL and Python share them.
"""


def compared_items(version):
    """(item, label, domain, question) compared in moderation: the overall judgement (when the
    template has one) and every graded question that measures a domain, in form order."""
    items = []
    if version.has_overall:
        items.append(("overall", "Overall judgement", None, None))
    for section in version.sections:
        for question in section.questions:
            if question.kind == "graded" and question.domain:
                items.append((question.key, question.text, question.domain, question))
    return items


def may_moderate(user, audit):
    """Moderators never moderate their own audits."""
    return user.has_role("moderator") and audit.auditor_id != user.id
