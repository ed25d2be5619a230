"""Harm taxonomy, country profiles, legal clocks, regulator requests, decisions and statements of reasons."""

from . import clock_jobs, reply_service  # noqa: F401  (the request-clock job; the reply approval subscriber)
