"""What happens to a hash list, as typed events on the list's own stream (``hash_list:<id>``)."""

from __future__ import annotations

from typing import Any

from ..events import DomainEvent
from ..i18n import Translate


class HashListEvent(DomainEvent):
    subject_type = "hash_list"


class Created(HashListEvent):
    type = "hashlist.created"
    name: str
    harm: str
    source: str
    max_distance: int

    def describe(self, _: Translate) -> str:
        return _("created the hash list “%(name)s” shared by %(source)s", name=self.name, source=self.source)


class Updated(HashListEvent):
    """The list's settings changed; ``changes`` holds ``{field: {"from": old, "to": new}}`` (not the description)."""

    type = "hashlist.updated"
    version: int
    change: str
    changes: dict[str, dict[str, Any]] = {}

    def describe(self, _: Translate) -> str:
        return _("changed the hash list: %(change)s (version %(version)s)", change=self.change, version=self.version)


class EntriesCounted(HashListEvent):
    """What an import or an addition did: rows read, hashes accepted, duplicates and rejected rows."""

    version: int
    read: int
    accepted: int
    duplicates: int
    rejected: int
    change: str = ""


class Imported(EntriesCounted):
    type = "hashlist.imported"

    def describe(self, _: Translate) -> str:
        return _("imported %(accepted)s hashes (%(duplicates)s duplicates, %(rejected)s rejected)",
                 accepted=self.accepted, duplicates=self.duplicates, rejected=self.rejected)


class EntriesAdded(EntriesCounted):
    type = "hashlist.entries_added"

    def describe(self, _: Translate) -> str:
        return _("added %(n)s hashes (version %(version)s)", n=self.accepted, version=self.version)


class EntryRemoved(HashListEvent):
    type = "hashlist.entry_removed"
    version: int
    entry: dict[str, Any]  # id, hash, label

    def describe(self, _: Translate) -> str:
        return _("removed the hash %(hash)s… (version %(version)s)", hash=str(self.entry.get("hash", ""))[:16],
                 version=self.version)
