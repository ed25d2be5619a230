"""Imports every domain's tables so that the metadata (and Alembic) sees them all."""

from .auth import models as auth_models
from .db import Base
from .events import Event, StreamHead
from .incidents import models as incident_models
from .notify import models as notify_models

__all__ = ["Base", "Event", "StreamHead", "auth_models", "incident_models", "notify_models"]
