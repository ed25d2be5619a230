"""Approval gates: a text goes out only once the required role approved exactly that text.
Importing the package registers the notices to approvers and authors."""

from . import notices

__all__ = ["notices"]
