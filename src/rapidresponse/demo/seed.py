"""Seed the demo world once, in one unit of work, through the real services.

The ``demo.seeded`` event marks a seeded database: a second run finds it and changes nothing.
Users are created first (back-dated to before the history), then every incident's steps run in
time order under the injectable clock, so the hash-chained log reads as the year really went.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import auth, clock, events, notify
from ..auth import SYSTEM, Actor
from ..db import unit_of_work
from ..errors import NotFound
from ..i18n import Translate
from . import data, history, policy, scenario
from .detection import seed_detection
from .hashlists import seed_hashlists
from .lexicons import seed_lexicons
from .oncall import seed_oncall
from .script import Context, play
from .signals import seed_signals
from .translation import seed_skills, seed_translation

DEFAULT_HISTORY = 220
DEFAULT_SEED = 2024
class Seeded(events.DomainEvent):
    """The demo world was seeded (once per database): what it holds."""

    type = "demo.seeded"
    subject_type = "demo"
    users: int
    incidents: int
    active_ref: str
    restricted_ref: str
    history: int
    seed: int

    def describe(self, _: Translate) -> str:
        return _("seeded the demo: %(users)s users and %(incidents)s incidents", users=self.users,
                 incidents=self.incidents)


MARKER = Seeded.type


@dataclass
class SeedReport:
    created: bool
    users: int
    incidents: int
    active_ref: str
    restricted_ref: str


def _marker(session: Session) -> events.Event | None:
    return session.execute(select(events.Event).where(events.Event.type == MARKER).limit(1)).scalar_one_or_none()


def is_seeded(session: Session) -> bool:
    return _marker(session) is not None


def ensure_users(session: Session) -> dict[str, Actor]:
    """The demo people with their known passwords; existing accounts are kept as they are."""
    actors: dict[str, Actor] = {}
    for person in data.PEOPLE:
        try:
            user = auth.find_person(session, person.username)
        except NotFound:
            # No email address: a year of back-dated history would otherwise queue hundreds of mails
            # to a relay the demo machine does not have. `users create NAME --email …` to try notifications.
            user, _ = auth.create_user(session, SYSTEM, username=person.username, role=person.role,
                                       password=person.password, display_name=person.display_name,
                                       locale=person.locale,
                                       timezone=person.timezone, must_change_password=False)
        actors[person.username] = auth.to_actor(user)
    return actors


def seed_audiences(session: Session) -> None:
    """Every stakeholder audience has a recipient, so that an update can be drafted, approved and sent in the
    demo (serve a mail catcher on the SMTP port to read them)."""
    for slug in notify.AUDIENCE_DEFAULTS:
        notify.set_audience(session, SYSTEM, slug, emails=[f"{slug.replace('_', '-')}@demo.example.org"])


def seed(*, history_size: int = DEFAULT_HISTORY, random_seed: int = DEFAULT_SEED,
         progress: Callable[[int, int], None] | None = None) -> SeedReport:
    """Seed the demo world unless it is there already; ``progress(done, total)`` follows the steps."""
    base = clock.now()
    rng = random.Random(random_seed)
    with unit_of_work() as session:
        found = _marker(session)
        if found is not None:
            p = found.payload
            return SeedReport(False, p["users"], p["incidents"], p["active_ref"], p["restricted_ref"])
        with clock.held_at(base - timedelta(days=history.SPAN_DAYS + 30)):
            actors = ensure_users(session)
            seed_skills(session, actors)
        scripts = history.plan_history(rng, base, history_size)
        restricted = scenario.restricted_incident(len(scripts) + 1, base)
        active = scenario.active_incident(len(scripts) + 2, base)
        scripts += [restricted, active, *scenario.open_incidents(len(scripts) + 3, base)]
        scripts.append(policy.compliance(len(scripts) + 1, base, active))
        play(Context(session, actors), scripts, progress)
        seed_audiences(session)
        seed_oncall(session, actors, base, active.ref)
        seed_lexicons(session, actors, base)
        media = seed_hashlists(session, actors, base)
        seed_signals(session, SYSTEM, base, media_hashes=media)
        seed_detection(session, actors, base, active.ref)
        seed_translation(session, actors, base, active.ref)
        report = SeedReport(True, len(actors), len(scripts), active.ref, restricted.ref)
        events.record(session, None, Seeded(subject_id="reeca", users=report.users, incidents=report.incidents,
                                            active_ref=report.active_ref, restricted_ref=report.restricted_ref,
                                            history=history_size, seed=random_seed), at=base)
    return report
