from audit_app.moderation.rules import compare_ranks


def test_compare_ranks_direction():
    assert compare_ranks(1, 1) == "agree"
    assert compare_ranks(0, 2) == "auditor_higher"  # Outstanding vs Requires improvement
    assert compare_ranks(3, 1) == "auditor_lower"
    assert compare_ranks(None, 1) is None and compare_ranks(1, None) is None
