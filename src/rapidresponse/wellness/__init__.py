"""Wellness: protect the responders who look at the content. Safe viewing applied wherever content is
shown (blur, greyscale, masking, click-to-reveal, a warning before the worst classes; child-safety
media never shown), an exposure log without content, budgets per person per day and week with breaks,
exposure-aware routing of high-intensity work, surge mode, anonymous check-ins after incidents, and a
team view that is aggregate only. Nobody but the person sees their own exposure.

The public surface: other domains and the composition reach the domain through what is exported here.
Loading the domains (``domains.load``) registers its subscriber (the recovery prompt after a SEV1).
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
