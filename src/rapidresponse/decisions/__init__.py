"""The content decision log: one decision per item (what was done, on which ground, where), the
appeals against decisions, and the DSA statements of reasons built from them for the Transparency
Database (checked field by field, exported as API batches or CSV).

The public surface: other domains use what is exported here, services that take and return schemas.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
