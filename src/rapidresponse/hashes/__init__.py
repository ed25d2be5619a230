"""Hashes: PDQ hash lists shared by partners (versioned, imported from their CSV files) and matching
images or hashes against them; the matches of reported media found at signal intake.

The public surface: other domains use what is exported here. Importing it loads neither numpy nor
FAISS, Pillow or pdqhash: they load on the first match or image.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
