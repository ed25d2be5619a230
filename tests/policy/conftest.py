"""Policy test fixtures: fresh caches, an override directory, statement factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from rapidresponse.policy import countries, taxonomy


@pytest.fixture(autouse=True)
def _fresh_policy_caches(env: Callable[..., None]) -> Iterator[None]:
    env(policy_dir=None)
    countries.clear_cache()
    taxonomy.clear_cache()
    yield
    countries.clear_cache()
    taxonomy.clear_cache()


@pytest.fixture
def override(tmp_path: Path, env: Callable[..., None]) -> Callable[[str, Any], Path]:
    """Write ``doc`` (YAML data or text) at ``relative`` in an override dir that is switched on."""
    root = tmp_path / "policy"
    root.mkdir()
    env(policy_dir=str(root))

    def write(relative: str, doc: Any) -> Path:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        countries.clear_cache()
        taxonomy.clear_cache()
        return path

    return write


@pytest.fixture
def make_statement() -> Callable[..., dict[str, Any]]:
    """A valid statement of reasons (illegal-content ground), with fields replaced or removed (None)."""

    def make(**fields: Any) -> dict[str, Any]:
        base: dict[str, Any] = {
            "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
            "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
            "illegal_content_legal_ground": "Regulation (EU) 2021/784 Art. 3",
            "illegal_content_explanation": "Terrorist propaganda video re-uploaded from a known hash.",
            "content_type": ["CONTENT_TYPE_VIDEO"],
            "category": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
            "category_specification": ["KEYWORD_TERRORIST_CONTENT"],
            "territorial_scope": ["PL", "LT"],
            "content_language": "RU",
            "content_date": "2026-11-26",
            "application_date": "2026-11-27",
            "decision_facts": "Видео с призывами к насилию, удалено по приказу об удалении.",
            "source_type": "SOURCE_TRUSTED_FLAGGER",
            "source_identity": "Trusted flagger PL-0042",
            "automated_detection": "Yes",
            "automated_decision": "AUTOMATED_DECISION_PARTIALLY",
            "puid": "rr-2026-000001",
        }
        for key, value in fields.items():
            if value is None:
                base.pop(key, None)
            else:
                base[key] = value
        return base

    return make
