"""Secrets made on first use and kept in a file readable by its owner only (instance/)."""

import os
import tempfile
from pathlib import Path


def kept_secret(path, make):
    """The secret kept in `path`; on first use, `make()` one and keep it there.

    The file appears complete or not at all (written aside, then linked into place), so
    two processes starting together agree on one secret.
    """
    path = Path(path)
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(value + "\n")
        os.link(aside, path)
    except FileExistsError:  # another process kept one first: use theirs
        return path.read_text().strip()
    finally:
        os.unlink(aside)
    return value
