"""What happens to saved console queries, as typed events on the query's own stream
(``analytics_query:<id>``): who saved, changed, shared or deleted which query. The queries people
run are kept in their history (``analytics_query_runs``), not in the audit log."""

from __future__ import annotations

from ..events import DomainEvent
from ..i18n import Translate


class QueryEvent(DomainEvent):
    subject_type = "analytics_query"
    name: str


class QuerySaved(QueryEvent):
    type = "analytics.query_saved"
    shared_with: str | None = None
    created: bool = True

    def describe(self, _: Translate) -> str:
        if self.shared_with:
            return _("saved the query «%(name)s», shared with the %(role)s role", name=self.name,
                     role=self.shared_with)
        return _("saved the query «%(name)s»", name=self.name)


class QueryDeleted(QueryEvent):
    type = "analytics.query_deleted"

    def describe(self, _: Translate) -> str:
        return _("deleted the query «%(name)s»", name=self.name)
