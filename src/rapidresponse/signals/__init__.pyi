"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .buckets import bucket_of
from .events import BatchIngested, HashMatched
from .feed import (
    SeriesKey,
    add_series_counts,
    first_bucket,
    series_counts,
    series_keys,
    signals_behind,
    slice_signal_ids,
)
from .retention import REPORTER_KEYS, delete_signals, erase_reporter, redact_signals, signals_of_reporter
from .schemas import (
    BUCKET_MINUTES,
    MAX_BATCH,
    BatchResult,
    ExposureRow,
    SeriesOut,
    SeriesPoint,
    SeriesQuery,
    SignalFilter,
    SignalIn,
    SignalOut,
    Source,
    TrendOut,
)
from .service import EXPORT_COLUMNS, export_after, exposure, ingest, last_id, list_signals, series, signals_by_ids
from .stage import oldest_pending, process_pending
from .trends import get_trend, list_trends
from .viewing import safe_text

__all__ = [
    "BUCKET_MINUTES", "EXPORT_COLUMNS", "MAX_BATCH", "REPORTER_KEYS", "BatchIngested", "BatchResult", "ExposureRow",
    "HashMatched", "SeriesKey", "SeriesOut", "SeriesPoint", "SeriesQuery", "SignalFilter", "SignalIn", "SignalOut",
    "Source", "TrendOut", "add_series_counts", "bucket_of", "delete_signals", "erase_reporter", "export_after",
    "exposure", "first_bucket", "get_trend", "ingest", "last_id", "list_signals", "list_trends", "oldest_pending",
    "process_pending", "redact_signals", "safe_text", "series", "series_counts", "series_keys", "signals_behind",
    "signals_by_ids", "signals_of_reporter", "slice_signal_ids",
]
