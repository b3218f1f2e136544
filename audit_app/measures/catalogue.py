"""The catalogue: every measure by its key, with its words, in the order reports show them.

Keys:
- good_or_better, good_or_better_as_audited (audit_app/measures/good_or_better.py)
- domain_good_or_better:<domain> (audit_app/measures/domain_good_or_better.py)
- compliance:<domain> (audit_app/measures/compliance.py)
- agreement (audit_app/measures/agreement.py)
- moderation_coverage (audit_app/measures/coverage.py)
- actions_on_time, dip_sample_followed_up (audit_app/measures/actions.py)

Each measure belongs to a family, which audit_app/measures/compute.py counts with one query
for all the family's measures: the rates over audits, graded answers or yes/no answers
(audit_app/measures/units.py), moderation coverage, and each of the two action measures
(a family of its own: one query each, over actions rather than audits).
"""

from dataclasses import dataclass

from audit_app.measures import actions, coverage
from audit_app.measures.agreement import AGREEMENT
from audit_app.measures.compliance import COMPLIANCE
from audit_app.measures.domain_good_or_better import DOMAIN_GOOD_OR_BETTER
from audit_app.measures.good_or_better import GOOD_OR_BETTER, GOOD_OR_BETTER_AS_AUDITED
from audit_app.models.templates import DOMAINS

COVERAGE_FAMILY = "moderation_coverage"


@dataclass(frozen=True)
class Measure:
    key: str  # e.g. "good_or_better", "compliance:recording"
    title: str
    numerator_words: str
    denominator_words: str
    family: str  # a unit kind (audit_app/measures/rate.py), COVERAGE_FAMILY or an action
    # measure's key (audit_app/measures/actions.py)
    rate: object = None  # the Rate, for the unit families
    domain: str | None = None
    # A status against a target: only for rates estimated from audits, not for counts of
    # work done against a plan.
    judged: bool = True
    # Counted for the whole council only (a round's quota is not split by team or template).
    whole_council: bool = False

    @property
    def domain_label(self):
        return DOMAINS.get(self.domain) if self.domain else None


# The rates, each once (per-domain ones stand for one measure per domain), in report order.
RATES = [GOOD_OR_BETTER, GOOD_OR_BETTER_AS_AUDITED, AGREEMENT, DOMAIN_GOOD_OR_BETTER, COMPLIANCE]


def _from_rate(rate, domain=None):
    key = f"{rate.key}:{domain}" if domain else rate.key
    title = f"{rate.title}: {DOMAINS[domain].lower()}" if domain else rate.title
    return Measure(key=key, title=title, numerator_words=rate.numerator_words,
                   denominator_words=rate.denominator_words, family=rate.unit, rate=rate,
                   domain=domain)


def _measures():
    measures = []
    for rate in RATES:
        if rate.per_domain:
            measures.extend(_from_rate(rate, domain) for domain in DOMAINS)
        else:
            measures.append(_from_rate(rate))
    measures.append(Measure(
        key=coverage.KEY, title=coverage.TITLE, numerator_words=coverage.NUMERATOR_WORDS,
        denominator_words=coverage.DENOMINATOR_WORDS, family=COVERAGE_FAMILY, judged=False,
        whole_council=True))
    for key, (title, numerator_words, denominator_words) in actions.WORDS.items():
        measures.append(Measure(key=key, title=title, numerator_words=numerator_words,
                                denominator_words=denominator_words, family=key))
    return measures


MEASURES = _measures()
BY_KEY = {measure.key: measure for measure in MEASURES}
# The keys people type: a per-domain rate's key is followed by ":<domain>".
PER_DOMAIN = {rate.key for rate in RATES if rate.per_domain}


def find(key):
    """The measure with this key; ValueError naming what is wrong."""
    measure = BY_KEY.get(key)
    if measure is not None:
        return measure
    base, _, domain = (key or "").partition(":")
    if base in PER_DOMAIN:
        raise ValueError(f"unknown domain {domain!r} in measure {key!r}: domains are "
                         f"{', '.join(DOMAINS)}")
    raise ValueError(f"unknown measure {key!r}: measures are "
                     f"{', '.join(sorted({m.key.partition(':')[0] for m in MEASURES}))} "
                     "(domain measures as domain_good_or_better:<domain>, "
                     "compliance:<domain>)")
