"""Harm taxonomy, country profiles, legal clocks, regulator requests, decisions and statements of reasons."""

from . import clock_jobs, reply_service  # noqa: F401  (the request-clock job; the reply approval subscriber)
from .taxonomy import load_taxonomy  # noqa: F401  (the harm taxonomy other domains check slugs against)
