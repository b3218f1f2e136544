"""Property-based checks (hypothesis) for the statistics package."""

from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.stats import (
    clopper_pearson_interval,
    cohen_kappa,
    grade_bias,
    gwet_ac1,
    percent_agreement,
    wilson_interval,
)

# database=None: keep hypothesis from writing a .hypothesis/ directory into the repo.
SETTINGS = settings(database=None, max_examples=200, deadline=None)
LABELS = ["Outstanding", "Good", "Requires improvement to be good", "Inadequate"]

counts = st.integers(min_value=0, max_value=2000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
)
confidences = st.floats(min_value=0.5, max_value=0.999)


@st.composite
def rating_pairs(draw, min_size=0):
    n = draw(st.integers(min_value=min_size, max_value=60))
    label = st.one_of(st.none(), st.sampled_from(LABELS))
    return draw(st.lists(label, min_size=n, max_size=n)), draw(
        st.lists(label, min_size=n, max_size=n)
    )


@SETTINGS
@given(counts, confidences)
def test_intervals_are_ordered_inside_unit_interval_and_contain_estimate(kn, confidence):
    k, n = kn
    for low, high in (
        wilson_interval(k, n, confidence),
        clopper_pearson_interval(k, n, confidence),
    ):
        assert 0.0 <= low <= high <= 1.0
        if n:
            assert low <= k / n <= high


@SETTINGS
@given(rating_pairs())
def test_percent_agreement_inside_its_interval(pairs):
    result = percent_agreement(*pairs, categories=LABELS)
    if result.n:
        assert result.ci_low <= result.value <= result.ci_high
    else:
        assert result.value is None


@SETTINGS
@given(rating_pairs(), st.sampled_from([None, "linear", "quadratic"]))
def test_kappa_symmetric_and_bounded(pairs, weights):
    a, b = pairs
    ab = cohen_kappa(a, b, LABELS, weights)
    ba = cohen_kappa(b, a, LABELS, weights)
    if ab.kappa is None:
        assert ba.kappa is None and ab.reason
        return
    assert abs(ab.kappa - ba.kappa) < 1e-9
    assert abs(ab.se - ba.se) < 1e-9
    assert -1.0 - 1e-9 <= ab.kappa <= 1.0 + 1e-9
    assert ab.se >= 0.0
    assert -1.0 <= ab.ci_low <= ab.ci_high <= 1.0


@SETTINGS
@given(rating_pairs())
def test_ac1_at_most_one_and_symmetric(pairs):
    a, b = pairs
    ab, ba = gwet_ac1(a, b, LABELS), gwet_ac1(b, a, LABELS)
    if ab.ac1 is None:
        assert ab.n == 0 and ab.reason
        return
    assert ab.ac1 <= 1.0 + 1e-12
    assert abs(ab.ac1 - ba.ac1) < 1e-9
    assert ab.se >= 0.0
    assert -1.0 <= ab.ci_low <= ab.ci_high <= 1.0


@SETTINGS
@given(rating_pairs())
def test_grade_bias_partitions_pairs_and_mirrors(pairs):
    a, b = pairs
    ab, ba = grade_bias(a, b, LABELS), grade_bias(b, a, LABELS)
    assert ab.higher + ab.lower + ab.equal == ab.n
    assert (ab.higher, ab.lower) == (ba.lower, ba.higher)
    assert 0.0 <= ab.p_value <= 1.0
    if ab.n:
        assert abs(ab.mean_difference + ba.mean_difference) < 1e-12
