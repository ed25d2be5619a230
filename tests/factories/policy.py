"""``policy_files``: a ``RAPIDRESPONSE_POLICY_DIR`` of the test's own (a team's data files over the
packaged ones), switched on for the test; the profile and taxonomy caches are fresh before and after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from rapidresponse import policy


@pytest.fixture
def policy_files(tmp_path: Path, env: Callable[..., None]) -> Iterator[Callable[[str, Any], Path]]:
    """``write(relative, doc)``: write ``doc`` (YAML data or text) at ``relative`` in the directory."""
    root = tmp_path / "policy"
    root.mkdir()
    env(policy_dir=str(root))
    policy.clear_cache()

    def write(relative: str, doc: Any) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        policy.clear_cache()
        return path

    yield write
    env(policy_dir=None)
    policy.clear_cache()
