"""Pure rules of moderation, shared by the workflow, the sampler and the measures."""

from audit_app.models.moderation import AGREE, AUDITOR_HIGHER, AUDITOR_LOWER


def compare_ranks(auditor_rank, final_rank):
    """'agree', 'auditor_higher' (auditor's grade better: over-optimistic) or 'auditor_lower'.

    Ranks count from 0 for the best grade, so a smaller auditor rank is a higher grade.
    None when either grade is missing.
    """
    if auditor_rank is None or final_rank is None:
        return None
    if auditor_rank == final_rank:
        return AGREE
    return AUDITOR_HIGHER if auditor_rank < final_rank else AUDITOR_LOWER


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
