"""Users, roles, permissions, second factors, single sign-on, web sessions and API tokens.

The public surface: other domains use what is exported here, never the tables behind it.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
