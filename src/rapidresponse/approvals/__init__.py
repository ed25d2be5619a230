"""Approval gates: a text goes out only once the required role approved exactly that text.

The public surface: other domains ask for approvals and react to decisions through what is exported
here (the services return :class:`ApprovalOut`, never the table). Loading the domains (``domains.load``) registers
the notices to approvers and authors.
"""

from ..surface import attach

__getattr__, __dir__, __all__ = attach(__name__, __file__)
