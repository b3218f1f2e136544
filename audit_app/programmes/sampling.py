"""Reproducible random sampling without replacement. No Flask, no database.

Used by programme draws and reusable by any sampler (moderation, dip samples): give it the
sampling frame in a stable order, a seed and a sample size, and the same three inputs
always give the same items in the same order.
"""

import secrets

import numpy as np

# NumPy promises the same stream from a seed only within a version, so every draw stores the
# version beside its seed (programme draws and moderation rounds alike).
NUMPY_VERSION = np.__version__
# Seeds are stored in a signed 64-bit column, so they are kept below 2**63.
MAX_SEED = 2**63 - 1


def fresh_seed():
    """A new random seed from the operating system's secure source."""
    return secrets.randbits(63)


def draw(frame, seed, n):
    """`min(n, len(frame))` distinct items of `frame`, in draw order.

    `frame` must already be in a stable order (for cases, by id): the seed picks positions,
    so the same seed over a differently ordered frame picks different items.
    """
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}")
    if n < 0:
        raise ValueError("n must not be negative")
    frame = list(frame)
    size = min(n, len(frame))
    if size == 0:
        return []
    positions = np.random.default_rng(seed).choice(len(frame), size=size, replace=False)
    return [frame[int(i)] for i in positions]
