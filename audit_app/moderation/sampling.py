"""Drawing a moderation sample from a frame of submitted audits. Pure: no Flask, no database.

A draw is reproducible from three things the round stores: the seed, the method and the
frame. The frame is sorted by audit id before drawing, and the generator's calls happen in
a fixed order, so the same inputs always give the same audits in the same order.
"""

from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

SIMPLE_RANDOM = "simple_random"
STRATIFIED_TEAM = "stratified_team"
STRATIFIED_AUDITOR = "stratified_auditor"
TARGETED = "targeted"
TARGETED_THEN_RANDOM = "targeted_then_random"
METHODS = (SIMPLE_RANDOM, STRATIFIED_TEAM, STRATIFIED_AUDITOR, TARGETED, TARGETED_THEN_RANDOM)
# Methods where people may add audits by hand, on top of the rule-based picks.
HAND_PICK_METHODS = (TARGETED, TARGETED_THEN_RANDOM)

# Why each audit was drawn: codes, stored as they are (models.moderation.SAMPLE_REASONS has
# the words). Stratified draws give their method's code.
RANDOM = "random"
PICKED_BY_HAND = "hand_picked"
JUDGED_TOP = "targeted_top"  # judged the best grade of its template's scale
JUDGED_BOTTOM = "targeted_bottom"  # judged the worst

MAX_SEED = 2**63 - 1  # the round stores the seed in a signed 64-bit column


@dataclass(frozen=True)
class FrameRecord:
    """One submitted audit that could be drawn. overall_rank 0 is the best grade."""

    audit_id: int
    team_id: int
    auditor_id: int
    overall_rank: int | None
    scale_size: int


def draw_sample(frame, method, quota, seed, hand_picked=()):
    """[(audit_id, reason code)] in draw order.

    Random methods draw min(quota, frame size) audits. Targeted takes every audit judged
    at either end of its own scale (by rank: the best or the worst grade, whatever the
    labels), whatever the quota, plus any `hand_picked` audit ids;
    targeted_then_random then fills up to the quota at random from the rest.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown sampling method: {method!r}")
    if quota < 1:
        raise ValueError("The quota must be 1 or more")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"The seed must be between 0 and {MAX_SEED}")
    frame = sorted(frame, key=lambda r: r.audit_id)
    ids = [r.audit_id for r in frame]
    if len(set(ids)) != len(ids):
        raise ValueError("The frame lists an audit more than once")
    hand_picked = list(dict.fromkeys(hand_picked))
    if hand_picked and method not in HAND_PICK_METHODS:
        raise ValueError("Audits can only be picked by hand in a targeted round")
    unknown = set(hand_picked) - set(ids)
    if unknown:
        raise ValueError(f"Picked audits are not in the frame: {sorted(unknown)}")
    rng = np.random.default_rng(seed)

    if method == SIMPLE_RANDOM:
        return _simple_random(frame, quota, rng)
    if method == STRATIFIED_TEAM:
        return _stratified_team(frame, quota, rng)
    if method == STRATIFIED_AUDITOR:
        return _stratified_auditor(frame, quota, rng)
    chosen = _targeted(frame, hand_picked)
    if method == TARGETED:
        return chosen
    taken = {audit_id for audit_id, _ in chosen}
    rest = [r for r in frame if r.audit_id not in taken]
    return chosen + _simple_random(rest, quota - len(chosen), rng)


def _simple_random(frame, quota, rng):
    if quota <= 0 or not frame:
        return []
    order = rng.permutation(len(frame))[: min(quota, len(frame))]
    return [(frame[i].audit_id, RANDOM) for i in order]


def _targeted(frame, hand_picked):
    chosen = []
    for record in frame:
        if record.overall_rank is None:
            continue  # templates without an overall judgement are never targeted
        if record.overall_rank == 0:
            chosen.append((record.audit_id, JUDGED_TOP))
        elif record.overall_rank == record.scale_size - 1:
            chosen.append((record.audit_id, JUDGED_BOTTOM))
    taken = {audit_id for audit_id, _ in chosen}
    chosen.extend((audit_id, PICKED_BY_HAND) for audit_id in hand_picked if audit_id not in taken)
    return chosen


def proportional_allocation(sizes, quota):
    """{stratum: n drawn} for {stratum: frame size}, in proportion, summing to min(quota, N).

    Largest-remainder (Hamilton) rounding; ties go to the larger stratum, then the smaller
    key. When the quota covers every stratum, each gets at least one: a stratum rounded to
    nothing takes one from the stratum most over its exact share.
    """
    keys = sorted(k for k, n in sizes.items() if n > 0)
    total = sum(sizes[k] for k in keys)
    quota = min(quota, total)
    if quota <= 0:
        return {k: 0 for k in sizes}
    # Exact shares as fractions, so rounding never depends on floating point.
    shares = {k: Fraction(quota * sizes[k], total) for k in keys}
    allocation = {k: int(shares[k]) for k in keys}
    left = quota - sum(allocation.values())
    by_remainder = sorted(keys, key=lambda k: (-(shares[k] - allocation[k]), -sizes[k], k))
    for k in by_remainder[:left]:
        allocation[k] += 1
    if quota >= len(keys):
        for k in keys:
            if allocation[k] == 0:
                # max() keeps the first of equals: the smallest key, as keys are sorted.
                donor = max((d for d in keys if allocation[d] > 1),
                            key=lambda d: (allocation[d] - shares[d], sizes[d]))
                allocation[donor] -= 1
                allocation[k] = 1
    return {k: allocation.get(k, 0) for k in sizes}


def _stratified_team(frame, quota, rng):
    by_team = defaultdict(list)
    for record in frame:
        by_team[record.team_id].append(record)
    allocation = proportional_allocation({t: len(rs) for t, rs in by_team.items()}, quota)
    chosen = []
    for team_id in sorted(by_team):  # fixed order keeps the generator's calls reproducible
        members = by_team[team_id]
        picks = rng.permutation(len(members))[: allocation[team_id]]
        chosen.extend((members[i].audit_id, STRATIFIED_TEAM) for i in picks)
    return chosen


def _stratified_auditor(frame, quota, rng):
    """Auditors in random order, each one's audits in random order, then round-robin: every
    auditor is covered once before anyone is covered twice."""
    by_auditor = defaultdict(list)
    for record in frame:
        by_auditor[record.auditor_id].append(record)
    auditors = sorted(by_auditor)
    auditors = [auditors[i] for i in rng.permutation(len(auditors))]
    queues = []
    for auditor_id in auditors:
        members = by_auditor[auditor_id]
        queues.append([members[i] for i in rng.permutation(len(members))])
    chosen = []
    quota = min(quota, len(frame))
    depth = 0
    while len(chosen) < quota:
        for queue in queues:
            if depth < len(queue) and len(chosen) < quota:
                chosen.append((queue[depth].audit_id, STRATIFIED_AUDITOR))
        depth += 1
    return chosen
