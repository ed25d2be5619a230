"""Where the NAB development subset is: $RAPIDRESPONSE_NAB_DIR, or ``shared/nab`` beside the repository.

The subset is third-party data that the repository does not carry, so the tests that score against it
skip (saying where they looked) wherever it is not provided, CI included: the suite passes from the
repository alone, and scores NAB wherever the data sits beside it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def nab_dir() -> Path:
    env = os.environ.get("RAPIDRESPONSE_NAB_DIR")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "nab"
    if not (path / "labels" / "combined_windows.json").is_file():
        pytest.skip(f"NAB subset not found at {path}: set RAPIDRESPONSE_NAB_DIR or place shared/nab beside the repo")
    return path
