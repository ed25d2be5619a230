"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .events import QueryDeleted, QuerySaved
from .metrics import INDICATORS, METRICS, STAGES, Scope
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
    copy_warehouse,
    delete_query,
    export,
    get_query,
    history,
    list_queries,
    metric,
    metrics_of,
    overview,
    restore_warehouse,
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
    "INDICATORS", "METRICS", "STAGES", "ExportOut", "HistoryOut", "MetricFilter", "MetricOut", "Overview",
    "QueryDeleted", "QueryIn", "QueryResult", "QuerySaved", "SavedQueryIn", "SavedQueryOut", "Scope", "StatusOut",
    "SyncOut", "TableDoc", "copy_warehouse", "delete_query", "export", "get_query", "history", "list_queries",
    "metric", "metrics_of", "overview", "restore_warehouse", "run_query", "run_saved", "save_query", "status",
    "sync_now", "sync_tick", "tables", "update_query",
]
