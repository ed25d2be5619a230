"""Where the NAB development subset is: $RAPIDRESPONSE_NAB_DIR, or ``shared/nab`` beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def nab_dir() -> Path:
    env = os.environ.get("RAPIDRESPONSE_NAB_DIR")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "nab"
    if not (path / "labels" / "combined_windows.json").is_file():
        if IN_CI:
            pytest.fail(f"CI must provide the NAB subset at {path} (or set RAPIDRESPONSE_NAB_DIR)")
        pytest.skip(f"NAB subset not found at {path}: set RAPIDRESPONSE_NAB_DIR or place shared/nab beside the repo")
    return path
