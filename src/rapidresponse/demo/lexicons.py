"""The demo's lexicons: the shipped starter lexicons, then the policy team's later additions.

The starter files load as the first version of each lexicon; two later changes (a coded term the
team saw spread with the active dangerous-challenge incident, a hashtag that turned out to be
harmless and was removed) give the version history something to show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import yaml
from sqlalchemy.orm import Session

from .. import clock, language
from ..auth import Actor


def seed_lexicons(session: Session, actors: dict[str, Actor], base: datetime) -> None:
    policy = actors["nurlan.akhmetov"]
    with clock.held_at(base - timedelta(days=60)):
        for path in sorted(language.STARTER.glob("*.yaml")):
            language.import_document(session, policy, yaml.safe_load(path.read_text("utf-8")), source=path.name)
    with clock.held_at(base - timedelta(days=2)):
        language.add_term(session, actors["katarzyna.nowak"], harm="dangerous_challenge", language="ru",
                         term="челлендж обморок", kind="coded", note="seen with the active incident")
        language.add_term(session, policy, harm="dangerous_challenge", language="kk", term="#иткайф", kind="hashtag")
    with clock.held_at(base - timedelta(days=1)):
        language.remove_term_text(session, policy, harm="dangerous_challenge", language="kk", term="#иткайф")
