"""Signals: intake (API, files, streams), series buckets and near-duplicate trends."""
