"""Signals: intake (API batches, files, streams), enrichment, 5-minute series and near-duplicate trends.

The public surface: other domains use what is exported here: intake and queries that take and return
schemas, and the series feed the detection domain reads (counts per harm × country × language ×
5-minute bucket, and the signals and trends behind a slice). Importing it loads neither numpy nor
datasketch: clustering loads them on the first batch.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
