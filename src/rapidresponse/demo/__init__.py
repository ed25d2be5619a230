"""The demo scenario: a believable REECA rapid-response world, seeded through the real services.

``rapidresponse demo [--serve]`` seeds it once (idempotent) and prints the demo logins. Every post,
person and incident here is synthetic.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
