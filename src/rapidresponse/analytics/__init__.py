"""Analytics: the warehouse (DuckDB, fed from the event log and the signal store by the worker), the
team's metrics written once in Ibis (DuckDB, PostgreSQL, Spark), and a read-only SQL console with
saved queries and history.

The public surface: the composition (app, CLI, demo) and tests reach the domain through what is
exported here. Importing the package registers the ``analytics.sync`` worker job.
"""

from . import jobs
from .events import QueryDeleted, QuerySaved
from .metrics import METRICS, STAGES, Scope
from .schemas import (
    ExportOut,
    HistoryOut,
    MetricFilter,
    MetricOut,
    Overview,
    QueryIn,
    QueryResult,
    SavedQueryIn,
    SavedQueryOut,
    StatusOut,
    SyncOut,
    TableDoc,
)
from .service import (
    delete_query,
    export,
    get_query,
    history,
    list_queries,
    metric,
    metrics_of,
    overview,
    run_query,
    run_saved,
    save_query,
    status,
    sync_now,
    sync_tick,
    tables,
    update_query,
)

__all__ = [
    "METRICS", "STAGES", "ExportOut", "HistoryOut", "MetricFilter", "MetricOut", "Overview", "QueryDeleted",
    "QueryIn", "QueryResult", "QuerySaved", "SavedQueryIn", "SavedQueryOut", "Scope", "StatusOut", "SyncOut",
    "TableDoc", "delete_query", "export", "get_query", "history", "jobs", "list_queries", "metric", "metrics_of",
    "overview", "run_query", "run_saved", "save_query", "status", "sync_now", "sync_tick", "tables", "update_query",
]
