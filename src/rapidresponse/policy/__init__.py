"""Harm taxonomy, country profiles, legal clocks, regulator requests, decisions and statements of reasons."""

from . import clock_jobs  # noqa: F401  (registers the request-clock worker job)
