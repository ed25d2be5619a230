"""Imports every domain's tables so that the metadata (and Alembic) sees them all."""

from .approvals import models as approval_models
from .auth import models as auth_models
from .db import Base
from .detection import models as detection_models
from .events import Event, StreamHead
from .incidents import models as incident_models
from .language import models as language_models
from .notify import models as notify_models
from .oncall import models as oncall_models
from .playbooks import models as playbook_models
from .policy import models as policy_models
from .signals import models as signal_models

__all__ = ["Base", "Event", "StreamHead", "approval_models", "auth_models", "detection_models", "incident_models",
           "language_models", "notify_models", "oncall_models", "playbook_models", "policy_models", "signal_models"]
