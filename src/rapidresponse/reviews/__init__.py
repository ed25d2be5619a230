"""Reviews: post-incident reviews drafted from the timeline and the figures of the response,
their sign-off and publication, the closing gate, action items and recurrence.

The public surface: other domains (and the demo) draft, read and publish reviews and manage action
items through what is exported here, and may react to the events. Loading the domains (``domains.load``) registers
the closing check with incidents, the recurrence subscriber and the ``reviews.action_items`` job.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
