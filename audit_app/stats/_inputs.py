"""Input checking shared by the agreement functions (private).

Every public function takes two sequences of category labels paired by
position: ``a[i]`` and ``b[i]`` are two ratings of the same case file.
``None`` in either sequence marks a missing rating and drops that pair.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from scipy import stats


def check_confidence(confidence: object) -> float:
    """Return ``confidence`` as a float, or raise if it is not strictly inside (0, 1)."""
    if isinstance(confidence, bool) or not isinstance(confidence, Real):
        raise ValueError(
            f"confidence must be a number strictly between 0 and 1, got {confidence!r}"
        )
    value = float(confidence)
    if not (math.isfinite(value) and 0.0 < value < 1.0):
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence!r}")
    return value


@lru_cache(maxsize=16)  # a report asks for the same 95% quantile for every figure
def z_for(confidence: float) -> float:
    """Two-sided standard normal quantile, e.g. 1.959964 for 0.95."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def check_count(value: object, name: str) -> int:
    """Return ``value`` as a non-negative int (bools and non-integers are refused)."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must not be negative, got {count}")
    return count


def _check_sequence(values: object, name: str) -> Sequence:
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ValueError(f"{name} must be a sequence of category labels (a list or tuple)")
    return values


def check_categories(categories: object) -> tuple:
    """Validate an explicit category list: non-empty, unique, hashable, no ``None``."""
    cats = tuple(_check_sequence(categories, "categories"))
    if not cats:
        raise ValueError("categories must not be empty")
    for cat in cats:
        if cat is None:
            raise ValueError("categories must not contain None (None marks a missing rating)")
        if not isinstance(cat, Hashable):
            raise ValueError(f"category {cat!r} is not hashable")
    seen: set = set()
    for cat in cats:
        if cat in seen:
            raise ValueError(f"categories must be unique; repeated: {cat!r}")
        seen.add(cat)
    return cats


def paired(a: object, b: object, categories: object = None) -> tuple[list, list, tuple]:
    """Check two rating sequences and return ``(a_kept, b_kept, categories)``.

    Pairs where either rating is ``None`` are dropped. When ``categories`` is
    given, every non-missing label in either sequence must be one of them (the
    error names the first unknown label). When it is ``None`` the categories are
    the sorted distinct labels seen in the kept pairs.
    """
    seq_a = _check_sequence(a, "a")
    seq_b = _check_sequence(b, "b")
    if len(seq_a) != len(seq_b):
        raise ValueError(
            f"a and b must pair ratings by position but have different lengths "
            f"({len(seq_a)} and {len(seq_b)})"
        )
    cats = None if categories is None else check_categories(categories)
    known = None if cats is None else set(cats)
    for name, seq in (("a", seq_a), ("b", seq_b)):
        for label in seq:
            if label is None:
                continue
            if not isinstance(label, Hashable):
                raise ValueError(f"label {label!r} in {name} is not hashable")
            if known is not None and label not in known:
                raise ValueError(f"unknown category {label!r} in {name}")
    kept = [(x, y) for x, y in zip(seq_a, seq_b, strict=True) if x is not None and y is not None]
    kept_a = [x for x, _ in kept]
    kept_b = [y for _, y in kept]
    if cats is None:
        seen = set(kept_a) | set(kept_b)
        try:
            cats = tuple(sorted(seen))
        except TypeError:
            cats = tuple(sorted(seen, key=repr))
    return kept_a, kept_b, cats


def table(a_kept: list, b_kept: list, cats: tuple) -> np.ndarray:
    """Square count table, rows = rater a, columns = rater b, in ``cats`` order."""
    index = {cat: i for i, cat in enumerate(cats)}
    counts = np.zeros((len(cats), len(cats)), dtype=np.int64)
    for x, y in zip(a_kept, b_kept, strict=True):
        counts[index[x], index[y]] += 1
    return counts
