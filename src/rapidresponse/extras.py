"""Optional dependencies: what only some deployments install (``pip install 'rapidresponse[extra]'``).

A feature that needs one imports it through :func:`need`, which says which extra to install when the
library is missing instead of failing with an ImportError deep in a request.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from .errors import FeatureUnavailable

EXTRAS = {
    "streams": "consuming signals from NATS JetStream or Redis Streams",
    "hashing": "PDQ hash lists and matching images",
    "parquet": "importing signals from Parquet files",
    "postgres": "PostgreSQL",
    "pdf": "exporting reviews as PDF",
}


def need(module: str, extra: str) -> ModuleType:
    """``module``, imported; FeatureUnavailable naming ``extra`` when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise FeatureUnavailable(
            f"{EXTRAS.get(extra, extra)} needs the '{extra}' extra: pip install 'rapidresponse[{extra}]'",
            extra=extra) from None
    except OSError as exc:  # installed, but a system library it loads is missing (e.g. Pango for PDF)
        raise FeatureUnavailable(f"{EXTRAS.get(extra, extra)} needs a system library this machine lacks: {exc}",
                                 extra=extra) from None


def available(module: str) -> bool:
    """Whether ``module`` is installed (a feature can then use it, or choose a slower way)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a parent package missing, or a module blocked in sys.modules
        return False
