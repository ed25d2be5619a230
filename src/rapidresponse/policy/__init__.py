"""Jurisdictions: the harm taxonomy, the DSA vocabulary, country profiles and their corrections, legal
deadline clocks and the applicable-rules checklist.

The public surface: other domains use what is exported here (``policy.dsa`` is the DSA statement
vocabulary as a namespace). This domain knows no incident, request or decision: it sits below them.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
