"""The public surface of the package (read by type checkers; loaded lazily by ``surface.attach``)."""

from .csvfile import MAX_CSV_BYTES, CsvEntry, CsvReject
from .events import Created, EntriesAdded, EntryRemoved, Imported, Updated
from .matching import HashHit, MediaMatches, match_queries, record_media_matches, search
from .pdq import DEFAULT_DISTANCE, MAX_IMAGE_BYTES, MIN_QUALITY, ImageHash, hash_image, is_pdq, parse_hash
from .schemas import EntryOut, EntryPage, HashListOut, IntakeMatchOut, MatchOut, VersionOut
from .service import (
    ImportReport,
    add_entries,
    add_hash,
    create_list,
    entries,
    export_csv,
    find,
    get,
    import_csv,
    list_lists,
    recent_matches,
    remove_entry,
    update_list,
    versions,
)

__all__ = [
    "DEFAULT_DISTANCE", "MAX_CSV_BYTES", "MAX_IMAGE_BYTES", "MIN_QUALITY", "Created", "CsvEntry", "CsvReject",
    "EntriesAdded", "EntryOut", "EntryPage", "EntryRemoved", "HashHit", "HashListOut", "ImageHash", "ImportReport",
    "Imported", "IntakeMatchOut", "MatchOut", "MediaMatches", "Updated", "VersionOut", "add_entries", "add_hash",
    "create_list", "entries", "export_csv", "find", "get", "hash_image", "import_csv", "is_pdq", "list_lists",
    "match_queries", "parse_hash", "recent_matches", "record_media_matches", "remove_entry", "search", "update_list",
    "versions",
]
